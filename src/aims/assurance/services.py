"""Operations of clauses 9 and 10: incident handling, feedback triage, nonconformities with their
corrective actions and effectiveness check, internal audits, management reviews, KPIs and tasks.

Views, API handlers, the CLI and the worker call these, so the same rules, permission checks and
audit entries apply whichever door a change came through."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core import services as core
from aims.core.actors import Actor
from aims.core.models import AuditEvent, Membership, Organization
from aims.governance.common import numbered, record_change, transition

from .models import (
    KPI,
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    Feedback,
    Finding,
    Improvement,
    Incident,
    IncidentEvent,
    KPIMeasurement,
    ManagementReview,
    Nonconformity,
    ReviewDecision,
    Task,
)

# --- incidents -------------------------------------------------------------------------------------


def _event(
    actor: Actor, incident: Incident, text: str, *, kind: str = "note", at: dt.datetime | None = None
) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident, text=text, kind=kind, at=at or timezone.now(), author=actor.user
    )


def create_incident(actor: Actor, data: dict[str, Any]) -> Incident:
    with transaction.atomic():
        incident = core.create(actor, Incident, data, before_save=numbered(Incident, actor.organization.pk))
        _event(actor, incident, _("Incident reported."), kind="status", at=incident.detected_at)
    return incident


def update_incident(
    actor: Actor, incident: Incident, data: dict[str, Any], *, expected_version: int | None = None
) -> Incident:
    with transaction.atomic():
        was_serious = incident.serious
        incident = core.update(actor, incident, data, expected_version=expected_version)
        if incident.serious and not was_serious:
            _event(
                actor,
                incident,
                _("Flagged as a serious incident: report to the authority due %(d)s.")
                % {"d": f"{incident.report_due_at:%Y-%m-%d %H:%M} UTC"},
                kind="regulatory",
            )
    return incident


def incident_transition(
    actor: Actor, incident: Incident, target: str, *, note: str = "", expected_version: int | None = None
) -> Incident:
    now = timezone.now()

    def check(obj: Incident) -> None:
        if target == "contained":
            if not obj.containment.strip():
                raise ValidationError(
                    {"containment": _("Describe the containment before marking the incident contained.")}
                )
            obj.contained_at = obj.contained_at or now
        elif target == "resolved":
            if not obj.root_cause.strip():
                raise ValidationError(
                    {"root_cause": _("Record the root cause before marking the incident resolved.")}
                )
            obj.resolved_at = now
            obj.contained_at = obj.contained_at or now
        elif target == "closed":
            if not obj.lessons_learned.strip():
                raise ValidationError(
                    {"lessons_learned": _("Record the lessons learned before closing the incident.")}
                )
            if obj.serious and not obj.authority_reported_at:
                raise ValidationError(
                    {
                        "authority_reported_at": _(
                            "A serious incident is closed only after it was reported to the authority."
                        )
                    }
                )
            obj.closed_at = now
        elif target == "investigating":
            obj.resolved_at = None
            obj.closed_at = None

    action = "approve" if target == "closed" else "change"
    with transaction.atomic():
        incident = transition(
            actor,
            incident,
            target,
            flow=Incident.FLOW,
            action=action,
            before_save=check,
            expected_version=expected_version,
        )
        text = _("Status: %(s)s.") % {"s": incident.get_status_display()}
        _event(actor, incident, f"{text} {note}".strip(), kind="status")
    return incident


def add_timeline_entry(
    actor: Actor, incident: Incident, *, text: str, kind: str = "note", at: dt.datetime | None = None
) -> IncidentEvent:
    actor.require("incident", "change")
    if not (text or "").strip():
        raise ValidationError({"text": _("Write what happened.")})
    if at and at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": _("A timeline entry cannot be in the future.")})
    with transaction.atomic():
        event = _event(actor, incident, text.strip()[:5000], kind=(kind or "note")[:32], at=at)
        audit.record(
            actor, AuditEvent.Action.UPDATE, obj=incident, changes={"timeline": [None, event.text[:200]]}
        )
    return event


def report_to_authority(
    actor: Actor, incident: Incident, *, reference: str = "", at: dt.datetime | None = None
) -> Incident:
    if not incident.serious:
        raise ValidationError({"serious": _("Only a serious incident is reported to the authority.")})
    if incident.authority_reported_at:
        raise ValidationError(
            {
                "authority_reported_at": _("Already reported on %(d)s.")
                % {"d": f"{incident.authority_reported_at:%Y-%m-%d}"}
            }
        )
    at = at or timezone.now()
    with transaction.atomic():
        incident = core.update(
            actor, incident, {"authority_reported_at": at, "authority_reference": reference}
        )
        late = incident.report_due_at and at > incident.report_due_at
        _event(
            actor,
            incident,
            (_("Reported to the authority (late).") if late else _("Reported to the authority."))
            + (f" {reference}" if reference else ""),
            kind="regulatory",
            at=at,
        )
    return incident


def raise_nonconformity(actor: Actor, data: dict[str, Any]) -> Nonconformity:
    return core.create(actor, Nonconformity, data, before_save=numbered(Nonconformity, actor.organization.pk))


def incident_to_nonconformity(
    actor: Actor, incident: Incident, data: dict[str, Any] | None = None
) -> Nonconformity:
    base = {
        "title": incident.title,
        "description": "\n\n".join(p for p in [incident.description, incident.root_cause] if p),
        "source": Nonconformity.Source.INCIDENT,
        "grade": Nonconformity.Grade.MAJOR
        if incident.severity in ("high", "critical")
        else Nonconformity.Grade.MINOR,
        "ai_system_id": incident.ai_system_id,
        "incident_id": incident.pk,
        "root_cause": incident.root_cause,
        "owner_id": incident.owner_id,
    }
    base.update(data or {})
    with transaction.atomic():
        nc = raise_nonconformity(actor, base)
        _event(actor, incident, _("Nonconformity %(ref)s raised.") % {"ref": nc.reference}, kind="action")
    return nc


# --- feedback --------------------------------------------------------------------------------------

PUBLIC_LIMIT_PER_HOUR = 5  # reports from one address per hour
PUBLIC_LIMIT_PER_SYSTEM_PER_HOUR = 60  # reports per AI system per hour, whatever the address


def address_hash(organization: Organization, address: str) -> str:
    """A salted hash of the reporter's address: enough to rate-limit, not enough to identify."""
    return hashlib.sha256(f"{settings.SECRET_KEY}|{organization.pk}|{address}".encode()).hexdigest()


