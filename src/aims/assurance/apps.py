from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    name = "aims.assurance"
    label = "assurance"
    verbose_name = "Performance evaluation and improvement"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from aims.core.permissions import ADD, APPROVE, CHANGE, DELETE, EXPORT, VIEW, register
        from aims.core.roles import Role as R

        everyone = frozenset(R)
        members = everyone - {R.EXTERNAL_AUDITOR}  # anyone who works here may report a problem
        managers = frozenset({R.AI_MANAGER, R.ORG_ADMIN})
        handlers = frozenset(
            {R.AI_MANAGER, R.OPERATIONAL_TEAM, R.TECHNICAL_TEAM, R.RISK_TEAM, R.CIO_CDO, R.ORG_ADMIN}
        )
        auditors = frozenset({R.INTERNAL_AUDIT})
        leaders = frozenset({R.TOP_MANAGEMENT, R.AI_MANAGER})

        register(
            "incident",
            _("Incident"),
            {
                VIEW: everyone,
                ADD: members,
                CHANGE: handlers,
                DELETE: managers,
                APPROVE: frozenset({R.AI_MANAGER, R.CIO_CDO}),  # close an incident
                EXPORT: everyone,
            },
        )
        register(
            "feedback",
            _("Feedback and concerns"),
            {
                VIEW: everyone,
                ADD: members,
                CHANGE: frozenset({R.AI_MANAGER, R.OPERATIONAL_TEAM, R.ORG_ADMIN}),
                DELETE: managers,
                EXPORT: everyone,
            },
        )
        register(
            "nonconformity",
            _("Nonconformity"),
            {
                VIEW: everyone,
                ADD: members,
                CHANGE: handlers | auditors,
                DELETE: managers,
                # verify effectiveness and close: the AI manager or internal audit, never the owner (checked)
                APPROVE: frozenset({R.AI_MANAGER, R.INTERNAL_AUDIT}),
                EXPORT: everyone,
            },
        )
        register(
            "corrective_action",
            _("Corrective action"),
            {
                VIEW: everyone,
                ADD: handlers | auditors,
                CHANGE: handlers | auditors,
                DELETE: managers,
                EXPORT: everyone,
            },
        )
        register(
            "improvement",
            _("Improvement"),
            {
                VIEW: everyone,
                ADD: members,
                CHANGE: managers | frozenset({R.TOP_MANAGEMENT}),
                DELETE: managers,
                EXPORT: everyone,
            },
        )
        register(
            "audit_programme",
            _("Audit programme"),
            {
                VIEW: everyone,
                ADD: auditors,
                CHANGE: auditors,
                DELETE: auditors,
                APPROVE: frozenset({R.TOP_MANAGEMENT}),
                EXPORT: everyone,
            },
        )
        register(
            "audit",
            _("Internal audit"),
            {
                VIEW: everyone,
                ADD: auditors,
                CHANGE: auditors,
                DELETE: auditors,
                EXPORT: everyone,
            },
        )
        register(
            "finding",
            _("Audit finding"),
            {
                VIEW: everyone,
                ADD: auditors,
                CHANGE: auditors,
                DELETE: auditors,
                EXPORT: everyone,
            },
        )
        register(
            "management_review",
            _("Management review"),
            {
                VIEW: everyone,
                ADD: leaders,
                CHANGE: leaders,
                DELETE: frozenset({R.AI_MANAGER}),
                APPROVE: frozenset({R.TOP_MANAGEMENT}),
                EXPORT: everyone,
            },
        )
        register(
            "kpi",
            _("KPI"),
            {
                VIEW: everyone,
                ADD: managers | frozenset({R.CIO_CDO}),
                CHANGE: managers | frozenset({R.CIO_CDO}),
                DELETE: managers,
                EXPORT: everyone,
            },
        )
        register(
            "task",
            _("Task"),
            {
                VIEW: everyone,
                ADD: members,
                CHANGE: members,
                DELETE: managers,
                EXPORT: everyone,
            },
        )
