"""What a critical alert sets in motion outside monitoring: the AI system's risks are marked
"review due" (clause 8.2: reassess when something significant changes), and, when the monitor asks
for it, an incident is opened in the incident register (A.8.4).

Each hook is a function `hook(alert) -> dict | None`; what it returns is merged into `alert.links`
(shown on the alert's page). Each runs in its own savepoint: a failing hook is logged and recorded
in `alert.links["errors"]`, and never undoes the alert. Another area adds a hook with
`register(fn)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aims.core.actors import Actor

from .models import Alert

log = logging.getLogger(__name__)
Hook = Callable[[Alert], "dict[str, Any] | None"]
CRITICAL_HOOKS: list[Hook] = []


def register(hook: Hook) -> Hook:
    if hook not in CRITICAL_HOOKS:
        CRITICAL_HOOKS.append(hook)
    return hook


def run_critical(alert: Alert) -> dict[str, Any]:
    links: dict[str, Any] = dict(alert.links or {})
    for hook in list(CRITICAL_HOOKS):
        try:
            with transaction.atomic():
                found = hook(alert)
        except Exception as exc:  # noqa: BLE001 - a hook's failure is recorded, not raised
            log.exception(
                "critical-alert hook %s failed for alert %s", getattr(hook, "__name__", hook), alert.pk
            )
            links.setdefault("errors", []).append(f"{getattr(hook, '__name__', 'hook')}: {exc}"[:300])
            continue
        if found:
            links.update(found)
    if links != (alert.links or {}):
        Alert.objects.filter(pk=alert.pk).update(links=links)
        alert.links = links
    return links


def _reason(alert: Alert) -> str:
    return (
        _("Critical monitoring alert on %(system)s: %(message)s")
        % {"system": alert.ai_system.name, "message": alert.message}
    )[:300]


@register
def mark_risks_review_due(alert: Alert) -> dict[str, Any] | None:
    """Every open risk of the alert's AI system becomes "review due", with the alert as the reason.

    Uses `aims.risk.services.flag_for_review(actor, risk, reason)` when the risk area offers it, and
    otherwise the risk area's own flagging (the same update and audit entry its daily pass makes)."""
    try:
        from aims.risk import services as risk_services
        from aims.risk.models import Risk
    except ImportError:
        return None
    flag = getattr(risk_services, "flag_for_review", None) or getattr(risk_services, "_flag_due", None)
    if flag is None:
        return None
    actor = Actor.system(alert.ai_system.organization, source="worker")
    reason = _reason(alert)
    marked = []
    risks = Risk.objects.filter(organization_id=alert.organization_id, ai_systems=alert.ai_system_id).exclude(
        status=Risk.Status.CLOSED
    )
    for risk in risks.filter(review_due=False).order_by("pk"):
        flag(actor, risk, reason)
        marked.append(risk.pk)
    return {"risks_review_due": sorted(set((alert.links or {}).get("risks_review_due", [])) | set(marked))}


INCIDENT_TYPES = {
    "fairness": "bias",
    "drift": "drift",
    "quality": "drift",
    "volume": "performance",
    "performance": "performance",
    "evaluation": "performance",
}


@register
def open_incident(alert: Alert) -> dict[str, Any] | None:
    """When the monitor says so, open an incident (detected by: monitor alert) for the system."""
    monitor = alert.monitor
    if not monitor.open_incident or (alert.links or {}).get("incident"):
        return None
    try:
        from aims.assurance import services as assurance
    except ImportError:
        return None
    kind = monitor.metric.split(".", 1)[0]
    actor = Actor.system(alert.ai_system.organization, source="worker")
    incident = assurance.create_incident(
        actor,
        {
            "title": (_("Monitor breach: %(name)s") % {"name": monitor.name})[:200],
            "description": _(
                "Opened automatically by the critical alert #%(id)d of the monitor '%(name)s' on %(system)s.\n%(message)s"
            )
            % {
                "id": alert.pk,
                "name": monitor.name,
                "system": alert.ai_system.name,
                "message": alert.message,
            },
            "ai_system": alert.ai_system,
            "incident_type": INCIDENT_TYPES.get(kind, "other"),
            "severity": "high",
            "detection_source": "monitor_alert",
        },
    )
    return {"incident": {"id": incident.pk, "reference": getattr(incident, "reference", str(incident.pk))}}
