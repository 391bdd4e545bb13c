"""The lifecycle area's rows of the one permission matrix (registered from LifecycleConfig.ready()).

Running a gate (and moving a system when it holds) is for the people who build and run AI; recording
an exception to a gate that does not hold is an approval, for the AI manager and management."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aims.core import permissions as matrix
from aims.core.permissions import ADD, ALL, APPROVE, CHANGE, DELETE, EXPORT, VIEW
from aims.core.roles import Role as R

BUILDERS = frozenset({R.TECHNICAL_TEAM, R.AI_MANAGER, R.CIO_CDO})
OPERATORS = frozenset({R.OPERATIONAL_TEAM, R.TECHNICAL_TEAM, R.AI_MANAGER, R.CIO_CDO})
GATE_RUNNERS = frozenset({R.AI_MANAGER, R.CIO_CDO, R.TECHNICAL_TEAM, R.OPERATIONAL_TEAM})
EXCEPTION_APPROVERS = frozenset({R.TOP_MANAGEMENT, R.CIO_CDO, R.AI_MANAGER})
MANAGERS = frozenset({R.AI_MANAGER, R.CIO_CDO})
# The systems' own event logs name the people who used them (A.6.2.8): read by those who run the
# systems and by auditors, not by every member.
LOG_READERS = OPERATORS | {R.INTERNAL_AUDIT, R.EXTERNAL_AUDITOR}

GRANTS = {
    "gate_criterion": (
        _("Gate criterion"),
        {VIEW: ALL, ADD: MANAGERS, CHANGE: MANAGERS, DELETE: MANAGERS, EXPORT: ALL},
    ),
    "gate_evidence": (
        _("Gate evidence"),
        {VIEW: ALL, ADD: GATE_RUNNERS | {R.RISK_TEAM}, DELETE: MANAGERS, EXPORT: ALL},
    ),
    "gate_review": (
        _("Gate review"),
        # add: run a gate and move the system when it holds (the review is kept either way).
        {VIEW: ALL, ADD: GATE_RUNNERS, EXPORT: ALL},
    ),
    "gate_exception": (
        _("Gate exception"),
        # Letting a system pass a gate that does not hold is a management decision.
        {VIEW: ALL, ADD: EXCEPTION_APPROVERS, CHANGE: EXCEPTION_APPROVERS, EXPORT: ALL},
    ),
    "dataset": (
        _("Dataset"),
        {VIEW: ALL, ADD: BUILDERS, CHANGE: BUILDERS, DELETE: MANAGERS, EXPORT: ALL},
    ),
    "model_version": (
        _("Model version"),
        {VIEW: ALL, ADD: BUILDERS, CHANGE: BUILDERS, DELETE: MANAGERS, APPROVE: MANAGERS, EXPORT: ALL},
    ),
    "evaluation": (
        _("Model evaluation"),
        {
            VIEW: ALL,
            ADD: BUILDERS | {R.RISK_TEAM},
            CHANGE: BUILDERS | {R.RISK_TEAM},
            DELETE: MANAGERS,
            EXPORT: ALL,
        },
    ),
    "vendor": (
        _("Vendor"),
        {
            VIEW: ALL,
            ADD: MANAGERS | {R.RISK_TEAM},
            CHANGE: MANAGERS | {R.RISK_TEAM},
            DELETE: MANAGERS,
            EXPORT: ALL,
        },
    ),
    "deployment": (
        _("Deployment"),
        {VIEW: ALL, ADD: OPERATORS, CHANGE: OPERATORS, DELETE: MANAGERS, APPROVE: MANAGERS, EXPORT: ALL},
    ),
    "event_log": (
        _("System event log"),
        # add: a system (with an operator's token) sends its records.
        {VIEW: LOG_READERS, ADD: OPERATORS, EXPORT: LOG_READERS},
    ),
}


def register_all() -> None:
    for object_type, (name, grants) in GRANTS.items():
        matrix.register(object_type, name, grants)
