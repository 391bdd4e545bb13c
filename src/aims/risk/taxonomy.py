"""Built-in data of the risk area: the default methods (3x3, 4x4, 5x5), the colour palette, the
ISO/IEC 42001 Annex C objectives and risk sources, the nine named AI risks mapped to them, and the
impact areas of an impact assessment. Plain data, no Django models, so tests and docs can read it.

The mapping of the nine risks follows `reference/standards.md` §7 (seed risk list → Annex C).
Descriptions are our own wording; no ISO text is reproduced."""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext_lazy as _

# --- ISO/IEC 42001 Annex C (informative): numbers and titles ----------------------------------------

ANNEX_C_OBJECTIVES: dict[str, str] = {
    "C.2.1": "Accountability",
    "C.2.2": "AI expertise",
    "C.2.3": "Availability and quality of training and test data",
    "C.2.4": "Environmental impact",
    "C.2.5": "Fairness",
    "C.2.6": "Maintainability",
    "C.2.7": "Privacy",
    "C.2.8": "Robustness",
    "C.2.9": "Safety",
    "C.2.10": "Security",
    "C.2.11": "Transparency and explainability",
}

ANNEX_C_SOURCES: dict[str, str] = {
    "C.3.1": "Complexity of environment",
    "C.3.2": "Lack of transparency and explainability",
    "C.3.3": "Level of automation",
    "C.3.4": "Risk sources related to machine learning",
    "C.3.5": "System hardware issues",
    "C.3.6": "System life cycle issues",
    "C.3.7": "Technology readiness",
}

# --- the nine named AI risks (reference §7) ---------------------------------------------------------
# key -> name, description (ours), Annex C objectives, Annex C risk sources, 42001 Annex A controls,
# EU AI Act articles. The controls are catalog ids the compliance app resolves to its controls.

BUILTIN_CATEGORIES: list[dict[str, Any]] = [
    {
        "key": "bias",
        "name": "Bias and discrimination",
        "description": "The system treats people or groups unequally without a legitimate reason, for example "
        "because its training data under-represents them or encodes past unfair decisions.",
        "objectives": ["C.2.5", "C.2.3"],
        "sources": ["C.3.4", "C.3.3"],
        "controls": ["A.5.4", "A.5.5", "A.7.4"],
        "ai_act": "Art. 10(2)(f)-(g), 10(3)-(5); 15(4); 27; 5(1)(c),(g); GDPR 9, 22",
    },
    {
        "key": "transparency",
        "name": "Lack of transparency",
        "description": "People cannot tell that AI is involved, or cannot understand or contest how an output "
        "was reached.",
        "objectives": ["C.2.11", "C.2.1"],
        "sources": ["C.3.2"],
        "controls": ["A.8.2", "A.8.5", "A.6.2.7"],
        "ai_act": "Art. 13, 50, 26(11), 86; GDPR 13-15, 22",
    },
    {
        "key": "privacy",
        "name": "Privacy",
        "description": "Personal data is collected, inferred, kept or disclosed beyond what is lawful, necessary "
        "or expected, in training or in use.",
        "objectives": ["C.2.7"],
        "sources": ["C.3.4"],
        "controls": ["A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.2.3"],
        "ai_act": "Art. 10(5), 26(9), 27(4), 59; GDPR 5, 6, 9, 25, 30, 35",
    },
    {
        "key": "security",
        "name": "Security",
        "description": "Attackers poison data, steal or manipulate the model, or abuse its inputs and outputs; "
        "hardware or infrastructure fails or is compromised.",
        "objectives": ["C.2.10"],
        "sources": ["C.3.4", "C.3.5"],
        "controls": ["A.6.2.4", "A.6.2.6", "A.4.5"],
        "ai_act": "Art. 15(5); 55(1)(d)",
    },
    {
        "key": "performance",
        "name": "Performance",
        "description": "The system is less accurate than declared, or degrades over time as data and "
        "conditions drift away from what it was built on.",
        "objectives": ["C.2.8", "C.2.6", "C.2.3"],
        "sources": ["C.3.1", "C.3.6"],
        "controls": ["A.6.2.4", "A.6.2.6"],
        "ai_act": "Art. 15(1)-(3); 9(6)-(8); 72",
    },
    {
        "key": "accountability",
        "name": "Accountability",
        "description": "Nobody clearly owns the system's outcomes, human oversight is missing or ineffective, or "
        "the people involved lack the competence to intervene.",
        "objectives": ["C.2.1", "C.2.2"],
        "sources": ["C.3.3"],
        "controls": ["A.3.2", "A.3.3", "A.10.2"],
        "ai_act": "Art. 14; 16; 17(1)(m); 25; 26(2); 4",
    },
    {
        "key": "robustness",
        "name": "Robustness",
        "description": "The system fails badly on unexpected, noisy or adversarial inputs, or has no safe "
        "behaviour when something goes wrong.",
        "objectives": ["C.2.8", "C.2.9"],
        "sources": ["C.3.1", "C.3.5", "C.3.7"],
        "controls": ["A.6.2.4", "A.6.2.8"],
        "ai_act": "Art. 15(4); 9",
    },
    {
        "key": "fitting",
        "name": "Overfitting or underfitting",
        "description": "The model learned its training data too closely or too loosely, so it does not "
        "generalise to the people and cases it meets in use.",
        "objectives": ["C.2.3", "C.2.8"],
        "sources": ["C.3.4"],
        "controls": ["A.6.2.4", "A.7.4"],
        "ai_act": "Art. 10(3); 15(1)-(3); 9(8)",
    },
    {
        "key": "unsafe_deployment",
        "name": "Deployment of unsafe or unfair systems",
        "description": "A system goes live, or stays live, without evidence that it is safe and fair enough for "
        "its intended use.",
        "objectives": ["C.2.9", "C.2.5"],
        "sources": ["C.3.7", "C.3.6"],
        "controls": ["A.6.2.5", "A.9.4"],
        "ai_act": "Art. 5; 9; 16(f), 43; 20; 26(5); 79",
    },
]
BUILTIN_KEYS = [c["key"] for c in BUILTIN_CATEGORIES]

