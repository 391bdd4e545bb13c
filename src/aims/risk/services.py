"""Operations of the risk area. Views, API handlers, the CLI, the demo and the worker call these, so
permissions, validation, level computation and the audit trail are the same whichever door a change
came through."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core import services as core
from aims.core.actors import Actor
from aims.core.exceptions import PreconditionFailed
from aims.core.models import AuditEvent, Organization
from aims.core.roles import Role
from aims.inventory.models import AISystem, InterestedParty

from . import library, taxonomy
from .models import (
    ImpactAssessment,
    ImpactItem,
    RecomputeJob,
    Risk,
    RiskAcceptance,
    RiskCategory,
    RiskMethodology,
    RiskReassessment,
    RiskTreatment,
    add_months,
)

log = logging.getLogger(__name__)

METHOD_FIELDS = [
    "name",
    "size",
    "likelihood_scale",
    "impact_scale",
    "levels",
    "matrix",
    "appetite",
    "acceptance_roles",
    "above_appetite_roles",
    "treatment_options",
    "impact_feed_level",
]
ASSESSMENT_FIELDS = ("likelihood", "impact", "residual_likelihood", "residual_impact")


def _system_actor(actor: Actor) -> Actor:
    """The worker's rights, with the triggering request's source and id (so the audit links them)."""
    return dataclasses.replace(
        Actor.system(actor.organization, source=actor.source), request_id=actor.request_id
    )


# --- the method -----------------------------------------------------------------------------------


def ensure_setup(organization: Organization) -> RiskMethodology:
    """The current method of an organization, creating the default 5 x 5 method and the built-in
    categories on first use (audited as the system)."""
    method = RiskMethodology.objects.filter(organization=organization, is_current=True).first()
    if method is not None:
        return method
    system = Actor.system(organization, source="worker")
    with transaction.atomic():
        method = RiskMethodology.objects.filter(organization=organization, is_current=True).first()
        if method is not None:
            return method
        _ensure_categories(system)

        def first(obj: RiskMethodology) -> None:
            obj.number, obj.is_current = 1, True

        data = taxonomy.default_method(5)
        data["change_note"] = "Default method created on first use."
        return core.create(system, RiskMethodology, data, before_save=first)


def _ensure_categories(actor: Actor) -> None:
    present = set(
        RiskCategory.objects.filter(organization=actor.organization, builtin=True).values_list(
            "key", flat=True
        )
    )
    for cat in taxonomy.BUILTIN_CATEGORIES:
        if cat["key"] in present:
            continue

        def builtin(obj: RiskCategory) -> None:
            obj.builtin = True

        core.create(
            actor,
            RiskCategory,
            {
                "key": cat["key"],
                "name": cat["name"],
                "description": cat["description"],
                "annex_c_objectives": cat["objectives"],
                "annex_c_sources": cat["sources"],
                "controls": cat["controls"],
                "ai_act": cat["ai_act"],
            },
            before_save=builtin,
        )


def current_method(actor: Actor) -> RiskMethodology:
    actor.require("risk_methodology", "view")
    return ensure_setup(actor.organization)


def method_defaults(size: int) -> dict[str, Any]:
    if size not in (3, 4, 5):
        raise ValidationError({"size": _("Choose 3, 4 or 5.")})
    return taxonomy.default_method(size)


def change_method(
    actor: Actor, data: dict[str, Any], *, expected_version: int | None = None
) -> tuple[RiskMethodology, RecomputeJob]:
    """Save a new version of the method (the old one stays readable) and start recomputing every
    risk's levels in the background. Changing the size without giving the scales and matrix starts
    from the default of that size."""
    actor.require("risk_methodology", "change")
    current = ensure_setup(actor.organization)
    if expected_version is not None and current.version != expected_version:
        raise PreconditionFailed(current.version)
    unknown = set(data) - set(METHOD_FIELDS) - {"change_note"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    values = {f: getattr(current, f) for f in METHOD_FIELDS}
    size = data.get("size", current.size)
    if size != current.size:
        defaults = method_defaults(int(size)) if size in (3, 4, 5) else {}
        for f in ("likelihood_scale", "impact_scale", "matrix"):
            if f not in data and f in defaults:
                values[f] = defaults[f]
    values.update(data)
    values.setdefault("change_note", "")
    with transaction.atomic():
        # Lock the current version: two simultaneous changes must not both become version n+1.
        locked = RiskMethodology.objects.select_for_update().get(pk=current.pk)
        if not locked.is_current:
            raise PreconditionFailed(locked.version)

        def numbered(obj: RiskMethodology) -> None:
            obj.number, obj.is_current = locked.number + 1, True

        new = core.create(actor, RiskMethodology, values, before_save=numbered)
        RiskMethodology.objects.filter(pk=locked.pk).update(is_current=False, version=locked.version + 1)
        audit.record(actor, AuditEvent.Action.UPDATE, obj=locked, changes={"is_current": [True, False]})
        job = start_recompute(actor, new)
    return new, job


def start_recompute(actor: Actor, method: RiskMethodology) -> RecomputeJob:
    """Queue the recomputation. The task row is written in the caller's transaction, so it exists
    exactly when the method change does."""
    from .tasks import recompute_levels

    job = RecomputeJob.objects.create(
        organization=actor.organization,
        methodology=method,
        total=Risk.objects.filter(organization=actor.organization).count(),
    )
    recompute_levels.enqueue(job.pk)
    job.refresh_from_db()  # an immediate backend (tests, AIMS_TASKS_IMMEDIATE) has already run it
    return job


COMPUTED = (
    "inherent_level",
    "inherent_rank",
    "residual_level",
    "residual_rank",
    "level",
    "rank",
    "next_review_date",
)


RECOMPUTE_INPUTS = (
    "pk",
    "number",
    "title",
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
    "last_assessed_on",
    "methodology_id",
    *COMPUTED,
)


def recompute(job_id: int, batch: int = 2000) -> RecomputeJob:
    """Recompute every risk of the job's organization with the job's method: levels, next review
    date, and an audit entry per risk with what changed. Resumable: runs in batches by id.

    Built for 100,000 risks: rows are read as tuples (no model instances), the levels of each
    distinct input (likelihood, impact, residual values, last assessment) are computed once by
    `Risk.compute` (the only place levels are made), a batch is written with one parameterised
    UPDATE executed for every row (`executemany`), and its audit entries are appended with one
    `audit.record_many` call, in the same transaction."""
    job = RecomputeJob.objects.select_related("methodology", "organization").get(pk=job_id)
    method, org = job.methodology, job.organization
    actor = Actor.system(org, source="worker")
    RecomputeJob.objects.filter(pk=job.pk).update(
        status=RecomputeJob.Status.RUNNING,
        started_at=timezone.now(),
        total=Risk.objects.filter(organization=org).count(),
    )
    reason = [None, f"method v{method.number}"]
    results: dict[tuple[Any, ...], tuple[tuple[Any, ...], tuple[Any, ...]]] = {}
    fields = [Risk._meta.get_field(f) for f in COMPUTED]

    def computed(row: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        (likelihood, impact, r_likelihood, r_impact, assessed, next_review) = row
        # The next review date is kept as it is when the risk has never been assessed.
        key = (likelihood, impact, r_likelihood, r_impact, assessed, None if assessed else next_review)
        if key not in results:
            risk = Risk(
                likelihood=likelihood,
                impact=impact,
                residual_likelihood=r_likelihood,
                residual_impact=r_impact,
                last_assessed_on=assessed,
                next_review_date=next_review,
            )
            risk.compute(method)
            after = tuple(getattr(risk, f) for f in COMPUTED)
            # The values as the database takes them, converted once per distinct result.
            results[key] = (
                after,
                tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, after, strict=True)),
            )
        return results[key]

    last, done, changed = 0, 0, 0
    try:
        while True:
            with transaction.atomic():
                rows = list(
                    Risk.objects.filter(organization=org, pk__gt=last)
                    .order_by("pk")
                    .values_list(*RECOMPUTE_INPUTS)[:batch]
                )
                if not rows:
                    break
                now = timezone.now()
                entries, params = [], []
                for row in rows:
                    pk, number, title, li, im, rli, rim, assessed, method_id = row[:9]
                    before = row[9:]
                    after, prepped = computed((li, im, rli, rim, assessed, before[-1]))
                    diff = _diff(
                        {**dict(zip(COMPUTED, before, strict=True)), "methodology": method_id},
                        {**dict(zip(COMPUTED, after, strict=True)), "methodology": method.pk},
                    )
                    if before != after:
                        changed += 1
                    entries.append((pk, f"R-{number:04d} {title}", {**diff, "reason": reason}))
                    params.append((*prepped, pk))
                _write_levels(method, now, params)
                _record_many(actor, org, entries)
                done += len(rows)
                last = rows[-1][0]
                RecomputeJob.objects.filter(pk=job.pk).update(done=done, changed=changed)
        # Open impact assessments are re-levelled too (their items use the same matrix).
        for item in (
            ImpactItem.objects.filter(assessment__organization=org)
            .exclude(assessment__status=ImpactAssessment.Status.SUPERSEDED)
            .select_related("assessment")
        ):
            _level_item(item, method)
            item.save(update_fields=["level", "rank"])
        RecomputeJob.objects.filter(pk=job.pk).update(
            status=RecomputeJob.Status.DONE, finished_at=timezone.now(), done=done, changed=changed
        )
    except Exception as exc:
        log.exception("recomputing risk levels failed (job %s)", job_id)
        RecomputeJob.objects.filter(pk=job.pk).update(
            status=RecomputeJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    return job


def _write_levels(method: RiskMethodology, now: dt.datetime, params: list[tuple[Any, ...]]) -> None:
    """One UPDATE statement run for every row of the batch (`params`: the COMPUTED values as the
    database takes them, then the id). Also points each risk at the method and bumps its version
    (optimistic concurrency)."""
    meta = Risk._meta
    qn = connection.ops.quote_name
    column = {f: qn(meta.get_field(f).column) for f in (*COMPUTED, "methodology", "version", "updated_at")}
    sets = ", ".join(f"{column[f]} = %s" for f in COMPUTED)
    # Only quoted column and table names from the model are interpolated; values are parameters.
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {sets}, {column['methodology']} = %s, "  # nosec B608
        f"{column['version']} = {column['version']} + 1, {column['updated_at']} = %s "
        f"WHERE {qn(meta.pk.column)} = %s"
    )
    stamp = meta.get_field("updated_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*values[:-1], method.pk, stamp, values[-1]) for values in params])


def _record_many(actor: Actor, org: Organization, entries: list[tuple[int, str, dict[str, Any]]]) -> None:
    """One audit entry per recomputed risk (id, "R-0007 title", changes), appended as one batch."""
    audit.record_many(
        actor,
        AuditEvent.Action.UPDATE,
        [
            {
                "organization_id": org.pk,
                "object_type": "risk",
                "object_id": pk,
                "object_repr": text,
                "changes": changes,
            }
            for pk, text, changes in entries
        ],
    )


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b != a:
            out[key] = [
                b.isoformat() if isinstance(b, dt.date) else b,
                a.isoformat() if isinstance(a, dt.date) else a,
            ]
    return out


# --- categories -----------------------------------------------------------------------------------


def create_category(actor: Actor, data: dict[str, Any]) -> RiskCategory:
    ensure_setup(actor.organization)
    return core.create(actor, RiskCategory, data)


def update_category(
    actor: Actor, category: RiskCategory, data: dict[str, Any], *, expected_version: int | None = None
) -> RiskCategory:
    if category.builtin:
        fixed = set(data) & {"key", "annex_c_objectives", "annex_c_sources"}
        if fixed:
            raise ValidationError(
                {sorted(fixed)[0]: _("The Annex C mapping of a built-in category is fixed.")}
            )
    return core.update(actor, category, data, expected_version=expected_version)


def delete_category(actor: Actor, category: RiskCategory, *, expected_version: int | None = None) -> None:
    if category.builtin:
        raise ValidationError({"key": _("Built-in categories cannot be deleted.")})
    if category.risks.exists():
        raise ValidationError({"key": _("Risks use this category: move them to another one first.")})
    core.delete(actor, category, expected_version=expected_version)


def _category(actor: Actor, value: Any) -> RiskCategory:
    qs = RiskCategory.objects.filter(organization=actor.organization)
    if isinstance(value, RiskCategory):
        value = value.pk
    found = qs.filter(pk=value).first() if str(value).isdigit() else qs.filter(key=str(value)).first()
    if found is None:
        keys = ", ".join(qs.values_list("key", flat=True))
        raise ValidationError(
            {"category": _("Unknown category %(v)s. Choose one of: %(k)s") % {"v": value, "k": keys}}
        )
    return found


# --- the register ---------------------------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    Risk.Status.IDENTIFIED: {Risk.Status.ASSESSED, Risk.Status.CLOSED},
    Risk.Status.ASSESSED: {
        Risk.Status.IDENTIFIED,
        Risk.Status.TREATMENT_PLANNED,
        Risk.Status.IN_TREATMENT,
        Risk.Status.CLOSED,
    },
    Risk.Status.TREATMENT_PLANNED: {Risk.Status.ASSESSED, Risk.Status.IN_TREATMENT, Risk.Status.CLOSED},
    Risk.Status.IN_TREATMENT: {Risk.Status.ASSESSED, Risk.Status.TREATMENT_PLANNED, Risk.Status.CLOSED},
    Risk.Status.ACCEPTED: {
        Risk.Status.ASSESSED,
        Risk.Status.TREATMENT_PLANNED,
        Risk.Status.IN_TREATMENT,
        Risk.Status.CLOSED,
    },
    Risk.Status.CLOSED: {Risk.Status.IDENTIFIED, Risk.Status.ASSESSED},
}


def _prepare(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "category" in data:
        data["category"] = _category(actor, data["category"])
    if "ai_systems" in data:
        data["ai_systems"] = _system_ids(actor, data["ai_systems"] or [])
    for field in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
        if data.get(field) == "":
            data[field] = None
    return data


def _system_ids(actor: Actor, values: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    slugs: list[str] = []
    for v in values:
        if isinstance(v, AISystem):
            ids.append(v.pk)
        elif str(v).isdigit():
            ids.append(int(v))
        else:
            slugs.append(str(v))
    if slugs:
        found = dict(
            AISystem.objects.filter(organization=actor.organization, slug__in=slugs).values_list("slug", "pk")
        )
        missing = [s for s in slugs if s not in found]
        if missing:
            raise ValidationError(
                {"ai_systems": _("Not found in this organization: %(ids)s") % {"ids": missing}}
            )
        ids += [found[s] for s in slugs]
    return ids


def next_risk_number(organization: Organization) -> int:
    return (Risk.objects.filter(organization=organization).aggregate(n=Max("number"))["n"] or 0) + 1


def create_risk(actor: Actor, data: dict[str, Any]) -> Risk:
    actor.require("risk", "add")
    method = ensure_setup(actor.organization)
    data = _prepare(actor, data)
    if "category" not in data:
        raise ValidationError({"category": _("Choose a category.")})
    assessed = data.get("likelihood") is not None and data.get("impact") is not None
    status = data.get("status") or (Risk.Status.ASSESSED if assessed else Risk.Status.IDENTIFIED)
    if status not in (Risk.Status.IDENTIFIED, Risk.Status.ASSESSED):
        raise ValidationError({"status": _("A new risk starts as identified or assessed.")})
    data["status"] = status

    def setup(obj: Risk) -> None:
        obj.number = next_risk_number(actor.organization)
        obj.methodology = method
        if assessed:
            obj.last_assessed_on = timezone.localdate()

    with transaction.atomic():
        return core.create(actor, Risk, data, before_save=setup)


def _values(risk: Risk) -> dict[str, Any]:
    return {
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "inherent_level": risk.inherent_level,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "residual_level": risk.residual_level,
        "status": risk.status,
        "treatment": risk.treatment,
        "rationale": risk.rationale,
    }


def update_risk(
    actor: Actor, risk: Risk, data: dict[str, Any], *, expected_version: int | None = None, note: str = ""
) -> Risk:
    """Change a risk. A change of likelihood or impact is a reassessment: the previous values are
    kept in a reassessment record and the next review date restarts from today."""
    actor.require("risk", "change")
    method = ensure_setup(actor.organization)
    data = _prepare(actor, data)
    before = _values(risk)
    new_status = data.get("status")
    if new_status and new_status != risk.status:
        if new_status == Risk.Status.ACCEPTED:
            raise ValidationError(
                {"status": _("A risk is accepted by signing an acceptance, not by changing its status.")}
            )
        if new_status not in TRANSITIONS.get(risk.status, set()):
            raise ValidationError(
                {
                    "status": _("From %(a)s a risk can go to: %(b)s.")
                    % {
                        "a": risk.get_status_display(),
                        "b": ", ".join(str(Risk.Status(s).label) for s in sorted(TRANSITIONS[risk.status])),
                    }
                }
            )
    reassessed = any(f in data and data[f] != getattr(risk, f) for f in ASSESSMENT_FIELDS)
    if (
        risk.status == Risk.Status.IDENTIFIED
        and "status" not in data
        and data.get("likelihood") is not None
        and data.get("impact") is not None
    ):
        data["status"] = Risk.Status.ASSESSED

    def setup(obj: Risk) -> None:
        obj.methodology = method
        if reassessed:
            obj.last_assessed_on = timezone.localdate()
            obj.review_due, obj.review_due_reason = False, ""

    with transaction.atomic():
        updated = core.update(actor, risk, data, expected_version=expected_version, before_save=setup)
        if reassessed:
            RiskReassessment.objects.create(
                organization=actor.organization,
                risk=updated,
                assessed_by=actor.user,
                reason=risk.review_due_reason or _("Values changed"),
                note=note,
                previous=before,
                current=_values(updated),
            )
    return updated


def review_risk(actor: Actor, risk: Risk, *, note: str = "", expected_version: int | None = None) -> Risk:
    """Record a review that confirms the current values: the risk is no longer due, and its next
    review date restarts from today."""
    actor.require("risk", "change")
    method = ensure_setup(actor.organization)
    if not risk.level:
        raise ValidationError(
            {"likelihood": _("Assess the risk (likelihood and impact) before reviewing it.")}
        )
    with transaction.atomic():
        current = Risk.objects.select_for_update().get(pk=risk.pk)
        if expected_version is not None and current.version != expected_version:
            raise PreconditionFailed(current.version)
        before = audit.snapshot(current)
        reason = current.review_due_reason
        current.last_assessed_on = timezone.localdate()
        current.review_due, current.review_due_reason = False, ""
        current.compute(method)
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        RiskReassessment.objects.create(
            organization=actor.organization,
            risk=current,
            assessed_by=actor.user,
            reason=reason or _("Planned review"),
            note=note,
            previous=_values(risk),
            current=_values(current),
        )
        audit.record(
            actor,
            AuditEvent.Action.UPDATE,
            obj=current,
            changes={**audit.diff(before, audit.snapshot(current)), "review": [None, note or "confirmed"]},
        )
    return current


def delete_risk(actor: Actor, risk: Risk, *, expected_version: int | None = None) -> None:
    core.delete(actor, risk, expected_version=expected_version)


def search_risks(qs: QuerySet[Risk], q: str) -> QuerySet[Risk]:
    for word in q.lower().split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs


_SORT_FIELDS = {
    "number": "number",
    "title": "title",
    "level": "rank",
    "inherent": "inherent_rank",
    "residual": "residual_rank",
    "next_review": "next_review_date",
    "status": "status",
    "updated": "updated_at",
}
# Ties are broken by the number in the same direction, so each sort walks one index.
SORTS = {
    **{key: [field, "number"] if field != "number" else ["number"] for key, field in _SORT_FIELDS.items()},
    **{
        f"-{key}": [f"-{field}", "-number"] if field != "number" else ["-number"]
        for key, field in _SORT_FIELDS.items()
    },
}


def filter_risks(qs: QuerySet[Risk], params: dict[str, Any], actor: Actor | None = None) -> QuerySet[Risk]:
    """The one filter behind the register page, the API list, the heat map and the exports."""
    params = {k: getattr(v, "value", v) for k, v in params.items() if v not in (None, "")}
    if params.get("q"):
        qs = search_risks(qs, str(params["q"]))
    system = params.get("system")
    if system == "none":
        qs = qs.filter(ai_systems__isnull=True)
    elif system:
        qs = (
            qs.filter(ai_systems__pk=system)
            if str(system).isdigit()
            else qs.filter(ai_systems__slug=str(system))
        )
    if params.get("category"):
        cat = str(params["category"])
        qs = qs.filter(category_id=cat) if cat.isdigit() else qs.filter(category__key=cat)
    for key in ("level", "inherent_level", "residual_level", "status", "treatment", "lifecycle_stage"):
        if params.get(key):
            qs = qs.filter(**{key: str(params[key])})
    for key in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
        if str(params.get(key, "")).isdigit():
            qs = qs.filter(**{key: int(params[key])})
    owner = params.get("owner")
    if owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner == "me":
        qs = qs.filter(owner=actor.user) if actor is not None and actor.user is not None else qs.none()
    elif owner:
        qs = qs.filter(owner_id=owner) if str(owner).isdigit() else qs.filter(owner__email__iexact=owner)
    overdue = params.get("overdue")
    if overdue in (True, "true", "1", "on", "yes"):
        qs = qs.filter(Q(review_due=True) | Q(next_review_date__lt=timezone.localdate())).exclude(
            status=Risk.Status.CLOSED
        )
    sort = SORTS.get(str(params.get("sort") or "number"), ["number"])
    return qs.order_by(*sort)


def register_queryset(actor: Actor) -> QuerySet[Risk]:
    """The register with what a list shows, in a fixed number of queries whatever its size."""
    return Risk.objects.for_actor(actor).prefetch_related(
        # Prefetched, not joined: a page shares a handful of categories, owners and one methodology
        # (seven JSON fields), and a join would build and decode them again for every row (three
        # times the cost of the page at 50 rows). Of AI systems and parties, only what a row names.
        "category",
        "owner",
        "methodology",
        Prefetch("ai_systems", queryset=AISystem.objects.only("id", "organization_id", "slug", "name")),
        Prefetch(
            "interested_parties", queryset=InterestedParty.objects.only("id", "organization_id", "name")
        ),
    )


def heatmap(actor: Actor, qs: QuerySet[Risk] | None = None) -> dict[str, Any]:
    """Inherent and residual counts per likelihood x impact cell, as rows ready to draw (highest
    likelihood on top). Two grouped queries whatever the register's size."""
    method = ensure_setup(actor.organization)
    base = (qs if qs is not None else Risk.objects.for_actor(actor)).order_by()
    inherent = {
        (r["likelihood"], r["impact"]): r["n"]
        for r in base.filter(likelihood__isnull=False).values("likelihood", "impact").annotate(n=Count("pk"))
    }
    residual = {
        (r["residual_likelihood"], r["residual_impact"]): r["n"]
        for r in base.filter(residual_likelihood__isnull=False)
        .values("residual_likelihood", "residual_impact")
        .annotate(n=Count("pk"))
    }

    def grid(counts: dict[tuple[int, int], int]) -> list[dict[str, Any]]:
        rows = []
        for lk in range(method.size, 0, -1):
            cells = []
            for im in range(1, method.size + 1):
                lvl = method.level_for(lk, im) if lk <= method.size and im <= method.size else None
                cells.append({"likelihood": lk, "impact": im, "level": lvl, "count": counts.get((lk, im), 0)})
            rows.append({"likelihood": lk, "label": method.likelihood_scale[lk - 1]["name"], "cells": cells})
        return rows

    return {
        "method": method,
        "inherent": grid(inherent),
        "residual": grid(residual),
        "impact_labels": [s["name"] for s in method.impact_scale],
        "inherent_total": sum(inherent.values()),
        "residual_total": sum(residual.values()),
    }