def public_rate_limited(organization: Organization, system_id: int | None, digest: str) -> bool:
    since = timezone.now() - dt.timedelta(hours=1)
    recent = Feedback.objects.filter(
        organization=organization, channel=Feedback.Channel.PUBLIC, created_at__gte=since
    )
    if recent.filter(address_hash=digest).count() >= PUBLIC_LIMIT_PER_HOUR:
        return True
    return (
        system_id is not None
        and recent.filter(ai_system_id=system_id).count() >= PUBLIC_LIMIT_PER_SYSTEM_PER_HOUR
    )


def submit_public_feedback(
    organization: Organization, system: Any, data: dict[str, Any], *, address: str
) -> Feedback:
    """A report from the public page: no login, so the organization's system actor records it.
    Markup is stripped (the text is shown escaped anyway) and the address is kept only as a hash."""
    from aims.governance.markdown import plain

    actor = Actor.system(organization, source="public")
    digest = address_hash(organization, address)
    if public_rate_limited(organization, system.pk if system else None, digest):
        raise PermissionDenied(_("Too many reports from your address: try again in an hour."))
    clean = {
        "ai_system_id": system.pk if system else None,
        "kind": data.get("kind") or Feedback.Kind.PROBLEM,
        "message": plain(str(data.get("message", "")))[:5000],
        "reporter_name": plain(str(data.get("reporter_name", "")))[:120],
        "reporter_email": str(data.get("reporter_email", "")).strip()[:254],
        "channel": Feedback.Channel.PUBLIC,
    }

    def stamp(obj: Feedback) -> None:
        numbered(Feedback, organization.pk)(obj)
        obj.address_hash = digest

    return core.create(actor, Feedback, clean, before_save=stamp)


def create_feedback(actor: Actor, data: dict[str, Any]) -> Feedback:
    data = dict(data)
    data.setdefault("channel", Feedback.Channel.API if actor.source == "api" else Feedback.Channel.STAFF)
    return core.create(actor, Feedback, data, before_save=numbered(Feedback, actor.organization.pk))


def triage_feedback(actor: Actor, feedback: Feedback, target: str, *, note: str = "") -> Feedback:
    if target == Feedback.Status.INCIDENT:
        raise ValidationError({"status": _("Use 'turn into an incident' to link the report to an incident.")})

    def set_note(obj: Feedback) -> None:
        if note:
            obj.triage_note = note
        if target in ("answered", "dismissed") and not obj.triage_note.strip():
            raise ValidationError({"triage_note": _("Say what was answered or why the report is dismissed.")})

    return transition(actor, feedback, target, flow=Feedback.FLOW, before_save=set_note)


def feedback_to_incident(actor: Actor, feedback: Feedback, data: dict[str, Any] | None = None) -> Incident:
    actor.require("feedback", "change")
    if feedback.status not in ("new", "in_review"):
        raise ValidationError(
            {
                "status": _("Only a new or reviewed report can become an incident (this one is %(s)s).")
                % {"s": feedback.get_status_display()}
            }
        )
    base = {
        "title": (feedback.message.splitlines()[0] if feedback.message else _("Reported problem"))[:200],
        "description": feedback.message,
        "ai_system_id": feedback.ai_system_id,
        "detection_source": Incident.Source.FEEDBACK,
        "detected_at": feedback.created_at,
    }
    base.update(data or {})
    with transaction.atomic():
        incident = create_incident(actor, base)

        def link(obj: Feedback) -> None:
            obj.incident = incident

        transition(actor, feedback, Feedback.Status.INCIDENT, flow=Feedback.FLOW, before_save=link)
        _event(
            actor, incident, _("Created from feedback %(ref)s.") % {"ref": feedback.reference}, kind="note"
        )
    return incident


# --- nonconformities and corrective actions ---------------------------------------------------------


def nonconformity_transition(
    actor: Actor, nc: Nonconformity, target: str, *, expected_version: int | None = None
) -> Nonconformity:
    if target == "closed":
        raise ValidationError(
            {"status": _("A nonconformity is closed by recording an effective effectiveness check.")}
        )

    def check(obj: Nonconformity) -> None:
        actions = list(
            obj.actions.exclude(status=CorrectiveAction.Status.CANCELLED).values_list("status", flat=True)
        )
        if target == "analysed":
            if not obj.root_cause.strip() and obj.five_whys:
                obj.root_cause = obj.five_whys[-1]
            if not obj.root_cause.strip():
                raise ValidationError(
                    {"root_cause": _("Record the root cause (for example with five whys) first.")}
                )
        elif target == "action_planned" and not actions:
            raise ValidationError({"actions": _("Plan at least one corrective action first.")})
        elif target == "verifying":
            if not actions or any(s != CorrectiveAction.Status.DONE for s in actions):
                raise ValidationError(
                    {"actions": _("Every corrective action must be done (or cancelled) first.")}
                )
            obj.effectiveness_due = timezone.localdate() + dt.timedelta(days=obj.effectiveness_after_days)
        elif target == "action_planned":
            obj.effectiveness_due = None

    return transition(
        actor, nc, target, flow=Nonconformity.FLOW, before_save=check, expected_version=expected_version
    )


