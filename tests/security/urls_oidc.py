"""aims.urls with the OIDC routes, for the tests, while aims/urls.py does not include them yet."""

from django.urls import include, path

from aims import urls as project
from aims.core import oidc

handler404, handler500, handler403 = project.handler404, project.handler500, project.handler403
urlpatterns = list(project.urlpatterns)
if not any(getattr(p, "name", None) == "oidc-login" for p in urlpatterns):
    urlpatterns.insert(0, path("", include(oidc.urlpatterns)))