def add_from_library(actor: Actor, *, ai_system: Any, keys: list[str]) -> list[Risk]:
    """Start a system's register from the built-in library of typical AI risks."""
    actor.require("risk", "add")
    ids = _system_ids(actor, [ai_system])
    entries = {e["key"]: e for e in library.ENTRIES}
    unknown = [k for k in keys if k not in entries]
    if unknown or not keys:
        raise ValidationError(
            {"keys": _("Unknown library entries: %(k)s") % {"k": unknown or "(none given)"}}
        )
    made = []
    with transaction.atomic():
        for key in keys:
            entry = entries[key]
            made.append(
                create_risk(
                    actor,
                    {
                        "title": entry["title"],
                        "description": entry["description"],
                        "root_causes": entry["causes"],
                        "category": entry["category"],
                        "additional_controls": entry["controls_text"],
                        "control_refs": list(entry["controls"]),
                        "ai_systems": ids,
                    },
                )
            )
    return made


# --- treatment ------------------------------------------------------------------------------------


def _risk_in_org(actor: Actor, value: Any, field: str = "risk_id") -> Risk:
    risk = None
    if isinstance(value, Risk):
        value = value.pk
    if value is not None and str(value).isdigit():
        risk = Risk.objects.filter(organization=actor.organization, pk=int(value)).first()
    if risk is None:
        raise ValidationError({field: _("Not found in this organization.")})
    return risk


