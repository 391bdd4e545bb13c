"""The framework catalogs and crosswalks shipped as data files, checked against the facts.

The expected numbers and titles are written out here as literals (copied from the project's reference
notes on the standards), so the tests run from a plain clone. They need no database.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from aims.compliance import catalog_files as cf
from aims.compliance.catalog_files import (
    CatalogError,
    list_catalog_files,
    list_crosswalk_files,
    load_catalog,
    load_catalog_file,
    load_crosswalk,
    requirement_to_dict,
    validate_catalog,
    validate_crosswalk,
)

ISO42001 = "iso-iec-42001-2023"
NIST = "nist-ai-rmf-1-0"
AI_ACT = "eu-ai-act-2024-1689"
GDPR = "gdpr-2016-679"
CCPA = "ccpa-cpra-admt"
ISO27001 = "iso-iec-27001-2022"
ISO27701 = "iso-iec-27701-2019"
ISO27701_2025 = "iso-iec-27701-2025"
ALL_CATALOGS = {ISO42001, NIST, AI_ACT, GDPR, CCPA, ISO27001, ISO27701, ISO27701_2025}

# --------------------------------------------------------------------------------------------------
# Facts: ISO/IEC 42001:2023

ISO42001_CLAUSES = {
    "4": "Context of the organization",
    "4.1": "Understanding the organization and its context",
    "4.2": "Understanding the needs and expectations of interested parties",
    "4.3": "Determining the scope of the AI management system",
    "4.4": "AI management system",
    "5": "Leadership",
    "5.1": "Leadership and commitment",
    "5.2": "AI policy",
    "5.3": "Roles, responsibilities and authorities",
    "6": "Planning",
    "6.1": "Actions to address risks and opportunities",
    "6.1.1": "General",
    "6.1.2": "AI risk assessment",
    "6.1.3": "AI risk treatment",
    "6.1.4": "AI system impact assessment",
    "6.2": "AI objectives and planning to achieve them",
    "6.3": "Planning of changes",
    "7": "Support",
    "7.1": "Resources",
    "7.2": "Competence",
    "7.3": "Awareness",
    "7.4": "Communication",
    "7.5": "Documented information",
    "7.5.1": "General",
    "7.5.2": "Creating and updating documented information",
    "7.5.3": "Control of documented information",
    "8": "Operation",
    "8.1": "Operational planning and control",
    "8.2": "AI risk assessment",
    "8.3": "AI risk treatment",
    "8.4": "AI system impact assessment",
    "9": "Performance evaluation",
    "9.1": "Monitoring, measurement, analysis and evaluation",
    "9.2": "Internal audit",
    "9.2.1": "General",
    "9.2.2": "Internal audit programme",
    "9.3": "Management review",
    "9.3.1": "General",
    "9.3.2": "Management review inputs",
    "9.3.3": "Management review results",
    "10": "Improvement",
    "10.1": "Continual improvement",
    "10.2": "Nonconformity and corrective action",
}

# The units a gap assessment scores (sub-clauses with content of their own).
ISO42001_ASSESSABLE_CLAUSES = [
    "4.1",
    "4.2",
    "4.3",
    "4.4",
    "5.1",
    "5.2",
    "5.3",
    "6.1.1",
    "6.1.2",
    "6.1.3",
    "6.1.4",
    "6.2",
    "6.3",
    "7.1",
    "7.2",
    "7.3",
    "7.4",
    "7.5",
    "8.1",
    "8.2",
    "8.3",
    "8.4",
    "9.1",
    "9.2",
    "9.3",
    "10.1",
    "10.2",
]

# Documented information the standard itself makes mandatory (bold "M" in the reference notes).
ISO42001_MANDATORY_DI_CLAUSES = {
    "4.3",
    "5.2",
    "6.1.2",
    "6.1.3",
    "6.1.4",
    "6.2",
    "7.2",
    "8.1",
    "8.2",
    "8.3",
    "8.4",
    "9.1",
    "9.2",
    "9.3",
    "10.2",
}

ISO42001_OBJECTIVES = {
    "A.2": "Policies related to AI",
    "A.3": "Internal organization",
    "A.4": "Resources for AI systems",
    "A.5": "Assessing impacts of AI systems",
    "A.6": "AI system life cycle",
    "A.7": "Data for AI systems",
    "A.8": "Information for interested parties of AI systems",
    "A.9": "Use of AI systems",
    "A.10": "Third-party and customer relationships",
}
ISO42001_A6_GROUPS = {
    "A.6.1": "Management guidance for AI system development",
    "A.6.2": "AI system life cycle",
}

ISO42001_ANNEX_A = {
    "A.2.2": "AI policy",
    "A.2.3": "Alignment with other organizational policies",
    "A.2.4": "Review of the AI policy",
    "A.3.2": "AI roles and responsibilities",
    "A.3.3": "Reporting of concerns",
    "A.4.2": "Resource documentation",
    "A.4.3": "Data resources",
    "A.4.4": "Tooling resources",
    "A.4.5": "System and computing resources",
    "A.4.6": "Human resources",
    "A.5.2": "AI system impact assessment process",
    "A.5.3": "Documentation of AI system impact assessments",
    "A.5.4": "Assessing AI system impact on individuals or groups of individuals",
    "A.5.5": "Assessing societal impacts of AI systems",
    "A.6.1.2": "Objectives for responsible development of AI system",
    "A.6.1.3": "Processes for responsible AI system design and development",
    "A.6.2.2": "AI system requirements and specification",
    "A.6.2.3": "Documentation of AI system design and development",
    "A.6.2.4": "AI system verification and validation",
    "A.6.2.5": "AI system deployment",
    "A.6.2.6": "AI system operation and monitoring",
    "A.6.2.7": "AI system technical documentation",
    "A.6.2.8": "AI system recording of event logs",
    "A.7.2": "Data for development and enhancement of AI system",
    "A.7.3": "Acquisition of data",
    "A.7.4": "Quality of data for AI systems",
    "A.7.5": "Data provenance",
    "A.7.6": "Data preparation",
    "A.8.2": "System documentation and information for users",
    "A.8.3": "External reporting",
    "A.8.4": "Communication of incidents",
    "A.8.5": "Information for interested parties",
    "A.9.2": "Processes for responsible use of AI systems",
    "A.9.3": "Objectives for responsible use of AI system",
    "A.9.4": "Intended use of the AI system",
    "A.10.2": "Allocating responsibilities",
    "A.10.3": "Suppliers",
    "A.10.4": "Customers",
}

ISO42001_ANNEX_C_OBJECTIVES = {
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
ISO42001_ANNEX_C_RISK_SOURCES = {
    "C.3.1": "Complexity of environment",
    "C.3.2": "Lack of transparency and explainability",
    "C.3.3": "Level of automation",
    "C.3.4": "Risk sources related to machine learning",
    "C.3.5": "System hardware issues",
    "C.3.6": "System life cycle issues",
    "C.3.7": "Technology readiness",
}

# --------------------------------------------------------------------------------------------------
# Facts: NIST AI RMF 1.0 (subcategories per category)

NIST_CATEGORIES = {
    "GOVERN 1": 7,
    "GOVERN 2": 3,
    "GOVERN 3": 2,
    "GOVERN 4": 3,
    "GOVERN 5": 2,
    "GOVERN 6": 2,
    "MAP 1": 6,
    "MAP 2": 3,
    "MAP 3": 5,
    "MAP 4": 2,
    "MAP 5": 2,
    "MEASURE 1": 3,
    "MEASURE 2": 13,
    "MEASURE 3": 3,
    "MEASURE 4": 3,
    "MANAGE 1": 4,
    "MANAGE 2": 4,
    "MANAGE 3": 2,
    "MANAGE 4": 3,
}
NIST_FUNCTION_TOTALS = {"GOVERN": 19, "MAP": 18, "MEASURE": 22, "MANAGE": 13}

# --------------------------------------------------------------------------------------------------
# Facts: EU AI Act, GDPR, CCPA

AI_ACT_ARTICLES = {
    "Art. 4": "AI literacy",
    "Art. 5": "Prohibited AI practices",
    "Art. 6": "Classification rules for high-risk AI systems",
    "Art. 9": "Risk management system",
    "Art. 10": "Data and data governance",
    "Art. 11": "Technical documentation",
    "Art. 12": "Record-keeping",
    "Art. 13": "Transparency and provision of information to deployers",
    "Art. 14": "Human oversight",
    "Art. 15": "Accuracy, robustness and cybersecurity",
    "Art. 16": "Obligations of providers of high-risk AI systems",
    "Art. 17": "Quality management system",
    "Art. 23": "Obligations of importers",
    "Art. 24": "Obligations of distributors",
    "Art. 26": "Obligations of deployers of high-risk AI systems",
    "Art. 27": "Fundamental rights impact assessment for high-risk AI systems",
    "Art. 43": "Conformity assessment",
    "Art. 47": "EU declaration of conformity",
    "Art. 48": "CE marking",
    "Art. 49": "Registration",
    "Art. 50": "Transparency obligations for providers and deployers of certain AI systems",
    "Art. 53": "Obligations for providers of general-purpose AI models",
    "Art. 55": "Obligations of providers of general-purpose AI models with systemic risk",
    "Art. 72": "Post-market monitoring by providers and post-market monitoring plan for high-risk AI systems",
    "Art. 73": "Reporting of serious incidents",
}
AI_ACT_PROHIBITED = ["a", "b", "c", "d", "e", "f", "g", "h"]
AI_ACT_ANNEX_III_AREAS = {
    "1": ("Biometrics", 3),
    "2": ("Critical infrastructure", 0),
    "3": ("Education and vocational training", 4),
    "4": ("Employment, workers' management and access to self-employment", 2),
    "5": (
        "Access to and enjoyment of essential private services and essential public services and benefits",
        4,
    ),
    "6": ("Law enforcement", 5),
    "7": ("Migration, asylum and border control management", 4),
    "8": ("Administration of justice and democratic processes", 2),
}
AI_ACT_DATES = {
    "entry-into-force": dt.date(2024, 8, 1),
    "chapters-i-ii": dt.date(2025, 2, 2),
    "gpai-governance-penalties": dt.date(2025, 8, 2),
    "general-application": dt.date(2026, 8, 2),
    "annex-iii-high-risk": dt.date(2026, 8, 2),
    "transparency": dt.date(2026, 8, 2),
    "annex-i-high-risk": dt.date(2027, 8, 2),
    "gpai-legacy-models": dt.date(2027, 8, 2),
}
OMNIBUS_DATES = {
    "omnibus-annex-iii-high-risk": (dt.date(2027, 12, 2), "annex-iii-high-risk"),
    "omnibus-annex-i-high-risk": (dt.date(2028, 8, 2), "annex-i-high-risk"),
    "omnibus-marking-existing-systems": (dt.date(2026, 12, 2), "transparency"),
    "omnibus-new-prohibition": (dt.date(2026, 12, 2), None),
}

GDPR_ARTICLES = {
    "Art. 5": "Principles relating to processing of personal data",
    "Art. 6": "Lawfulness of processing",
    "Art. 9": "Processing of special categories of personal data",
    "Art. 13": "Information to be provided where personal data are collected from the data subject",
    "Art. 14": "Information to be provided where personal data have not been obtained from the data subject",
    "Art. 15": "Right of access by the data subject",
    "Art. 22": "Automated individual decision-making, including profiling",
    "Art. 25": "Data protection by design and by default",
    "Art. 30": "Records of processing activities",
    "Art. 35": "Data protection impact assessment",
    "Art. 36": "Prior consultation",
}

CCPA_SECTIONS = {
    "§ 7150": "When a Business Must Conduct a Risk Assessment",
    "§ 7151": "Stakeholder Involvement for Risk Assessments",
    "§ 7152": "Risk Assessment Requirements",
    "§ 7154": "Goal of a Risk Assessment",
    "§ 7155": "Timing and Retention Requirements for Risk Assessments",
    "§ 7157": "Submission of Risk Assessments to the Agency",
    "§ 7220": "Pre-use Notice Requirements",
    "§ 7221": "Requests to Opt-Out of ADMT",
    "§ 7222": "Requests to Access ADMT",
}

# --------------------------------------------------------------------------------------------------
# Facts: ISO/IEC 27001:2022 Annex A

ISO27001_THEMES = {
    "A.5": ("Organizational controls", 37),
    "A.6": ("People controls", 8),
    "A.7": ("Physical controls", 14),
    "A.8": ("Technological controls", 34),
}
ISO27001_ANNEX_A = {
    "A.5.1": "Policies for information security",
    "A.5.2": "Information security roles and responsibilities",
    "A.5.3": "Segregation of duties",
    "A.5.4": "Management responsibilities",
    "A.5.5": "Contact with authorities",
    "A.5.6": "Contact with special interest groups",
    "A.5.7": "Threat intelligence",
    "A.5.8": "Information security in project management",
    "A.5.9": "Inventory of information and other associated assets",
    "A.5.10": "Acceptable use of information and other associated assets",
    "A.5.11": "Return of assets",
    "A.5.12": "Classification of information",
    "A.5.13": "Labelling of information",
    "A.5.14": "Information transfer",
    "A.5.15": "Access control",
    "A.5.16": "Identity management",
    "A.5.17": "Authentication information",
    "A.5.18": "Access rights",
    "A.5.19": "Information security in supplier relationships",
    "A.5.20": "Addressing information security within supplier agreements",
    "A.5.21": "Managing information security in the ICT supply chain",
    "A.5.22": "Monitoring, review and change management of supplier services",
    "A.5.23": "Information security for use of cloud services",
    "A.5.24": "Information security incident management planning and preparation",
    "A.5.25": "Assessment and decision on information security events",
    "A.5.26": "Response to information security incidents",
    "A.5.27": "Learning from information security incidents",
    "A.5.28": "Collection of evidence",
    "A.5.29": "Information security during disruption",
    "A.5.30": "ICT readiness for business continuity",
    "A.5.31": "Legal, statutory, regulatory and contractual requirements",
    "A.5.32": "Intellectual property rights",
    "A.5.33": "Protection of records",
    "A.5.34": "Privacy and protection of PII",
    "A.5.35": "Independent review of information security",
    "A.5.36": "Compliance with policies, rules and standards for information security",
    "A.5.37": "Documented operating procedures",
    "A.6.1": "Screening",
    "A.6.2": "Terms and conditions of employment",
    "A.6.3": "Information security awareness, education and training",
    "A.6.4": "Disciplinary process",
    "A.6.5": "Responsibilities after termination or change of employment",
    "A.6.6": "Confidentiality or non-disclosure agreements",
    "A.6.7": "Remote working",
    "A.6.8": "Information security event reporting",
    "A.7.1": "Physical security perimeters",
    "A.7.2": "Physical entry",
    "A.7.3": "Securing offices, rooms and facilities",
    "A.7.4": "Physical security monitoring",
    "A.7.5": "Protecting against physical and environmental threats",
    "A.7.6": "Working in secure areas",
    "A.7.7": "Clear desk and clear screen",
    "A.7.8": "Equipment siting and protection",
    "A.7.9": "Security of assets off-premises",
    "A.7.10": "Storage media",
    "A.7.11": "Supporting utilities",
    "A.7.12": "Cabling security",
    "A.7.13": "Equipment maintenance",
    "A.7.14": "Secure disposal or re-use of equipment",
    "A.8.1": "User end point devices",
    "A.8.2": "Privileged access rights",
    "A.8.3": "Information access restriction",
    "A.8.4": "Access to source code",
    "A.8.5": "Secure authentication",
    "A.8.6": "Capacity management",
    "A.8.7": "Protection against malware",
    "A.8.8": "Management of technical vulnerabilities",
    "A.8.9": "Configuration management",
    "A.8.10": "Information deletion",
    "A.8.11": "Data masking",
    "A.8.12": "Data leakage prevention",
    "A.8.13": "Information backup",
    "A.8.14": "Redundancy of information processing facilities",
    "A.8.15": "Logging",
    "A.8.16": "Monitoring activities",
    "A.8.17": "Clock synchronization",
    "A.8.18": "Use of privileged utility programs",
    "A.8.19": "Installation of software on operational systems",
    "A.8.20": "Networks security",
    "A.8.21": "Security of network services",
    "A.8.22": "Segregation of networks",
    "A.8.23": "Web filtering",
    "A.8.24": "Use of cryptography",
    "A.8.25": "Secure development life cycle",
    "A.8.26": "Application security requirements",
    "A.8.27": "Secure system architecture and engineering principles",
    "A.8.28": "Secure coding",
    "A.8.29": "Security testing in development and acceptance",
    "A.8.30": "Outsourced development",
    "A.8.31": "Separation of development, test and production environments",
    "A.8.32": "Change management",
    "A.8.33": "Test information",
    "A.8.34": "Protection of information systems during audit testing",
}

# --------------------------------------------------------------------------------------------------
# Facts: ISO/IEC 42001 -> NIST AI RMF categories (the NIST crosswalk, inverted, in the reference notes)

_FN = {"GOV": "GOVERN", "MAP": "MAP", "MEAS": "MEASURE", "MAN": "MANAGE"}


def _cats(spec: str) -> set[str]:
    """'GOV3-5, MAP1' -> {'GOVERN 3', 'GOVERN 4', 'GOVERN 5', 'MAP 1'} (ranges as in the notes)."""
    out = set()
    for tok in spec.split(","):
        m = re.fullmatch(r"(GOV|MAP|MEAS|MAN)(\d)(?:[-–](\d))?", tok.strip())
        assert m, tok
        lo, hi = int(m.group(2)), int(m.group(3) or m.group(2))
        out |= {f"{_FN[m.group(1)]} {i}" for i in range(lo, hi + 1)}
    return out


NIST_XW_CONTROLS = {
    "A.2.2": "GOV1, MAP4",
    "A.2.3": "MEAS2",
    "A.2.4": "GOV1",
    "A.3.2": "GOV2, GOV3, MEAS2",
    "A.3.3": "MAN2",
    "A.4.2": "GOV1, MAP2, MEAS2, MAN2",
    "A.4.3": "GOV1, MAP2",
    "A.4.4": "GOV1, MAP2, MAN3",
    "A.4.5": "GOV1, MAP2, MEAS2",
    "A.4.6": "GOV1, GOV3, MAP1-3",
    "A.5.2": "GOV4, MAP1, MAP3, MAP5, MEAS1-2",
    "A.5.3": "GOV3, GOV5, MAP1, MAP3, MAN1",
    "A.5.4": "GOV3-5, MAP1, MAP3, MEAS1-2, MEAS4, MAN1",
    "A.5.5": "GOV4-5, MAP1, MAP3, MEAS1-2, MEAS4",
    "A.6.1.2": "GOV1, GOV4, MEAS2, MAN2",
    "A.6.1.3": "GOV1, GOV3-5, MAP2-3, MAP5, MAN1-2",
    "A.6.2.2": "MAP1",
    "A.6.2.3": "MAP2, MEAS2",
    "A.6.2.4": "GOV4, MAP2, MEAS1-2, MEAS4, MAN1-2, MAN4",
    "A.6.2.5": "MEAS2",
    "A.6.2.6": "GOV1, GOV4, GOV5, MAP5, MEAS2-4, MAN2-4",
    "A.6.2.7": "GOV4, MAP2-4, MEAS2, MEAS4, MAN1-2",
    "A.6.2.8": "MEAS2, MEAS3",
    "A.7.2": "MAP2, MEAS2, MAN2",
    "A.7.3": "MAP2, MEAS2",
    "A.7.4": "MAP2, MEAS2",
    "A.7.5": "MAP2, MEAS2",
    "A.7.6": "MAP2",
    "A.8.2": "GOV4, MAP2-4, MEAS2-4, MAN1-2",
    "A.8.3": "GOV4, GOV5, MAP5, MEAS3-4, MAN4",
    "A.8.4": "GOV4, MEAS2, MEAS3",
    "A.8.5": "GOV4, MAN4",
    "A.9.2": "GOV4, MAP4, MAN1",
    "A.9.3": "GOV1, GOV3, GOV4, MAP2, MEAS2, MAN1",
    "A.9.4": "MAP1, MAP4, MAN1-2",
    "A.10.2": "GOV6, MAN3",
    "A.10.3": "GOV1, GOV4, GOV6, MAP4, MAN3",
    "A.10.4": "GOV5, MAP1, MAN4",
}
NIST_XW_CLAUSES = {
    "6.1.1": "GOV1, MAP1, MAP5, MEAS1-2, MAN1-2",
    "6.1.2": "GOV1, MAP1, MAP5, MEAS1-2, MAN1-2",
    "6.1.3": "GOV1, MAP1, MAP5, MEAS1-2, MAN1-2",
    "6.1.4": "GOV1, GOV4, MAP1, MAP3, MEAS3, MAN1",
    "8.4": "GOV1, GOV4, MAP1, MAP3, MEAS3, MAN1",
    "5.1": "GOV2",
    "5.2": "GOV2",
    "5.3": "GOV2",
    "7.1": "GOV2",
    "7.2": "GOV2",
    "7.3": "GOV2",
    "7.4": "GOV2",
    "7.5": "GOV2",
    "9.1": "GOV2, MEAS2, MEAS4",
    "9.3": "GOV2, MAN1, MAN4",
    "10.1": "MEAS3, MAN2",
    "10.2": "MEAS3, MAN2",
}
NIST_XW_SUBCATEGORY_HINTS = {
    "MEASURE 2.11": {"A.5.4", "A.5.5"},
    "MEASURE 2.10": {"A.5.2", "A.7.2", "A.7.3", "A.2.3"},
    "MANAGE 4.3": {"9.3.2", "A.8.5", "A.6.2.6"},
    "GOVERN 1.6": {"A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6"},
    "MAP 2.3": {"A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6", "A.6.2.4"},
}


# ==================================================================================================
# Every file


def test_every_shipped_catalog_is_present():
    assert {p.stem for p in list_catalog_files()} >= ALL_CATALOGS
    assert set(cf.list_catalogs()) >= ALL_CATALOGS


@pytest.mark.parametrize("path", list_catalog_files(), ids=lambda p: p.name)
def test_catalog_file_validates_and_is_named_after_its_slug(path: Path):
    catalog = load_catalog_file(path)
    assert catalog.slug == path.stem
    assert catalog.name and catalog.version and catalog.publisher and catalog.licence and catalog.description
    for r in catalog.requirements:
        assert r.title.strip() == r.title and r.title, r.ref_id
        if r.parent is not None:
            assert r.parent in catalog
            assert r.depth == catalog.get(r.parent).depth + 1
    assert catalog.assessable(), "a catalog needs something to assess"


@pytest.mark.parametrize("path", list_crosswalk_files(), ids=lambda p: p.name)
def test_crosswalk_file_refs_all_resolve(path: Path):
    xw = cf.load_crosswalk_file(path)
    source, target = load_catalog(xw.source), load_catalog(xw.target)
    assert xw.mappings
    for m in xw.mappings:
        assert m.source in source, m
        assert m.target in target, m
        assert m.relation in {"equal", "subset", "superset", "intersects"}
    for gap in xw.gaps:
        assert gap.ref in (source if gap.side == "source" else target)


def test_catalog_relations_name_existing_catalogs():
    for slug in cf.list_catalogs():
        for relation in load_catalog(slug).relations:
            assert relation.catalog in cf.list_catalogs(), (slug, relation)


def test_only_the_42001_catalog_describes_itself_as_42001():
    """The API lists frameworks with their descriptions; a client looking for '42001' must find one."""
    hits = [
        s
        for s in cf.list_catalogs()
        if "42001" in " ".join(str(v) for v in load_catalog(s).to_dict().values())
    ]
    assert hits == [ISO42001]


# ==================================================================================================
# ISO/IEC 42001


@pytest.fixture(scope="module")
def iso():
    return load_catalog(ISO42001)


def test_42001_clauses_and_titles(iso):
    clauses = {r.ref_id: r.title for r in iso.of_kind("clause", "subclause")}
    assert clauses == ISO42001_CLAUSES
    assert [r.ref_id for r in iso.roots() if r.kind == "clause"] == [str(n) for n in range(4, 11)]
    for ref in ISO42001_CLAUSES:
        if "." in ref:
            assert iso.get(ref).parent == ref.rsplit(".", 1)[0]


def test_42001_assessable_units_are_the_subclauses_and_the_38_controls(iso):
    assessable = [r.ref_id for r in iso.assessable()]
    assert assessable == ISO42001_ASSESSABLE_CLAUSES + list(ISO42001_ANNEX_A)


def test_42001_nine_control_objectives(iso):
    objectives = iso.of_kind("control_objective")
    assert {r.ref_id: r.title for r in objectives} == ISO42001_OBJECTIVES
    assert all(r.parent == "Annex A" for r in objectives)
    assert iso.get("Annex A").title == "Reference control objectives and controls"
    assert {r.ref_id: r.title for r in iso.of_kind("control_group")} == ISO42001_A6_GROUPS
    for ref in ["A.2", "A.3", "A.4", "A.5", "A.7", "A.8", "A.9", "A.10", "A.6.1", "A.6.2"]:
        assert iso.get(ref).objective, f"{ref} carries its objective"


def test_42001_all_38_annex_a_controls_exact_and_nothing_invented(iso):
    controls = {r.ref_id: r.title for r in iso.of_kind("control")}
    assert len(controls) == 38
    assert controls == ISO42001_ANNEX_A
    allowed = set(ISO42001_ANNEX_A) | set(ISO42001_OBJECTIVES) | set(ISO42001_A6_GROUPS)
    annex_ids = {r for r in iso.ref_ids if r.startswith("A.")}
    assert annex_ids == allowed
    for ref in ISO42001_ANNEX_A:
        head = ".".join(ref.split(".")[:3]) if ref.startswith("A.6.") else ".".join(ref.split(".")[:2])
        assert iso.get(ref).parent == head


def test_42001_controls_carry_our_own_description_guidance_and_evidence(iso):
    for r in iso.of_kind("control"):
        assert len(r.description) > 30 and len(r.guidance) > 30, r.ref_id
        assert r.documented_information, r.ref_id
        assert r.annex_c_objectives, r.ref_id
        for ref in r.annex_c_objectives:
            assert iso.annex_c_item(ref).kind == "objective"
        for ref in r.annex_c_risk_sources:
            assert iso.annex_c_item(ref).kind == "risk_source"


def test_42001_text_is_ours_not_iso_wording(iso):
    """ISO prose is copyrighted: our texts paraphrase and never use the standard's normative 'shall'."""
    for r in iso.requirements:
        for text in (r.description, r.guidance, r.objective, *(d.item for d in r.documented_information)):
            assert not re.search(r"\bshall\b", text, re.I), r.ref_id
    assert "numbers and titles only" in iso.licence