def verify_effectiveness(actor: Actor, nc: Nonconformity, *, effective: bool, note: str) -> Nonconformity:
    """The check of 10.2 (d): did the actions remove the cause? Effective closes the nonconformity;
    ineffective sends it back to planning. Done by someone other than its owner, after the set time."""
    actor.require("nonconformity", "approve")
    if nc.status != Nonconformity.Status.VERIFYING:
        raise ValidationError(
            {
                "status": _(
                    "Only a nonconformity awaiting its effectiveness check can be verified (this one is %(s)s)."
                )
                % {"s": nc.get_status_display()}
            }
        )
    if not (note or "").strip():
        raise ValidationError({"note": _("Say what showed the actions worked, or did not.")})
    if actor.user is not None and nc.owner_id == actor.user.pk:
        raise ValidationError(
            {"verified_by": _("The owner of a nonconformity may not verify their own actions.")}
        )
    if nc.effectiveness_due and timezone.localdate() < nc.effectiveness_due:
        raise ValidationError(
            {
                "effectiveness_due": _(
                    "The check is due on %(d)s: too early to show the problem has not come back."
                )
                % {"d": nc.effectiveness_due}
            }
        )

    def record(obj: Nonconformity) -> None:
        obj.effectiveness_result = "effective" if effective else "ineffective"
        obj.effectiveness_note = note.strip()
        obj.verified_by = actor.user
        obj.verified_at = timezone.now()
        if effective:
            obj.closed_at = timezone.now()
        else:
            obj.effectiveness_due = None

    target = Nonconformity.Status.CLOSED if effective else Nonconformity.Status.ACTION_PLANNED
    return transition(
        actor,
        nc,
        target,
        flow=Nonconformity.FLOW,
        action="approve",
        before_save=record,
        audit_action=AuditEvent.Action.APPROVE if effective else AuditEvent.Action.UPDATE,
    )


def create_action(actor: Actor, data: dict[str, Any]) -> CorrectiveAction:
    nc_id = data.get("nonconformity_id")
    nc = Nonconformity.objects.filter(pk=nc_id, organization=actor.organization).first() if nc_id else None
    if nc is None:
        raise ValidationError({"nonconformity_id": _("Not found in this organization.")})
    if nc.status in (Nonconformity.Status.VERIFYING, Nonconformity.Status.CLOSED):
        raise ValidationError(
            {
                "nonconformity_id": _("This nonconformity is %(s)s: no new actions.")
                % {"s": nc.get_status_display()}
            }
        )
    return core.create(actor, CorrectiveAction, data)


def action_transition(
    actor: Actor,
    action: CorrectiveAction,
    target: str,
    *,
    result: str = "",
    expected_version: int | None = None,
) -> CorrectiveAction:
    def check(obj: CorrectiveAction) -> None:
        if result:
            obj.result = result
        if target == "done":
            if not obj.result.strip():
                raise ValidationError(
                    {"result": _("Say what was done, with the evidence, before marking it done.")}
                )
            obj.completed_at = timezone.now()
        else:
            obj.completed_at = None
        if obj.nonconformity.status == Nonconformity.Status.CLOSED:
            raise ValidationError({"status": _("The nonconformity is closed.")})

    return transition(
        actor,
        action,
        target,
        flow=CorrectiveAction.FLOW,
        before_save=check,
        expected_version=expected_version,
    )


# --- internal audit --------------------------------------------------------------------------------


def approve_programme(actor: Actor, programme: AuditProgramme) -> AuditProgramme:
    actor.require("audit_programme", "approve")
    if programme.status == AuditProgramme.Status.APPROVED:
        raise ValidationError({"status": _("This programme is already approved.")})
    with transaction.atomic():
        before = audit.snapshot(programme)
        programme.status = AuditProgramme.Status.APPROVED
        programme.approved_by = actor.user
        programme.approved_at = timezone.now()
        programme.version += 1
        programme.save()
        record_change(actor, programme, before, action=AuditEvent.Action.APPROVE)
    return programme


def programme_coverage(programme: AuditProgramme, actor: Actor) -> dict[str, Any]:
    """Which clauses and applicable controls the programme's audits cover, and which none covers yet."""
    from . import checklists

    audits = list(programme.audits.exclude(status=Audit.Status.CANCELLED).values_list("clauses", flat=True))
    required = checklists.clause_refs() + [
        c for c in checklists.control_refs() if c not in checklists.excluded_controls(actor)
    ]
    full = any(not clauses for clauses in audits)  # an audit with no clauses listed covers the whole standard
    covered = [r for r in required if full or any(checklists.covers(r, clauses) for clauses in audits)]
    missing = [r for r in required if r not in covered]
    return {
        "required": len(required),
        "covered": len(covered),
        "missing": missing,
        "share": round(100 * len(covered) / len(required), 1) if required else 100.0,
    }


def own_areas(organization_id: int) -> dict[str, set[str]]:
    """role -> the processes it is Responsible or Accountable for (the organization's RACI, or our default)."""
    from aims.governance.services import raci_for

    areas: dict[str, set[str]] = {}
    for process, cells in raci_for(organization_id).items():
        for role, letter in cells.items():
            if letter in ("R", "A"):
                areas.setdefault(role, set()).add(process)
    return areas


