from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "aims.monitoring"
    label = "monitoring"
