"""Operations of clauses 5, 6.2 and 7: documents and their workflow, the AI policy and its
acknowledgement, the RACI, objectives, competence and training, communication and resources."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core import services as core
from aims.core.actors import Actor
from aims.core.models import AuditEvent, Membership, Organization
from aims.core.roles import Role

from .dates import add_months
from .models import (
    DEFAULT_RACI,
    PROCESSES,
    Acknowledgement,
    Competence,
    Document,
    DocumentVersion,
    Responsibility,
    TrainingRecord,
)

TEMPLATE = Path(__file__).resolve().parent / "data" / "ai_policy_template.md"

# --- documents --------------------------------------------------------------------------------------


def _unique_slug(actor: Actor, title: str) -> str:
    base = slugify(title)[:70] or "document"
    taken = set(
        Document.objects.filter(organization=actor.organization, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_document(actor: Actor, data: dict[str, Any]) -> Document:
    """A document and its first draft version (with `content`, Markdown, when given)."""
    data = dict(data)
    content = data.pop("content", "") or ""
    note = data.pop("change_note", "") or _("First version")
    if not data.get("slug"):
        data["slug"] = _unique_slug(actor, str(data.get("title") or ""))
    with transaction.atomic():
        doc = core.create(actor, Document, data)
        DocumentVersion.objects.create(
            document=doc, number=1, content=content, change_note=note[:300], author=actor.user
        )
    return doc


def ai_policy_from_template(actor: Actor, *, owner_id: int | None = None) -> Document:
    """The AI policy document, first draft from our template (5.2, A.2.2)."""
    content = TEMPLATE.read_text(encoding="utf-8").replace("{organization}", actor.organization.name)
    return create_document(
        actor,
        {
            "title": _("AI policy"),
            "slug": "ai-policy",
            "kind": Document.Kind.POLICY,
            "is_ai_policy": True,
            "owner_id": owner_id or (actor.user.pk if actor.user else None),
            "classification": "public",
            "requires_acknowledgement": True,
            "review_interval_months": 12,
            "content": content,
            "change_note": _("First draft from the AIMS template"),
        },
    )


def current_draft(doc: Document) -> DocumentVersion | None:
    return doc.versions.filter(status__in=("draft", "in_review", "approved")).order_by("-number").first()


def new_version(
    actor: Actor, doc: Document, *, content: str | None = None, change_note: str = ""
) -> DocumentVersion:
    actor.require("document", "change")
    pending = current_draft(doc)
    if pending is not None:
        raise ValidationError(
            {
                "version": _("Version %(n)s is still %(s)s: finish or withdraw it first.")
                % {"n": pending.number, "s": pending.get_status_display()}
            }
        )
    if content is None:
        content = doc.published_version.content if doc.published_version else ""
    with transaction.atomic():
        number = (doc.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = DocumentVersion.objects.create(
            document=doc, number=number, content=content, change_note=change_note[:300], author=actor.user
        )
        audit.record(actor, AuditEvent.Action.UPDATE, obj=doc, changes={f"v{number}": [None, "draft"]})
    return version


def edit_version(
    actor: Actor, version: DocumentVersion, *, content: str, change_note: str | None = None
) -> DocumentVersion:
    actor.require("document", "change")
    if version.status != DocumentVersion.Status.DRAFT:
        raise ValidationError(
            {
                "content": _("Only a draft is edited; this version is %(s)s. Start a new version instead.")
                % {"s": version.get_status_display()}
            }
        )
    with transaction.atomic():
        before = version.content
        version.content = content
        if change_note is not None:
            version.change_note = change_note[:300]
        version.save(update_fields=["content", "change_note"])
        audit.record(
            actor,
            AuditEvent.Action.UPDATE,
            obj=version.document,
            changes={f"v{version.number} content": [len(before), len(content)]},
        )
    return version


def version_transition(
    actor: Actor, version: DocumentVersion, target: str, *, comment: str = ""
) -> DocumentVersion:
    """draft → in review → approved → published → retired; in review or approved may go back to draft.
    The AI policy is approved by top management only; nobody approves their own text."""
    doc = version.document
    if doc.organization_id != actor.organization.pk:
        raise PermissionDenied
    labels = dict(DocumentVersion.Status.choices)
    if target not in labels:
        raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": target}})
    needs_approval = target in ("approved", "published", "retired")
    actor.require("document", "approve" if needs_approval else "change")
    now = timezone.now()
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        allowed = DocumentVersion.FLOW.get(version.status, ())
        if target not in allowed:
            possible = ", ".join(str(labels[s]) for s in allowed) or _("none: this is a final status")
            raise ValidationError(
                {
                    "status": _("Cannot go from %(a)s to %(b)s. Possible next statuses: %(p)s.")
                    % {"a": labels[version.status], "b": labels[target], "p": possible}
                }
            )
        before = version.status
        if target == "in_review":
            if not version.content.strip():
                raise ValidationError({"content": _("An empty version cannot be reviewed.")})
            version.submitted_at = now
        elif target == "approved":
            if doc.is_ai_policy and actor.role != Role.TOP_MANAGEMENT and not actor.is_system:
                raise PermissionDenied(_("Only top management approves the AI policy."))
            if doc.approver_id and actor.user and doc.approver_id != actor.user.pk:
                raise PermissionDenied(
                    _("This document's designated approver is %(e)s.") % {"e": doc.approver.email}
                )  # type: ignore[union-attr]
            if actor.user and version.author_id == actor.user.pk:
                raise ValidationError(
                    {"approved_by": _("Nobody approves their own text: ask another approver.")}
                )
            version.approved_by, version.approved_at = actor.user, now
        elif target == "draft":
            version.approved_by, version.approved_at, version.submitted_at = None, None, None
        elif target == "published":
            previous = doc.published_version
            if previous is not None and previous.pk != version.pk:
                previous.status, previous.retired_at = DocumentVersion.Status.RETIRED, now
                previous.save(update_fields=["status", "retired_at"])
            version.published_at = now
        elif target == "retired":
            version.retired_at = now
        if comment:
            version.review_comment = comment
        version.status = target
        version.save()
        doc_before = audit.snapshot(doc)
        if target == "published":
            doc.published_version = version
            doc.next_review = add_months(timezone.localdate(), doc.review_interval_months or 12)
        elif target == "retired" and doc.published_version_id == version.pk:
            doc.published_version = None
        doc.version += 1
        doc.updated_at = now
        doc.save()
        changes = audit.diff(doc_before, audit.snapshot(doc))
        changes[f"v{version.number} status"] = [before, target]
        audit.record(
            actor,
            AuditEvent.Action.APPROVE if needs_approval else AuditEvent.Action.UPDATE,
            obj=doc,
            changes=changes,
        )
    return version


def acknowledge(actor: Actor, doc: Document) -> Acknowledgement:
    """The actor confirms they have read the published version (awareness, 7.3)."""
    actor.require("document", "view")
    if actor.user is None:
        raise ValidationError({"user": _("Only a person acknowledges a document.")})
    version = doc.published_version
    if version is None:
        raise ValidationError({"published_version": _("There is no published version to acknowledge yet.")})
    with transaction.atomic():
        ack, created = Acknowledgement.objects.get_or_create(version=version, user=actor.user)
        if created:
            audit.record(
                actor,
                AuditEvent.Action.APPROVE,
                obj=doc,
                object_repr=f"{doc} v{version.number} acknowledged",
                changes={"acknowledged_by": [None, actor.user.email]},
            )
    return ack


def acknowledgement_report(organization: Organization, doc: Document) -> dict[str, Any]:
    """Who has and who has not acknowledged the published version (every member but the external auditor)."""
    version = doc.published_version
    members = list(
        Membership.objects.filter(organization=organization)
        .exclude(role=Role.EXTERNAL_AUDITOR)
        .select_related("user")
        .order_by("user__email")
    )
    acks = (
        {a.user_id: a.acknowledged_at for a in Acknowledgement.objects.filter(version=version)}
        if version
        else {}
    )
    done = [
        {"email": m.user.email, "name": m.user.display_name, "role": m.role, "at": acks[m.user_id]}
        for m in members
        if m.user_id in acks
    ]
    missing = [
        {"email": m.user.email, "name": m.user.display_name, "role": m.role, "user_id": m.user_id}
        for m in members
        if m.user_id not in acks
    ]
    return {
        "version": version.number if version else None,
        "members": len(members),
        "acknowledged": len(done),
        "done": done,
        "missing": missing,
    }


def ai_policy(organization: Organization) -> Document | None:
    return (
        Document.objects.filter(organization=organization, is_ai_policy=True)
        .select_related("published_version")
        .first()
    )


def ai_policy_acknowledgement(organization: Organization) -> dict[str, Any] | None:
    doc = ai_policy(organization)
    if doc is None or doc.published_version is None:
        return None
    report = acknowledgement_report(organization, doc)
    return {
        "document": doc.title,
        "version": report["version"],
        "members": report["members"],
        "acknowledged": report["acknowledged"],
        "missing": [m["email"] for m in report["missing"]],
    }


# --- roles and responsibilities ---------------------------------------------------------------------


def raci_for(organization_id: int) -> dict[str, dict[str, str]]:
    """process -> {role: letter}: the organization's RACI, or our default when it has not set one."""
    rows = list(
        Responsibility.objects.filter(organization_id=organization_id).values_list(
            "process", "role", "letter"
        )
    )
    if not rows:
        return {p: dict(cells) for p, cells in DEFAULT_RACI.items()}
    out: dict[str, dict[str, str]] = {p: {} for p in PROCESSES}
    for process, role, letter in rows:
        out.setdefault(process, {})[role] = letter
    return out


