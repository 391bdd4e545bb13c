"""Operations of the compliance area. Views, API handlers, the CLI and the demo call these, so the
permission checks, validation and audit entries are the same whichever door a change came through."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core import services as core
from aims.core.actors import Actor
from aims.core.models import AuditEvent, Organization
from aims.inventory.models import AISystem

from . import catalog_files as cf
from . import classify as engine
from .library import BY_KEY as LIBRARY
from .models import (
    CatalogChange,
    Classification,
    Control,
    Evidence,
    Framework,
    GapAssessment,
    GapScore,
    Obligation,
    Regulation,
    Requirement,
    SoA,
    SoAEntry,
)

ISO_42001 = "iso-iec-42001-2023"
AI_ACT = "eu-ai-act-2024-1689"


# --- frameworks and requirements --------------------------------------------------------------------


def frameworks(actor: Actor) -> QuerySet[Framework]:
    return Framework.objects.visible_to(actor).annotate(requirement_count=Count("requirements"))


def get_framework(actor: Actor, slug: str) -> Framework:
    """The framework with this slug the actor may see (their organization's own first); else 404."""
    qs = (
        Framework.objects.visible_to(actor)
        .filter(slug=slug)
        .annotate(requirement_count=Count("requirements"))
    )
    found = sorted(qs, key=lambda f: f.organization_id is None)
    if not found:
        raise Http404
    return found[0]


def builtin(slug: str) -> Framework:
    return Framework.objects.get(slug=slug, organization__isnull=True)


def requirements(framework: Framework, params: dict[str, Any] | None = None) -> QuerySet[Requirement]:
    params = params or {}
    qs = Requirement.objects.filter(framework=framework).select_related("parent").order_by("order")
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("assessable") is not None:
        qs = qs.filter(assessable=params["assessable"])
    if params.get("parent"):
        qs = qs.filter(parent__ref_id=params["parent"])
    if params.get("q"):
        qs = qs.filter(Q(ref_id__icontains=params["q"]) | Q(title__icontains=params["q"]))
    return qs


def tree(framework: Framework) -> list[dict[str, Any]]:
    rows = list(Requirement.objects.filter(framework=framework).order_by("order"))
    by_parent: dict[int | None, list[Requirement]] = {}
    for r in rows:
        by_parent.setdefault(r.parent_id, []).append(r)

    def build(pid: int | None) -> list[dict[str, Any]]:
        return [
            {
                "ref_id": r.ref_id,
                "title": r.title,
                "kind": r.kind,
                "assessable": r.assessable,
                "children": build(r.pk),
            }
            for r in by_parent.get(pid, [])
        ]

    return build(None)


def visible_requirements(actor: Actor, ids: Iterable[Any]) -> list[int]:
    """Requirement ids checked to belong to a framework the actor's organization can see."""
    wanted = [int(i.pk if isinstance(i, Requirement) else i) for i in ids or []]
    found = set(
        Requirement.objects.filter(pk__in=wanted)
        .filter(Q(framework__organization__isnull=True) | Q(framework__organization=actor.organization))
        .values_list("pk", flat=True)
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            {"requirements": _("Not found in this organization: %(ids)s") % {"ids": missing}}
        )
    return wanted


def resolve_refs(actor: Actor, refs: dict[str, list[str]]) -> list[int]:
    """{framework slug: [ref ids]} to requirement ids; unknown ones are a ValidationError."""
    out: list[int] = []
    errors: list[str] = []
    for slug, ref_ids in refs.items():
        try:
            fw = get_framework(actor, slug)
        except Http404:
            errors.append(_("unknown framework %(s)s") % {"s": slug})
            continue
        found = dict(Requirement.objects.filter(framework=fw, ref_id__in=ref_ids).values_list("ref_id", "pk"))
        errors += [f"{slug} {r}" for r in ref_ids if r not in found]
        out += [found[r] for r in ref_ids if r in found]
    if errors:
        raise ValidationError({"requirements": _("Not found: %(r)s") % {"r": ", ".join(errors)}})
    return out


def create_framework(actor: Actor, data: dict[str, Any]) -> Framework:
    """An organization's own framework (internal policy, sector rule)."""
    actor.require("framework", "add")
    slug = str(data.get("slug") or "").strip()
    fw = Framework(
        organization=actor.organization,
        slug=slug,
        name=str(data.get("name") or "").strip(),
        version=str(data.get("version") or "1").strip(),
        publisher=str(data.get("publisher") or actor.organization.name)[:200],
        kind=data.get("kind") or Framework.Kind.CUSTOM,
        jurisdiction=str(data.get("jurisdiction") or ""),
        url=str(data.get("url") or ""),
        description=str(data.get("description") or ""),
        licence=str(data.get("licence") or ""),
    )
    errors: dict[str, Any] = {}
    try:
        fw.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (
        slug
        and Framework.objects.filter(slug=slug)
        .filter(Q(organization__isnull=True) | Q(organization=actor.organization))
        .exists()
    ):
        errors["slug"] = [_("A framework with this slug already exists.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fw.save()
        audit.record(
            actor,
            AuditEvent.Action.CREATE,
            obj=fw,
            object_type="framework",
            changes=audit.diff(None, audit.snapshot(fw)),
        )
    return fw


def _own(actor: Actor, framework: Framework, action: str = "change") -> None:
    actor.require("framework", action)
    if framework.organization_id is None:
        raise PermissionDenied(
            _("The catalogs that ship with AIMS are read-only: add your own framework instead.")
        )
    if framework.organization_id != actor.organization.pk:
        raise Http404


def add_requirement(actor: Actor, framework: Framework, data: dict[str, Any]) -> Requirement:
    _own(actor, framework)
    ref = str(data.get("ref_id") or "").strip()
    parent = None
    errors: dict[str, Any] = {}
    if data.get("parent"):
        parent = Requirement.objects.filter(framework=framework, ref_id=data["parent"]).first()
        if parent is None:
            errors["parent"] = [_("No requirement %(r)s in this framework.") % {"r": data["parent"]}]
    if ref and Requirement.objects.filter(framework=framework, ref_id=ref).exists():
        errors["ref_id"] = [_("This number is already used in the framework.")]
    last = (
        Requirement.objects.filter(framework=framework)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
    )
    req = Requirement(
        framework=framework,
        ref_id=ref,
        parent=parent,
        title=str(data.get("title") or "").strip(),
        kind=str(data.get("kind") or "requirement"),
        description=str(data.get("description") or ""),
        guidance=str(data.get("guidance") or ""),
        assessable=bool(data.get("assessable", True)),
        order=(last or 0) + 1,
        depth=(parent.depth + 1) if parent else 0,
    )
    m = cf._NUMBER.match(ref)
    req.number = m.group(1) if m else ""
    try:
        req.full_clean(validate_constraints=False, exclude=["framework", "parent"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        req.save()
        framework.version_number += 1
        framework.save(update_fields=["version_number"])
        audit.record(
            actor,
            AuditEvent.Action.CREATE,
            obj=req,
            object_type="framework",
            changes={"framework": [None, framework.slug], "ref_id": [None, ref], "title": [None, req.title]},
        )
    return req


def delete_framework(actor: Actor, framework: Framework) -> None:
    _own(actor, framework, "delete")
    with transaction.atomic():
        slug, pk = framework.slug, framework.pk
        try:
            framework.delete()
        except Exception as exc:  # ProtectedError: used by an SoA or gap assessment
            raise ValidationError({"slug": _("The framework is in use and cannot be deleted.")}) from exc
        audit.record(actor, AuditEvent.Action.DELETE, object_type="framework", object_id=pk, object_repr=slug)


# --- controls ---------------------------------------------------------------------------------------


def next_control_ref(organization: Organization) -> str:
    refs = Control.objects.filter(organization=organization, ref__startswith="CTL-").values_list(
        "ref", flat=True
    )
    numbers = [int(r[4:]) for r in refs if r[4:].isdigit()]
    return f"CTL-{(max(numbers) + 1) if numbers else 1:03d}"


def controls_queryset(actor: Actor) -> QuerySet[Control]:
    return (
        Control.objects.for_actor(actor)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "requirements",
                queryset=Requirement.objects.select_related("framework").order_by("framework__name", "order"),
            ),
            "ai_systems",
            "risks",
        )
        .annotate(evidence_count=Count("evidence", distinct=True))
    )


def filter_controls(qs: QuerySet[Control], params: dict[str, Any]) -> QuerySet[Control]:
    params = {k: getattr(v, "value", v) for k, v in params.items() if v not in (None, "")}
    if params.get("q"):
        qs = qs.filter(
            Q(name__icontains=params["q"])
            | Q(ref__icontains=params["q"])
            | Q(description__icontains=params["q"])
        )
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("owner"):
        qs = qs.filter(owner_id=params["owner"])
    if params.get("requirement"):
        qs = qs.filter(requirements__ref_id=params["requirement"]).distinct()
    if params.get("framework"):
        qs = qs.filter(requirements__framework__slug=params["framework"]).distinct()
    if params.get("ai_system"):
        qs = qs.filter(ai_systems__slug=params["ai_system"]).distinct()
    return qs.order_by("ref")


def create_control(actor: Actor, data: dict[str, Any]) -> Control:
    data = dict(data)
    if "requirements" in data:
        data["requirements"] = visible_requirements(actor, data["requirements"])
    if not data.get("ref"):
        data["ref"] = next_control_ref(actor.organization)
    return core.create(actor, Control, data)


def update_control(
    actor: Actor, control: Control, data: dict[str, Any], *, expected_version: int | None = None
) -> Control:
    data = dict(data)
    if "requirements" in data:
        data["requirements"] = visible_requirements(actor, data["requirements"])
    if data.get("ref") == "":
        data.pop("ref")
    return core.update(actor, control, data, expected_version=expected_version)


def delete_control(actor: Actor, control: Control, *, expected_version: int | None = None) -> None:
    core.delete(actor, control, expected_version=expected_version)


def add_from_library(actor: Actor, keys: list[str], *, owner: Any = None) -> list[Control]:
    """Start controls from the library of typical AI controls; a key already used is skipped."""
    unknown = [k for k in keys if k not in LIBRARY]
    if unknown:
        raise ValidationError({"keys": _("Unknown library controls: %(k)s") % {"k": ", ".join(unknown)}})
    made = []
    with transaction.atomic():
        for key in keys:
            if Control.objects.filter(organization=actor.organization, library_key=key).exists():
                continue
            entry = LIBRARY[key]
            data = {
                "name": entry["name"],
                "description": entry["description"],
                "requirements": resolve_refs(actor, entry["requirements"]),
                "owner_id": getattr(owner, "pk", owner),
            }
            made.append(create_control_with_key(actor, data, key))
    return made


def create_control_with_key(actor: Actor, data: dict[str, Any], key: str) -> Control:
    data = dict(data)
    data.setdefault("ref", next_control_ref(actor.organization))
    if "requirements" in data:
        data["requirements"] = visible_requirements(actor, data["requirements"])
    return core.create(actor, Control, data, before_save=lambda c: setattr(c, "library_key", key))


def add_evidence(
    actor: Actor,
    control: Control,
    *,
    title: str,
    url: str = "",
    upload: Any = None,
    collected_on: dt.date | None = None,
) -> Evidence:
    """A link or an uploaded file (streamed to storage with its SHA-256, which the audit entry keeps)."""
    from django.conf import settings

    actor.require("control", "change")
    if control.organization_id != actor.organization.pk:
        raise Http404
    if upload is None and not url:
        raise ValidationError({"url": _("Give a link or upload a file.")})
    if upload is not None and upload.size > settings.AIMS_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than the %(n)s MB limit.")
                % {"n": settings.AIMS_MAX_UPLOAD_BYTES // 2**20}
            }
        )

    def prepare(ev: Evidence) -> None:
        ev.control = control
        if upload is not None:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            ev.sha256 = digest.hexdigest()
            ev.size = upload.size
            ev.filename = str(getattr(upload, "name", "") or "")[:200]
            ev.content_type = str(getattr(upload, "content_type", "") or "")[:100]
            ev.file.save(ev.filename or "evidence", upload, save=False)

    data: dict[str, Any] = {"title": title, "url": url}
    if collected_on:
        data["collected_on"] = collected_on
    return core.create(actor, Evidence, data, before_save=prepare)


# --- Statement of Applicability ---------------------------------------------------------------------


def annex_a(framework: Framework | None = None) -> QuerySet[Requirement]:
    framework = framework or builtin(ISO_42001)
    return Requirement.objects.filter(framework=framework, kind="control").order_by("order")


def current_soa(actor: Actor) -> SoA | None:
    return SoA.objects.for_actor(actor).order_by("-number").first()


def approved_soa(actor: Actor) -> SoA | None:
    return SoA.objects.for_actor(actor).filter(status=SoA.Status.APPROVED).order_by("-number").first()


def soa_entries(soa: SoA) -> QuerySet[SoAEntry]:
    return (
        SoAEntry.objects.filter(soa=soa)
        .select_related("requirement", "requirement__parent")
        .prefetch_related(
            Prefetch(
                "controls",
                queryset=Control.objects.annotate(evidence_count=Count("evidence")).order_by("ref"),
            )
        )
        .order_by("requirement__order")
    )


def _suggested_controls(organization: Organization) -> dict[int, list[int]]:
    """Annex A requirement id -> the organization's controls mapped to it."""
    through = Control.requirements.through
    out: dict[int, list[int]] = {}
    for cid, rid in through.objects.filter(control__organization=organization).values_list(
        "control_id", "requirement_id"
    ):
        out.setdefault(rid, []).append(cid)
    return out


def start_soa(actor: Actor) -> SoA:
    """The draft to edit: the latest draft, or a new version copied from the latest (frozen) one,
    or the first version with every Annex A control undecided and the mapped controls suggested."""
    actor.require("soa", "add")
    latest = current_soa(actor)
    if latest is not None and latest.status == SoA.Status.DRAFT:
        return latest
    framework = latest.framework if latest else builtin(ISO_42001)
    number = (latest.number + 1) if latest else 1
    with transaction.atomic():
        soa = core.create(
            actor,
            SoA,
            {"notes": ""},
            before_save=lambda s: (setattr(s, "number", number), setattr(s, "framework", framework)),
        )
        previous = {e.requirement_id: e for e in soa_entries(latest)} if latest else {}
        suggested = _suggested_controls(actor.organization)
        entries = []
        for req in annex_a(framework):
            prev = previous.get(req.pk)
            entries.append(
                SoAEntry(
                    organization=actor.organization,
                    created_by=actor.user,
                    soa=soa,
                    requirement=req,
                    applicable=prev.applicable if prev else None,
                    justification=prev.justification if prev else "",
                    implementation_status=prev.implementation_status
                    if prev
                    else SoAEntry.Implementation.NOT_STARTED,
                    evidence_note=prev.evidence_note if prev else "",
                )
            )
        SoAEntry.objects.bulk_create(entries)
        through = SoAEntry.controls.through
        links = []
        for entry in SoAEntry.objects.filter(soa=soa):
            prev = previous.get(entry.requirement_id)
            ids = [c.pk for c in prev.controls.all()] if prev else suggested.get(entry.requirement_id, [])
            links += [through(soaentry_id=entry.pk, control_id=c) for c in ids]
        through.objects.bulk_create(links)
    return soa


def update_entry(
    actor: Actor, entry: SoAEntry, data: dict[str, Any], *, expected_version: int | None = None
) -> SoAEntry:
    if entry.soa.status != SoA.Status.DRAFT:
        raise ValidationError(
            {"status": _("This SoA version is approved and frozen: edit the new draft instead.")}
        )
    data = dict(data)
    if "controls" in data:
        ids = [int(getattr(c, "pk", c)) for c in data["controls"] or []]
        data["controls"] = ids
    return core.update(actor, entry, data, expected_version=expected_version)


_ANNEX_A_REF = re.compile(r"\bA\.\d+(?:\.\d+)*")


def soa_risk_treatments(organization: Organization) -> dict[str, list[Any]]:
    """Annex A ref -> the risk treatment actions that put it in place (clause 6.1.3: the SoA lists
    the controls *and* the risk treatments that implement each control). A treatment names its
    control in free text ("A.7.4", "ISO/IEC 42001 A.7.4"); cancelled actions and closed risks do
    not count."""
    try:
        from aims.risk.models import RiskTreatment
    except ImportError:  # pragma: no cover - the risk app is always installed in this project
        return {}
    out: dict[str, list[Any]] = {}
    qs = (
        RiskTreatment.objects.filter(organization=organization)
        .exclude(control_ref="")
        .exclude(status="cancelled")
        .exclude(risk__status="closed")
        .select_related("risk")
        .order_by("risk__number", "pk")
    )
    for treatment in qs:
        for ref in dict.fromkeys(_ANNEX_A_REF.findall(treatment.control_ref)):
            out.setdefault(ref, []).append(treatment)
    return out


def soa_problems(soa: SoA) -> dict[str, list[str]]:
    """Why a version cannot be approved yet: undecided controls and missing justifications."""
    undecided, unjustified = [], []
    for e in SoAEntry.objects.filter(soa=soa).select_related("requirement"):
        if e.applicable is None:
            undecided.append(e.requirement.ref_id)
        elif not e.justification.strip():
            unjustified.append(e.requirement.ref_id)
    return {"undecided": undecided, "unjustified": unjustified}


def approve_soa(actor: Actor, soa: SoA, *, note: str = "") -> SoA:
    """Top management approves a complete draft; the previous approved version is superseded."""
    actor.require("soa", "approve")
    if soa.organization_id != actor.organization.pk:
        raise Http404
    if soa.status != SoA.Status.DRAFT:
        raise ValidationError(
            {
                "status": _("Only a draft can be approved; this version is %(s)s.")
                % {"s": soa.get_status_display()}
            }
        )
    problems = soa_problems(soa)
    errors = {}
    if problems["undecided"]:
        errors["applicable"] = _("Decide whether these controls apply: %(r)s") % {
            "r": ", ".join(problems["undecided"])
        }
    if problems["unjustified"]:
        errors["justification"] = _("Justify the decision for: %(r)s") % {
            "r": ", ".join(problems["unjustified"])
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        SoA.objects.filter(organization=actor.organization, status=SoA.Status.APPROVED).update(
            status=SoA.Status.SUPERSEDED
        )
        soa.status = SoA.Status.APPROVED
        soa.approved_by = actor.user
        soa.approved_at = timezone.now()
        soa.approval_note = note
        soa.version += 1
        soa.save()
        audit.record(
            actor,
            AuditEvent.Action.APPROVE,
            obj=soa,
            changes={"status": ["draft", "approved"], "note": [None, note]},
        )
    return soa


def soa_missing(actor: Actor, soa: SoA) -> dict[str, Any]:
    """The "what is missing" panel: applicable controls without implementation or evidence,
    decisions without justification, and risks whose required controls are not in the SoA."""
    entries = list(soa_entries(soa))
    out: dict[str, Any] = {
        "undecided": [],
        "unjustified": [],
        "no_implementation": [],
        "no_evidence": [],
        "risks": [],
    }
    applicable_refs = set()
    for e in entries:
        ref = e.requirement
        if e.applicable is None:
            out["undecided"].append(ref)
            continue
        if not e.justification.strip():
            out["unjustified"].append(ref)
        if not e.applicable:
            continue
        applicable_refs.add(ref.ref_id)
        controls = list(e.controls.all())
        if not controls or e.implementation_status == SoAEntry.Implementation.NOT_STARTED:
            out["no_implementation"].append(ref)
        elif not e.evidence_note.strip() and not any(c.evidence_links or c.evidence_count for c in controls):
            out["no_evidence"].append(ref)
    try:
        from aims.risk.models import Risk

        risks = (
            Risk.objects.filter(organization=actor.organization)
            .exclude(status="closed")
            .only("number", "title", "control_refs")
        )
        for risk in risks:
            missing = [
                c for c in (risk.control_refs or []) if c.startswith("A.") and c not in applicable_refs
            ]
            if missing:
                out["risks"].append({"risk": risk, "refs": missing})
    except ImportError:  # pragma: no cover
        pass
    out["count"] = sum(len(v) for v in out.values() if isinstance(v, list))
    return out


# --- EU AI Act classification -----------------------------------------------------------------------

FACT_FIELDS = (
    "purpose",
    "function",
    "system_type",
    "org_roles",
    "affected_persons",
    "processes_personal_data",
    "special_category_data",
    "third_party",
)


def system_facts(system: AISystem) -> dict[str, Any]:
    return {f: getattr(system, f) for f in FACT_FIELDS}


def current_classification(system: AISystem) -> Classification | None:
    return Classification.objects.filter(ai_system=system, is_current=True).first()


def needs_reclassification(system: AISystem, classification: Classification | None = None) -> list[str]:
    """The facts that changed since the current classification (empty: still valid)."""
    current = classification if classification is not None else current_classification(system)
    if current is None:
        return ["not classified"]
    now = system_facts(system)
    return [f for f in FACT_FIELDS if current.facts.get(f) != now[f]]


def default_answers(system: AISystem) -> dict[str, Any]:
    """A starting point for the questionnaire: the roles and the last answers."""
    current = current_classification(system)
    if current is not None:
        return dict(current.answers)
    answers = engine.Answers(roles=[r for r in system.org_roles if r in engine.ROLES] or ["deployer"])
    answers.gpai_model = False
    return answers.to_dict()


def classify_system(
    actor: Actor, system: AISystem, answers: dict[str, Any], *, notes: str = ""
) -> Classification:
    """Run the questionnaire, store the result as the system's new current classification, set the
    system's tier through the inventory service, and create or close its obligations."""
    from aims.inventory import services as inventory

    actor.require("classification", "add")
    if system.organization_id != actor.organization.pk:
        raise Http404
    catalog = cf.load_catalog(AI_ACT)
    unknown = sorted(set(answers or {}) - set(engine.Answers.__dataclass_fields__))
    if unknown:
        raise ValidationError({unknown[0]: _("Unknown question.")})
    try:
        parsed = engine.Answers.from_dict(answers)
    except TypeError as exc:
        raise ValidationError({"answers": str(exc)}) from exc
    errors = parsed.errors(catalog)
    if errors:
        raise ValidationError(errors)
    result = engine.classify(parsed, catalog=catalog)
    with transaction.atomic():
        number = (
            Classification.objects.filter(ai_system=system)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        Classification.objects.filter(ai_system=system, is_current=True).update(is_current=False)

        def fill(c: Classification) -> None:
            c.ai_system = system
            c.number = number
            c.tier = result.tier
            c.gpai = result.gpai
            c.roles = parsed.roles
            c.reasoning = result.reasoning
            c.citations = result.citations
            c.obligations = result.obligations
            c.facts = system_facts(system)

        classification = core.create(
            actor, Classification, {"answers": parsed.to_dict(), "notes": notes}, before_save=fill
        )
        if system.eu_ai_act_tier != result.inventory_tier:
            system_actor = (
                actor
                if actor.can("ai_system", "change")
                else Actor.system(actor.organization, source=actor.source)
            )
            inventory.update_system(system_actor, system, {"eu_ai_act_tier": result.inventory_tier})
        _sync_obligations(actor, system, classification, result.obligations)
    return classification


def _sync_obligations(
    actor: Actor, system: AISystem, classification: Classification, items: list[dict[str, Any]]
) -> None:
    fw = builtin(AI_ACT)
    reqs = dict(
        Requirement.objects.filter(framework=fw, ref_id__in={o["ref_id"] for o in items}).values_list(
            "ref_id", "pk"
        )
    )
    wanted = set()
    existing = {(o.requirement_id, o.role): o for o in Obligation.objects.filter(ai_system=system)}
    for item in items:
        key = (reqs[item["ref_id"]], item["role"])
        wanted.add(key)
        due = dt.date.fromisoformat(item["applies_from"]) if item["applies_from"] else None
        obligation = existing.get(key)
        if obligation is None:
            obligation = Obligation(
                organization=actor.organization,
                created_by=actor.user,
                ai_system=system,
                classification=classification,
                requirement_id=key[0],
                role=item["role"],
                due_date=due,
            )
            obligation.save()
        else:
            obligation.classification = classification
            obligation.due_date = due
            if obligation.status == Obligation.Status.NOT_APPLICABLE:
                obligation.status = Obligation.Status.OPEN
            obligation.save()
    for key, obligation in existing.items():
        if key not in wanted and obligation.status == Obligation.Status.OPEN:
            obligation.status = Obligation.Status.NOT_APPLICABLE
            obligation.save(update_fields=["status"])
    audit.record(
        actor,
        AuditEvent.Action.UPDATE,
        obj=system,
        object_type="classification",
        changes={"obligations": [None, sorted(f"{o['ref_id']} ({o['role']})" for o in items)]},
    )


def obligation_tasks(organization: Organization) -> int:
    """Open obligations as tasks with their deadlines (assurance's task list), once each."""
    try:
        from aims.assurance.models import Task
        from aims.assurance.services import _upsert
    except ImportError:  # pragma: no cover
        return 0
    made = 0
    for ob in Obligation.objects.filter(
        organization=organization, status=Obligation.Status.OPEN
    ).select_related("requirement", "ai_system"):
        _task, created = _upsert(
            organization,
            f"aiact:{ob.pk}",
            title=_("EU AI Act %(ref)s (%(role)s): %(title)s — %(system)s")
            % {
                "ref": ob.requirement.ref_id,
                "role": ob.role,
                "title": ob.requirement.title,
                "system": ob.ai_system.name,
            },
            kind=Task.Kind.ACTION,
            due=ob.due_date,
            role="ai_manager",
            link=f"/compliance/systems/{ob.ai_system.slug}/classification/",
        )
        made += int(created)
    return made


REVIEW_NOTICE_DAYS = 30


def review_tasks(organization: Organization, *, today: dt.date | None = None) -> dict[str, int]:
    """Reminders as tasks, once each: register entries (regulations, standards, sector rules) and
    controls whose review date is within the next 30 days or past, for their owner; and AI systems
    whose facts changed since their EU AI Act classification, to classify them again."""
    try:
        from aims.assurance.models import Task
        from aims.assurance.services import _upsert
    except ImportError:  # pragma: no cover
        return {}
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=REVIEW_NOTICE_DAYS)
    made = {"regulations": 0, "controls": 0, "reclassifications": 0}
    for reg in Regulation.objects.filter(organization=organization, review_date__lte=horizon):
        _task, created = _upsert(
            organization,
            f"regreview:{reg.pk}:{reg.review_date.isoformat()}",
            title=_("Check %(t)s for changes (register review)") % {"t": reg.title},
            kind=Task.Kind.REVIEW,
            due=reg.review_date,
            assignee_id=reg.owner_id,
            role="" if reg.owner_id else "ai_manager",
            link=reverse("compliance:regulation-edit", args=[reg.pk]),
        )
        made["regulations"] += int(created)
    for control in Control.objects.filter(organization=organization, review_date__lte=horizon):
        _task, created = _upsert(
            organization,
            f"ctlreview:{control.pk}:{control.review_date.isoformat()}",
            title=_("Review the effectiveness of control %(c)s") % {"c": f"{control.ref} {control.name}"},
            kind=Task.Kind.REVIEW,
            due=control.review_date,
            assignee_id=control.owner_id,
            role="" if control.owner_id else "ai_manager",
            link=control.get_absolute_url(),
        )
        made["controls"] += int(created)
    current = Classification.objects.filter(organization=organization, is_current=True).select_related(
        "ai_system"
    )
    for classification in current:
        system = classification.ai_system
        changed = needs_reclassification(system, classification)
        if not changed:
            continue
        _task, created = _upsert(
            organization,
            f"reclassify:{system.pk}:{classification.number}",
            title=_("Classify %(s)s again under the EU AI Act: %(f)s changed")
            % {"s": system.name, "f": ", ".join(changed)},
            kind=Task.Kind.REVIEW,
            due=today + dt.timedelta(days=REVIEW_NOTICE_DAYS),
            assignee_id=system.owner_id,
            role="" if system.owner_id else "ai_manager",
            link=reverse("compliance:classification", args=[system.slug]),
        )
        made["reclassifications"] += int(created)
    return made


def update_obligation(
    actor: Actor, obligation: Obligation, data: dict[str, Any], *, expected_version: int | None = None
) -> Obligation:
    return core.update(actor, obligation, data, expected_version=expected_version)


# --- gap assessment ---------------------------------------------------------------------------------


def create_gap_assessment(actor: Actor, data: dict[str, Any]) -> GapAssessment:
    """A new assessment with one row per assessable clause and per Annex A control that applies (all
    of them when the SoA has not decided yet); scores start from the previous assessment."""
    framework = builtin(ISO_42001)
    with transaction.atomic():
        assessment = core.create(
            actor, GapAssessment, data, before_save=lambda a: setattr(a, "framework", framework)
        )
        soa = approved_soa(actor) or current_soa(actor)
        excluded: set[int] = set()
        if soa is not None:
            excluded = set(
                SoAEntry.objects.filter(soa=soa, applicable=False).values_list("requirement_id", flat=True)
            )
        previous = (
            GapAssessment.objects.filter(organization=actor.organization)
            .exclude(pk=assessment.pk)
            .order_by("-assessed_on", "-pk")
            .first()
        )
        before = (
            {s.requirement_id: s for s in GapScore.objects.filter(assessment=previous)} if previous else {}
        )
        rows = []
        for req in Requirement.objects.filter(framework=framework, assessable=True).order_by("order"):
            if req.pk in excluded:
                continue
            prev = before.get(req.pk)
            rows.append(
                GapScore(
                    organization=actor.organization,
                    created_by=actor.user,
                    assessment=assessment,
                    requirement=req,
                    maturity=prev.maturity if prev else None,
                    notes=prev.notes if prev else "",
                )
            )
        GapScore.objects.bulk_create(rows)
    return assessment


def score(
    actor: Actor, item: GapScore, data: dict[str, Any], *, expected_version: int | None = None
) -> GapScore:
    if item.assessment.status == GapAssessment.Status.COMPLETED:
        raise ValidationError({"status": _("This assessment is completed; start a new one to score again.")})
    return core.update(actor, item, data, expected_version=expected_version)


def gap_report(assessment: GapAssessment) -> dict[str, Any]:
    """Scores by section, the average, and the prioritised roadmap: biggest gap to the target first,
    mandatory documented information before the rest, clauses before controls."""
    scores = list(
        GapScore.objects.filter(assessment=assessment)
        .select_related("requirement", "requirement__parent")
        .order_by("requirement__order")
    )
    target = assessment.target_level
    sections: dict[str, list[GapScore]] = {}
    for s in scores:
        req = s.requirement
        top = (
            req.ref_id.split(".")[0]
            if not req.ref_id.startswith("A.")
            else ".".join(req.ref_id.split(".")[:2])
        )
        sections.setdefault(top, []).append(s)
    scored = [s.maturity for s in scores if s.maturity is not None]

    def avg(values: list[int]) -> float | None:
        return round(sum(values) / len(values), 2) if values else None

    roadmap = []
    for s in scores:
        level = s.maturity if s.maturity is not None else 0
        gap = target - level
        if gap <= 0:
            continue
        mandatory = bool(s.requirement.mandatory_documented_information)
        roadmap.append(
            {
                "score": s,
                "gap": gap,
                "mandatory": mandatory,
                "priority": gap * 2
                + (2 if mandatory else 0)
                + (1 if not s.requirement.ref_id.startswith("A.") else 0),
            }
        )
    roadmap.sort(key=lambda r: (-r["priority"], r["score"].requirement.order))
    return {
        "scores": scores,
        "sections": [
            {"key": k, "average": avg([s.maturity for s in v if s.maturity is not None]), "count": len(v)}
            for k, v in sections.items()
        ],
        "average": avg(scored),
        "scored": len(scored),
        "total": len(scores),
        "roadmap": roadmap,
        "target": target,
    }


def gap_trend(actor: Actor) -> list[dict[str, Any]]:
    """Average maturity of every assessment, oldest first, for the trend."""
    rows = []
    for a in GapAssessment.objects.for_actor(actor).order_by("assessed_on", "pk"):
        values = list(
            GapScore.objects.filter(assessment=a, maturity__isnull=False).values_list("maturity", flat=True)
        )
        rows.append(
            {
                "assessment": a,
                "date": a.assessed_on,
                "average": round(sum(values) / len(values), 2) if values else None,
                "scored": len(values),
            }
        )
    return rows


# --- regulatory register and catalog changes --------------------------------------------------------


def create_regulation(actor: Actor, data: dict[str, Any]) -> Regulation:
    data = dict(data)
    if data.get("framework"):
        data["framework"] = (
            get_framework(actor, str(data["framework"]))
            if not str(data["framework"]).isdigit()
            else data["framework"]
        )
    return core.create(actor, Regulation, data)


def review_catalog_change(change: CatalogChange) -> dict[str, int]:
    """Create review tasks, in every organization concerned, for the controls, obligations and AI
    systems touched by a changed catalog, and for the register entries that watch it."""
    try:
        from aims.assurance.models import Task
        from aims.assurance.services import _upsert
    except ImportError:  # pragma: no cover
        return {}
    refs = set(change.refs)
    fw = change.framework
    made: dict[str, int] = {"controls": 0, "obligations": 0, "regulations": 0}
    date_note = "; ".join(f"{d['label']}: {d['before']} → {d['after']}" for d in change.dates)
    controls = Control.objects.filter(requirements__framework=fw, requirements__ref_id__in=refs).distinct()
    for c in controls:
        _t, created = _upsert(
            c.organization,
            f"catalog:{change.pk}:control:{c.pk}",
            title=_("Review control %(c)s: %(f)s changed") % {"c": c.ref, "f": fw.name},
            kind=Task.Kind.REVIEW,
            due=timezone.localdate() + dt.timedelta(days=30),
            assignee_id=c.owner_id,
            role="" if c.owner_id else "ai_manager",
            link=c.get_absolute_url(),
        )
        made["controls"] += int(created)
    obligations = Obligation.objects.filter(
        requirement__framework=fw, status=Obligation.Status.OPEN
    ).select_related("ai_system")
    if (
        not change.dates and not change.amendments
    ):  # new dates concern every obligation; text changes only theirs
        obligations = obligations.filter(requirement__ref_id__in=refs)
    for ob in obligations:
        _t, created = _upsert(
            ob.organization,
            f"catalog:{change.pk}:system:{ob.ai_system_id}",
            title=_("Review the AI Act obligations of %(s)s: %(f)s changed %(d)s")
            % {"s": ob.ai_system.name, "f": fw.name, "d": date_note},
            kind=Task.Kind.REVIEW,
            due=timezone.localdate() + dt.timedelta(days=30),
            role="ai_manager",
            link=f"/compliance/systems/{ob.ai_system.slug}/classification/",
        )
        made["obligations"] += int(created)
    for reg in Regulation.objects.filter(framework=fw):
        _t, created = _upsert(
            reg.organization,
            f"catalog:{change.pk}:regulation:{reg.pk}",
            title=_("%(f)s has a new version: review what changed") % {"f": fw.name},
            kind=Task.Kind.REVIEW,
            due=timezone.localdate() + dt.timedelta(days=14),
            assignee_id=reg.owner_id,
            role="" if reg.owner_id else "ai_manager",
            link=reverse("compliance:regulation-list"),
        )
        made["regulations"] += int(created)
    return made