def test_42001_mandatory_documented_information(iso):
    with_mandatory = {
        r.ref_id for r in iso.of_kind("clause", "subclause") if r.mandatory_documented_information
    }
    assert with_mandatory == ISO42001_MANDATORY_DI_CLAUSES
    soa = [d.item for d in iso.get("6.1.3").mandatory_documented_information]
    assert "Statement of Applicability" in soa and "AI risk treatment plan" in soa
    assert [d.item for d in iso.get("9.2").mandatory_documented_information] == [
        "Audit programme",
        "Audit results",
    ]
    assert iso.get("A.2.2").mandatory_documented_information
    assert not iso.get("A.10.4").mandatory_documented_information


def test_42001_annex_c(iso):
    objectives = {i.ref_id: i.title for i in iso.annex_c if i.kind == "objective"}
    sources = {i.ref_id: i.title for i in iso.annex_c if i.kind == "risk_source"}
    assert objectives == ISO42001_ANNEX_C_OBJECTIVES
    assert sources == ISO42001_ANNEX_C_RISK_SOURCES
    assert all(i.description for i in iso.annex_c)
    used = {ref for r in iso.of_kind("control") for ref in (*r.annex_c_objectives, *r.annex_c_risk_sources)}
    assert used == set(objectives) | set(sources), "every Annex C item is linked to some control"


