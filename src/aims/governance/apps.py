from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "aims.governance"
    label = "governance"
    verbose_name = "Leadership, planning and support"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from aims.core.permissions import ADD, APPROVE, CHANGE, DELETE, EXPORT, VIEW, register
        from aims.core.roles import Role as R

        everyone = frozenset(R)
        members = everyone - {R.EXTERNAL_AUDITOR}
        managers = frozenset({R.AI_MANAGER, R.ORG_ADMIN})
        planners = frozenset({R.AI_MANAGER, R.TOP_MANAGEMENT, R.CIO_CDO})

        register(
            "document",
            _("Document and AI policy"),
            {
                VIEW: everyone,
                ADD: members - {R.ORG_ADMIN},
                CHANGE: members - {R.ORG_ADMIN},
                DELETE: managers,
                # the AI policy itself: top management only (checked in the service)
                APPROVE: frozenset({R.TOP_MANAGEMENT, R.AI_MANAGER, R.CIO_CDO}),
                EXPORT: everyone,
            },
        )
        register(
            "raci",
            _("Roles and responsibilities"),
            {
                VIEW: everyone,
                ADD: planners | {R.ORG_ADMIN},
                CHANGE: planners | {R.ORG_ADMIN},
                DELETE: managers,
                EXPORT: everyone,
            },
        )
        register(
            "objective",
            _("AI objective"),
            {
                VIEW: everyone,
                ADD: planners,
                CHANGE: planners,
                DELETE: managers,
                EXPORT: everyone,
            },
        )
        register(
            "competence",
            _("Competence requirement"),
            {
                VIEW: everyone,
                ADD: frozenset({R.AI_MANAGER, R.CIO_CDO, R.ORG_ADMIN}),
                CHANGE: frozenset({R.AI_MANAGER, R.CIO_CDO, R.ORG_ADMIN}),
                DELETE: managers,
                EXPORT: everyone,
            },
        )
        register(
            "training",
            _("Training record"),
            {
                # anyone records their own training; managers record anyone's (checked in the service)
                VIEW: everyone,
                ADD: members,
                CHANGE: members,
                DELETE: managers,
                EXPORT: everyone,
            },
        )
        register(
            "communication",
            _("Communication"),
            {
                VIEW: everyone,
                ADD: planners | {R.ORG_ADMIN},
                CHANGE: planners | {R.ORG_ADMIN},
                DELETE: managers,
                EXPORT: everyone,
            },
        )
        register(
            "resource",
            _("Resource allocation"),
            {
                VIEW: everyone,
                ADD: planners,
                CHANGE: planners,
                DELETE: managers,
                EXPORT: everyone,
            },
        )
