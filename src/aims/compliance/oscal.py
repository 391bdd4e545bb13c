"""OSCAL (NIST Open Security Controls Assessment Language) JSON, version 1.1.2: a catalog per framework,
and the Statement of Applicability as the control implementation of a system security plan.

Catalog structure: top-level requirements become groups when they have children, controls otherwise;
deeper requirements nest as controls (OSCAL allows controls within controls). Ids are made
OSCAL-safe (tokens: letters, digits, '.', '-', '_'); the citation form is kept in a `label` prop."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.utils import timezone

from .models import Framework, Requirement, SoA

OSCAL_VERSION = "1.1.2"
NS = "https://aims.example/ns/oscal"


def token(ref: str) -> str:
    t = re.sub(r"[^A-Za-z0-9_.-]+", "-", ref.strip()).strip("-").lower()
    return t if t and t[0].isalpha() else f"r-{t}"


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, NS + "/" + "/".join(parts)))


def _control(r: Requirement, children: dict[int | None, list[Requirement]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": token(r.ref_id),
        "class": r.kind,
        "title": r.title,
        "props": [{"name": "label", "value": r.ref_id}],
    }
    parts = []
    for name, text in (("statement", r.description), ("guidance", r.guidance), ("objective", r.objective)):
        if text:
            parts.append({"id": f"{token(r.ref_id)}_{name[:4]}", "name": name, "prose": text})
    if parts:
        out["parts"] = parts
    kids = [_control(c, children) for c in children.get(r.pk, [])]
    if kids:
        out["controls"] = kids
    return out


def catalog(framework: Framework) -> dict[str, Any]:
    reqs = list(Requirement.objects.filter(framework=framework).order_by("order"))
    children: dict[int | None, list[Requirement]] = {}
    for r in reqs:
        children.setdefault(r.parent_id, []).append(r)
    groups, controls = [], []
    for top in children.get(None, []):
        if children.get(top.pk):
            groups.append(
                {
                    "id": token(top.ref_id),
                    "class": top.kind,
                    "title": f"{top.ref_id} {top.title}",
                    "props": [{"name": "label", "value": top.ref_id}],
                    "controls": [_control(c, children) for c in children[top.pk]],
                }
            )
        else:
            controls.append(_control(top, children))
    body: dict[str, Any] = {
        "uuid": _uuid("catalog", framework.slug, framework.content_hash or str(framework.version_number)),
        "metadata": {
            "title": framework.full_title or framework.name,
            "last-modified": framework.loaded_at.isoformat(),
            "version": framework.version,
            "oscal-version": OSCAL_VERSION,
            "props": [{"name": "keywords", "value": framework.slug}],
            "remarks": f"{framework.licence}\n\nExported by AIMS.".strip(),
        },
    }
    if groups:
        body["groups"] = groups
    if controls:
        body["controls"] = controls
    return {"catalog": body}


def soa_plan(soa: SoA, entries: list[Any]) -> dict[str, Any]:
    """The SoA as an OSCAL system security plan's control implementation (one implemented requirement
    per Annex A control, with applicability, justification and status as props)."""
    org = soa.organization
    status_map = {
        "implemented": "implemented",
        "partial": "partial",
        "planned": "planned",
        "not_started": "planned",
    }
    reqs = []
    for e in entries:
        props = [
            {"name": "label", "value": e.requirement.ref_id},
            {
                "name": "applicable",
                "ns": NS,
                "value": "unknown" if e.applicable is None else ("yes" if e.applicable else "no"),
            },
        ]
        state = (
            "not-applicable" if e.applicable is False else status_map.get(e.implementation_status, "planned")
        )
        props.append({"name": "implementation-status", "value": state})
        item: dict[str, Any] = {
            "uuid": _uuid("soa", str(soa.pk), e.requirement.ref_id),
            "control-id": token(e.requirement.ref_id),
            "props": props,
            "remarks": e.justification or "",
        }
        controls = list(e.controls.all())
        if controls:
            item["statements"] = [
                {
                    "statement-id": f"{token(e.requirement.ref_id)}_smt",
                    "uuid": _uuid("soa", str(soa.pk), e.requirement.ref_id, "smt"),
                    "by-components": [
                        {
                            "component-uuid": _uuid("control", str(org.pk), c.ref),
                            "uuid": _uuid("soa", str(soa.pk), e.requirement.ref_id, c.ref),
                            "description": f"{c.ref} {c.name}: {c.description}".strip(),
                            "props": [
                                {
                                    "name": "implementation-status",
                                    "value": "implemented" if c.status == "implemented" else "planned",
                                }
                            ],
                        }
                        for c in controls
                    ],
                }
            ]
        reqs.append(item)
    return {
        "system-security-plan": {
            "uuid": _uuid("soa", str(soa.pk), str(soa.version)),
            "metadata": {
                "title": f"Statement of Applicability v{soa.number} — {org.name}",
                "last-modified": (soa.approved_at or soa.updated_at or timezone.now()).isoformat(),
                "version": str(soa.number),
                "oscal-version": OSCAL_VERSION,
                "props": [{"name": "status", "ns": NS, "value": soa.status}],
            },
            "import-profile": {"href": f"/api/v1/frameworks/{soa.framework.slug}/oscal"},
            "system-characteristics": {
                "system-ids": [{"id": f"aims-{org.slug}"}],
                "system-name": f"{org.name} AI management system",
                "description": "The AI management system within the scope of the organization's ISO/IEC 42001 certification.",
                "status": {"state": "operational"},
                "system-information": {
                    "information-types": [{"title": "AI systems", "description": "AI systems in scope."}]
                },
                "authorization-boundary": {"description": "The AIMS scope (clause 4.3)."},
            },
            "system-implementation": {
                "users": [{"uuid": _uuid("org", str(org.pk)), "title": org.name}],
                "components": [
                    {
                        "uuid": _uuid("org", str(org.pk), "this-system"),
                        "type": "this-system",
                        "title": org.name,
                        "description": "The organization.",
                        "status": {"state": "operational"},
                    }
                ],
            },
            "control-implementation": {
                "description": "Statement of Applicability (ISO/IEC 42001 clause 6.1.3 d).",
                "implemented-requirements": reqs,
            },
        }
    }