def create_treatment(actor: Actor, data: dict[str, Any]) -> RiskTreatment:
    data = dict(data)
    risk = _risk_in_org(actor, data.pop("risk_id", None) or data.pop("risk", None))
    data["risk"] = risk
    return core.create(actor, RiskTreatment, data)


def update_treatment(
    actor: Actor, action: RiskTreatment, data: dict[str, Any], *, expected_version: int | None = None
) -> RiskTreatment:
    data = dict(data)
    if "risk_id" in data or "risk" in data:
        data["risk"] = _risk_in_org(actor, data.pop("risk_id", None) or data.pop("risk", None))
    return core.update(actor, action, data, expected_version=expected_version)


def delete_treatment(actor: Actor, action: RiskTreatment, *, expected_version: int | None = None) -> None:
    core.delete(actor, action, expected_version=expected_version)


def approve_treatment_plan(actor: Actor, risk: Risk, *, note: str = "") -> Risk:
    """Designated management approves a risk's treatment plan (clause 6.1.3); recorded in the audit
    trail and moves a planned risk into treatment."""
    actor.require("risk_treatment", "approve")
    if not risk.treatment:
        raise ValidationError({"treatment": _("Choose a treatment decision before approving the plan.")})
    with transaction.atomic():
        audit.record(
            actor,
            AuditEvent.Action.APPROVE,
            obj=risk,
            changes={"treatment_plan": ["", "approved"], "note": [None, note]},
        )
        if risk.status == Risk.Status.TREATMENT_PLANNED:
            Risk.objects.filter(pk=risk.pk).update(
                status=Risk.Status.IN_TREATMENT, version=risk.version + 1, updated_at=timezone.now()
            )
            audit.record(
                actor,
                AuditEvent.Action.UPDATE,
                obj=risk,
                changes={"status": [risk.status, Risk.Status.IN_TREATMENT]},
            )
    risk.refresh_from_db()
    return risk