def load_default_raci(actor: Actor) -> int:
    actor.require("raci", "add")
    if Responsibility.objects.filter(organization=actor.organization).exists():
        raise ValidationError({"raci": _("The organization already has its RACI; change it cell by cell.")})
    n = 0
    with transaction.atomic():
        for process, cells in DEFAULT_RACI.items():
            for role, letter in cells.items():
                core.create(actor, Responsibility, {"process": process, "role": role, "letter": letter})
                n += 1
    return n


def set_responsibility(
    actor: Actor, *, process: str, role: str, letter: str, note: str = ""
) -> Responsibility | None:
    """Set one RACI cell (an empty letter clears it)."""
    if process not in PROCESSES:
        raise ValidationError({"process": _("Choose one of: %(p)s") % {"p": ", ".join(PROCESSES)}})
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of: %(r)s") % {"r": ", ".join(Role.values)}})
    if not Responsibility.objects.filter(organization=actor.organization).exists():
        load_default_raci(actor)
    cell = Responsibility.objects.filter(organization=actor.organization, process=process, role=role).first()
    if not letter:
        if cell is not None:
            core.delete(actor, cell)
        return None
    if cell is None:
        return core.create(
            actor, Responsibility, {"process": process, "role": role, "letter": letter, "note": note}
        )
    return core.update(actor, cell, {"letter": letter, "note": note or cell.note})


