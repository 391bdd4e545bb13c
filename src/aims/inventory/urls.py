from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("systems/", views.system_list, name="system-list"),
    path("systems/<slug:slug>/", views.system_detail, name="system-detail"),
]
