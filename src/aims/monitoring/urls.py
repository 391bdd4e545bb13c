"""Pages of the monitoring area, mounted at /monitoring/."""

from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.monitor_list, name="monitor-list"),
    path("monitors/new/", views.monitor_create, name="monitor-create"),
    path("monitors/<int:pk>/", views.monitor_detail, name="monitor-detail"),
    path("monitors/<int:pk>/edit/", views.monitor_edit, name="monitor-edit"),
    path("monitors/<int:pk>/evaluate/", views.monitor_evaluate, name="monitor-evaluate"),
    path("alerts/", views.alert_list, name="alert-list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert-resolve"),
    path("channels/", views.channel_list, name="channel-list"),
    path("channels/<int:pk>/", views.channel_edit, name="channel-edit"),
    path("channels/<int:pk>/deliveries/", views.channel_deliveries, name="channel-deliveries"),
    path("systems/<slug:slug>/", views.system_trends, name="system-trends"),
]
