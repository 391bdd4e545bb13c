from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "aims.risk"
    label = "risk"
    verbose_name = "Risk management"

    def ready(self) -> None:
        from . import permissions, signals  # noqa: F401  (registers object types and triggers)

        permissions.register_all()
