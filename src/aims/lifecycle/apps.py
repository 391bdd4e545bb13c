from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "aims.lifecycle"
    label = "lifecycle"
    verbose_name = "Lifecycle: gates, datasets, models, vendors, deployments"

    def ready(self) -> None:
        from . import permissions

        permissions.register_all()
