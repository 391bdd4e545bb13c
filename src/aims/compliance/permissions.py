"""The compliance area's rows of the one permission matrix (registered from ComplianceConfig.ready()).

Catalogs are read by everyone; only the organization's own frameworks can be written. The Statement
of Applicability is prepared by the AI manager and approved by top management (clause 6.1.3 and 5.1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aims.core import permissions as matrix
from aims.core.permissions import ADD, ALL, APPROVE, CHANGE, DELETE, EXPORT, VIEW
from aims.core.roles import Role as R

MANAGERS = frozenset({R.AI_MANAGER, R.ORG_ADMIN})
COMPLIANCE = frozenset({R.AI_MANAGER, R.CIO_CDO, R.RISK_TEAM, R.ORG_ADMIN})
IMPLEMENTERS = COMPLIANCE | {R.TECHNICAL_TEAM, R.OPERATIONAL_TEAM}

GRANTS = {
    "framework": (
        _("Framework and requirement catalog"),
        {VIEW: ALL, ADD: MANAGERS, CHANGE: MANAGERS, DELETE: MANAGERS, EXPORT: ALL},
    ),
    "control": (
        _("Control and its evidence"),
        {VIEW: ALL, ADD: COMPLIANCE, CHANGE: IMPLEMENTERS, DELETE: MANAGERS, EXPORT: ALL},
    ),
    "soa": (
        _("Statement of Applicability"),
        {
            VIEW: ALL,
            ADD: frozenset({R.AI_MANAGER, R.CIO_CDO}),
            CHANGE: frozenset({R.AI_MANAGER, R.CIO_CDO}),
            DELETE: frozenset({R.AI_MANAGER}),
            APPROVE: frozenset({R.TOP_MANAGEMENT}),
            EXPORT: ALL,
        },
    ),
    "classification": (
        _("EU AI Act classification and obligations"),
        {
            VIEW: ALL,
            ADD: frozenset({R.AI_MANAGER, R.CIO_CDO, R.RISK_TEAM}),
            CHANGE: frozenset({R.AI_MANAGER, R.CIO_CDO, R.RISK_TEAM}),
            DELETE: MANAGERS,
            EXPORT: ALL,
        },
    ),
    "gap_assessment": (
        _("Gap assessment"),
        {
            VIEW: ALL,
            ADD: frozenset({R.AI_MANAGER, R.INTERNAL_AUDIT, R.CIO_CDO}),
            CHANGE: frozenset({R.AI_MANAGER, R.INTERNAL_AUDIT, R.CIO_CDO}),
            DELETE: MANAGERS,
            EXPORT: ALL,
        },
    ),
    "regulation": (
        _("Regulatory register"),
        {VIEW: ALL, ADD: COMPLIANCE, CHANGE: COMPLIANCE, DELETE: MANAGERS, EXPORT: ALL},
    ),
}


def register_all() -> None:
    for object_type, (name, grants) in GRANTS.items():
        matrix.register(object_type, name, grants)