def test_42001_tree_as_served(iso):
    tree = iso.tree()
    assert [n["ref_id"] for n in tree] == ["4", "5", "6", "7", "8", "9", "10", "Annex A"]
    annex = tree[-1]
    assert [n["ref_id"] for n in annex["children"]] == list(ISO42001_OBJECTIVES)
    a6 = annex["children"][4]
    assert [n["ref_id"] for n in a6["children"]] == ["A.6.1", "A.6.2"]
    assert [n["ref_id"] for n in a6["children"][1]["children"]] == [f"A.6.2.{i}" for i in range(2, 9)]
    walked = [r.ref_id for r in iso.walk()]
    assert len(walked) == len(iso) and walked[:3] == ["4", "4.1", "4.2"]
    d = requirement_to_dict(iso.get("A.6.2.4"))
    assert d["ref_id"] == "A.6.2.4" and d["title"] == "AI system verification and validation"
    assert requirement_to_dict(iso.get("6.1.3"))["number"] == "6.1.3"


# ==================================================================================================
# NIST AI RMF 1.0


@pytest.fixture(scope="module")
def nist():
    return load_catalog(NIST)


def test_nist_functions_categories_subcategories(nist):
    assert [r.ref_id for r in nist.of_kind("function")] == ["GOVERN", "MAP", "MEASURE", "MANAGE"]
    categories = nist.of_kind("category")
    assert [r.ref_id for r in categories] == list(NIST_CATEGORIES)
    assert len(categories) == 19
    subcategories = nist.of_kind("subcategory")
    assert len(subcategories) == 72
    for cat, count in NIST_CATEGORIES.items():
        kids = nist.children(cat)
        assert [k.ref_id for k in kids] == [f"{cat}.{i}" for i in range(1, count + 1)]
        assert all(k.kind == "subcategory" for k in kids)
        assert nist.get(cat).parent == cat.split()[0]
    for fn, total in NIST_FUNCTION_TOTALS.items():
        assert sum(1 for r in subcategories if r.ref_id.split()[0] == fn) == total
    assert [r.ref_id for r in nist.assessable()] == [r.ref_id for r in subcategories]