# --- impact assessment areas (A.5.4 individuals and groups, A.5.5 society) -------------------------

IMPACT_AREAS: list[tuple[str, Any]] = [
    ("fundamental_rights", _("Fundamental rights")),
    ("fairness", _("Fairness and non-discrimination")),
    ("safety_health", _("Safety and health")),
    ("privacy", _("Privacy")),
    ("autonomy", _("Autonomy and human agency")),
    ("environment", _("Environment")),
    ("economy", _("Economy and employment")),
    ("democracy", _("Democracy and public discourse")),
]
# Which register category a significant impact feeds (documented in docs/risk.md).
AREA_CATEGORY = {
    "fundamental_rights": "unsafe_deployment",
    "fairness": "bias",
    "safety_health": "unsafe_deployment",
    "privacy": "privacy",
    "autonomy": "transparency",
    "environment": "accountability",
    "economy": "accountability",
    "democracy": "transparency",
}

# --- colours: each level picks one; the stylesheet has a class per colour (no inline styles) --------

COLOURS: list[tuple[str, Any]] = [
    ("green", _("Green")),
    ("yellow", _("Yellow")),
    ("amber", _("Amber")),
    ("orange", _("Orange")),
    ("red", _("Red")),
    ("darkred", _("Dark red")),
    ("blue", _("Blue")),
    ("purple", _("Purple")),
    ("grey", _("Grey")),
]
COLOUR_KEYS = [c for c, _label in COLOURS]

# --- default methods ------------------------------------------------------------------------------

DEFAULT_LEVELS: list[dict[str, Any]] = [
    {
        "key": "low",
        "name": "Low",
        "colour": "green",
        "review_months": 12,
        "description": "Acceptable as it is; keep an eye on it.",
    },
    {
        "key": "medium",
        "name": "Medium",
        "colour": "yellow",
        "review_months": 6,
        "description": "Acceptable with existing controls; improve when it is cheap to do so.",
    },
    {
        "key": "high",
        "name": "High",
        "colour": "orange",
        "review_months": 3,
        "description": "Not acceptable without treatment or a decision by top management.",
    },
    {
        "key": "critical",
        "name": "Critical",
        "colour": "darkred",
        "review_months": 1,
        "description": "Stop or restrict the activity until the risk is treated.",
    },
]