# --- acceptance -----------------------------------------------------------------------------------


def may_accept(actor: Actor, method: RiskMethodology, level: str) -> bool:
    if actor.user is None or not actor.can("risk_acceptance", "add"):
        return False
    if method.above_appetite(level):
        return actor.role in method.above_appetite_roles
    return actor.role in set(method.acceptance_roles) | set(method.above_appetite_roles)


def accept_risk(
    actor: Actor, risk: Risk, *, justification: str, expires_on: dt.date | None
) -> RiskAcceptance:
    """Sign off a risk at its current level. Above the appetite only the roles the method names
    (top management by default) may; everything is in the audit trail."""
    actor.require("risk_acceptance", "add")
    if actor.user is None:
        raise PermissionDenied(_("An acceptance is signed by a person."))
    method = ensure_setup(actor.organization)
    if risk.organization_id != actor.organization.pk:
        raise PermissionDenied
    if not risk.level:
        raise ValidationError({"risk_id": _("Assess the risk (likelihood and impact) before accepting it.")})
    if risk.status == Risk.Status.CLOSED:
        raise ValidationError({"risk_id": _("A closed risk cannot be accepted.")})
    if not expires_on:
        raise ValidationError({"expires_on": _("Give the date until which the acceptance holds.")})
    if "accept" not in method.treatment_options:
        raise ValidationError({"risk_id": _("The method does not allow accepting risks.")})
    above = method.above_appetite(risk.level)
    level = method.level(risk.level) or {"name": risk.level}
    if not may_accept(actor, method, risk.level):
        roles = (
            method.above_appetite_roles
            if above
            else sorted(set(method.acceptance_roles) | set(method.above_appetite_roles))
        )
        labels = ", ".join(str(Role(r).label) for r in roles)
        if above:
            raise PermissionDenied(
                _(
                    "This risk is %(level)s, above the risk appetite (%(appetite)s): only %(roles)s may accept it."
                )
                % {
                    "level": level["name"],
                    "appetite": (method.level(method.appetite) or {}).get("name"),
                    "roles": labels,
                }
            )
        raise PermissionDenied(_("Only %(roles)s may accept risks.") % {"roles": labels})
    with transaction.atomic():
        current = Risk.objects.select_for_update().get(pk=risk.pk)
        acceptance = RiskAcceptance(
            organization=actor.organization,
            created_by=actor.user,
            risk=current,
            level=current.level,
            level_name=level["name"],
            above_appetite=above,
            justification=justification,
            expires_on=expires_on,
            accepted_by=actor.user,
            methodology=method,
        )
        acceptance.full_clean()
        previous = list(RiskAcceptance.objects.filter(risk=current, status=RiskAcceptance.Status.ACTIVE))
        for old in previous:
            old.status, old.ended_at, old.version = (
                RiskAcceptance.Status.REVOKED,
                timezone.now(),
                old.version + 1,
            )
            old.save(update_fields=["status", "ended_at", "version"])
            audit.record(
                actor,
                AuditEvent.Action.UPDATE,
                obj=old,
                changes={"status": ["active", "revoked"], "reason": [None, "replaced"]},
            )
        acceptance.save()
        audit.record(
            actor,
            AuditEvent.Action.APPROVE,
            obj=acceptance,
            changes=audit.diff(None, audit.snapshot(acceptance)),
        )
        before = audit.snapshot(current)
        current.status = Risk.Status.ACCEPTED
        current.review_due, current.review_due_reason = False, ""
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        audit.record(
            actor, AuditEvent.Action.UPDATE, obj=current, changes=audit.diff(before, audit.snapshot(current))
        )
    return acceptance