def test_nist_statements(nist):
    assert nist.get("GOVERN 1.1").description == (
        "Legal and regulatory requirements involving AI are understood, managed, and documented."
    )
    assert nist.get("MANAGE 1.1").description == (
        "A determination is made as to whether the AI system achieves its intended purposes and stated "
        "objectives and whether its development or deployment should proceed."
    )
    assert nist.get("MEASURE 2.11").description.startswith("Fairness and bias")
    assert nist.get("MEASURE 4.2").description.endswith("Results are documented.")
    assert nist.get("MAP 2").description == "Categorization of the AI system is performed."
    assert all(r.description for r in nist.requirements)


# ==================================================================================================
# EU AI Act


@pytest.fixture(scope="module")
def act():
    return load_catalog(AI_ACT)


def test_ai_act_articles_and_titles(act):
    for ref, title in AI_ACT_ARTICLES.items():
        assert act.get(ref).title == title, ref
        assert act.get(ref).kind == "article"
        assert act.get(ref).parent is None
    assert requirement_to_dict(act.get("Art. 27"))["number"] == "27"


def test_ai_act_each_prohibited_practice(act):
    practices = [r.ref_id for r in act.children("Art. 5") if r.added_by is None]
    assert practices == [f"Art. 5(1)({x})" for x in AI_ACT_PROHIBITED]
    assert all(act.get(p).kind == "prohibited_practice" and act.get(p).description for p in practices)
    assert act.inherited("Art. 5(1)(c)", "risk_tiers") == ("prohibited",)


