from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "aims.compliance"
    label = "compliance"
    verbose_name = "Compliance: catalogs, controls, SoA, EU AI Act"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import permissions, signals

        permissions.register_all()
        # A fresh `aims migrate` (and every later one) loads or upgrades the shipped catalogs.
        post_migrate.connect(
            signals.load_catalogs_after_migrate, sender=self, dispatch_uid="compliance-catalogs"
        )
