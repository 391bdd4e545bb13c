"""The monitoring area's rows of the one permission matrix (registered from MonitoringConfig.ready()).

Pipelines push evidence with the token of someone who builds or runs AI; the people who run AI in
production set up monitors and handle alerts; where notifications go is a management decision."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aims.core import permissions as matrix
from aims.core.permissions import ADD, ALL, CHANGE, DELETE, EXPORT, VIEW
from aims.core.roles import Role as R

PRODUCERS = frozenset({R.TECHNICAL_TEAM, R.OPERATIONAL_TEAM, R.AI_MANAGER, R.CIO_CDO})
WATCHERS = frozenset({R.TECHNICAL_TEAM, R.OPERATIONAL_TEAM, R.AI_MANAGER, R.CIO_CDO})
HANDLERS = WATCHERS | {R.RISK_TEAM}
MANAGERS = frozenset({R.AI_MANAGER, R.CIO_CDO, R.ORG_ADMIN})

GRANTS = {
    "evidence_profile": (
        _("Evidence profile"),
        {VIEW: ALL, ADD: PRODUCERS, DELETE: frozenset({R.AI_MANAGER, R.CIO_CDO}), EXPORT: ALL},
    ),
    "metric_point": (
        _("Metric point"),
        {VIEW: ALL, ADD: PRODUCERS, EXPORT: ALL},
    ),
    "monitor": (
        _("Monitor"),
        {
            VIEW: ALL,
            ADD: WATCHERS,
            CHANGE: WATCHERS,
            DELETE: frozenset({R.AI_MANAGER, R.CIO_CDO}),
            EXPORT: ALL,
        },
    ),
    "alert": (
        _("Alert"),
        # change = acknowledge or resolve.
        {VIEW: ALL, CHANGE: HANDLERS, EXPORT: ALL},
    ),
    "notification_channel": (
        _("Notification channel"),
        {VIEW: ALL, ADD: MANAGERS, CHANGE: MANAGERS, DELETE: MANAGERS, EXPORT: MANAGERS},
    ),
}


def register_all() -> None:
    for object_type, (name, grants) in GRANTS.items():
        matrix.register(object_type, name, grants)