def test_ai_act_article_6_and_annex_iii(act):
    assert [r.ref_id for r in act.children("Art. 6")] == ["Art. 6(1)", "Art. 6(2)", "Art. 6(3)", "Art. 6(4)"]
    conditions = act.children("Art. 6(3)")
    assert [r.ref_id for r in conditions][:4] == [f"Art. 6(3)({x})" for x in "abcd"]
    assert any("profiling" in r.title.lower() for r in conditions)
    annex = act.get("Annex III")
    assert "Annex III" in annex.title
    areas = act.children("Annex III")
    assert [r.ref_id for r in areas] == [f"Annex III({n})" for n in AI_ACT_ANNEX_III_AREAS]
    for n, (title, points) in AI_ACT_ANNEX_III_AREAS.items():
        area = act.get(f"Annex III({n})")
        assert area.title == title and area.kind == "annex_area"
        kids = act.children(area.ref_id)
        assert [k.ref_id for k in kids] == [f"Annex III({n})({chr(97 + i)})" for i in range(points)]
        assert all(k.kind == "annex_point" and k.description for k in kids)


def test_ai_act_obligations_per_role(act):
    def refs(role, tier=None):
        return {r.ref_id for r in act.obligations(role, tier)}

    provider = refs("provider", "high_risk")
    assert {f"Art. {n}" for n in range(9, 18)} <= provider
    assert {"Art. 43", "Art. 47", "Art. 48", "Art. 49(1)", "Art. 72", "Art. 73", "Art. 73(2)"} <= provider
    assert "Art. 26" not in provider
    deployer = refs("deployer", "high_risk")
    assert {"Art. 4", "Art. 26", "Art. 26(1)", "Art. 26(11)", "Art. 27", "Art. 49(3)", "Art. 86"} <= deployer
    assert not any(r.startswith("Annex III") for r in deployer), "Annex III is classification, not a duty"
    assert "Art. 23" in refs("importer") and "Art. 24" not in refs("importer")
    assert "Art. 24" in refs("distributor")
    assert "Art. 22" in refs("authorised_representative")
    assert {"Art. 50(1)", "Art. 50(2)"} <= refs("provider", "transparency")
    assert {"Art. 50(3)", "Art. 50(4)"} <= refs("deployer", "transparency")
    assert "Art. 50(1)" not in refs("deployer")
    assert {"Art. 53", "Art. 53(1)(c)"} <= refs("provider", "gpai")
    assert "Art. 55" in refs("provider", "gpai_systemic_risk") and "Art. 55" not in refs("provider", "gpai")
    assert [act.get(f"Art. 73({n})").deadline_days for n in (2, 3, 4)] == [15, 2, 10]