def revoke_acceptance(actor: Actor, acceptance: RiskAcceptance, *, reason: str = "") -> RiskAcceptance:
    actor.require("risk_acceptance", "delete")
    if acceptance.status != RiskAcceptance.Status.ACTIVE:
        raise ValidationError({"status": _("Only an active acceptance can be revoked.")})
    return _end_acceptance(
        actor, acceptance, RiskAcceptance.Status.REVOKED, reason or _("Acceptance revoked")
    )


def _end_acceptance(actor: Actor, acceptance: RiskAcceptance, status: str, reason: str) -> RiskAcceptance:
    with transaction.atomic():
        acceptance.status, acceptance.ended_at = status, timezone.now()
        acceptance.version += 1
        acceptance.save(update_fields=["status", "ended_at", "version"])
        action = (
            AuditEvent.Action.REVOKE if status == RiskAcceptance.Status.REVOKED else AuditEvent.Action.UPDATE
        )
        audit.record(
            actor, action, obj=acceptance, changes={"status": ["active", status], "reason": [None, reason]}
        )
        risk = Risk.objects.select_for_update().get(pk=acceptance.risk_id)
        if risk.status == Risk.Status.ACCEPTED:
            before = audit.snapshot(risk)
            risk.status = Risk.Status.ASSESSED
            risk.review_due, risk.review_due_reason = True, reason[:300]
            risk.version += 1
            risk.updated_at = timezone.now()
            risk.save()
            audit.record(
                actor, AuditEvent.Action.UPDATE, obj=risk, changes=audit.diff(before, audit.snapshot(risk))
            )
    return acceptance


# --- reviews due ----------------------------------------------------------------------------------


def _flag_due(actor: Actor, obj: Risk | ImpactAssessment, reason: str) -> None:
    model = type(obj)
    model.objects.filter(pk=obj.pk).update(
        review_due=True, review_due_reason=reason[:300], version=obj.version + 1
    )
    audit.record(
        actor,
        AuditEvent.Action.UPDATE,
        obj=obj,
        changes={"review_due": [False, True], "reason": [None, reason]},
    )


def mark_due_reviews(organization: Organization, today: dt.date | None = None) -> dict[str, int]:
    """The worker's daily pass: expired acceptances lapse, and risks and impact assessments whose
    review date has passed become "review due". Each change is audited."""
    today = today or timezone.localdate()
    actor = Actor.system(organization, source="worker")
    counts = {"acceptances_expired": 0, "risks_due": 0, "assessments_due": 0}
    with transaction.atomic():
        for acc in RiskAcceptance.objects.filter(
            organization=organization, status=RiskAcceptance.Status.ACTIVE, expires_on__lt=today
        ):
            _end_acceptance(
                actor,
                acc,
                RiskAcceptance.Status.EXPIRED,
                _("Acceptance expired on %(d)s") % {"d": acc.expires_on.isoformat()},
            )
            counts["acceptances_expired"] += 1
        for risk in Risk.objects.filter(
            organization=organization, review_due=False, next_review_date__lte=today
        ).exclude(status=Risk.Status.CLOSED):
            _flag_due(actor, risk, _("Review date %(d)s reached") % {"d": risk.next_review_date.isoformat()})
            counts["risks_due"] += 1
        for ia in ImpactAssessment.objects.filter(
            organization=organization,
            status=ImpactAssessment.Status.APPROVED,
            review_due=False,
            next_review_date__lte=today,
        ):
            _flag_due(actor, ia, _("Review date %(d)s reached") % {"d": ia.next_review_date.isoformat()})
            counts["assessments_due"] += 1
    return counts


