"""Operations of the lifecycle area. Views, API handlers, the CLI and the demo call these, so the
permission checks, validation and audit trail are the same whichever door a change came through.

The one way to move an AI system to its next stage is `move()`: it runs the gate, keeps a
`GateReview`, and only when every criterion is met, or an unexpired exception recorded by an
authorized person covers the gate, calls `aims.inventory.services.update_system` to change the
stage."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core import services as core
from aims.core.actors import Actor
from aims.core.models import AuditEvent, Membership, Organization
from aims.inventory.models import AISystem

from . import gates
from .models import (
    Dataset,
    DatasetVersion,
    Deployment,
    DeploymentEvent,
    Evaluation,
    EventLogRecord,
    GateCriterion,
    GateEvidence,
    GateException,
    GateReview,
    ModelVersion,
    SlaBreach,
    StageProcedure,
    Vendor,
)

# --- gate criteria --------------------------------------------------------------------------------


def ensure_criteria(organization: Organization, *, source: str = "worker") -> int:
    """Give the organization the default criteria the first time it uses a gate. Returns how many
    were created (0 once it has any: its own edits are never overwritten)."""
    if GateCriterion.objects.filter(organization=organization).exists():
        return 0
    operator = Actor.system(organization, source=source)
    n = 0
    with transaction.atomic():
        for stage, specs in gates.DEFAULT_CRITERIA.items():
            for order, spec in enumerate(specs, start=1):
                core.create(
                    operator,
                    GateCriterion,
                    {
                        "stage": str(stage),
                        "key": spec["key"],
                        "title": gates.default_title(spec)[:200],
                        "guidance": gates.default_guidance(spec),
                        "kind": spec["kind"],
                        "condition": spec.get("check", ""),
                        "params": dict(spec.get("params", {})),
                        "reference": spec.get("reference", ""),
                        "order": order * 10,
                    },
                )
                n += 1
    return n


def criteria_for(organization: Organization, stage: str) -> QuerySet[GateCriterion]:
    return GateCriterion.objects.filter(organization=organization, stage=stage, active=True).order_by(
        "order", "pk"
    )


def create_criterion(actor: Actor, data: dict[str, Any]) -> GateCriterion:
    ensure_criteria(actor.organization, source=actor.source)
    data = dict(data)
    if not data.get("key"):
        data["key"] = slugify(str(data.get("title") or ""))[:60] or "criterion"
    return core.create(actor, GateCriterion, data)


# --- stage procedures ----------------------------------------------------------------------------


def ensure_procedures(organization: Organization, *, source: str = "worker") -> int:
    """Give the organization version 1 of the default procedures the first time (0 once it has any:
    its own versions are never overwritten)."""
    from .procedures import DEFAULT_PROCEDURES

    if StageProcedure.objects.filter(organization=organization).exists():
        return 0
    operator = Actor.system(organization, source=source)
    n = 0
    with transaction.atomic():
        for stage, specs in DEFAULT_PROCEDURES.items():
            for spec in specs:
                core.create(
                    operator,
                    StageProcedure,
                    {
                        "title": str(spec["title"]),
                        "body": str(spec["body"]),
                        "change_note": _("Default procedure"),
                    },
                    before_save=lambda p, st=str(stage), k=spec["key"]: (
                        setattr(p, "stage", st),
                        setattr(p, "key", k),
                    ),
                )
                n += 1
    return n


def current_procedures(organization: Organization, stage: str | None = None) -> list[StageProcedure]:
    """The version in force (the highest number) of each procedure, in stage order (one query)."""
    qs = StageProcedure.objects.filter(organization=organization)
    if stage:
        qs = qs.filter(stage=stage)
    found: dict[tuple[str, str], StageProcedure] = {}
    first: dict[tuple[str, str], int] = {}
    for p in qs.select_related("created_by").order_by("stage", "key", "-number"):
        found.setdefault((p.stage, p.key), p)
        first[(p.stage, p.key)] = p.pk  # the last seen is version 1: the procedure's place in its stage
    order = {s: i for i, s in enumerate(gates.ORDER)}
    return sorted(found.values(), key=lambda p: (order.get(p.stage, 99), first[(p.stage, p.key)]))


def procedure_versions(organization: Organization, stage: str, key: str) -> list[StageProcedure]:
    return list(
        StageProcedure.objects.filter(organization=organization, stage=stage, key=key)
        .select_related("created_by")
        .order_by("-number")
    )


def revise_procedure(
    actor: Actor, stage: str, key: str, data: dict[str, Any], *, based_on: int | None = None
) -> StageProcedure:
    """Add the next version of a stage's procedure (the first version of a new one). Earlier versions
    are never changed. `based_on`: the version the editor started from; when another version was
    added since, PreconditionFailed (412), so nobody overwrites a change they have not seen."""
    from aims.core.exceptions import PreconditionFailed

    actor.require("gate_criterion", "change")
    ensure_procedures(actor.organization, source=actor.source)
    errors: dict[str, Any] = {}
    if stage not in gates.ORDER or gates.next_stage(stage) is None:
        errors["stage"] = _("Choose a stage that has a gate: %(s)s") % {
            "s": ", ".join(s for s in gates.ORDER if gates.next_stage(s))
        }
    key = str(key or "").strip() or slugify(str(data.get("title") or ""))[:60]
    if not key or slugify(key) != key or len(key) > 60:
        errors["key"] = _("Give a short identifier of lowercase letters, digits and hyphens.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        latest = (
            StageProcedure.objects.select_for_update()
            .filter(organization=actor.organization, stage=stage, key=key)
            .order_by("-number")
            .first()
        )
        actor.require("gate_criterion", "change" if latest else "add")
        if latest is not None and based_on is not None and based_on != latest.number:
            raise PreconditionFailed(latest.number)
        number = latest.number + 1 if latest else 1
        payload = {k: data[k] for k in ("title", "body", "change_note") if k in data}
        if latest is not None:
            payload.setdefault("title", latest.title)

        def prepare(p: StageProcedure) -> None:
            p.stage, p.key, p.number = stage, key, number

        try:
            with transaction.atomic():
                return core.create(actor, StageProcedure, payload, before_save=prepare)
        except IntegrityError as exc:  # another version was added at the same moment
            raise PreconditionFailed(number) from exc


# --- running a gate -------------------------------------------------------------------------------


@dataclass
class CriterionResult:
    key: str
    title: str
    kind: str
    met: bool
    reason: str
    reference: str = ""
    criterion_id: int | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "met": self.met,
            "reason": self.reason,
            "reference": self.reference,
            "criterion_id": self.criterion_id,
            "evidence": self.evidence,
        }


@dataclass
class GateResult:
    system: AISystem
    stage: str  # the stage whose exit gate is judged
    to_stage: str
    results: list[CriterionResult]
    exception: GateException | None = None
    final: bool = False  # the system is in the last stage: the gate that led into it is re-judged

    @property
    def all_met(self) -> bool:
        return all(r.met for r in self.results)

    @property
    def holds(self) -> bool:
        """The system may pass: every criterion met, or an active exception covers the gate."""
        return self.all_met or (self.exception is not None and self.exception.active)

    @property
    def unmet(self) -> list[CriterionResult]:
        return [r for r in self.results if not r.met]


def _evidence_map(system: AISystem, criteria: list[GateCriterion]) -> dict[int, list[GateEvidence]]:
    found: dict[int, list[GateEvidence]] = {}
    ids = [c.pk for c in criteria if c.kind == GateCriterion.Kind.CHECKLIST]
    if ids:
        for ev in GateEvidence.objects.filter(ai_system=system, criterion_id__in=ids).select_related(
            "created_by"
        ):
            found.setdefault(ev.criterion_id, []).append(ev)
    return found


def judge(system: AISystem, stage: str) -> list[CriterionResult]:
    """Every active criterion of `stage`'s exit gate, met or not, with the reason."""
    criteria = list(criteria_for(system.organization, stage))
    evidence = _evidence_map(system, criteria)
    out = []
    for c in criteria:
        if c.kind == GateCriterion.Kind.AUTOMATIC:
            met, reason = gates.run_check(c.condition, system, c.params)
            items: list[dict[str, Any]] = []
        else:
            found = evidence.get(c.pk, [])
            met = bool(found)
            items = [
                {
                    "id": e.pk,
                    "kind": e.kind,
                    "title": e.title,
                    "describe": e.describe(),
                    "added_by": e.created_by.email if e.created_by else "",
                    "added_on": e.created_at.date().isoformat(),
                }
                for e in found
            ]
            reason = (
                ("evidence: " + "; ".join(e.describe() for e in found[:3]))
                if found
                else "no evidence yet: attach a file, a link or an AIMS record"
            )
        out.append(CriterionResult(c.key, c.title, c.kind, met, reason, c.reference, c.pk, items))
    if not out:
        out.append(
            CriterionResult(
                "no-criteria",
                _("The gate has criteria"),
                "automatic",
                False,
                "no active criterion is defined for this gate: a gate without criteria never holds",
            )
        )
    return out