def test_ai_act_application_dates_as_data(act):
    dates = {d.id: d for d in act.application_dates}
    for date_id, when in AI_ACT_DATES.items():
        assert dates[date_id].date == when and dates[date_id].amendment is None, date_id
    for date_id, (when, supersedes) in OMNIBUS_DATES.items():
        assert dates[date_id].date == when
        assert dates[date_id].amendment == "digital-omnibus-ai"
        assert dates[date_id].supersedes == supersedes
    assert act.requirement_date("Art. 5(1)(a)").date == dt.date(2025, 2, 2)
    assert act.requirement_date("Art. 4").date == dt.date(2025, 2, 2)
    assert act.requirement_date("Art. 53(1)(a)").date == dt.date(2025, 8, 2)
    assert act.requirement_date("Art. 6(1)").date == dt.date(2027, 8, 2)


def test_ai_act_digital_omnibus_is_marked_and_switchable(act):
    omnibus = act.amendment("digital-omnibus-ai")
    assert omnibus.status == "adopted" and "not verified" in omnibus.status_note
    assert act.get("Art. 5(1)(omnibus)").added_by == "digital-omnibus-ai"
    assert act.requirement_date("Art. 5(1)(omnibus)").date == dt.date(2026, 12, 2)
    assert "digital-omnibus-ai" in act.get("Art. 4").amended_by
    # Not yet published: the Regulation's own dates hold unless the amendment is asked for.
    assert act.requirement_date("Art. 26(5)").date == dt.date(2026, 8, 2)
    with_omnibus = ["digital-omnibus-ai"]
    assert act.requirement_date("Art. 26(5)", amendments=with_omnibus).date == dt.date(2027, 12, 2)
    assert act.requirement_date("Art. 6(1)", amendments=with_omnibus).date == dt.date(2028, 8, 2)
    # The marking grace period is conditional: listed as an alternative, never applied silently.
    assert act.requirement_date("Art. 50(2)", amendments=with_omnibus).date == dt.date(2026, 8, 2)
    assert [d.id for d in act.dates_for("Art. 50(2)")] == ["transparency", "omnibus-marking-existing-systems"]
    assert [d.id for d in act.dates_for("Art. 50(1)")] == ["transparency"]


def test_ai_act_publication_of_the_omnibus_changes_dates_without_code(act):
    data = yaml.safe_load(act.path.read_text(encoding="utf-8"))
    for amendment in data["amendments"]:
        amendment["status"] = "published"
    published = validate_catalog(data, source="edited")
    assert published.requirement_date("Art. 26(5)").date == dt.date(2027, 12, 2)
    assert published.requirement_date("Art. 14").date == dt.date(2027, 12, 2)