def check_independence(organization_id: int, people: dict[str, list[int]], processes: list[str]) -> None:
    """An auditor may not audit their own area (9.2.2): refuse a person whose role is Responsible or
    Accountable for a process the audit covers. `people` maps the form field to user ids."""
    from aims.governance.models import PROCESSES

    if not processes:
        return
    ids = {uid for ids in people.values() for uid in ids}
    roles = dict(
        Membership.objects.filter(organization_id=organization_id, user_id__in=ids).values_list(
            "user_id", "role"
        )
    )
    emails = dict(
        Membership.objects.filter(organization_id=organization_id, user_id__in=ids).values_list(
            "user_id", "user__email"
        )
    )
    areas = own_areas(organization_id)
    errors: dict[str, list[str]] = {}
    for field, uids in people.items():
        for uid in uids:
            if uid not in roles:
                errors.setdefault(field, []).append(
                    _("User %(u)s is not a member of the organization.") % {"u": uid}
                )
                continue
            clash = sorted(areas.get(roles[uid], set()) & set(processes))
            if clash:
                errors.setdefault(field, []).append(
                    _("%(who)s may not audit their own area: their role is responsible for %(areas)s.")
                    % {"who": emails[uid], "areas": ", ".join(str(PROCESSES[p]) for p in clash)}
                )
    if errors:
        raise ValidationError(errors)


def _audit_people(
    data: dict[str, Any], audit_obj: Audit | None = None
) -> tuple[dict[str, list[int]], list[str]]:
    lead = data.get("lead_auditor_id", audit_obj.lead_auditor_id if audit_obj else None)
    if "auditors" in data:
        team = [int(a) for a in data.get("auditors") or []]
    else:
        team = list(audit_obj.auditors.values_list("pk", flat=True)) if audit_obj and audit_obj.pk else []
    processes = data.get("processes", audit_obj.processes if audit_obj else [])
    return {"lead_auditor": [lead] if lead else [], "auditors": team}, list(processes or [])


def create_audit(actor: Actor, data: dict[str, Any]) -> Audit:
    from . import checklists

    people, processes = _audit_people(data)
    check_independence(actor.organization.pk, people, processes if isinstance(processes, list) else [])
    with transaction.atomic():
        obj = core.create(actor, Audit, data, before_save=numbered(Audit, actor.organization.pk))
        rows = checklists.items_for(actor, obj.clauses)
        ChecklistItem.objects.bulk_create(
            [ChecklistItem(audit=obj, order=i, **row) for i, row in enumerate(rows)]
        )
        audit.record(actor, AuditEvent.Action.UPDATE, obj=obj, changes={"checklist": [0, len(rows)]})
    return obj


def update_audit(
    actor: Actor, obj: Audit, data: dict[str, Any], *, expected_version: int | None = None
) -> Audit:
    if obj.status in (Audit.Status.CLOSED, Audit.Status.CANCELLED):
        raise ValidationError(
            {"status": _("A %(s)s audit is not changed.") % {"s": obj.get_status_display()}}
        )
    people, processes = _audit_people(data, obj)
    check_independence(actor.organization.pk, people, processes if isinstance(processes, list) else [])
    return core.update(actor, obj, data, expected_version=expected_version)


def audit_transition(actor: Actor, obj: Audit, target: str) -> Audit:
    def check(current: Audit) -> None:
        if target == "reported":
            if not current.summary.strip():
                raise ValidationError({"summary": _("Write the report's summary and conclusion first.")})
            unchecked = current.checklist.filter(result=ChecklistItem.Result.NOT_CHECKED).count()
            if unchecked:
                raise ValidationError(
                    {"checklist": _("%(n)d checklist items are not checked yet.") % {"n": unchecked}}
                )
            current.reported_at = timezone.now()

    return transition(actor, obj, target, flow=Audit.FLOW, before_save=check)


def update_checklist_item(
    actor: Actor, item: ChecklistItem, *, result: str, notes: str = ""
) -> ChecklistItem:
    actor.require("audit", "change")
    if item.audit.organization_id != actor.organization.pk:
        raise PermissionDenied
    if item.audit.status != Audit.Status.IN_PROGRESS:
        raise ValidationError({"result": _("The checklist is filled in while the audit is in progress.")})
    if result not in ChecklistItem.Result.values:
        raise ValidationError(
            {"result": _("Choose one of: %(c)s") % {"c": ", ".join(ChecklistItem.Result.values)}}
        )
    with transaction.atomic():
        before = {"result": item.result, "notes": item.notes}
        item.result, item.notes = result, notes or item.notes
        item.save(update_fields=["result", "notes"])
        audit.record(
            actor,
            AuditEvent.Action.UPDATE,
            obj=item.audit,
            changes={f"checklist {item.ref}": [before["result"], result]},
        )
    return item


def create_finding(actor: Actor, data: dict[str, Any]) -> Finding:
    """A finding; a major or minor nonconformity raises a nonconformity record, an opportunity for
    improvement lands in the improvement log."""
    audit_id = data.get("audit_id")
    audit_obj = (
        Audit.objects.filter(pk=audit_id, organization=actor.organization).first() if audit_id else None
    )
    if audit_obj is None:
        raise ValidationError({"audit_id": _("Not found in this organization.")})
    if audit_obj.status not in (Audit.Status.IN_PROGRESS, Audit.Status.REPORTED):
        raise ValidationError(
            {
                "audit_id": _(
                    "Findings are recorded while the audit is in progress or being reported (this one is %(s)s)."
                )
                % {"s": audit_obj.get_status_display()}
            }
        )
    with transaction.atomic():
        finding = core.create(actor, Finding, data)
        if finding.is_nonconformity:
            nc = raise_nonconformity(
                Actor.system(actor.organization, source=actor.source)
                if not actor.can("nonconformity", "add")
                else actor,
                {
                    "title": finding.title,
                    "description": "\n\n".join(p for p in [finding.description, finding.evidence] if p),
                    "requirement": finding.requirement,
                    "source": Nonconformity.Source.AUDIT,
                    "grade": Nonconformity.Grade.MAJOR
                    if finding.kind == Finding.Kind.MAJOR
                    else Nonconformity.Grade.MINOR,
                },
            )
            finding.nonconformity = nc
        elif finding.kind == Finding.Kind.OPPORTUNITY:
            finding.improvement = core.create(
                Actor.system(actor.organization, source=actor.source),
                Improvement,
                {"title": finding.title, "description": finding.description, "source": str(audit_obj)},
            )
        if finding.nonconformity_id or finding.improvement_id:
            finding.save(update_fields=["nonconformity", "improvement"])
    return finding