def system_changed_stage(system: AISystem, old: str, new: str) -> int:
    """An AI system moved to another lifecycle stage: its risks and approved impact assessments are
    due for reassessment (clause 8.2: "when significant changes occur")."""
    actor = Actor.system(system.organization, source="worker")
    reason = _("%(system)s moved from %(a)s to %(b)s") % {
        "system": system.name,
        "a": AISystem.Stage(old).label if old in AISystem.Stage.values else old,
        "b": AISystem.Stage(new).label if new in AISystem.Stage.values else new,
    }
    n = 0
    with transaction.atomic():
        for risk in Risk.objects.filter(organization=system.organization, ai_systems=system).exclude(
            status=Risk.Status.CLOSED
        ):
            _flag_due(actor, risk, reason)
            n += 1
        for ia in ImpactAssessment.objects.filter(ai_system=system, status=ImpactAssessment.Status.APPROVED):
            _flag_due(actor, ia, reason)
            n += 1
    return n


def due_reviews(actor: Actor, *, mine: bool = False) -> dict[str, Any]:
    """What needs attention: risks and impact assessments due for review, overdue treatment actions."""
    today = timezone.localdate()
    risks = (
        register_queryset(actor)
        .filter(Q(review_due=True) | Q(next_review_date__lte=today))
        .exclude(status=Risk.Status.CLOSED)
    )
    actions = (
        RiskTreatment.objects.for_actor(actor)
        .filter(
            due_date__lt=today, status__in=[RiskTreatment.Status.PLANNED, RiskTreatment.Status.IN_PROGRESS]
        )
        .select_related("risk", "owner")
    )
    assessments = (
        ImpactAssessment.objects.for_actor(actor)
        .filter(Q(review_due=True) | Q(next_review_date__lte=today), status=ImpactAssessment.Status.APPROVED)
        .select_related("ai_system")
    )
    if mine and actor.user is not None:
        risks = risks.filter(owner=actor.user)
        actions = actions.filter(owner=actor.user)
        assessments = assessments.filter(ai_system__owner=actor.user)
    return {
        "risks": risks.order_by("next_review_date", "number"),
        "actions": actions.order_by("due_date", "pk"),
        "assessments": assessments.order_by("next_review_date", "pk"),
    }


# --- tasks and reminders -------------------------------------------------------------------------

# Source keys of the tasks this area generates (the shape of governance's and lifecycle's
# `due_items`, so the assurance area's task generator can read them too).
DUE_PREFIXES = ("riskreview:", "riskaction:", "riskaccept:", "iareview:")
TASK_HORIZON_DAYS = 14