# ==================================================================================================
# GDPR, CCPA, ISO/IEC 27001, ISO/IEC 27701


def test_gdpr_articles():
    gdpr = load_catalog(GDPR)
    assert {r.ref_id: r.title for r in gdpr.of_kind("article")} == GDPR_ARTICLES
    assert {"Art. 13(2)(f)", "Art. 14(2)(g)", "Art. 15(1)(h)", "Art. 22(3)"} <= set(gdpr.ref_ids)
    assert "processor" in gdpr.get("Art. 30").roles


def test_ccpa_admt_and_risk_assessment_rules():
    ccpa = load_catalog(CCPA)
    for ref, title in CCPA_SECTIONS.items():
        assert ccpa.get(ref).title == title
    assert ccpa.get("§ 7220").parent == "§§ 7200–7222"
    assert ccpa.requirement_date("§ 7221").date == dt.date(2027, 1, 1)
    assert ccpa.requirement_date("§ 7152").date == dt.date(2026, 1, 1)
    assert ccpa.requirement_date("§ 7157").date == dt.date(2028, 4, 1)
    assert ccpa.application_date("cyber-audit-first-tier").date == dt.date(2028, 4, 1)
    assert ccpa.application_date("cyber-audit-third-tier").date == dt.date(2030, 4, 1)


def test_iso27001_annex_a_93_controls():
    iso27001 = load_catalog(ISO27001)
    controls = {r.ref_id: r.title for r in iso27001.of_kind("control")}
    assert len(controls) == 93
    assert controls == ISO27001_ANNEX_A
    for theme, (title, count) in ISO27001_THEMES.items():
        assert iso27001.get(theme).title == title
        assert len(iso27001.children(theme)) == count
    clauses = {r.ref_id for r in iso27001.of_kind("clause", "subclause")}
    # The harmonized structure shared with 42001, which adds only the impact assessment (6.1.4, 8.4).
    assert clauses == set(ISO42001_CLAUSES) - {"6.1.4", "8.4"}


def test_iso27701_2019_extends_27001():
    iso27701 = load_catalog(ISO27701)
    kinds = {r.kind: r.catalog for r in iso27701.relations}
    assert kinds["extends"] == ISO27001
    assert kinds["maps_to"] == GDPR
    assert [r.ref_id for r in iso27701.children("5")] == [f"5.{i}" for i in range(1, 9)]
    assert "2025" in iso27701.description and "standalone" in iso27701.description
    assert kinds["superseded_by"] == ISO27701_2025


def test_iso27701_2025_is_standalone_with_the_harmonized_clauses():
    new = load_catalog(ISO27701_2025)
    assert [(r.ref_id, r.kind) for r in new.requirements] == [(str(n), "clause") for n in range(4, 11)]
    assert all(r.assessable for r in new.requirements)
    assert {r.kind for r in new.relations} >= {"replaces", "integrates_with", "maps_to"}


# ==================================================================================================
# Crosswalks


def test_42001_to_nist_crosswalk_matches_the_nist_crosswalk():
    xw = load_crosswalk("iso42001-nist-ai-rmf")
    assert (xw.source, xw.target, xw.indicative) == (ISO42001, NIST, False)
    categories: dict[str, set[str]] = {}
    for m in xw.mappings:
        if m.target.count(".") == 0:
            categories.setdefault(m.source, set()).add(m.target)
    expected = {ref: _cats(spec) for ref, spec in {**NIST_XW_CONTROLS, **NIST_XW_CLAUSES}.items()}
    assert categories == expected
    assert set(NIST_XW_CONTROLS) == set(ISO42001_ANNEX_A), "every Annex A control is mapped"
    for sub, sources in NIST_XW_SUBCATEGORY_HINTS.items():
        assert {m.source for m in xw.sources_for(sub)} == sources
    assert {m.relation for m in xw.mappings} == {"intersects"}


def test_42001_to_ai_act_crosswalk_is_indicative_and_complete():
    xw = load_crosswalk("iso42001-eu-ai-act")
    assert (xw.source, xw.target, xw.indicative) == (ISO42001, AI_ACT, True)
    mapped = {m.source for m in xw.mappings}
    assert set(ISO42001_ANNEX_A) <= mapped
    assert {"Art. 17(1)(a)"} <= {m.target for m in xw.targets_for("A.2.2")}
    assert {"Art. 12", "Art. 19", "Art. 26(6)"} == {m.target for m in xw.targets_for("A.6.2.8")}
    gaps = {g.ref for g in xw.gaps}
    assert {"Art. 5", "Art. 47", "Art. 48", "Art. 49", "Art. 50(2)", "Art. 53(1)(c)", "Art. 53(1)(d)"} <= gaps
    assert not gaps & {m.target for m in xw.mappings}, "a gap is not also mapped"


# ==================================================================================================
# Validation errors name the file and the requirement at fault


def _catalog(**overrides):
    data = {
        "schema": "aims-catalog/1",
        "slug": "acme-policy",
        "name": "Acme AI policy",
        "version": "1",
        "publisher": "Acme",
        "kind": "custom",
        "description": "Our own rules.",
        "licence": "Internal.",
        "requirements": [
            {"ref_id": "P1", "kind": "requirement", "title": "Inventory"},
            {"ref_id": "P1.1", "parent": "P1", "kind": "requirement", "title": "Owners"},
        ],
    }
    data.update(overrides)
    return data


def _problems(exc: pytest.ExceptionInfo) -> str:
    return str(exc.value)


def test_valid_custom_catalog():
    catalog = validate_catalog(_catalog(), source="acme.yaml")
    assert [r.ref_id for r in catalog.walk()] == ["P1", "P1.1"]
    assert catalog.get("P1.1").depth == 1


