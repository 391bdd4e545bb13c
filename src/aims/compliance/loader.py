"""Catalog files into the database, idempotently.

`sync_catalogs()` reads every catalog and crosswalk file (`catalog_files`), and for each one whose
content changed since it was last loaded, upserts the framework and its requirements, rebuilds the
crosswalk mappings, and records what changed in a `CatalogChange` (from the second load on), which
the regulatory-change review turns into tasks. An unchanged file costs one hash comparison.

`load_catalog_into(catalog, organization=...)` loads one validated catalog as an organization's own
framework (`aims catalog load FILE --org SLUG`)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from . import catalog_files as cf

REQ_FIELDS = (
    "number",
    "title",
    "kind",
    "order",
    "depth",
    "description",
    "guidance",
    "objective",
    "note",
    "assessable",
    "documented_information",
    "annex_c_objectives",
    "annex_c_risk_sources",
    "roles",
    "risk_tiers",
    "applies_from",
    "added_by",
    "amended_by",
    "deadline_days",
)
TEXT_FIELDS = (
    "title",
    "description",
    "guidance",
    "objective",
    "roles",
    "risk_tiers",
    "applies_from",
    "deadline_days",
)


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    upgraded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    crosswalks: list[str] = field(default_factory=list)
    changes: list[Any] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.upgraded or self.crosswalks)

    def summary(self) -> str:
        parts = []
        if self.created:
            parts.append(f"loaded {', '.join(self.created)}")
        if self.upgraded:
            parts.append(f"upgraded {', '.join(self.upgraded)}")
        if self.crosswalks:
            parts.append(f"crosswalks {', '.join(self.crosswalks)}")
        return "; ".join(parts) or "up to date"


def catalog_hash(catalog: cf.Catalog) -> str:
    """A digest of the catalog's content (not of its file's whitespace or comments)."""
    data = dataclasses.asdict(catalog)
    data.pop("path", None)
    data.pop("_by_ref", None)
    data.pop("_children", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def crosswalk_hash(crosswalk: cf.Crosswalk) -> str:
    data = dataclasses.asdict(crosswalk)
    data.pop("path", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _meta(catalog: cf.Catalog) -> dict[str, Any]:
    return {
        "roles": list(catalog.roles),
        "risk_tiers": list(catalog.risk_tiers),
        "application_dates": [
            {**dataclasses.asdict(d), "date": d.date.isoformat(), "refs": list(d.refs)}
            for d in catalog.application_dates
        ],
        "amendments": [dataclasses.asdict(a) for a in catalog.amendments],
        "annex_c": [dataclasses.asdict(a) for a in catalog.annex_c],
        "relations": [dataclasses.asdict(r) for r in catalog.relations],
        "sources": list(catalog.sources),
        "notes": list(catalog.notes),
        "published": catalog.published,
    }


def _depths(catalog: cf.Catalog) -> dict[str, int]:
    return {r.ref_id: len(catalog.ancestors(r.ref_id)) for r in catalog.requirements}


def _req_values(r: cf.Requirement, order: int, depth: int) -> dict[str, Any]:
    d = cf.requirement_to_dict(r)
    return {
        "number": r.number or "",
        "title": r.title[:300],
        "kind": r.kind,
        "order": order,
        "depth": depth,
        "description": r.description,
        "guidance": r.guidance,
        "objective": r.objective,
        "note": r.note,
        "assessable": r.assessable,
        "documented_information": d["documented_information"],
        "annex_c_objectives": d["annex_c_objectives"],
        "annex_c_risk_sources": d["annex_c_risk_sources"],
        "roles": d["roles"],
        "risk_tiers": d["risk_tiers"],
        "applies_from": r.applies_from or "",
        "added_by": r.added_by or "",
        "amended_by": d["amended_by"],
        "deadline_days": r.deadline_days,
    }


def load_catalog_into(
    catalog: cf.Catalog, *, organization: Any = None, using: str = "default"
) -> tuple[Any, Any]:
    """Create or upgrade the framework for ``catalog``. Returns (framework, CatalogChange or None)."""
    from .models import CatalogChange, Framework, Requirement

    digest = catalog_hash(catalog)
    fw = Framework.objects.using(using).filter(slug=catalog.slug, organization=organization).first()
    if fw is not None and fw.content_hash == digest:
        return fw, None
    kind = catalog.kind if catalog.kind in Framework.Kind.values else Framework.Kind.CUSTOM
    values = {
        "name": catalog.name[:200],
        "full_title": catalog.full_title[:400],
        "version": catalog.version[:40],
        "publisher": catalog.publisher[:200],
        "kind": kind,
        "jurisdiction": catalog.jurisdiction[:100],
        "url": catalog.url[:200],
        "status": catalog.status[:200],
        "description": catalog.description,
        "licence": catalog.licence,
        "data": _meta(catalog),
    }
    with transaction.atomic(using=using):
        previous_hash = fw.content_hash if fw else ""
        old_data = fw.data if fw else {}
        if fw is None:
            fw = Framework.objects.using(using).create(
                slug=catalog.slug, organization=organization, content_hash=digest, **values
            )
            existing: dict[str, Any] = {}
        else:
            for k, v in values.items():
                setattr(fw, k, v)
            fw.content_hash = digest
            fw.loaded_at = timezone.now()
            fw.version_number += 1
            fw.save(using=using)
            existing = {r.ref_id: r for r in Requirement.objects.using(using).filter(framework=fw)}
        depths = _depths(catalog)
        wanted = {r.ref_id: _req_values(r, i, depths[r.ref_id]) for i, r in enumerate(catalog.requirements)}
        added = [ref for ref in wanted if ref not in existing]
        removed = [ref for ref in existing if ref not in wanted]
        changed: list[dict[str, Any]] = []
        Requirement.objects.using(using).bulk_create(
            [Requirement(framework=fw, ref_id=ref, **wanted[ref]) for ref in added], batch_size=500
        )
        to_update = []
        for ref, obj in existing.items():
            if ref not in wanted:
                continue
            diffs = [f for f in REQ_FIELDS if getattr(obj, f) != wanted[ref][f]]
            if diffs:
                for f in diffs:
                    setattr(obj, f, wanted[ref][f])
                to_update.append(obj)
                meaningful = [f for f in diffs if f in TEXT_FIELDS]
                if meaningful:
                    changed.append({"ref": ref, "fields": meaningful})
        if to_update:
            Requirement.objects.using(using).bulk_update(to_update, list(REQ_FIELDS), batch_size=500)
        # Parents, by ref.
        ids = dict(Requirement.objects.using(using).filter(framework=fw).values_list("ref_id", "pk"))
        parents = dict(
            Requirement.objects.using(using).filter(framework=fw).values_list("ref_id", "parent_id")
        )
        fix = []
        for r in catalog.requirements:
            want = ids[r.parent] if r.parent else None
            if parents.get(r.ref_id) != want:
                fix.append(Requirement(pk=ids[r.ref_id], parent_id=want))
        if fix:
            Requirement.objects.using(using).bulk_update(fix, ["parent"], batch_size=500)
        kept = []
        for ref in removed:
            try:
                with transaction.atomic(using=using):
                    existing[ref].delete()
            except ProtectedError:
                kept.append(ref)  # still used by an SoA, gap assessment or obligation: kept, flagged
                Requirement.objects.using(using).filter(pk=existing[ref].pk).update(
                    assessable=False, kind="withdrawn"
                )
        change = None
        if previous_hash:
            dates = _date_changes(old_data.get("application_dates", []), fw.data["application_dates"])
            amendments = _amendment_changes(old_data.get("amendments", []), fw.data["amendments"])
            change = CatalogChange.objects.using(using).create(
                framework=fw,
                previous_hash=previous_hash,
                new_hash=digest,
                added=added,
                removed=removed,
                changed=changed,
                dates=dates,
                amendments=amendments,
            )
    return fw, change


def _date_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    before = {d["id"]: d for d in old}
    out = []
    for d in new:
        prev = before.get(d["id"])
        if prev is None:
            out.append({"id": d["id"], "label": d["label"], "before": None, "after": d["date"]})
        elif prev.get("date") != d["date"]:
            out.append({"id": d["id"], "label": d["label"], "before": prev.get("date"), "after": d["date"]})
    return out


def _amendment_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    before = {a["id"]: a for a in old}
    out = []
    for a in new:
        prev = before.get(a["id"])
        if prev is None or prev.get("status") != a["status"]:
            out.append(
                {
                    "id": a["id"],
                    "title": a["title"],
                    "before": prev.get("status") if prev else None,
                    "after": a["status"],
                }
            )
    return out


def load_crosswalk_into(crosswalk: cf.Crosswalk, *, using: str = "default") -> bool:
    """Create or rebuild one crosswalk's mappings. True when something was written."""
    from .models import Crosswalk, Framework, Mapping, Requirement

    digest = crosswalk_hash(crosswalk)
    row = Crosswalk.objects.using(using).filter(slug=crosswalk.slug).first()
    if row is not None and row.content_hash == digest:
        return False
    source = Framework.objects.using(using).get(slug=crosswalk.source, organization__isnull=True)
    target = Framework.objects.using(using).get(slug=crosswalk.target, organization__isnull=True)
    with transaction.atomic(using=using):
        values = {
            "name": crosswalk.name[:200],
            "source": source,
            "target": target,
            "indicative": crosswalk.indicative,
            "description": crosswalk.description,
            "provenance": crosswalk.provenance,
            "content_hash": digest,
        }
        if row is None:
            row = Crosswalk.objects.using(using).create(slug=crosswalk.slug, **values)
        else:
            for k, v in values.items():
                setattr(row, k, v)
            row.save(using=using)
            Mapping.objects.using(using).filter(crosswalk=row).delete()
        src = dict(Requirement.objects.using(using).filter(framework=source).values_list("ref_id", "pk"))
        tgt = dict(Requirement.objects.using(using).filter(framework=target).values_list("ref_id", "pk"))
        Mapping.objects.using(using).bulk_create(
            [
                Mapping(
                    crosswalk=row,
                    source_id=src[m.source],
                    target_id=tgt[m.target],
                    relation=m.relation,
                    note=m.note,
                )
                for m in crosswalk.mappings
                if m.source in src and m.target in tgt
            ],
            batch_size=500,
        )
    return True


def sync_catalogs(*, using: str = "default") -> SyncResult:
    """Load new catalog and crosswalk files and upgrade changed ones; see the module docstring."""
    from .models import Framework

    cf.clear_cache()
    result = SyncResult()
    known = set(
        Framework.objects.using(using).filter(organization__isnull=True).values_list("slug", flat=True)
    )
    for slug, catalog in cf.load_all_catalogs().items():
        _fw, change = load_catalog_into(catalog, using=using)
        if slug not in known:
            result.created.append(slug)
        elif change is not None:
            result.upgraded.append(slug)
            result.changes.append(change)
        else:
            result.unchanged.append(slug)
    for slug in cf.list_crosswalks():
        if load_crosswalk_into(cf.load_crosswalk(slug), using=using):
            result.crosswalks.append(slug)
    return result