def due_items(
    organization: Organization, horizon: dt.date, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """What of this area should be on someone's task list by `horizon`: risks due for review (their
    date reached, or flagged by a stage change or a lapsed acceptance), treatment actions due,
    acceptances about to expire, approved impact assessments due for review. Each item: key (one
    task per reason and date), title, kind, due, assignee_id or role, link. A few queries whatever
    the register's size; only the risks that are due are read."""
    today = today or timezone.localdate()
    items: list[dict[str, Any]] = []
    for risk in (
        Risk.objects.filter(organization=organization)
        .filter(Q(review_due=True) | Q(next_review_date__lte=horizon))
        .exclude(status=Risk.Status.CLOSED)
        .only("pk", "number", "title", "owner_id", "next_review_date", "review_due")
        .order_by("next_review_date", "number")
    ):
        due = risk.next_review_date or today
        if risk.review_due:
            due = min(due, today)
        items.append(
            {
                "key": f"riskreview:{risk.pk}:{risk.next_review_date or 'due'}",
                "title": _("Review risk %(ref)s: %(t)s") % {"ref": risk.ref, "t": risk.title},
                "kind": "review",
                "due": due,
                "assignee_id": risk.owner_id,
                "role": "" if risk.owner_id else "risk_team",
                "link": risk.get_absolute_url(),
            }
        )
    for action in (
        RiskTreatment.objects.filter(
            organization=organization,
            status__in=[RiskTreatment.Status.PLANNED, RiskTreatment.Status.IN_PROGRESS],
            due_date__lte=horizon,
        )
        .select_related("risk")
        .order_by("due_date", "pk")
    ):
        owner = action.owner_id or action.risk.owner_id
        items.append(
            {
                "key": f"riskaction:{action.pk}:{action.due_date}",
                "title": _("Risk treatment for %(ref)s: %(t)s") % {"ref": action.risk.ref, "t": action.title},
                "kind": "action",
                "due": action.due_date,
                "assignee_id": owner,
                "role": "" if owner else "risk_team",
                "link": action.risk.get_absolute_url(),
            }
        )
    for acc in (
        RiskAcceptance.objects.filter(
            organization=organization, status=RiskAcceptance.Status.ACTIVE, expires_on__lte=horizon
        )
        .select_related("risk")
        .order_by("expires_on", "pk")
    ):
        owner = acc.risk.owner_id
        items.append(
            {
                "key": f"riskaccept:{acc.pk}:{acc.expires_on}",
                "title": _("The acceptance of risk %(ref)s ends on %(d)s: review it or accept it again")
                % {"ref": acc.risk.ref, "d": acc.expires_on.isoformat()},
                "kind": "review",
                "due": acc.expires_on,
                "assignee_id": owner,
                "role": "" if owner else "risk_team",
                "link": acc.risk.get_absolute_url(),
            }
        )
    for ia in (
        ImpactAssessment.objects.filter(organization=organization, status=ImpactAssessment.Status.APPROVED)
        .filter(Q(review_due=True) | Q(next_review_date__lte=horizon))
        .select_related("ai_system")
        .order_by("next_review_date", "pk")
    ):
        due = ia.next_review_date or today
        if ia.review_due:
            due = min(due, today)
        owner = ia.ai_system.owner_id
        items.append(
            {
                "key": f"iareview:{ia.pk}:{ia.next_review_date or 'due'}",
                "title": _("Review the impact assessment of %(s)s") % {"s": ia.ai_system.name},
                "kind": "review",
                "due": due,
                "assignee_id": owner,
                "role": "" if owner else "risk_team",
                "link": ia.get_absolute_url(),
            }
        )
    return items


def review_tasks(
    organization: Organization, *, today: dt.date | None = None, horizon_days: int = TASK_HORIZON_DAYS
) -> dict[str, int]:
    """Put `due_items` on the assignees' task lists (the assurance area's tasks), once per reason,
    and close the tasks whose reason has gone (the risk was reviewed, the action done). Nothing
    happens when the assurance area is not installed."""
    from django.apps import apps

    if not apps.is_installed("aims.assurance"):
        return {"opened": 0, "closed": 0}
    from aims.assurance.services import sync_tasks

    today = today or timezone.localdate()
    return sync_tasks(
        organization, due_items(organization, today + dt.timedelta(days=horizon_days), today), DUE_PREFIXES
    )


def send_reminders(organization: Organization) -> int:
    """E-mail the assignees of open tasks due within a week, once each (the assurance area's
    reminder, which claims each task before sending, so a task is never reminded twice)."""
    from django.apps import apps

    if not apps.is_installed("aims.assurance"):
        return 0
    from aims.assurance import services as assurance

    return assurance.send_reminders(organization)


# --- impact assessments ---------------------------------------------------------------------------

ITEM_FIELDS = (
    "area",
    "affected",
    "description",
    "severity",
    "likelihood",
    "reversibility",
    "scale",
    "mitigation",
)


def _level_item(item: ImpactItem, method: RiskMethodology) -> None:
    if 1 <= item.likelihood <= method.size and 1 <= item.severity <= method.size:
        lvl = method.level_for(item.likelihood, item.severity)
        item.level, item.rank = lvl["key"], method.rank(lvl["key"])
    else:
        item.level, item.rank = "", -1


def _validate_items(method: RiskMethodology, items: list[dict[str, Any]]) -> None:
    areas = {a for a, _label in taxonomy.IMPACT_AREAS}
    for i, item in enumerate(items):
        prefix = f"items.{i}"
        if item.get("area") not in areas:
            raise ValidationError(
                {f"{prefix}.area": _("Choose from: %(a)s") % {"a": ", ".join(sorted(areas))}}
            )
        if not str(item.get("description") or "").strip():
            raise ValidationError({f"{prefix}.description": _("Describe the impact.")})
        for field in ("severity", "likelihood"):
            value = item.get(field)
            if not isinstance(value, int) or not 1 <= value <= method.size:
                raise ValidationError(
                    {
                        f"{prefix}.{field}": _("Choose a value from 1 to %(n)d (the method's scale).")
                        % {"n": method.size}
                    }
                )
        for field, choices in (
            ("affected", ImpactItem.Affected),
            ("reversibility", ImpactItem.Reversibility),
            ("scale", ImpactItem.Scale),
        ):
            if field in item and item[field] not in choices.values:
                raise ValidationError(
                    {f"{prefix}.{field}": _("Choose from: %(a)s") % {"a": ", ".join(choices.values)}}
                )


def _save_items(assessment: ImpactAssessment, method: RiskMethodology, items: list[dict[str, Any]]) -> None:
    keep_links = {(i.area, i.description): i.risk_id for i in assessment.items.all()}
    assessment.items.all().delete()
    objs = []
    for data in items:
        item = ImpactItem(assessment=assessment, **{k: v for k, v in data.items() if k in ITEM_FIELDS})
        item.risk_id = keep_links.get((item.area, item.description))
        _level_item(item, method)
        objs.append(item)
    ImpactItem.objects.bulk_create(objs)
    top = max(objs, key=lambda i: i.rank, default=None)
    assessment.overall_level, assessment.overall_rank = (top.level, top.rank) if top else ("", -1)
    ImpactAssessment.objects.filter(pk=assessment.pk).update(
        overall_level=assessment.overall_level, overall_rank=assessment.overall_rank
    )


def _items_snapshot(assessment: ImpactAssessment) -> list[dict[str, Any]]:
    return [{f: getattr(i, f) for f in (*ITEM_FIELDS, "level")} for i in assessment.items.all()]


def _assessment_system(actor: Actor, value: Any) -> AISystem:
    qs = AISystem.objects.filter(organization=actor.organization)
    if isinstance(value, AISystem):
        value = value.pk
    found = qs.filter(pk=int(value)).first() if str(value).isdigit() else qs.filter(slug=str(value)).first()
    if found is None:
        raise ValidationError({"ai_system": _("Not found in this organization.")})
    return found


def create_assessment(actor: Actor, data: dict[str, Any]) -> ImpactAssessment:
    actor.require("impact_assessment", "add")
    method = ensure_setup(actor.organization)
    data = dict(data)
    items = data.pop("items", None) or []
    system = _assessment_system(actor, data.pop("ai_system", None) or data.pop("ai_system_id", None))
    data["ai_system"] = system
    _validate_items(method, items)

    def numbered(obj: ImpactAssessment) -> None:
        obj.number = (
            ImpactAssessment.objects.filter(ai_system=system).aggregate(n=Max("number"))["n"] or 0
        ) + 1

    with transaction.atomic():
        assessment = core.create(actor, ImpactAssessment, data, before_save=numbered)
        if items:
            _save_items(assessment, method, items)
            audit.record(
                actor,
                AuditEvent.Action.UPDATE,
                obj=assessment,
                changes={"impacts": [None, _items_snapshot(assessment)]},
            )
    return assessment


def update_assessment(
    actor: Actor, assessment: ImpactAssessment, data: dict[str, Any], *, expected_version: int | None = None
) -> ImpactAssessment:
    actor.require("impact_assessment", "change")
    if assessment.status != ImpactAssessment.Status.DRAFT:
        raise ValidationError(
            {"status": _("Only a draft can be changed; start a new version of an approved assessment.")}
        )
    method = ensure_setup(actor.organization)
    data = dict(data)
    items = data.pop("items", None)
    if "ai_system" in data or "ai_system_id" in data:
        raise ValidationError(
            {"ai_system": _("An assessment stays with its AI system; start a new one for another system.")}
        )
    if items is not None:
        _validate_items(method, items)
    with transaction.atomic():
        updated = core.update(actor, assessment, data, expected_version=expected_version)
        if items is not None:
            before = _items_snapshot(updated)
            _save_items(updated, method, items)
            audit.record(
                actor,
                AuditEvent.Action.UPDATE,
                obj=updated,
                changes={"impacts": [before, _items_snapshot(updated)]},
            )
    return updated


def delete_assessment(
    actor: Actor, assessment: ImpactAssessment, *, expected_version: int | None = None
) -> None:
    if assessment.status == ImpactAssessment.Status.APPROVED:
        raise ValidationError({"status": _("An approved assessment is a record: it cannot be deleted.")})
    core.delete(actor, assessment, expected_version=expected_version)


def _set_status(actor: Actor, assessment: ImpactAssessment, status: str, **extra: Any) -> ImpactAssessment:
    before = assessment.status
    assessment.status = status
    for key, value in extra.items():
        setattr(assessment, key, value)
    assessment.version += 1
    assessment.updated_at = timezone.now()
    assessment.save()
    audit.record(
        actor,
        AuditEvent.Action.APPROVE if status == ImpactAssessment.Status.APPROVED else AuditEvent.Action.UPDATE,
        obj=assessment,
        changes={"status": [before, status]},
    )
    return assessment


def submit_assessment(actor: Actor, assessment: ImpactAssessment) -> ImpactAssessment:
    actor.require("impact_assessment", "change")
    if assessment.status != ImpactAssessment.Status.DRAFT:
        raise ValidationError({"status": _("Only a draft can be submitted for approval.")})
    if not assessment.items.exists():
        raise ValidationError({"items": _("Assess at least one impact before submitting.")})
    if not assessment.overall_result.strip():
        raise ValidationError({"overall_result": _("Write the overall result before submitting.")})
    with transaction.atomic():
        return _set_status(actor, assessment, ImpactAssessment.Status.IN_REVIEW, submitted_at=timezone.now())


def return_assessment(actor: Actor, assessment: ImpactAssessment, *, note: str = "") -> ImpactAssessment:
    actor.require("impact_assessment", "approve")
    if assessment.status != ImpactAssessment.Status.IN_REVIEW:
        raise ValidationError({"status": _("Only an assessment awaiting approval can be sent back.")})
    with transaction.atomic():
        return _set_status(actor, assessment, ImpactAssessment.Status.DRAFT)


def approve_assessment(actor: Actor, assessment: ImpactAssessment) -> ImpactAssessment:
    """Approve an assessment awaiting approval: it becomes the system's current assessment, older
    approved versions are superseded, and significant impacts feed the risk register."""
    actor.require("impact_assessment", "approve")
    if assessment.status != ImpactAssessment.Status.IN_REVIEW:
        raise ValidationError({"status": _("Submit the assessment for approval first.")})
    if (
        actor.user is not None
        and assessment.created_by_id == actor.user.pk
        and actor.role != Role.TOP_MANAGEMENT
    ):
        # Four eyes: the author does not approve their own assessment (top management excepted).
        raise PermissionDenied(_("Someone other than the author approves an impact assessment."))
    method = ensure_setup(actor.organization)
    with transaction.atomic():
        for old in ImpactAssessment.objects.filter(
            ai_system_id=assessment.ai_system_id, status=ImpactAssessment.Status.APPROVED
        ):
            _set_status(actor, old, ImpactAssessment.Status.SUPERSEDED)
        months = method.review_months(assessment.overall_level) if assessment.overall_level else 12
        _set_status(
            actor,
            assessment,
            ImpactAssessment.Status.APPROVED,
            approved_by=actor.user,
            approved_at=timezone.now(),
            next_review_date=add_months(timezone.localdate(), months),
            review_due=False,
            review_due_reason="",
        )
        feed_register(actor, assessment)
    return assessment


def new_assessment_version(actor: Actor, assessment: ImpactAssessment) -> ImpactAssessment:
    """A new draft copied from an assessment (reassessment keeps the earlier version readable)."""
    actor.require("impact_assessment", "add")
    if ImpactAssessment.objects.filter(
        ai_system_id=assessment.ai_system_id,
        status__in=[ImpactAssessment.Status.DRAFT, ImpactAssessment.Status.IN_REVIEW],
    ).exists():
        raise ValidationError({"status": _("This AI system already has an assessment in progress.")})
    fields = [
        "title",
        "intended_purpose",
        "foreseeable_misuse",
        "deployment_context",
        "period_and_frequency",
        "affected_individuals",
        "affected_groups",
        "vulnerable_groups",
        "affects_minors",
        "societal_impacts",
        "human_oversight",
        "remedies",
        "processes_personal_data",
        "dpia_required",
        "dpia_reference",
        "overall_result",
    ]
    data: dict[str, Any] = {f: getattr(assessment, f) for f in fields}
    data["ai_system"] = assessment.ai_system_id
    data["items"] = [{f: getattr(i, f) for f in ITEM_FIELDS} for i in assessment.items.all()]
    with transaction.atomic():
        new = create_assessment(actor, data)
        links = {(i.area, i.description): i.risk_id for i in assessment.items.all()}
        for item in new.items.all():
            if links.get((item.area, item.description)):
                ImpactItem.objects.filter(pk=item.pk).update(risk_id=links[(item.area, item.description)])
    return new


def feed_register(actor: Actor, assessment: ImpactAssessment) -> list[Risk]:
    """Impacts at or above the method's threshold create a linked risk, or update the one they
    created before (likelihood and impact follow the assessment)."""
    method = ensure_setup(actor.organization)
    threshold = method.rank(method.impact_feed_level)
    worker = _system_actor(actor)
    touched = []
    for item in assessment.items.select_related("risk").all():
        if item.rank < threshold:
            continue
        label = dict(taxonomy.IMPACT_AREAS)[item.area]
        values = {"likelihood": item.likelihood, "impact": item.severity}
        if item.risk is not None and item.risk.status != Risk.Status.CLOSED:
            changes = {k: v for k, v in values.items() if getattr(item.risk, k) != v}
            risk = (
                update_risk(
                    worker, item.risk, changes, note=_("From impact assessment %(a)s") % {"a": assessment}
                )
                if changes
                else item.risk
            )
        else:
            risk = create_risk(
                worker,
                {
                    "title": f"{label}: {item.description}"[:200],
                    "description": _("Impact on %(who)s (%(rev)s, %(scale)s). %(text)s")
                    % {
                        "who": item.get_affected_display().lower(),
                        "rev": item.get_reversibility_display().lower(),
                        "scale": item.get_scale_display().lower(),
                        "text": item.description,
                    },
                    "existing_controls": item.mitigation,
                    "category": taxonomy.AREA_CATEGORY[item.area],
                    "ai_systems": [assessment.ai_system_id],
                    "lifecycle_stage": assessment.ai_system.lifecycle_stage,
                    "rationale": _("From impact assessment %(a)s.") % {"a": assessment},
                    **values,
                },
            )
            Risk.objects.filter(pk=risk.pk).update(impact_assessment=assessment)
            ImpactItem.objects.filter(pk=item.pk).update(risk=risk)
        touched.append(risk)
    return touched


def assessments_queryset(actor: Actor) -> QuerySet[ImpactAssessment]:
    return (
        ImpactAssessment.objects.for_actor(actor)
        .select_related("ai_system", "approved_by")
        .prefetch_related("items")
    )


def filter_assessments(qs: QuerySet[ImpactAssessment], params: dict[str, Any]) -> QuerySet[ImpactAssessment]:
    params = {k: getattr(v, "value", v) for k, v in params.items() if v not in (None, "")}
    system = params.get("system")
    if system:
        qs = qs.filter(ai_system_id=system) if str(system).isdigit() else qs.filter(ai_system__slug=system)
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("q"):
        qs = qs.filter(Q(title__icontains=params["q"]) | Q(ai_system__name__icontains=params["q"]))
    return qs.order_by("ai_system__name", "-number")
