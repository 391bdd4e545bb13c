from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "aims.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from . import permissions, signals  # noqa: F401  (registers object types and evidence triggers)

        permissions.register_all()
