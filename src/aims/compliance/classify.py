"""The EU AI Act classification engine: questionnaire answers in, tier, reasoning, article citations
and obligations out. Pure Python over the catalog (`catalog_files`), no Django, so it is tested on a
table of described systems and reused by the UI, the API and the CLI.

The order of the questions is the order of the law:
1. Is it an AI system at all (Art. 3(1))? Is a general-purpose AI model involved (Art. 3(63), 51)?
2. Prohibited practices (Art. 5(1)(a)-(h), and the Digital Omnibus addition once it applies).
3. High risk through Annex I products (Art. 6(1)) or an Annex III use case (Art. 6(2)); for Annex III,
   the Art. 6(3) derogation, which never applies to a system that profiles natural persons.
4. Transparency triggers (Art. 50(1)-(4)).
5. Otherwise minimal risk.
The tier is the most severe that applies; the GPAI obligations (Art. 53, 55) come on top of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .catalog_files import Catalog, load_catalog

ACT_SLUG = "eu-ai-act-2024-1689"

PROHIBITED = {
    "a": "Art. 5(1)(a)",
    "b": "Art. 5(1)(b)",
    "c": "Art. 5(1)(c)",
    "d": "Art. 5(1)(d)",
    "e": "Art. 5(1)(e)",
    "f": "Art. 5(1)(f)",
    "g": "Art. 5(1)(g)",
    "h": "Art. 5(1)(h)",
    "omnibus": "Art. 5(1)(omnibus)",
}
DEROGATION = {"a": "Art. 6(3)(a)", "b": "Art. 6(3)(b)", "c": "Art. 6(3)(c)", "d": "Art. 6(3)(d)"}
TRANSPARENCY = {
    "interacts_with_people": ("Art. 50(1)", "provider"),
    "generates_synthetic_content": ("Art. 50(2)", "provider"),
    "emotion_or_biometric_categorisation": ("Art. 50(3)", "deployer"),
    "deepfake_or_public_text": ("Art. 50(4)", "deployer"),
}
ROLES = ("provider", "deployer", "importer", "distributor")
TIERS = ("not_ai_system", "prohibited", "high", "limited", "minimal")
# The system's tier in AIMS's inventory (AISystem.RiskTier) for each result.
INVENTORY_TIER = {
    "not_ai_system": "minimal",
    "prohibited": "prohibited",
    "high": "high",
    "limited": "limited",
    "minimal": "minimal",
}
# The catalog's risk tier names.
CATALOG_TIER = {
    "prohibited": "prohibited",
    "high": "high_risk",
    "limited": "transparency",
    "minimal": "minimal",
}

# Obligations the catalog lists that hold only in some situations.
NOT_OBLIGATIONS = {"Art. 95", "Art. 53(2)", "Art. 10(5)", "Art. 22"}


def annex_iii_points(catalog: Catalog | None = None) -> list[tuple[str, str, str]]:
    """(key, ref, title) for each Annex III point, and for areas without points (2)."""
    catalog = catalog or load_catalog(ACT_SLUG)
    out = []
    for area in catalog.children("Annex III"):
        points = catalog.children(area.ref_id)
        if not points:
            out.append((area.ref_id.removeprefix("Annex III"), area.ref_id, area.title))
        for p in points:
            out.append((p.ref_id.removeprefix("Annex III"), p.ref_id, f"{area.title}: {p.title}"))
    return out


@dataclass
class Answers:
    """The questionnaire. Keys of `prohibited`, `annex_iii` and `derogation` are listed above
    (`annex_iii` keys look like "(5)(b)" or "(2)")."""

    is_ai_system: bool = True
    roles: list[str] = field(default_factory=lambda: ["deployer"])
    gpai_model: bool = False
    gpai_systemic_risk: bool = False
    prohibited: list[str] = field(default_factory=list)
    emotion_recognition_medical_or_safety: bool = False
    annex_i_product: bool = False
    annex_iii: list[str] = field(default_factory=list)
    derogation: list[str] = field(default_factory=list)
    profiling: bool = False
    transparency: list[str] = field(default_factory=list)
    public_body_or_public_service: bool = False
    placed_on_market_before: str = ""  # ISO date, for the conditional dates

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answers:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def errors(self, catalog: Catalog | None = None) -> dict[str, str]:
        """Field -> message for answers that make no sense (unknown keys, roles)."""
        catalog = catalog or load_catalog(ACT_SLUG)
        out: dict[str, str] = {}
        if not isinstance(self.roles, list) or not self.roles or any(r not in ROLES for r in self.roles):
            out["roles"] = f"Choose at least one of: {', '.join(ROLES)}"
        if any(k not in PROHIBITED for k in self.prohibited):
            out["prohibited"] = f"Unknown practice; choose from: {', '.join(PROHIBITED)}"
        points = {k for k, _r, _t in annex_iii_points(catalog)}
        if any(k not in points for k in self.annex_iii):
            out["annex_iii"] = f"Unknown Annex III point; choose from: {', '.join(sorted(points))}"
        if any(k not in DEROGATION for k in self.derogation):
            out["derogation"] = f"Unknown Art. 6(3) condition; choose from: {', '.join(DEROGATION)}"
        if any(k not in TRANSPARENCY for k in self.transparency):
            out["transparency"] = f"Unknown trigger; choose from: {', '.join(TRANSPARENCY)}"
        if self.gpai_systemic_risk and not self.gpai_model:
            out["gpai_systemic_risk"] = (
                "Only a general-purpose AI model can have systemic risk: tick gpai_model too."
            )
        if self.placed_on_market_before:
            try:
                dt.date.fromisoformat(self.placed_on_market_before)
            except ValueError:
                out["placed_on_market_before"] = "Give a date as YYYY-MM-DD."
        return out


@dataclass
class Result:
    tier: str
    gpai: str = ""  # "", "gpai" or "gpai_systemic_risk"
    reasoning: list[dict[str, Any]] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    annex: str = ""  # "annex_i", "annex_iii" or "" for a high-risk system

    @property
    def inventory_tier(self) -> str:
        return INVENTORY_TIER[self.tier]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "gpai": self.gpai,
            "reasoning": self.reasoning,
            "citations": self.citations,
            "obligations": self.obligations,
        }


def _cite(result: Result, step: str, text: str, *refs: str) -> None:
    result.reasoning.append({"step": step, "text": text, "citations": list(refs)})
    for ref in refs:
        if ref not in result.citations:
            result.citations.append(ref)


def classify(
    answers: Answers | dict[str, Any], *, catalog: Catalog | None = None, amendments: list[str] | None = None
) -> Result:
    """Classify one AI system. ``amendments`` names amendments to apply to the dates (None: those in
    force according to the catalog)."""
    catalog = catalog or load_catalog(ACT_SLUG)
    a = answers if isinstance(answers, Answers) else Answers.from_dict(answers)
    if not a.is_ai_system and not a.gpai_model:
        r = Result("not_ai_system")
        _cite(
            r,
            "scope",
            "It does not meet the definition of an AI system (no inference from inputs to outputs with some "
            "autonomy), so the AI Act does not apply to it. Record why, and check again if it changes.",
            "Art. 3(1)",
        )
        return r

    if a.gpai_model:
        gpai = "gpai_systemic_risk" if a.gpai_systemic_risk else "gpai"
    else:
        gpai = ""

    # 2. prohibited practices
    practices = [k for k in a.prohibited if k in PROHIBITED]
    if "f" in practices and a.emotion_recognition_medical_or_safety:
        practices.remove("f")  # the medical or safety exception of Art. 5(1)(f)
    if practices:
        r = Result("prohibited", gpai=gpai)
        for k in practices:
            ref = PROHIBITED[k]
            title = catalog.get(ref).title if ref in catalog else ref
            _cite(
                r,
                "prohibited",
                f"{title}: this practice is prohibited; the system may not be placed on the market, "
                "put into service or used in the EU.",
                "Art. 5",
                ref,
            )
        if "omnibus" in practices:
            _cite(
                r,
                "prohibited",
                "The prohibition was added by the Digital Omnibus; check its application date.",
                "Art. 5(1)(omnibus)",
            )
        r.obligations = obligations(catalog, r, a, amendments=amendments)
        return r

    r = Result("minimal", gpai=gpai)
    if "f" in a.prohibited and a.emotion_recognition_medical_or_safety:
        _cite(
            r,
            "prohibited",
            "Emotion recognition at work or in education is prohibited, except for medical or safety "
            "reasons, which apply here.",
            "Art. 5(1)(f)",
        )

    # 3. high risk
    if a.annex_i_product:
        r.tier, r.annex = "high", "annex_i"
        _cite(
            r,
            "annex_i",
            "It is a safety component of, or itself, a product covered by the Union harmonisation "
            "legislation of Annex I that needs a third-party conformity assessment: high risk.",
            "Art. 6(1)",
        )
    points = [(k, ref, title) for k, ref, title in annex_iii_points(catalog) if k in a.annex_iii]
    if points:
        for _k, ref, title in points:
            _cite(r, "annex_iii", f"Annex III use case: {title}.", "Art. 6(2)", ref)
        conditions = [DEROGATION[k] for k in a.derogation if k in DEROGATION]
        if a.profiling:
            if r.tier != "high":
                r.tier, r.annex = "high", "annex_iii"
            _cite(
                r,
                "profiling",
                "It profiles natural persons, so it is always high risk: the Art. 6(3) derogation "
                "cannot apply.",
                "Art. 6(3), profiling",
            )
        elif conditions:
            _cite(
                r,
                "derogation",
                "It does not pose a significant risk of harm because it only performs the task(s) "
                "cited, so it is not high risk; the provider documents this assessment before placing it on the "
                "market and registers the system.",
                "Art. 6(3)",
                *conditions,
                "Art. 6(4)",
                "Art. 49(2)",
            )
            r.annex = r.annex or "derogation"
        else:
            if r.tier != "high":
                r.tier, r.annex = "high", "annex_iii"
            _cite(r, "annex_iii", "No Art. 6(3) condition applies: high risk.", "Art. 6(2)")

    # 4. transparency
    triggers = [k for k in a.transparency if k in TRANSPARENCY]
    for k in triggers:
        ref, _role = TRANSPARENCY[k]
        title = catalog.get(ref).title if ref in catalog else ref
        _cite(r, "transparency", f"Transparency duty: {title}.", "Art. 50", ref)
    if r.tier == "minimal" and triggers:
        r.tier = "limited"

    if r.tier == "minimal":
        _cite(
            r,
            "minimal",
            "No prohibited practice, no high-risk use and no transparency trigger: minimal risk. Only AI "
            "literacy applies; voluntary codes of conduct are encouraged.",
            "Art. 4",
            "Art. 95",
        )

    # GPAI
    if gpai:
        if gpai == "gpai_systemic_risk":
            _cite(
                r,
                "gpai",
                "It is a general-purpose AI model with systemic risk (training compute above 10^25 FLOP or "
                "designated by the Commission): the Art. 53 and Art. 55 duties apply.",
                "Art. 51",
                "Art. 53",
                "Art. 55",
            )
        else:
            _cite(
                r,
                "gpai",
                "It is a general-purpose AI model: its provider has the Art. 53 duties.",
                "Art. 51",
                "Art. 53",
            )

    r.obligations = obligations(catalog, r, a, amendments=amendments)
    return r


def _applies(ref: str, a: Answers, r: Result, role: str) -> bool:
    """Refinements the catalog's role and tier tags cannot express."""
    if ref in NOT_OBLIGATIONS:
        return False
    public = a.public_body_or_public_service
    if ref.startswith("Art. 27"):
        return public or bool({"(5)(b)", "(5)(c)"} & set(a.annex_iii))
    if ref in ("Art. 26(8)", "Art. 49(3)"):
        return public
    if ref == "Art. 26(10)":
        return "(1)(a)" in a.annex_iii
    if ref == "Art. 43(1)":
        return any(k.startswith("(1)") for k in a.annex_iii)
    if ref == "Art. 43(2)":
        return any(not k.startswith("(1)") for k in a.annex_iii)
    if ref.startswith("Art. 50("):
        wanted = {TRANSPARENCY[k][0] for k in a.transparency if k in TRANSPARENCY}
        return ref in wanted
    if ref == "Art. 50":
        return any(TRANSPARENCY[k][1] == role for k in a.transparency if k in TRANSPARENCY)
    if ref == "Art. 49" and role == "deployer":
        return public
    if ref in ("Art. 49(2)", "Art. 6(4)"):
        return False  # only through the derogation, added below
    return True