def active_exception(system: AISystem, stage: str) -> GateException | None:
    return (
        GateException.objects.filter(
            ai_system=system, stage=stage, revoked_at__isnull=True, expires_on__gte=timezone.localdate()
        )
        .select_related("approved_by")
        .order_by("-expires_on")
        .first()
    )


def evaluate(actor: Actor, system: AISystem) -> GateResult:
    """Judge the system's next gate (or, in its last stage, the gate that led into it)."""
    actor.require("gate_review", "view")
    if system.organization_id != actor.organization.pk:
        raise PermissionDenied
    ensure_criteria(system.organization, source=actor.source)
    stage = system.lifecycle_stage
    to = gates.next_stage(stage)
    final = to is None
    if final:
        stage, to = gates.previous_stage(system.lifecycle_stage) or stage, system.lifecycle_stage
    return GateResult(
        system, stage, to, judge(system, stage), None if final else active_exception(system, stage), final
    )


def record_exception(
    actor: Actor, system: AISystem, *, justification: str, expires_on: dt.date | str | None
) -> GateException:
    """An authorized person lets the system pass its next gate although criteria are not met."""
    actor.require("gate_exception", "add")
    if system.organization_id != actor.organization.pk:
        raise PermissionDenied
    if gates.next_stage(system.lifecycle_stage) is None:
        raise ValidationError({"ai_system": _("A retired system has no further gate.")})
    if not expires_on:
        raise ValidationError({"expires_on": _("Give the date the exception ends.")})
    if isinstance(expires_on, str):
        try:
            expires_on = dt.date.fromisoformat(expires_on)
        except ValueError as exc:
            raise ValidationError({"expires_on": _("Give a date as YYYY-MM-DD.")}) from exc
    ensure_criteria(system.organization, source=actor.source)
    unmet = [r.key for r in judge(system, system.lifecycle_stage) if not r.met]

    def prepare(obj: GateException) -> None:
        obj.ai_system = system
        obj.stage = system.lifecycle_stage
        obj.approved_by = actor.user
        obj.unmet = unmet

    return core.create(
        actor, GateException, {"justification": justification, "expires_on": expires_on}, before_save=prepare
    )


def revoke_exception(actor: Actor, exception: GateException) -> GateException:
    actor.require("gate_exception", "change")
    if exception.organization_id != actor.organization.pk:
        raise PermissionDenied
    with transaction.atomic():
        exception.revoked_at = timezone.now()
        exception.version += 1
        exception.save(update_fields=["revoked_at", "version"])
        audit.record(
            actor,
            AuditEvent.Action.UPDATE,
            obj=exception,
            changes={"revoked_at": [None, exception.revoked_at]},
        )
    return exception