# --- competence and training ------------------------------------------------------------------------

TRAINING_MANAGERS = {Role.AI_MANAGER, Role.CIO_CDO, Role.ORG_ADMIN}


def _may_record_for(actor: Actor, person_id: Any) -> None:
    if actor.is_system or actor.role in TRAINING_MANAGERS:
        return
    if actor.user is None or str(person_id) != str(actor.user.pk):
        raise PermissionDenied(_("You may record only your own training."))


def create_training(actor: Actor, data: dict[str, Any]) -> TrainingRecord:
    data = dict(data)
    person = data.pop("person", None)
    if person is not None and not data.get("person_id"):
        data["person_id"] = getattr(person, "pk", person)
    if not data.get("person_id") and actor.user:
        data["person_id"] = actor.user.pk
    _may_record_for(actor, data.get("person_id"))
    return core.create(actor, TrainingRecord, data)


def update_training(
    actor: Actor, record: TrainingRecord, data: dict[str, Any], *, expected_version: int | None = None
) -> TrainingRecord:
    person = data.get("person")
    _may_record_for(
        actor,
        getattr(person, "pk", person) if person is not None else data.get("person_id", record.person_id),
    )
    _may_record_for(actor, record.person_id)
    return core.update(actor, record, data, expected_version=expected_version)