def _date(catalog: Catalog, ref: str, r: Result, amendments: list[str] | None) -> tuple[str | None, str]:
    if (
        r.annex == "annex_i"
        and r.tier == "high"
        and catalog.inherited(ref, "applies_from") == "annex-iii-high-risk"
    ):
        d = catalog.effective_date("annex-i-high-risk", ref_id=ref, amendments=amendments)
    else:
        d = catalog.requirement_date(ref, amendments=amendments)
    return (d.date.isoformat(), d.label) if d else (None, "")


def obligations(
    catalog: Catalog, r: Result, a: Answers, *, amendments: list[str] | None = None
) -> list[dict[str, Any]]:
    """The duties for the tier and the organization's roles, with the dates they apply from."""
    tiers = []
    if r.tier in CATALOG_TIER:
        tiers.append(CATALOG_TIER[r.tier])
    if r.tier == "high" and a.transparency:
        tiers.append("transparency")
    if r.gpai:
        tiers.append(r.gpai)
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    roles = [x for x in a.roles if x in ROLES] or ["deployer"]
    for role in roles:
        for tier in tiers:
            if tier in ("gpai", "gpai_systemic_risk") and role != "provider":
                continue
            for req in catalog.obligations(role=role, tier=tier):
                if req.ref_id in ("Art. 5",) and r.tier != "prohibited":
                    continue
                if tier == "transparency" and not req.ref_id.startswith(("Art. 50", "Art. 4")):
                    if r.tier == "high":
                        continue
                if not _applies(req.ref_id, a, r, role) or (req.ref_id, role) in seen:
                    continue
                seen.add((req.ref_id, role))
                date, label = _date(catalog, req.ref_id, r, amendments)
                out.append(
                    {
                        "ref_id": req.ref_id,
                        "title": req.title,
                        "role": role,
                        "applies_from": date,
                        "date_label": label,
                        "deadline_days": req.deadline_days,
                    }
                )
    if r.tier == "prohibited":
        for k in a.prohibited:
            ref = PROHIBITED.get(k)
            if ref and (ref, "all") not in seen:
                seen.add((ref, "all"))
                date, label = _date(catalog, ref, r, amendments)
                out.append(
                    {
                        "ref_id": ref,
                        "title": catalog.get(ref).title,
                        "role": ",".join(roles),
                        "applies_from": date,
                        "date_label": label,
                        "deadline_days": None,
                    }
                )
    if r.annex == "derogation" and "provider" in roles:
        for ref in ("Art. 6(4)", "Art. 49(2)"):
            date, label = _date(catalog, "Art. 6", r, amendments)
            out.append(
                {
                    "ref_id": ref,
                    "title": catalog.get(ref).title,
                    "role": "provider",
                    "applies_from": date,
                    "date_label": label,
                    "deadline_days": None,
                }
            )
    order = {req.ref_id: i for i, req in enumerate(catalog.requirements)}
    out.sort(key=lambda o: (order.get(o["ref_id"], 0), o["role"]))
    return out