def move(
    actor: Actor,
    system: AISystem,
    *,
    note: str = "",
    exception: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> GateReview:
    """Run the system's next gate and move it when the gate holds. The review is kept either way;
    `review.moved` says whether the stage changed. With `exception` ({justification, expires_on}) an
    authorized person records an exception first."""
    from aims.inventory import services as inventory

    actor.require("gate_review", "add")
    if system.organization_id != actor.organization.pk:
        raise PermissionDenied
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        if expected_version is not None and system.version != expected_version:
            from aims.core.exceptions import PreconditionFailed

            raise PreconditionFailed(system.version)
        if gates.next_stage(system.lifecycle_stage) is None:
            raise ValidationError(
                {
                    "lifecycle_stage": _("%(s)s is the last stage: there is no next gate.")
                    % {"s": gates.stage_label(system.lifecycle_stage)}
                }
            )
        if exception:
            record_exception(
                actor,
                system,
                justification=str(exception.get("justification") or ""),
                expires_on=exception.get("expires_on"),
            )
        result = evaluate(actor, system)
        ensure_procedures(actor.organization, source=actor.source)
        if result.all_met:
            outcome = GateReview.Outcome.PASSED
        elif result.exception is not None:
            outcome = GateReview.Outcome.EXCEPTION
        else:
            outcome = GateReview.Outcome.HELD
        moved = outcome != GateReview.Outcome.HELD
        review = GateReview(
            organization=actor.organization,
            created_by=actor.user,
            ai_system=system,
            from_stage=result.stage,
            to_stage=result.to_stage,
            outcome=outcome,
            moved=moved,
            results=[r.as_dict() for r in result.results],
            exception=result.exception if outcome == GateReview.Outcome.EXCEPTION else None,
            note=note,
            procedures=[
                {"key": p.key, "title": p.title, "number": p.number}
                for p in current_procedures(actor.organization, result.stage)
            ],
        )
        review.save()
        audit.record(
            actor, AuditEvent.Action.CREATE, obj=review, changes=audit.diff(None, audit.snapshot(review))
        )
        if moved:
            inventory.update_system(actor, system, {"lifecycle_stage": result.to_stage}, via_gate=True)
    return review


def board(actor: Actor) -> list[dict[str, Any]]:
    """The systems by stage, each with its latest gate review (two queries)."""
    systems = list(AISystem.objects.for_actor(actor).select_related("owner").order_by("name"))
    latest: dict[int, GateReview] = {}
    for review in GateReview.objects.filter(organization=actor.organization).order_by("created_at", "pk"):
        latest[review.ai_system_id] = review
    expired = set(
        GateException.objects.filter(
            organization=actor.organization,
            revoked_at__isnull=True,
            expires_on__lt=timezone.localdate(),
            reviews__isnull=False,
        ).values_list("ai_system_id", flat=True)
    )
    columns = []
    for stage in gates.ORDER:
        items = [
            {"system": s, "review": latest.get(s.pk), "exception_expired": s.pk in expired}
            for s in systems
            if s.lifecycle_stage == stage
        ]
        columns.append(
            {
                "stage": stage,
                "label": gates.stage_label(stage),
                "next": gates.next_stage(stage),
                "items": items,
            }
        )
    return columns


# --- gate evidence --------------------------------------------------------------------------------


def _hash_upload(obj: Any, upload: Any) -> None:
    if upload.size > settings.AIMS_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than the %(n)s MB limit.")
                % {"n": settings.AIMS_MAX_UPLOAD_BYTES // 2**20}
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    obj.sha256 = digest.hexdigest()
    obj.size = upload.size
    obj.filename = str(getattr(upload, "name", "") or "")[:200]
    obj.content_type = str(getattr(upload, "content_type", "") or "")[:100]
    obj.file.save(obj.filename or "evidence", upload, save=False)


def add_evidence(
    actor: Actor, system: AISystem, criterion: GateCriterion, data: dict[str, Any], *, upload: Any = None
) -> GateEvidence:
    """Attach a file, a link or an AIMS record to a checklist criterion for one system."""
    actor.require("gate_evidence", "add")
    data = {
        k: v for k, v in data.items() if k not in ("ai_system", "criterion", "ai_system_id", "criterion_id")
    }
    if upload is not None:
        data["kind"] = GateEvidence.Kind.FILE
        data.setdefault("title", str(getattr(upload, "name", "") or "file")[:200])

    def prepare(obj: GateEvidence) -> None:
        obj.ai_system = system
        obj.criterion = criterion
        if upload is not None:
            _hash_upload(obj, upload)

    return core.create(actor, GateEvidence, data, before_save=prepare)


# --- datasets -------------------------------------------------------------------------------------


def _unique_slug(model: Any, actor: Actor, name: str, fallback: str) -> str:
    base = slugify(name)[:70] or fallback
    taken = set(
        model.objects.filter(organization=actor.organization, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_dataset(actor: Actor, data: dict[str, Any]) -> Dataset:
    data = dict(data)
    if not data.get("slug"):
        data["slug"] = _unique_slug(Dataset, actor, str(data.get("name") or ""), "dataset")
    return core.create(actor, Dataset, data)


def representativeness(
    profile: dict[str, dict[str, float]], reference: dict[str, dict[str, float]], tolerance: float
) -> dict[str, Any]:
    """Each group's share in the data against its share in the reference population; a difference
    larger than the tolerance is flagged."""
    attributes: dict[str, list[dict[str, Any]]] = {}
    flagged: list[str] = []
    for attribute, ref in sorted(reference.items()):
        counts = profile.get(attribute) or {}
        total = sum(counts.values())
        rows = []
        for group in sorted(set(ref) | set(counts)):
            sample = counts.get(group, 0) / total if total else 0.0
            expected = float(ref.get(group, 0.0))
            diff = sample - expected
            bad = total == 0 or abs(diff) > tolerance + 1e-12
            rows.append(
                {
                    "group": group,
                    "sample_share": round(sample, 4),
                    "reference_share": round(expected, 4),
                    "difference": round(diff, 4),
                    "flagged": bad,
                }
            )
            if bad:
                flagged.append(f"{attribute}={group}")
        attributes[attribute] = rows
    return {"attributes": attributes, "flagged": flagged, "tolerance": tolerance}


def _with_representativeness(obj: DatasetVersion) -> None:
    if obj.reference and isinstance(obj.reference, dict) and isinstance(obj.profile, dict):
        try:
            obj.representativeness = representativeness(obj.profile, obj.reference, float(obj.tolerance))
        except (TypeError, ValueError, AttributeError):
            obj.representativeness = {}  # full_clean reports the malformed input
    else:
        obj.representativeness = {}


def create_dataset_version(actor: Actor, dataset: Dataset, data: dict[str, Any]) -> DatasetVersion:
    actor.require("dataset", "change")
    if dataset.organization_id != actor.organization.pk:
        raise PermissionDenied
    if DatasetVersion.objects.filter(dataset=dataset, label=data.get("label")).exists():
        raise ValidationError({"label": _("This dataset already has a version with this label.")})

    def prepare(obj: DatasetVersion) -> None:
        obj.dataset = dataset
        _with_representativeness(obj)

    return core.create(actor, DatasetVersion, data, before_save=prepare)


def update_dataset_version(
    actor: Actor, version: DatasetVersion, data: dict[str, Any], *, expected_version: int | None = None
) -> DatasetVersion:
    return core.update(
        actor, version, data, expected_version=expected_version, before_save=_with_representativeness
    )


def profile_from_csv(
    content: bytes | str, attributes: list[str], *, max_rows: int = 1_000_000
) -> dict[str, dict[str, int]]:
    """Count each group of each sensitive attribute in a CSV sample (header row required)."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text))
    missing = [a for a in attributes if a not in (reader.fieldnames or [])]
    if not attributes:
        raise ValidationError(
            {"attributes": _("Name at least one sensitive attribute (a column of the sample).")}
        )
    if missing:
        raise ValidationError(
            {"attributes": _("Not columns of the sample: %(c)s") % {"c": ", ".join(missing)}}
        )
    counts: dict[str, Counter[str]] = {a: Counter() for a in attributes}
    for i, row in enumerate(reader):
        if i >= max_rows:
            raise ValidationError(
                {
                    "file": _("The sample has more than %(n)d rows: upload a profile instead.")
                    % {"n": max_rows}
                }
            )
        for a in attributes:
            counts[a][(row.get(a) or "").strip() or "(missing)"] += 1
    return {a: dict(sorted(c.items())) for a, c in counts.items()}


def cohen_kappa(labels_a: list[Any], labels_b: list[Any]) -> float:
    """Cohen's kappa between two annotators' labels of the same items."""
    if len(labels_a) != len(labels_b):
        raise ValidationError(
            {
                "labels_b": _("Both annotators must label the same items (%(a)d and %(b)d labels given).")
                % {"a": len(labels_a), "b": len(labels_b)}
            }
        )
    n = len(labels_a)
    if n == 0:
        raise ValidationError({"labels_a": _("Give the labels of at least one item.")})
    a, b = [str(x) for x in labels_a], [str(x) for x in labels_b]
    observed = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if expected == 1:
        return 1.0
    return (observed - expected) / (1 - expected)


def labels_from_csv(content: bytes | str, *, max_rows: int = 1_000_000) -> tuple[list[str], list[str]]:
    """The two annotators' labels from a CSV file: a header row, then the first annotator's label in
    the first column and the other's in the second, one item a row."""
    text = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > max_rows + 1:
        raise ValidationError({"file": _("At most %(n)d items per file.") % {"n": max_rows}})
    a: list[str] = []
    b: list[str] = []
    for i, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise ValidationError({"file": _("Row %(i)d: give both annotators' labels.") % {"i": i}})
        a.append(row[0].strip())
        b.append(row[1].strip())
    if len(a) < 2:
        raise ValidationError({"file": _("Give at least two labelled items after the header row.")})
    return a, b


def record_agreement(actor: Actor, dataset: Dataset, labels_a: list[Any], labels_b: list[Any]) -> Dataset:
    kappa = round(cohen_kappa(labels_a, labels_b), 4)
    return core.update(actor, dataset, {"label_agreement": kappa})


# --- models and evaluations -----------------------------------------------------------------------


def create_model_version(actor: Actor, data: dict[str, Any]) -> ModelVersion:
    return core.create(actor, ModelVersion, data)


def approve_model(actor: Actor, mv: ModelVersion) -> ModelVersion:
    actor.require("model_version", "approve")
    if mv.organization_id != actor.organization.pk:
        raise PermissionDenied
    if mv.status != ModelVersion.Status.DRAFT:
        raise ValidationError(
            {
                "status": _("Only a draft can be approved; this version is %(s)s.")
                % {"s": mv.get_status_display()}
            }
        )

    def mark(obj: ModelVersion) -> None:
        obj.status = ModelVersion.Status.APPROVED
        obj.approved_by = actor.user
        obj.approved_at = timezone.now()

    return core.update(actor, mv, {}, before_save=mark, action="approve")


def resolve_model_version(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Pipelines may name the model by its AI system's slug and version instead of its id."""
    data = dict(data)
    system_key, version, name = (
        data.pop("ai_system", None),
        data.pop("model_version", None),
        data.pop("model", None),
    )
    if data.get("model_version_id") is None:
        if not (system_key and version):
            raise ValidationError(
                {
                    "model_version_id": _(
                        "Give model_version_id, or ai_system (slug) and model_version (its label)."
                    )
                }
            )
        qs = ModelVersion.objects.filter(
            organization=actor.organization, ai_system__slug=system_key, label=version
        )
        if name:
            qs = qs.filter(name=name)
        found = list(qs[:2])
        if len(found) != 1:
            msg = (
                _("No model version %(v)s of %(s)s.")
                if not found
                else _("Several models of %(s)s have version %(v)s: give model.")
            )
            raise ValidationError({"model_version_id": msg % {"v": version, "s": system_key}})
        data["model_version_id"] = found[0].pk
    elif not ModelVersion.objects.filter(
        organization=actor.organization, pk=data["model_version_id"]
    ).exists():
        raise ValidationError({"model_version_id": _("Not found in this organization.")})
    if (
        data.get("dataset_version_id") is not None
        and not DatasetVersion.objects.filter(
            organization=actor.organization, pk=data["dataset_version_id"]
        ).exists()
    ):
        raise ValidationError({"dataset_version_id": _("Not found in this organization.")})
    return data


def create_evaluation(actor: Actor, data: dict[str, Any]) -> Evaluation:
    actor.require("evaluation", "add")
    data = resolve_model_version(actor, data)
    if actor.source == "api" and not data.get("source"):
        data["source"] = Evaluation.Source.PIPELINE
    return core.create(
        actor, Evaluation, {k: v for k, v in data.items() if v is not None or k.endswith("_id")}
    )


MAX_EVALUATION_ROWS = 1000


def evaluation_from_csv(content: bytes | str) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Metrics and thresholds from an uploaded CSV: a header row with `metric` and `value`, and
    optionally `min` and `max` (the threshold). Errors name the row (the header is row 1)."""
    import math

    text = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower() for c in (reader.fieldnames or [])}
    if not {"metric", "value"} <= columns:
        raise ValidationError(
            {"file": _("The first row must name the columns metric and value (and optionally min and max).")}
        )
    metrics: dict[str, float] = {}
    thresholds: dict[str, dict[str, float]] = {}
    errors: list[str] = []
    for i, raw in enumerate(reader, start=2):
        if i > MAX_EVALUATION_ROWS + 1:
            raise ValidationError({"file": _("At most %(n)d metrics per file.") % {"n": MAX_EVALUATION_ROWS}})
        row = {str(k).strip().lower(): str(v or "").strip() for k, v in raw.items() if k is not None}
        name = row.get("metric", "")
        if not name:
            errors.append(_("Row %(i)d: the metric has no name.") % {"i": i})
            continue
        if name in metrics:
            errors.append(_("Row %(i)d: %(m)s is given twice.") % {"i": i, "m": name})
            continue
        for column in ("value", "min", "max"):
            cell = row.get(column, "")
            if not cell:
                if column == "value":
                    errors.append(_("Row %(i)d: %(m)s has no value.") % {"i": i, "m": name})
                continue
            try:
                number = float(cell)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                errors.append(
                    _("Row %(i)d: %(c)s '%(v)s' of %(m)s is not a number.")
                    % {"i": i, "c": column, "v": cell[:40], "m": name}
                )
                continue
            if column == "value":
                metrics[name] = number
            else:
                thresholds.setdefault(name, {})[column] = number
        if len(errors) >= 20:
            break
    if errors:
        raise ValidationError({"file": errors})
    if not metrics:
        raise ValidationError({"file": _("The file holds no metric.")})
    return metrics, thresholds


def upload_evaluation(actor: Actor, mv: ModelVersion, upload: Any, data: dict[str, Any]) -> Evaluation:
    """An evaluation from an uploaded CSV of metrics and thresholds (source: uploaded)."""
    actor.require("evaluation", "add")
    if mv.organization_id != actor.organization.pk:
        raise PermissionDenied
    if upload.size > settings.AIMS_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than the %(n)s MB limit.")
                % {"n": settings.AIMS_MAX_UPLOAD_BYTES // 2**20}
            }
        )
    metrics, thresholds = evaluation_from_csv(upload.read())
    fields = {k: v for k, v in data.items() if k in ("kind", "title", "conclusion") and v not in (None, "")}
    return create_evaluation(
        actor,
        {
            **fields,
            "model_version_id": mv.pk,
            "metrics": metrics,
            "thresholds": thresholds,
            "source": Evaluation.Source.UPLOAD,
        },
    )


def update_evaluation(
    actor: Actor, ev: Evaluation, data: dict[str, Any], *, expected_version: int | None = None
) -> Evaluation:
    data = dict(data)
    if "model_version_id" in data:
        data = resolve_model_version(actor, data)
    return core.update(actor, ev, data, expected_version=expected_version)


# --- vendors --------------------------------------------------------------------------------------


def create_vendor(actor: Actor, data: dict[str, Any]) -> Vendor:
    data = dict(data)
    if not data.get("slug"):
        data["slug"] = _unique_slug(Vendor, actor, str(data.get("name") or ""), "vendor")
    return core.create(actor, Vendor, data)


def add_breach(actor: Actor, vendor: Vendor, data: dict[str, Any]) -> SlaBreach:
    actor.require("vendor", "change")
    if vendor.organization_id != actor.organization.pk:
        raise PermissionDenied
    return core.create(actor, SlaBreach, data, before_save=lambda b: setattr(b, "vendor", vendor))


def due_items(organization: Organization, horizon: dt.date) -> list[dict[str, Any]]:
    """Dates of this area that should become tasks (same shape as governance's `due_items`): vendor
    terms reviews, vendor re-assessments (12 months after the last), gate exceptions expiring."""
    items: list[dict[str, Any]] = []
    for v in Vendor.objects.filter(
        organization=organization, terms_next_review__isnull=False, terms_next_review__lte=horizon
    ):
        items.append(
            {
                "key": f"vendor-terms:{v.pk}:{v.terms_next_review}",
                "title": _("Review the terms of service of %(v)s") % {"v": v.name},
                "kind": "review",
                "due": v.terms_next_review,
                "role": "ai_manager",
                "link": v.get_absolute_url(),
            }
        )
    for v in Vendor.objects.filter(organization=organization, assessed_on__isnull=False):
        due = v.assessed_on + dt.timedelta(days=365)
        if due <= horizon:
            items.append(
                {
                    "key": f"vendor-assess:{v.pk}:{due}",
                    "title": _("Re-assess vendor %(v)s (questionnaire)") % {"v": v.name},
                    "kind": "review",
                    "due": due,
                    "role": "risk_team",
                    "link": v.get_absolute_url(),
                }
            )
    for e in GateException.objects.filter(
        organization=organization, revoked_at__isnull=True, expires_on__lte=horizon
    ).select_related("ai_system"):
        items.append(
            {
                "key": f"gate-exception:{e.pk}",
                "title": _("Gate exception for %(s)s ends: meet the missing criteria")
                % {"s": e.ai_system.name},
                "kind": "action",
                "due": e.expires_on,
                "assignee_id": e.ai_system.owner_id,
                "role": "" if e.ai_system.owner_id else "ai_manager",
                "link": f"/lifecycle/systems/{e.ai_system.slug}/",
            }
        )
    return sorted(items, key=lambda i: (i["due"], i["key"]))


DUE_PREFIXES = ("vendor-terms:", "vendor-assess:", "gate-exception:")
TASK_HORIZON_DAYS = 14


def review_tasks(
    organization: Organization, *, today: dt.date | None = None, horizon_days: int = TASK_HORIZON_DAYS
) -> dict[str, int]:
    """Put `due_items` (vendor terms reviews, vendor re-assessments, expiring gate exceptions) on
    the assignees' task lists (the assurance area's tasks), once per reason, and close the tasks
    whose reason has gone. Nothing happens when the assurance area is not installed."""
    from django.apps import apps

    if not apps.is_installed("aims.assurance"):
        return {"opened": 0, "closed": 0}
    from aims.assurance.services import sync_tasks

    today = today or timezone.localdate()
    return sync_tasks(
        organization, due_items(organization, today + dt.timedelta(days=horizon_days)), DUE_PREFIXES
    )


def _check_members(actor: Actor, user_ids: list[int], field_name: str = "production_access") -> list[int]:
    ids = [int(u.pk if hasattr(u, "pk") else u) for u in user_ids]
    members = set(
        Membership.objects.filter(organization=actor.organization, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    missing = [i for i in ids if i not in members]
    if missing:
        raise ValidationError({field_name: _("Not members of this organization: %(ids)s") % {"ids": missing}})
    return ids


def create_deployment(actor: Actor, data: dict[str, Any]) -> Deployment:
    data = dict(data)
    if data.get("production_access"):
        data["production_access"] = _check_members(actor, data["production_access"])
    return core.create(actor, Deployment, data)


def update_deployment(
    actor: Actor, d: Deployment, data: dict[str, Any], *, expected_version: int | None = None
) -> Deployment:
    """A change to who has production access is recorded as a deployment event too (the audit
    entry of the update already keeps the before and after lists)."""
    data = dict(data)
    before = set(d.production_access.values_list("pk", flat=True))
    if "production_access" in data:
        data["production_access"] = _check_members(actor, data["production_access"] or [])
    with transaction.atomic():
        d = core.update(actor, d, data, expected_version=expected_version)
        if "production_access" in data and set(data["production_access"]) != before:
            _access_event(actor, d, before, set(data["production_access"]))
    return d


def _access_event(actor: Actor, d: Deployment, before: set[int], after: set[int]) -> None:
    from aims.core.models import User

    emails = dict(User.objects.filter(pk__in=before | after).values_list("pk", "email"))
    added = sorted(emails[i] for i in after - before)
    removed = sorted(emails[i] for i in before - after)
    text = "; ".join(
        p
        for p in (
            (_("granted: %(p)s") % {"p": ", ".join(added)}) if added else "",
            (_("revoked: %(p)s") % {"p": ", ".join(removed)}) if removed else "",
        )
        if p
    )
    core.create(
        actor,
        DeploymentEvent,
        {"kind": DeploymentEvent.Kind.ACCESS, "description": text},
        before_save=lambda e: setattr(e, "deployment", d),
    )


def change_access(
    actor: Actor, d: Deployment, *, grant: list[int] | None = None, revoke: list[int] | None = None
) -> Deployment:
    current = set(d.production_access.values_list("pk", flat=True))
    new = (current | set(_check_members(actor, grant or [], "grant"))) - {int(i) for i in revoke or []}
    return update_deployment(actor, d, {"production_access": sorted(new)})


def approve_deployment(actor: Actor, d: Deployment) -> Deployment:
    actor.require("deployment", "approve")
    if d.organization_id != actor.organization.pk:
        raise PermissionDenied
    if not d.plan.strip():
        raise ValidationError({"plan": _("Write the deployment plan before approving it.")})

    def mark(obj: Deployment) -> None:
        obj.approved_by = actor.user
        obj.approved_at = timezone.now()

    return core.update(actor, d, {}, before_save=mark, action="approve")


PRODUCTION_STAGES = (AISystem.Stage.DEPLOYMENT, AISystem.Stage.OPERATION)


def go_live(actor: Actor, d: Deployment) -> Deployment:
    """Mark a deployment active. Production needs an approved plan and a system that passed the
    verification and validation gate (stage deployment or later): nothing reaches production in
    AIMS around its gate."""
    actor.require("deployment", "change")
    if d.organization_id != actor.organization.pk:
        raise PermissionDenied
    if d.environment == Deployment.Environment.PRODUCTION:
        if d.ai_system.lifecycle_stage not in PRODUCTION_STAGES:
            raise ValidationError(
                {
                    "environment": _(
                        "%(s)s is in stage %(st)s: it must pass its gates into deployment before production."
                    )
                    % {"s": d.ai_system.name, "st": gates.stage_label(d.ai_system.lifecycle_stage)}
                }
            )
        if not d.approved_by_id:
            raise ValidationError({"approved_by": _("A production deployment needs an approved plan.")})
    review = (
        GateReview.objects.filter(ai_system=d.ai_system, to_stage=AISystem.Stage.DEPLOYMENT, moved=True)
        .order_by("-created_at")
        .first()
    )

    def mark(obj: Deployment) -> None:
        obj.status = Deployment.Status.ACTIVE
        obj.deployed_at = obj.deployed_at or timezone.now()
        if review is not None and obj.gate_review_id is None:
            obj.gate_review = review

    return core.update(actor, d, {}, before_save=mark)


def record_event(actor: Actor, d: Deployment, data: dict[str, Any]) -> DeploymentEvent:
    """A rollback (which also switches the deployment back to the named model version), a patch or
    maintenance. Access changes go through `change_access`."""
    actor.require("deployment", "change")
    if d.organization_id != actor.organization.pk:
        raise PermissionDenied
    d = Deployment.objects.get(pk=d.pk)  # the caller's copy may predate an earlier event
    data = dict(data)
    if data.get("kind") == DeploymentEvent.Kind.ACCESS:
        raise ValidationError({"kind": _("Change production access with the access operation.")})
    with transaction.atomic():
        event = core.create(
            actor,
            DeploymentEvent,
            data,
            before_save=lambda e: (
                setattr(e, "deployment", d),
                setattr(e, "from_version_id", d.model_version_id),
            ),
        )
        if event.to_version_id and event.to_version_id != d.model_version_id:
            # A rollback, or a patch that deploys another version: the deployment now runs it.
            core.update(actor, d, {"model_version": event.to_version})
    return event


def retire_deployment(actor: Actor, d: Deployment) -> Deployment:
    return core.update(actor, d, {}, before_save=lambda o: setattr(o, "status", Deployment.Status.RETIRED))


# --- the AI system's own event logs (A.6.2.8) ------------------------------------------------------

MAX_LOG_BATCH = 1000  # records per request: larger batches are refused, naming the limit
MAX_LOG_DETAIL = 4000  # characters of a record's `detail` as JSON
MAX_LOG_ERRORS = 20  # rows named in one refusal
LOG_FIELDS = {"occurred_at", "event_id", "actor", "action", "outcome", "subject", "detail"}
LOG_LIMITS = {"event_id": 100, "actor": 200, "action": 100, "outcome": 40, "subject": 200}
CLOCK_SKEW = dt.timedelta(minutes=5)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months earlier (the end of a shorter month)."""
    import calendar

    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _parse_moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


def _log_row(
    index: int, row: Any, oldest: dt.datetime, newest: dt.datetime
) -> tuple[dict[str, Any], dict[str, str]]:
    """One record, cleaned, and its errors keyed `records.<index>.<field>` (index from 0, as in the
    request's JSON), each message naming the record."""
    import json

    where = _("Record %(i)d") % {"i": index}
    if not isinstance(row, dict):
        return {}, {
            f"records.{index}": _("%(w)s: give an object with occurred_at and action.") % {"w": where}
        }
    errors: dict[str, str] = {}
    for name in sorted(set(row) - LOG_FIELDS):
        errors[f"records.{index}.{name}"] = _("%(w)s: unknown field %(f)s (known: %(k)s).") % {
            "w": where,
            "f": name,
            "k": ", ".join(sorted(LOG_FIELDS)),
        }
    clean: dict[str, Any] = {}
    moment = _parse_moment(row.get("occurred_at"))
    if moment is None:
        errors[f"records.{index}.occurred_at"] = _(
            "%(w)s: give the time the event happened as ISO 8601, e.g. 2025-03-01T09:30:00Z."
        ) % {"w": where}
    elif moment > newest:
        errors[f"records.{index}.occurred_at"] = _("%(w)s: %(t)s is in the future.") % {
            "w": where,
            "t": moment.isoformat(),
        }
    elif moment < oldest:
        errors[f"records.{index}.occurred_at"] = _(
            "%(w)s: %(t)s is older than the deployment's log retention; it would be purged at once."
        ) % {"w": where, "t": moment.isoformat()}
    clean["occurred_at"] = moment
    for name, limit in LOG_LIMITS.items():
        value = row.get(name, "")
        value = "" if value is None else value
        if not isinstance(value, str):
            errors[f"records.{index}.{name}"] = _("%(w)s: %(f)s must be text.") % {"w": where, "f": name}
            continue
        value = value.strip()
        if len(value) > limit:
            errors[f"records.{index}.{name}"] = _("%(w)s: %(f)s is longer than %(n)d characters.") % {
                "w": where,
                "f": name,
                "n": limit,
            }
        clean[name] = value
    if not clean.get("action") and f"records.{index}.action" not in errors:
        errors[f"records.{index}.action"] = _("%(w)s: say what was done (action), e.g. login or score.") % {
            "w": where
        }
    detail = row.get("detail") or {}
    if not isinstance(detail, dict):
        errors[f"records.{index}.detail"] = _("%(w)s: detail must be an object.") % {"w": where}
    elif len(json.dumps(detail, default=str)) > MAX_LOG_DETAIL:
        errors[f"records.{index}.detail"] = _("%(w)s: detail is larger than %(n)d characters.") % {
            "w": where,
            "n": MAX_LOG_DETAIL,
        }
    clean["detail"] = detail
    return clean, errors


def receive_logs(actor: Actor, d: Deployment, records: list[Any]) -> dict[str, Any]:
    """Store a batch of the AI system's own event-log records for a deployment (A.6.2.8). The whole
    batch is refused when one record is invalid (422 naming each bad record); a record whose
    `event_id` was already received is skipped, so a sender may retry a batch safely. One audit
    entry per batch."""
    actor.require("event_log", "add")
    if d.organization_id != actor.organization.pk:
        raise PermissionDenied
    if not isinstance(records, list) or not records:
        raise ValidationError({"records": _("Send at least one record.")})
    if len(records) > MAX_LOG_BATCH:
        raise ValidationError(
            {
                "records": _(
                    "At most %(max)d records per batch; this one has %(n)d: send it in smaller batches."
                )
                % {"max": MAX_LOG_BATCH, "n": len(records)}
            }
        )
    if not d.log_retention_months:
        raise ValidationError(
            {
                "log_retention_months": _(
                    "Set how many months the logs of this deployment are kept (log retention) before sending them."
                )
            }
        )
    now = timezone.now()
    oldest = months_before(now, d.log_retention_months)
    rows: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(records):
        clean, row_errors = _log_row(index, row, oldest, now + CLOCK_SKEW)
        errors.update(row_errors)
        rows.append(clean)
    if errors:
        shown = dict(list(errors.items())[:MAX_LOG_ERRORS])
        if len(errors) > MAX_LOG_ERRORS:
            shown["records"] = _("%(n)d more errors not shown; nothing was stored.") % {
                "n": len(errors) - MAX_LOG_ERRORS
            }
        raise ValidationError(shown)
    ids = {r["event_id"] for r in rows if r["event_id"]}
    seen = (
        set(EventLogRecord.objects.filter(deployment=d, event_id__in=ids).values_list("event_id", flat=True))
        if ids
        else set()
    )
    fresh: list[EventLogRecord] = []
    for r in rows:
        if r["event_id"]:
            if r["event_id"] in seen:
                continue
            seen.add(r["event_id"])
        fresh.append(
            EventLogRecord(
                organization=actor.organization,
                created_by=actor.user,
                created_at=now,
                updated_at=now,
                deployment=d,
                **r,
            )
        )
    with transaction.atomic():
        # ignore_conflicts: a concurrent retry of the same batch may have stored an event id meanwhile.
        EventLogRecord.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
        times = [r.occurred_at for r in fresh]
        audit.record(
            actor,
            AuditEvent.Action.IMPORT,
            obj=d,
            changes={
                "event_log": {
                    "received": len(fresh),
                    "duplicates": len(rows) - len(fresh),
                    "from": min(times).isoformat() if times else None,
                    "to": max(times).isoformat() if times else None,
                }
            },
        )
    return {
        "received": len(fresh),
        "duplicates": len(rows) - len(fresh),
        "retention_months": d.log_retention_months,
        "total": EventLogRecord.objects.filter(deployment=d).count(),
    }


def purge_logs(organization: Organization, now: dt.datetime | None = None) -> int:
    """Delete the event-log records older than their deployment's retention; one audit entry per
    deployment purged. A deployment without a retention keeps everything."""
    now = now or timezone.now()
    operator = Actor.system(organization)
    total = 0
    deployments = Deployment.objects.filter(
        organization=organization, log_retention_months__isnull=False, log_records__isnull=False
    ).distinct()
    for d in deployments:
        cutoff = months_before(now, d.log_retention_months)
        with transaction.atomic():
            n, _details = EventLogRecord.objects.filter(deployment=d, occurred_at__lt=cutoff).delete()
            if n:
                audit.record(
                    operator,
                    AuditEvent.Action.DELETE,
                    obj=d,
                    changes={
                        "event_log_purged": {
                            "records": n,
                            "older_than": cutoff.isoformat(),
                            "retention_months": d.log_retention_months,
                        }
                    },
                )
        total += n
    return total


def filter_logs(d: Deployment, params: dict[str, Any]) -> QuerySet[EventLogRecord]:
    """The deployment's records, newest first; `since`/`until` (datetimes or ISO strings), and exact
    `actor`, `action`, `outcome`, `subject`."""
    qs = EventLogRecord.objects.filter(deployment=d)
    for name, lookup in (("since", "occurred_at__gte"), ("until", "occurred_at__lt")):
        if params.get(name):
            moment = _parse_moment(params[name])
            if moment is None:
                raise ValidationError(
                    {name: _("Give a date and time as ISO 8601, e.g. 2025-03-01T09:30:00Z.")}
                )
            qs = qs.filter(**{lookup: moment})
    for name in ("actor", "action", "outcome", "subject"):
        if params.get(name):
            qs = qs.filter(**{name: params[name]})
    return qs.order_by("-occurred_at", "-pk")


def log_summary(d: Deployment) -> dict[str, Any]:
    from django.db.models import Count, Max, Min

    agg = EventLogRecord.objects.filter(deployment=d).aggregate(
        n=Count("pk"), first=Min("occurred_at"), last=Max("occurred_at")
    )
    purge_before = months_before(timezone.now(), d.log_retention_months) if d.log_retention_months else None
    return {**agg, "retention_months": d.log_retention_months, "purge_before": purge_before}


# --- model cards ----------------------------------------------------------------------------------


def model_card(mv: ModelVersion) -> dict[str, Any]:
    """Everything a model card shows, from the records (HTML, PDF and Markdown render this)."""
    system = mv.ai_system
    datasets = list(mv.datasets.select_related("dataset").order_by("dataset__name", "label"))
    evaluations = list(
        mv.evaluations.select_related("dataset_version__dataset").order_by("kind", "-evaluated_at")
    )
    deployments = list(mv.deployments.order_by("environment"))
    return {
        "model": mv,
        "system": system,
        "datasets": datasets,
        "evaluations": evaluations,
        "deployments": deployments,
        "vendor": mv.vendor,
        "organization": mv.organization,
    }


def model_card_markdown(mv: ModelVersion) -> str:
    card = model_card(mv)
    system = card["system"]

    def line(label: str, value: Any) -> str:
        return f"- **{label}:** {value if value not in (None, '') else '—'}"

    out = [
        f"# Model card: {mv.name} {mv.label}",
        "",
        f"AI system: **{system.name}** ({system.get_lifecycle_stage_display()}) · "
        f"EU AI Act tier: {system.get_eu_ai_act_tier_display()} · status: {mv.get_status_display()}"
        + (
            f", approved by {mv.approved_by.display_name} on {mv.approved_at:%Y-%m-%d}"
            if mv.approved_by and mv.approved_at
            else ""
        ),
        "",
    ]
    out += [
        "## Model details",
        line("Algorithm", mv.algorithm),
        line("Framework", mv.framework),
        line("Code", f"{mv.code_repository} @ {mv.code_commit}" if mv.code_repository else ""),
        line("Artefact digest", mv.artefact_digest),
        line("Supplied by", mv.vendor.name if mv.vendor else "built in-house"),
        "",
        "## Why this model",
        mv.rationale or "—",
        "",
        "### Alternatives considered",
        mv.alternatives or "—",
        "",
        "## Intended use",
        mv.intended_use or system.purpose or "—",
        "",
        "## Known limitations",
        mv.limitations or "—",
        "",
        "## Training",
        mv.training_config or "—",
        "",
    ]
    if mv.hyperparameters:
        out += (
            ["| hyperparameter | value |", "|---|---|"]
            + [f"| {k} | {v} |" for k, v in sorted(mv.hyperparameters.items())]
            + [""]
        )
    out += ["## Data"]
    if card["datasets"]:
        out += ["| dataset | version | rows | licence | personal data |", "|---|---|---|---|---|"]
        out += [
            f"| {d.dataset.name} | {d.label} | {d.rows or '—'} | {d.dataset.licence or '—'} | {'yes' if d.dataset.personal_data else 'no'} |"
            for d in card["datasets"]
        ]
    else:
        out.append("No dataset version is recorded.")
    out += ["", "## Evaluations"]
    if not card["evaluations"]:
        out.append("No evaluation is recorded.")
    for ev in card["evaluations"]:
        out += [
            "",
            f"### {ev.get_kind_display()}: {ev.title or ev.evaluated_at.date()} — {'PASS' if ev.passed else 'FAIL'}",
            f"Evaluated {ev.evaluated_at:%Y-%m-%d} ({ev.get_source_display()})"
            + (f" on {ev.dataset_version}" if ev.dataset_version else ""),
            "",
        ]
        if ev.metrics or ev.thresholds:
            out += ["| metric | value | threshold | result |", "|---|---|---|---|"]
            for name in sorted(set(ev.metrics) | set(ev.thresholds)):
                bounds = ev.thresholds.get(name, {})
                limit = " ".join(f"{k} {v:g}" for k, v in sorted(bounds.items())) or "—"
                value = ev.metrics.get(name)
                failed = any(f.startswith(f"{name} ") or f.startswith(f"{name}:") for f in ev.failures)
                out.append(
                    f"| {name} | {value if value is None else f'{value:.4g}'} | {limit} | {'fail' if failed else ('pass' if bounds else '')} |"
                )
        for attribute, groups in sorted((ev.fairness or {}).items()):
            out += [
                "",
                f"By {attribute}:",
                "",
                "| group | " + " | ".join(sorted({m for g in groups.values() for m in g})) + " |",
            ]
            metrics = sorted({m for g in groups.values() for m in g})
            out.append("|---|" + "---|" * len(metrics))
            out += [
                f"| {g} | " + " | ".join(f"{vals.get(m, float('nan')):.4g}" for m in metrics) + " |"
                for g, vals in sorted(groups.items())
            ]
        if ev.conclusion:
            out += ["", ev.conclusion]
    out += ["", "## Deployments"]
    out += [f"- {d.get_environment_display()}: {d.get_status_display()}" for d in card["deployments"]] or [
        "Not deployed."
    ]
    return "\n".join(out) + "\n"
