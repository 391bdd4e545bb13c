"""Test URLconf for the import/export endpoints until `io_router` is mounted in the main API.

Once aims/urls.py mounts `aims.inventory.api_io.io_router` under /api/v1/ai-systems, this module is
the main URLconf itself, so the tests exercise the real mounting. Until then it puts a second
NinjaAPI (same authentication and error handlers) in front of the main URLconf, at the same paths.
"""

from django.urls import path
from ninja import NinjaAPI

from aims import urls as main_urls
from aims.core.api import api as main_api
from aims.core.api_helpers import AUTH
from aims.inventory.api_io import io_router

MOUNTED = any(registration[1] is io_router for registration in main_api._router_registrations)

if MOUNTED:
    test_api = main_api
    urlpatterns = list(main_urls.urlpatterns)
else:
    test_api = NinjaAPI(
        title="AIMS import/export (test)", auth=AUTH, urls_namespace="api-io-test", docs_url=None
    )
    test_api._exception_handlers.update(main_api._exception_handlers)
    test_api.add_router("/ai-systems", io_router)
    urlpatterns = [path("api/v1/", test_api.urls), *main_urls.urlpatterns]

handler404 = main_urls.handler404
handler500 = main_urls.handler500
handler403 = main_urls.handler403