# --- management review -----------------------------------------------------------------------------


def _optional_model(app: str, name: str) -> Any:
    from django.apps import apps

    try:
        return apps.get_model(app, name)
    except LookupError:
        return None


def _count_by(qs: QuerySet[Any], field: str) -> dict[str, int]:
    return {str(k): v for k, v in qs.values_list(field).annotate(n=Count("pk")).order_by()}


def compile_pack(actor: Actor, review: ManagementReview) -> dict[str, Any]:
    """The inputs of clause 9.3.2, compiled from what AIMS knows, for the period since the previous review."""
    from aims.governance import services as gov
    from aims.governance.models import Objective, ResourceAllocation
    from aims.inventory.models import AISystem, ContextIssue, InterestedParty

    from .kpis import incidents_days_to_close

    org = actor.organization
    previous = (
        ManagementReview.objects.filter(organization=org, scheduled_for__lt=review.scheduled_for)
        .exclude(pk=review.pk)
        .order_by("-scheduled_for")
        .first()
    )
    start = review.period_start or (
        previous.scheduled_for if previous else review.scheduled_for - dt.timedelta(days=365)
    )
    end = review.scheduled_for
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end, dt.time.max))
    in_period = Q(created_at__gte=since, created_at__lte=until)
    today = timezone.localdate()

    prev_tasks = (
        Task.objects.filter(organization=org, source_key__startswith="review:")
        if previous
        else Task.objects.none()
    )
    if previous:
        prev_tasks = prev_tasks.filter(source_key__startswith=f"review:{previous.pk}:")
    previous_actions = [
        {
            "title": t.title,
            "status": t.status,
            "due": t.due_date.isoformat() if t.due_date else None,
            "assignee": t.assignee.email if t.assignee else "",
            "overdue": t.overdue,
        }
        for t in prev_tasks.select_related("assignee")
    ]

    systems = AISystem.objects.filter(organization=org)
    incidents = Incident.objects.filter(organization=org)
    inc_period = incidents.filter(detected_at__gte=since, detected_at__lte=until)
    ncs = Nonconformity.objects.filter(organization=org)
    actions = CorrectiveAction.objects.filter(organization=org)
    audits = Audit.objects.filter(organization=org, planned_start__gte=start, planned_start__lte=end)
    findings = Finding.objects.filter(organization=org, audit__in=audits)

    risks: dict[str, Any] = {"available": False}
    Risk = _optional_model("risk", "Risk")
    if Risk is not None:
        rqs = Risk.objects.filter(organization=org)
        risks = {"available": True, "total": rqs.count()}
        for field in ("status", "residual_level", "level", "inherent_level"):
            try:
                Risk._meta.get_field(field)
            except Exception:  # noqa: BLE001,S112 - that model has no such field
                continue
            risks[f"by_{field}"] = _count_by(rqs, field)

    monitoring: dict[str, Any] = {"available": False}
    Alert = _optional_model("monitoring", "Alert")
    if Alert is not None:
        aqs = Alert.objects.filter(organization=org)
        monitoring = {
            "available": True,
            "alerts_total": aqs.count(),
            "alerts_in_period": aqs.filter(in_period).count(),
        }
        for field in ("severity", "status"):
            try:
                Alert._meta.get_field(field)
            except Exception:  # noqa: BLE001,S112
                continue
            monitoring[f"by_{field}"] = _count_by(aqs.filter(in_period), field)

    kpis = []
    for k in KPI.objects.filter(organization=org).prefetch_related("measurements"):
        series = [m.value for m in k.measurements.all()]
        trend = (
            None
            if len(series) < 2
            else ("up" if series[-1] > series[0] else "down" if series[-1] < series[0] else "flat")
        )
        kpis.append(
            {
                "key": k.key,
                "name": k.name,
                "value": k.last_value,
                "target": k.target,
                "unit": k.unit,
                "on_target": k.on_target,
                "trend": trend,
            }
        )

    policy = gov.ai_policy_acknowledgement(org)
    return {
        "generated_at": timezone.now().isoformat(),
        "period": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "previous_review": previous.title if previous else None,
        },
        "previous_actions": {
            "total": len(previous_actions),
            "done": sum(1 for a in previous_actions if a["status"] == "done"),
            "open": sum(1 for a in previous_actions if a["status"] == "open"),
            "overdue": sum(1 for a in previous_actions if a["overdue"]),
            "items": previous_actions,
        },
        "context_changes": {
            "issues": [
                {"title": i.title, "kind": i.kind, "new": i.created_at >= since}
                for i in ContextIssue.objects.filter(organization=org).filter(
                    Q(created_at__gte=since) | Q(updated_at__gte=since)
                )
            ],
            "interested_parties": [
                {"name": p.name, "category": p.category, "new": p.created_at >= since}
                for p in InterestedParty.objects.filter(organization=org).filter(
                    Q(created_at__gte=since) | Q(updated_at__gte=since)
                )
            ],
        },
        "ai_systems": {
            "total": systems.count(),
            "new_in_period": systems.filter(in_period).count(),
            "by_tier": _count_by(systems, "eu_ai_act_tier"),
            "by_stage": _count_by(systems, "lifecycle_stage"),
            "without_owner": systems.filter(owner__isnull=True).count(),
        },
        "nonconformities": {
            "raised_in_period": ncs.filter(in_period).count(),
            "open": ncs.filter(status__in=Nonconformity.OPEN).count(),
            "closed_in_period": ncs.filter(closed_at__gte=since, closed_at__lte=until).count(),
            "by_grade": _count_by(ncs.filter(in_period), "grade"),
            "by_source": _count_by(ncs.filter(in_period), "source"),
            "ineffective_checks": ncs.filter(effectiveness_result="ineffective").count(),
            "actions": {
                "total": actions.count(),
                "done": actions.filter(status="done").count(),
                "overdue": actions.filter(status__in=("planned", "in_progress"), due_date__lt=today).count(),
            },
        },
        "monitoring": monitoring,
        "audits": {
            "held": audits.exclude(status__in=("planned", "cancelled")).count(),
            "planned": audits.filter(status="planned").count(),
            "findings_by_kind": _count_by(findings, "kind"),
            "items": [{"reference": a.reference, "title": a.title, "status": a.status} for a in audits],
        },
        "incidents": {
            "in_period": inc_period.count(),
            "open": incidents.filter(status__in=Incident.OPEN).count(),
            "by_severity": _count_by(inc_period, "severity"),
            "by_type": _count_by(inc_period, "incident_type"),
            "serious": inc_period.filter(serious=True).count(),
            "serious_reported_late": inc_period.filter(serious=True)
            .filter(
                Q(authority_reported_at__isnull=True, report_due_at__lt=timezone.now())
                | Q(authority_reported_at__gt=F("report_due_at"))
            )
            .count(),
            "mean_days_to_close": incidents_days_to_close(org),
        },
        "feedback": {
            "in_period": Feedback.objects.filter(organization=org).filter(in_period).count(),
            "by_status": _count_by(Feedback.objects.filter(organization=org).filter(in_period), "status"),
        },
        "risks": risks,
        "objectives": [
            {
                "title": o.title,
                "status": o.status,
                "target": o.effective_target,
                "value": o.kpi.last_value if o.kpi else None,
                "due": o.due_date.isoformat() if o.due_date else None,
            }
            for o in Objective.objects.filter(organization=org).select_related("kpi")
        ],
        "kpis": kpis,
        "improvements": [
            {"title": i.title, "status": i.status, "source": i.source}
            for i in Improvement.objects.filter(organization=org)
            .exclude(status="rejected")
            .filter(Q(status="proposed") | in_period)
        ],
        "resources": [
            {
                "kind": r.kind,
                "description": r.description,
                "amount": str(r.amount) if r.amount is not None else None,
                "unit": r.unit,
                "adequate": r.adequate,
            }
            for r in ResourceAllocation.objects.filter(organization=org)
        ],
        "policy": policy,
        "training": gov.competence_gaps(org, detail=False),
    }


