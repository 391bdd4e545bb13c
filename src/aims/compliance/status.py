"""Compliance status per framework, computed through the crosswalks: one control counts in every
framework its requirements map to (clause 6.1.3 and the "one control, many frameworks" promise).

A requirement is covered when a control is linked to it, to one of its ancestors (a control for
"MEASURE 2" covers its subcategories), or to a requirement that a crosswalk maps to or from it.
Its state is the best of its controls: evidenced (implemented and with evidence), implemented,
in progress (planned or in progress), not effective, or not covered.

Speed: the global part (requirements, parents, crosswalk edges) is read once per process and kept
until a catalog is reloaded; the organization's part is three queries; the rest is set arithmetic.
Benchmark: benchmarks/compliance/bench_status.py (500 controls x 5 frameworks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max

from .models import Control, Framework, Mapping, Requirement

RANK = {"not_covered": 0, "not_effective": 1, "in_progress": 2, "implemented": 3, "evidenced": 4}


@dataclass
class _Graph:
    key: tuple[Any, ...]
    framework_of: dict[int, int] = field(default_factory=dict)
    ref_of: dict[int, str] = field(default_factory=dict)
    children: dict[int, list[int]] = field(default_factory=dict)
    edges: dict[int, set[int]] = field(default_factory=dict)
    assessable: dict[int, list[int]] = field(default_factory=dict)


_cache: dict[str, _Graph] = {}


def _graph() -> _Graph:
    key = (
        Requirement.objects.aggregate(n=Count("pk"), m=Max("pk"))["n"],
        Requirement.objects.aggregate(m=Max("pk"))["m"],
        Mapping.objects.aggregate(n=Count("pk"), m=Max("pk"))["m"],
        Framework.objects.aggregate(v=Max("loaded_at"))["v"],
    )
    cached = _cache.get("graph")
    if cached is not None and cached.key == key:
        return cached
    g = _Graph(key=key)
    for pk, fw, ref, parent, assessable in Requirement.objects.values_list(
        "pk", "framework_id", "ref_id", "parent_id", "assessable"
    ):
        g.framework_of[pk] = fw
        g.ref_of[pk] = ref
        if parent:
            g.children.setdefault(parent, []).append(pk)
        if assessable:
            g.assessable.setdefault(fw, []).append(pk)
    for s, t in Mapping.objects.values_list("source_id", "target_id"):
        g.edges.setdefault(s, set()).add(t)
        g.edges.setdefault(t, set()).add(s)
    _cache["graph"] = g
    return g


def _control_state(status: str, has_evidence: bool) -> str:
    if status == Control.Status.IMPLEMENTED:
        return "evidenced" if has_evidence else "implemented"
    if status == Control.Status.NOT_EFFECTIVE:
        return "not_effective"
    return "in_progress"


def compute(organization: Any, framework_ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """framework id -> {"total", counts per state, "score" (0-100), "states": {requirement id: state}}."""
    g = _graph()
    controls = {
        pk: _control_state(status, bool(links) or n > 0)
        for pk, status, links, n in Control.objects.filter(organization=organization)
        .annotate(n=Count("evidence"))
        .values_list("pk", "status", "evidence_links", "n")
    }
    best: dict[int, str] = {}

    def mark(rid: int, state: str) -> None:
        if RANK[state] > RANK.get(best.get(rid, "not_covered"), 0):
            best[rid] = state

    through = Control.requirements.through
    for cid, rid in through.objects.filter(control__organization=organization).values_list(
        "control_id", "requirement_id"
    ):
        state = controls[cid]
        direct = [rid, *g.edges.get(rid, ())]
        stack = list(direct)
        seen: set[int] = set()
        while stack:  # the requirement, what the crosswalks map it to, and their descendants
            r = stack.pop()
            if r in seen:
                continue
            seen.add(r)
            mark(r, state)
            stack.extend(g.children.get(r, ()))
    ids = framework_ids if framework_ids is not None else list(g.assessable)
    out: dict[int, dict[str, Any]] = {}
    for fw in ids:
        reqs = g.assessable.get(fw, [])
        counts = dict.fromkeys(RANK, 0)
        states = {}
        for rid in reqs:
            s = best.get(rid, "not_covered")
            counts[s] += 1
            states[rid] = s
        total = len(reqs)
        done = counts["implemented"] + counts["evidenced"]
        out[fw] = {
            "total": total,
            **counts,
            "score": round(100 * done / total, 1) if total else 0.0,
            "states": states,
        }
    return out


def summary(actor: Any) -> list[dict[str, Any]]:
    """One row per framework the organization can see, for the status page and the API."""
    fws = list(Framework.objects.visible_to(actor).order_by("name"))
    result = compute(actor.organization, [f.pk for f in fws])
    rows = []
    for f in fws:
        r = result.get(f.pk, {"total": 0, "score": 0.0, **dict.fromkeys(RANK, 0)})
        rows.append({"framework": f, **{k: v for k, v in r.items() if k != "states"}})
    return rows