@pytest.mark.parametrize(
    ("requirements", "ref", "message"),
    [
        (
            [
                {"ref_id": "P1", "kind": "requirement", "title": "A"},
                {"ref_id": "P1", "kind": "requirement", "title": "B"},
            ],
            "P1",
            "duplicate ref_id",
        ),
        (
            [{"ref_id": "P2", "parent": "P9", "kind": "requirement", "title": "A"}],
            "P2",
            "unknown parent 'P9'",
        ),
        ([{"ref_id": "P3", "kind": "requirement"}], "P3", "missing title"),
        ([{"ref_id": "P4", "kind": "requirement", "title": "  "}], "P4", "missing title"),
        ([{"ref_id": "P5", "kind": "widget", "title": "A"}], "P5", "unknown kind 'widget'"),
        ([{"ref_id": 6.1, "kind": "requirement", "title": "A"}], "requirement #1", "must be a quoted string"),
        (
            [
                {"ref_id": "P7", "parent": "P8", "kind": "requirement", "title": "A"},
                {"ref_id": "P8", "parent": "P7", "kind": "requirement", "title": "B"},
            ],
            "P7",
            "parent cycle",
        ),
        (
            [{"ref_id": "P9", "kind": "requirement", "title": "A", "applies_from": "someday"}],
            "P9",
            "unknown application date 'someday'",
        ),
        (
            [{"ref_id": "P10", "kind": "requirement", "title": "A", "roles": ["king"]}],
            "P10",
            "unknown role 'king'",
        ),
        (
            [{"ref_id": "P11", "kind": "requirement", "title": "A", "colour": "red"}],
            "P11",
            "unknown key 'colour'",
        ),
    ],
)
def test_invalid_requirements_are_named(requirements, ref, message):
    with pytest.raises(CatalogError) as exc:
        validate_catalog(_catalog(requirements=requirements), source="acme.yaml")
    assert f"acme.yaml: {ref}: " in _problems(exc)
    assert message in _problems(exc)


def test_every_problem_is_reported_at_once():
    bad = _catalog(
        version=2,
        requirements=[
            {"ref_id": "X", "kind": "requirement"},
            {"ref_id": "Y", "parent": "Z", "kind": "requirement", "title": "Y"},
        ],
    )
    with pytest.raises(CatalogError) as exc:
        validate_catalog(bad, source="acme.yaml")
    assert len(exc.value.problems) == 3
    assert {p.ref for p in exc.value.problems} == {None, "X", "Y"}


def test_catalog_level_checks():
    with pytest.raises(CatalogError, match="missing or empty 'licence'"):
        validate_catalog(_catalog(licence=""), source="acme.yaml")
    with pytest.raises(CatalogError, match="unknown catalog kind"):
        validate_catalog(_catalog(kind="poem"), source="acme.yaml")
    with pytest.raises(CatalogError, match="unknown Annex C objective 'C.9.9'"):
        validate_catalog(
            _catalog(
                requirements=[
                    {"ref_id": "P1", "kind": "control", "title": "A", "annex_c_objectives": ["C.9.9"]}
                ]
            ),
            source="acme.yaml",
        )
    dates = [{"id": "later", "date": "2026-13-01", "label": "Later"}]
    with pytest.raises(CatalogError, match="not an ISO date"):
        validate_catalog(_catalog(application_dates=dates), source="acme.yaml")


def _crosswalk(**overrides):
    data = {
        "schema": "aims-crosswalk/1",
        "slug": "test-xw",
        "name": "Test",
        "source": ISO42001,
        "target": NIST,
        "indicative": True,
        "description": "Test.",
        "provenance": "Test.",
        "licence": "Test.",
        "mappings": [{"source": "A.2.2", "target": "GOVERN 1", "relation": "subset"}],
    }
    data.update(overrides)
    return data


def test_valid_crosswalk():
    xw = validate_crosswalk(_crosswalk(), source="xw.yaml")
    assert xw.pairs == {("A.2.2", "GOVERN 1")}


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"source": "A.2.2", "target": "GOVERN 1", "relation": "related"}, "unknown relation kind 'related'"),
        (
            {"source": "A.6.6", "target": "GOVERN 1", "relation": "equal"},
            "source ref 'A.6.6' does not exist in iso-iec-42001-2023",
        ),
        (
            {"source": "A.2.2", "target": "GOVERN 7", "relation": "equal"},
            "target ref 'GOVERN 7' does not exist in nist-ai-rmf-1-0",
        ),
        ({"source": "A.2.2", "relation": "equal"}, "needs target"),
    ],
)
def test_invalid_crosswalk_mappings_are_named(mapping, message):
    with pytest.raises(CatalogError) as exc:
        validate_crosswalk(_crosswalk(mappings=[mapping]), source="xw.yaml")
    assert "xw.yaml: mapping #1" in _problems(exc)
    assert message in _problems(exc)


def test_crosswalk_to_unknown_catalog():
    with pytest.raises(CatalogError, match="target catalog 'nope' does not exist"):
        validate_crosswalk(_crosswalk(target="nope"), source="xw.yaml")


# ==================================================================================================
# An organization's own framework files


def test_organization_catalog_directory(tmp_path, monkeypatch):
    own = tmp_path / "acme-policy.yaml"
    own.write_text(yaml.safe_dump(_catalog(), allow_unicode=True), encoding="utf-8")
    (tmp_path / "crosswalks").mkdir()
    xw = _crosswalk(
        slug="acme-to-42001",
        source="acme-policy",
        target=ISO42001,
        mappings=[{"source": "P1", "target": "A.4.2", "relation": "subset"}],
    )
    (tmp_path / "crosswalks" / "acme-to-42001.yaml").write_text(yaml.safe_dump(xw), encoding="utf-8")
    monkeypatch.setenv(cf.CATALOG_PATH_ENV, str(tmp_path))
    cf.clear_cache()
    try:
        assert own in list_catalog_files()
        assert load_catalog("acme-policy").get("P1.1").title == "Owners"
        assert load_crosswalk("acme-to-42001").targets_for("P1")[0].target == "A.4.2"
    finally:
        cf.clear_cache()


def test_a_slug_defined_twice_is_refused(tmp_path, monkeypatch):
    clash = _catalog(slug=ISO42001)
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(clash), encoding="utf-8")
    monkeypatch.setenv(cf.CATALOG_PATH_ENV, str(tmp_path))
    cf.clear_cache()
    try:
        with pytest.raises(CatalogError, match="also defined in"):
            load_catalog(ISO42001)
    finally:
        cf.clear_cache()


def test_broken_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="broken.yaml: not valid YAML"):
        load_catalog_file(path)


def test_unknown_catalog_slug():
    with pytest.raises(KeyError, match="no catalog 'nope'"):
        load_catalog("nope")