# The inputs clause 9.3.2 asks for, mapped to the pack's sections (tested).
REQUIRED_INPUTS = {
    "a_previous_actions": "previous_actions",
    "b_external_internal_issues": "context_changes",
    "c_interested_parties": "context_changes",
    "d_nonconformities_actions": "nonconformities",
    "d_monitoring_results": "monitoring",
    "d_audit_results": "audits",
    "e_improvement": "improvements",
    "risks": "risks",
    "incidents": "incidents",
    "objectives": "objectives",
    "kpis": "kpis",
    "resources": "resources",
}


def refresh_pack(actor: Actor, review: ManagementReview) -> ManagementReview:
    actor.require("management_review", "change")
    if review.status != ManagementReview.Status.PLANNED:
        raise ValidationError({"inputs": _("The input pack is frozen once the meeting is held.")})
    with transaction.atomic():
        review.inputs = compile_pack(actor, review)
        review.save(update_fields=["inputs"])
        audit.record(actor, AuditEvent.Action.UPDATE, obj=review, changes={"inputs": [None, "compiled"]})
    return review


def review_transition(actor: Actor, review: ManagementReview, target: str) -> ManagementReview:
    def check(obj: ManagementReview) -> None:
        if target == "held":
            obj.inputs = compile_pack(actor, obj)
            obj.held_on = timezone.localdate()
        elif target == "closed":
            if not obj.conclusions.strip():
                raise ValidationError(
                    {
                        "conclusions": _(
                            "Record top management's conclusion on the suitability, adequacy and effectiveness of the AIMS."
                        )
                    }
                )
            obj.approved_by = actor.user
            obj.closed_at = timezone.now()
        elif target == "planned":
            obj.held_on = None

    action = "approve" if target == "closed" else "change"
    return transition(
        actor,
        review,
        target,
        flow=ManagementReview.FLOW,
        action=action,
        before_save=check,
        audit_action=AuditEvent.Action.APPROVE if target == "closed" else AuditEvent.Action.UPDATE,
    )


def add_decision(
    actor: Actor,
    review: ManagementReview,
    *,
    text: str,
    kind: str = "improvement",
    owner_id: int | None = None,
    due_date: dt.date | None = None,
) -> ReviewDecision:
    actor.require("management_review", "change")
    if review.status != ManagementReview.Status.HELD:
        raise ValidationError(
            {
                "status": _(
                    "Decisions are recorded once the meeting is held and before the minutes are closed."
                )
            }
        )
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the decision.")})
    if kind not in ReviewDecision.Kind.values:
        raise ValidationError(
            {"kind": _("Choose one of: %(c)s") % {"c": ", ".join(ReviewDecision.Kind.values)}}
        )
    if owner_id and not Membership.objects.filter(organization=actor.organization, user_id=owner_id).exists():
        raise ValidationError({"owner_id": _("Must be a member of the organization.")})
    with transaction.atomic():
        decision = ReviewDecision.objects.create(
            review=review, kind=kind, text=text.strip(), owner_id=owner_id, due_date=due_date
        )
        if owner_id or due_date:
            task = Task(
                organization=actor.organization,
                created_by=actor.user,
                title=text.strip()[:300],
                kind=Task.Kind.ACTION,
                assignee_id=owner_id,
                due_date=due_date,
                link=review.get_absolute_url(),
                source_key=f"review:{review.pk}:{decision.pk}",
            )
            task.full_clean()
            task.save()
            decision.task = task
            decision.save(update_fields=["task"])
            audit.record(
                actor, AuditEvent.Action.CREATE, obj=task, changes=audit.diff(None, audit.snapshot(task))
            )
        audit.record(
            actor, AuditEvent.Action.UPDATE, obj=review, changes={"decision": [None, decision.text[:200]]}
        )
    return decision


