"""The risk area's rows of the one permission matrix (registered from RiskConfig.ready()).

Who may accept a given risk is narrowed further by the organization's method: within the appetite
the roles in `acceptance_roles`, above it only those in `above_appetite_roles`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aims.core import permissions as matrix
from aims.core.permissions import ADD, ALL, APPROVE, CHANGE, DELETE, EXPORT, VIEW
from aims.core.roles import Role as R

METHOD_EDITORS = frozenset({R.RISK_TEAM, R.AI_MANAGER, R.ORG_ADMIN})
ASSESSORS = frozenset({R.RISK_TEAM, R.AI_MANAGER, R.CIO_CDO, R.ORG_ADMIN})
CONTRIBUTORS = ASSESSORS | {R.TECHNICAL_TEAM, R.OPERATIONAL_TEAM}

GRANTS = {
    "risk_methodology": (
        _("Risk methodology"),
        {VIEW: ALL, ADD: METHOD_EDITORS, CHANGE: METHOD_EDITORS, EXPORT: ALL},
    ),
    "risk_category": (
        _("Risk category"),
        {VIEW: ALL, ADD: METHOD_EDITORS, CHANGE: METHOD_EDITORS, DELETE: METHOD_EDITORS, EXPORT: ALL},
    ),
    "risk": (
        _("Risk"),
        # Anyone who builds or runs AI may raise a risk; the risk team and managers assess it.
        {
            VIEW: ALL,
            ADD: CONTRIBUTORS,
            CHANGE: ASSESSORS,
            DELETE: frozenset({R.RISK_TEAM, R.AI_MANAGER, R.ORG_ADMIN}),
            EXPORT: ALL,
        },
    ),
    "risk_treatment": (
        _("Risk treatment action"),
        {
            VIEW: ALL,
            ADD: ASSESSORS,
            CHANGE: CONTRIBUTORS,
            DELETE: frozenset({R.RISK_TEAM, R.AI_MANAGER, R.ORG_ADMIN}),
            # Approving the treatment plan (clause 6.1.3: "approved by designated management").
            APPROVE: frozenset({R.TOP_MANAGEMENT, R.CIO_CDO}),
            EXPORT: ALL,
        },
    ),
    "risk_acceptance": (
        _("Risk acceptance"),
        {
            VIEW: ALL,
            ADD: frozenset({R.TOP_MANAGEMENT, R.CIO_CDO, R.AI_MANAGER, R.RISK_TEAM}),
            DELETE: frozenset({R.TOP_MANAGEMENT, R.AI_MANAGER}),
            EXPORT: ALL,
        },
    ),
    "impact_assessment": (
        _("Impact assessment"),
        {
            VIEW: ALL,
            ADD: frozenset({R.RISK_TEAM, R.AI_MANAGER, R.CIO_CDO, R.TECHNICAL_TEAM, R.ORG_ADMIN}),
            CHANGE: frozenset({R.RISK_TEAM, R.AI_MANAGER, R.CIO_CDO, R.TECHNICAL_TEAM, R.ORG_ADMIN}),
            DELETE: frozenset({R.RISK_TEAM, R.AI_MANAGER, R.ORG_ADMIN}),
            APPROVE: frozenset({R.TOP_MANAGEMENT, R.AI_MANAGER, R.CIO_CDO}),
            EXPORT: ALL,
        },
    ),
}


def register_all() -> None:
    for object_type, (name, grants) in GRANTS.items():
        matrix.register(object_type, name, grants)