def competence_gaps(
    organization: Organization, *, detail: bool = True, horizon_days: int = 30
) -> dict[str, Any]:
    """For every member, the competences their role requires and whether a current training record
    gives each: people complete, gaps (missing or expired) and training expiring soon."""
    today = timezone.localdate()
    soon = today + dt.timedelta(days=horizon_days)
    required: dict[str, list[Competence]] = {}
    for c in Competence.objects.filter(organization=organization):
        required.setdefault(c.role, []).append(c)
    records: dict[int, list[TrainingRecord]] = {}
    for r in TrainingRecord.objects.filter(organization=organization).select_related("person"):
        records.setdefault(r.person_id, []).append(r)
    members = Membership.objects.filter(organization=organization, role__in=list(required)).select_related(
        "user"
    )
    gaps, expiring, with_req, complete = [], [], 0, 0
    for m in members:
        with_req += 1
        ok = True
        for comp in required[m.role]:
            matching = [
                r
                for r in records.get(m.user_id, [])
                if r.competence_id == comp.pk
                or (comp.course and r.course.strip().lower() == comp.course.strip().lower())
            ]
            for r in (
                matching
            ):  # a record matched by course name alone still expires with the competence's validity
                if r.expires_on is None and comp.validity_months:
                    r.expires_on = add_months(r.completed_on, comp.validity_months)
            current = [r for r in matching if r.current]
            if not current:
                ok = False
                gaps.append(
                    {
                        "user_id": m.user_id,
                        "email": m.user.email,
                        "role": m.role,
                        "competence": comp.name,
                        "competence_id": comp.pk,
                        "status": "expired" if matching else "missing",
                    }
                )
            else:
                best = max(current, key=lambda r: r.expires_on or dt.date.max)
                if best.expires_on and best.expires_on <= soon:
                    expiring.append(
                        {
                            "user_id": m.user_id,
                            "email": m.user.email,
                            "course": best.course,
                            "expires_on": best.expires_on.isoformat(),
                            "record_id": best.pk,
                        }
                    )
        complete += int(ok)
    out: dict[str, Any] = {
        "people_with_requirements": with_req,
        "people_complete": complete,
        "gap_count": len(gaps),
        "expiring_count": len(expiring),
    }
    if detail:
        out.update(gaps=gaps, expiring=expiring)
    return out


# --- what falls due (turned into tasks by the assurance worker) -------------------------------------

DUE_PREFIXES = ("docreview:", "docapprove:", "trainexp:", "gap:", "ack:")


def due_items(organization: Organization, horizon: dt.date) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for doc in Document.objects.filter(
        organization=organization, published_version__isnull=False, next_review__lte=horizon
    ):
        items.append(
            {
                "key": f"docreview:{doc.pk}:{doc.next_review}",
                "title": _("Review the document '%(t)s'") % {"t": doc.title},
                "kind": "review",
                "due": doc.next_review,
                "assignee_id": doc.owner_id,
                "role": "" if doc.owner_id else "ai_manager",
                "link": doc.get_absolute_url(),
            }
        )
    for v in DocumentVersion.objects.filter(
        document__organization=organization, status="in_review"
    ).select_related("document"):
        doc = v.document
        role = "top_management" if doc.is_ai_policy else "ai_manager"
        items.append(
            {
                "key": f"docapprove:{v.pk}",
                "title": _("Approve '%(t)s' version %(n)s") % {"t": doc.title, "n": v.number},
                "kind": "approval",
                "due": (v.submitted_at or timezone.now()).date() + dt.timedelta(days=14),
                "assignee_id": doc.approver_id,
                "role": "" if doc.approver_id else role,
                "link": doc.get_absolute_url(),
            }
        )
    report = competence_gaps(organization, horizon_days=(horizon - timezone.localdate()).days)
    for e in report["expiring"]:
        items.append(
            {
                "key": f"trainexp:{e['record_id']}",
                "title": _("Renew training '%(c)s'") % {"c": e["course"]},
                "kind": "training",
                "due": dt.date.fromisoformat(e["expires_on"]),
                "assignee_id": e["user_id"],
            }
        )
    for g in report["gaps"]:
        items.append(
            {
                "key": f"gap:{g['user_id']}:{g['competence_id']}",
                "title": _("Get the required competence '%(c)s'") % {"c": g["competence"]},
                "kind": "training",
                "due": timezone.localdate() + dt.timedelta(days=30),
                "assignee_id": g["user_id"],
            }
        )
    policy = ai_policy(organization)
    if policy is not None and policy.published_version is not None:
        version = policy.published_version
        due = (version.published_at or timezone.now()).date() + dt.timedelta(days=30)
        for m in acknowledgement_report(organization, policy)["missing"]:
            items.append(
                {
                    "key": f"ack:{version.pk}:{m['user_id']}",
                    "title": _("Read and acknowledge the AI policy (version %(n)s)") % {"n": version.number},
                    "kind": "acknowledgement",
                    "due": due,
                    "assignee_id": m["user_id"],
                    "link": policy.get_absolute_url(),
                }
            )
    return items