# --- KPIs ------------------------------------------------------------------------------------------


def ensure_builtin_kpis(organization: Organization) -> list[KPI]:
    """Create the built-in KPIs the organization does not have yet (the worker and the demo call this)."""
    from .kpis import BUILTINS

    actor = Actor.system(organization)
    have = set(KPI.objects.filter(organization=organization).values_list("key", flat=True))
    made = []
    for key, spec in BUILTINS.items():
        if key in have:
            continue
        made.append(
            core.create(
                actor,
                KPI,
                {
                    "key": key,
                    "name": str(spec.name),
                    "category": spec.category,
                    "builtin": key,
                    "unit": spec.unit,
                    "direction": spec.direction,
                    "target": spec.target,
                    "description": str(spec.description),
                },
            )
        )
    return made


def record_measurement(
    actor: Actor, kpi: KPI, value: float, *, at: dt.datetime | None = None, note: str = ""
) -> KPIMeasurement:
    actor.require("kpi", "change")
    if kpi.organization_id != actor.organization.pk:
        raise PermissionDenied
    at = at or timezone.now()
    with transaction.atomic():
        m = KPIMeasurement.objects.create(kpi=kpi, value=float(value), at=at, note=note[:200])
        latest = kpi.measurements.order_by("-at", "-pk").first()
        KPI.objects.filter(pk=kpi.pk).update(
            last_value=latest.value if latest else None, last_measured_at=latest.at if latest else None
        )
        kpi.refresh_from_db()
        audit.record(
            actor,
            AuditEvent.Action.UPDATE,
            obj=kpi,
            changes={"measurement": [None, f"{at:%Y-%m-%d} {value}"]},
        )
    return m


def measure_kpis(organization: Organization) -> dict[str, float | None]:
    """Compute every built-in KPI once and append the values to their series."""
    from .kpis import BUILTINS

    ensure_builtin_kpis(organization)
    actor = Actor.system(organization)
    out: dict[str, float | None] = {}
    for kpi in KPI.objects.filter(organization=organization).exclude(builtin=""):
        spec = BUILTINS.get(kpi.builtin)
        if spec is None:
            continue
        value = spec.compute(organization)
        out[kpi.key] = value
        if value is not None:
            record_measurement(actor, kpi, value, note="computed by AIMS")
    return out


# --- tasks -----------------------------------------------------------------------------------------


def my_tasks(actor: Actor) -> QuerySet[Task]:
    mine = Q(assignee=actor.user) if actor.user else Q(pk__in=[])
    return (
        Task.objects.for_actor(actor)
        .filter(mine | Q(assignee__isnull=True, assignee_role=actor.role))
        .filter(status=Task.Status.OPEN)
    )


def complete_task(actor: Actor, task: Task, *, status: str = "done") -> Task:
    actor.require("task", "change")
    allowed = (
        actor.is_system
        or actor.role in ("ai_manager", "org_admin")
        or (actor.user and task.assignee_id == actor.user.pk)
        or (task.assignee_id is None and task.assignee_role == actor.role)
    )
    if not allowed:
        raise PermissionDenied(_("Only the assignee or the AI manager completes this task."))
    if status not in ("done", "cancelled", "open"):
        raise ValidationError({"status": _("Choose one of: open, done, cancelled")})
    return core.update(
        actor,
        task,
        {"status": status},
        before_save=lambda t: setattr(t, "completed_at", timezone.now() if status == "done" else None),
    )


def _upsert(
    organization: Organization,
    key: str,
    *,
    title: str,
    kind: str,
    due: dt.date | None,
    assignee_id: int | None = None,
    role: str = "",
    link: str = "",
) -> tuple[Task, bool]:
    task = Task.objects.filter(organization=organization, source_key=key).first()
    if task is not None:
        return task, False
    actor = Actor.system(organization)
    data = {
        "title": title[:300],
        "kind": kind,
        "due_date": due,
        "assignee_id": assignee_id,
        "assignee_role": role,
        "link": link,
    }
    return core.create(actor, Task, data, before_save=lambda t: setattr(t, "source_key", key)), True


def _close_generated(organization: Organization, keys_open: set[str], prefix: str) -> int:
    """Generated tasks whose reason has gone (the action is done, the review held) are closed."""
    gone = Task.objects.filter(
        organization=organization, status=Task.Status.OPEN, source_key__startswith=prefix
    ).exclude(source_key__in=keys_open)
    n = 0
    actor = Actor.system(organization)
    for task in gone:
        core.update(
            actor, task, {"status": "done"}, before_save=lambda t: setattr(t, "completed_at", timezone.now())
        )
        n += 1
    return n


