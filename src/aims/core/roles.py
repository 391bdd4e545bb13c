"""The roles a membership can give, named as in ISO/IEC 42001 practice (clause 5.3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TOP_MANAGEMENT = "top_management", _("Top management")
    CIO_CDO = "cio_cdo", _("CIO / CDO")
    AI_MANAGER = "ai_manager", _("AI manager")
    RISK_TEAM = "risk_team", _("Risk team")
    TECHNICAL_TEAM = "technical_team", _("Technical team")
    OPERATIONAL_TEAM = "operational_team", _("Operational team")
    INTERNAL_AUDIT = "internal_audit", _("Internal audit")
    EXTERNAL_AUDITOR = "external_auditor", _("External auditor (read-only)")
    ORG_ADMIN = "org_admin", _("Organization admin")


ROLE_HELP = {
    Role.TOP_MANAGEMENT: _("Strategic commitment: approves the AI policy, the scope and risk acceptance."),
    Role.CIO_CDO: _("Data and AI governance across the organization."),
    Role.AI_MANAGER: _("Runs the management system: coordination and compliance oversight."),
    Role.RISK_TEAM: _("Risk methodology, risk register, impact assessments and treatment."),
    Role.TECHNICAL_TEAM: _("Data scientists and ML engineers: datasets, models, evaluations."),
    Role.OPERATIONAL_TEAM: _("Runs AI systems in production: deployments, incidents, feedback."),
    Role.INTERNAL_AUDIT: _("Plans and performs internal audits, raises findings."),
    Role.EXTERNAL_AUDITOR: _("Certification or regulatory auditor: reads and exports, changes nothing."),
    Role.ORG_ADMIN: _("Manages members, roles and API tokens of the organization."),
}