LIKELIHOOD_SCALES: dict[int, list[dict[str, str]]] = {
    3: [
        {"name": "Unlikely", "description": "Not expected in the life of the system."},
        {"name": "Possible", "description": "Could happen now and then (about once a year)."},
        {"name": "Likely", "description": "Expected to happen, possibly often."},
    ],
    4: [
        {"name": "Rare", "description": "Only in exceptional circumstances."},
        {"name": "Unlikely", "description": "Could happen, but not expected (once in several years)."},
        {"name": "Likely", "description": "Will probably happen (about once a year)."},
        {"name": "Almost certain", "description": "Expected to happen often (monthly or more)."},
    ],
    5: [
        {"name": "Rare", "description": "Only in exceptional circumstances (less than once in 10 years)."},
        {"name": "Unlikely", "description": "Not expected, but possible (once in 3 to 10 years)."},
        {"name": "Possible", "description": "Might happen now and then (once in 1 to 3 years)."},
        {"name": "Likely", "description": "Will probably happen (about once a year)."},
        {"name": "Almost certain", "description": "Expected to happen often (several times a year or more)."},
    ],
}

IMPACT_SCALES: dict[int, list[dict[str, str]]] = {
    3: [
        {"name": "Minor", "description": "Small inconvenience, easily put right."},
        {
            "name": "Moderate",
            "description": "Real harm to some people or to the organization, reversible with effort.",
        },
        {
            "name": "Severe",
            "description": "Serious or irreversible harm to people, rights or the organization.",
        },
    ],
    4: [
        {"name": "Minor", "description": "Small inconvenience, easily put right."},
        {"name": "Moderate", "description": "Noticeable harm to a few people, reversible."},
        {"name": "Major", "description": "Significant harm to many people or a breach of law."},
        {"name": "Severe", "description": "Serious or irreversible harm to people, rights or society."},
    ],
    5: [
        {"name": "Negligible", "description": "No noticeable effect on people or the organization."},
        {"name": "Minor", "description": "Small inconvenience to a few people, easily put right."},
        {
            "name": "Moderate",
            "description": "Noticeable harm to some people or a minor breach, reversible with effort.",
        },
        {
            "name": "Major",
            "description": "Significant harm to many people, a breach of law or of fundamental rights.",
        },
        {
            "name": "Severe",
            "description": "Serious or irreversible harm to health, safety, rights or society.",
        },
    ],
}

# matrix[likelihood - 1][impact - 1] -> level key
_L, _M, _H, _C = "low", "medium", "high", "critical"
DEFAULT_MATRICES: dict[int, list[list[str]]] = {
    3: [
        [_L, _L, _M],
        [_L, _M, _H],
        [_M, _H, _C],
    ],
    4: [
        [_L, _L, _M, _M],
        [_L, _M, _M, _H],
        [_M, _M, _H, _C],
        [_M, _H, _C, _C],
    ],
    5: [
        [_L, _L, _L, _M, _M],
        [_L, _L, _M, _M, _H],
        [_L, _M, _M, _H, _H],
        [_M, _M, _H, _H, _C],
        [_M, _H, _H, _C, _C],
    ],
}

TREATMENT_OPTIONS = ["mitigate", "avoid", "transfer", "accept"]


def default_method(size: int = 5) -> dict[str, Any]:
    """The field values of a fresh method of the given size (a deep copy: safe to edit)."""
    return copy.deepcopy(
        {
            "name": "AI risk method",
            "size": size,
            "likelihood_scale": LIKELIHOOD_SCALES[size],
            "impact_scale": IMPACT_SCALES[size],
            "levels": DEFAULT_LEVELS,
            "matrix": DEFAULT_MATRICES[size],
            "appetite": "medium",
            "acceptance_roles": ["risk_team", "ai_manager", "cio_cdo", "top_management"],
            "above_appetite_roles": ["top_management"],
            "treatment_options": TREATMENT_OPTIONS,
            "impact_feed_level": "high",
        }
    )