def sync_tasks(
    organization: Organization, items: list[dict[str, Any]], prefixes: tuple[str, ...]
) -> dict[str, int]:
    """The one way an area puts its due dates on people's task lists: one task per item (its `key`,
    e.g. "riskreview:12:2027-01-31": one per reason and date), and the open tasks under `prefixes`
    whose item has gone (the review was held, the action done) are closed. Each item: key, title,
    kind, due, assignee_id or role, link. Every task is created and closed through the generic
    services, so each is in the audit trail; idempotent."""
    keys: dict[str, set[str]] = {p: set() for p in prefixes}
    opened = 0
    with transaction.atomic():
        for item in items:
            keys.setdefault(item["key"].split(":", 1)[0] + ":", set()).add(item["key"])
            _task, created = _upsert(
                organization,
                item["key"],
                title=str(item["title"]),
                kind=item["kind"],
                due=item["due"],
                assignee_id=item.get("assignee_id"),
                role=item.get("role", ""),
                link=item.get("link", ""),
            )
            opened += int(created)
        closed = sum(_close_generated(organization, k, p) for p, k in keys.items())
    return {"opened": opened, "closed": closed}


def generate_tasks(organization: Organization, *, horizon_days: int = 30) -> dict[str, int]:
    """Turn every date AIMS knows into tasks: reports to authorities, corrective actions, effectiveness
    checks, audits, management reviews, document reviews and approvals, training expiry, acknowledgements.
    Idempotent: each reason makes one task (source_key), closed when the reason goes away."""
    from aims.governance import services as gov

    today = timezone.localdate()
    horizon = today + dt.timedelta(days=horizon_days)
    made: Counter[str] = Counter()
    keys: dict[str, set[str]] = {
        p: set() for p in ("art73:", "ca:", "eff:", "audit:", "mr:", *gov.DUE_PREFIXES)
    }

    def add(prefix: str, key: str, **kw: Any) -> None:
        keys.setdefault(prefix, set()).add(key)
        _task, created = _upsert(organization, key, **kw)
        made[prefix] += int(created)

    for inc in Incident.objects.filter(
        organization=organization,
        serious=True,
        authority_reported_at__isnull=True,
        report_due_at__isnull=False,
    ):
        add(
            "art73:",
            f"art73:{inc.pk}",
            title=_("Report serious incident %(ref)s to the authority (EU AI Act Art. 73)")
            % {"ref": inc.reference},
            kind=Task.Kind.REPORT,
            due=inc.report_due_at.date(),
            assignee_id=inc.owner_id,
            role="" if inc.owner_id else "ai_manager",
            link=inc.get_absolute_url(),
        )
    for ca in CorrectiveAction.objects.filter(
        organization=organization,
        status__in=("planned", "in_progress"),
        due_date__isnull=False,
        due_date__lte=horizon,
    ):
        add(
            "ca:",
            f"ca:{ca.pk}",
            title=_("Corrective action: %(t)s") % {"t": ca.title},
            kind=Task.Kind.ACTION,
            due=ca.due_date,
            assignee_id=ca.owner_id,
            role="" if ca.owner_id else "ai_manager",
            link=ca.nonconformity.get_absolute_url(),
        )
    for nc in Nonconformity.objects.filter(
        organization=organization, status="verifying", effectiveness_due__lte=horizon
    ):
        add(
            "eff:",
            f"eff:{nc.pk}:{nc.effectiveness_due}",
            title=_("Check the effectiveness of the actions on %(ref)s") % {"ref": nc.reference},
            kind=Task.Kind.REVIEW,
            due=nc.effectiveness_due,
            role="internal_audit",
            link=nc.get_absolute_url(),
        )
    for a in Audit.objects.filter(organization=organization, status="planned", planned_start__lte=horizon):
        add(
            "audit:",
            f"audit:{a.pk}:{a.planned_start}",
            title=_("Internal audit %(ref)s starts") % {"ref": a.reference},
            kind=Task.Kind.REVIEW,
            due=a.planned_start,
            assignee_id=a.lead_auditor_id,
            role="" if a.lead_auditor_id else "internal_audit",
            link=a.get_absolute_url(),
        )
    for r in ManagementReview.objects.filter(
        organization=organization, status="planned", scheduled_for__lte=horizon
    ):
        add(
            "mr:",
            f"mr:{r.pk}:{r.scheduled_for}",
            title=_("Management review: %(t)s") % {"t": r.title},
            kind=Task.Kind.REVIEW,
            due=r.scheduled_for,
            assignee_id=r.chair_id,
            role="" if r.chair_id else "top_management",
            link=r.get_absolute_url(),
        )
    for item in gov.due_items(organization, horizon):
        prefix = item["key"].split(":", 1)[0] + ":"
        add(
            prefix,
            item["key"],
            title=item["title"],
            kind=item["kind"],
            due=item["due"],
            assignee_id=item.get("assignee_id"),
            role=item.get("role", ""),
            link=item.get("link", ""),
        )
    closed = sum(_close_generated(organization, k, p) for p, k in keys.items())
    return {**{p.rstrip(":"): n for p, n in made.items()}, "closed": closed}


def send_reminders(organization: Organization, *, within_days: int = 7) -> int:
    """E-mail each open task's assignee once, when it is due within `within_days` or overdue."""
    from django.core.mail import send_mail

    limit = timezone.localdate() + dt.timedelta(days=within_days)
    sent = 0
    tasks = Task.objects.filter(
        organization=organization, status=Task.Status.OPEN, reminded_at__isnull=True, due_date__lte=limit
    ).select_related("assignee")
    for task in tasks:
        recipients = (
            [task.assignee.email]
            if task.assignee_id
            else list(
                Membership.objects.filter(organization=organization, role=task.assignee_role).values_list(
                    "user__email", flat=True
                )
            )
        )
        if not recipients:
            continue
        # Claim the row first, so two workers never send the same reminder (conditional update).
        if not Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
            continue
        send_mail(
            subject=f"[AIMS] {task.title}"[:200],
            message=_("Due %(d)s: %(t)s\n\n%(url)s%(link)s")
            % {"d": task.due_date, "t": task.title, "url": settings.SITE_URL, "link": task.link},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
            fail_silently=True,
        )
        sent += 1
    return sent
