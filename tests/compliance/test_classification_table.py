"""The EU AI Act classification engine on a table of described systems: each with its expected tier
and the articles the reasoning must cite (prohibited practices, every Annex III area, the Art. 6(3)
derogation and its profiling rule, transparency-only, minimal, GPAI, Annex I, not an AI system)."""

from __future__ import annotations

import pytest

from aims.compliance import catalog_files as cf
from aims.compliance.classify import Answers, annex_iii_points, classify

D, P = ["deployer"], ["provider"]

# (description, answers, expected tier, citations that must appear, obligations that must appear, must not appear)
TABLE = [
    (
        "Subliminal nudging in a shopping app to make people overspend",
        {"roles": P, "prohibited": ["a"]},
        "prohibited",
        ["Art. 5(1)(a)"],
        ["Art. 5(1)(a)"],
        [],
    ),
    (
        "Loan ads exploiting gambling addiction of vulnerable users",
        {"roles": P, "prohibited": ["b"]},
        "prohibited",
        ["Art. 5(1)(b)"],
        [],
        [],
    ),
    (
        "Municipal social scoring of citizens' trustworthiness",
        {"roles": D, "prohibited": ["c"]},
        "prohibited",
        ["Art. 5(1)(c)"],
        [],
        [],
    ),
    (
        "Predicting who will commit a crime from personality traits only",
        {"roles": P, "prohibited": ["d"]},
        "prohibited",
        ["Art. 5(1)(d)"],
        [],
        [],
    ),
    (
        "Scraping faces from social media to build a recognition database",
        {"roles": P, "prohibited": ["e"]},
        "prohibited",
        ["Art. 5(1)(e)"],
        [],
        [],
    ),
    (
        "Emotion recognition of call-centre staff to rate their mood",
        {"roles": D, "prohibited": ["f"]},
        "prohibited",
        ["Art. 5(1)(f)"],
        [],
        [],
    ),
    (
        "Inferring sexual orientation from photos to target ads",
        {"roles": P, "prohibited": ["g"]},
        "prohibited",
        ["Art. 5(1)(g)"],
        [],
        [],
    ),
    (
        "Live facial recognition in a train station for police",
        {"roles": D, "prohibited": ["h"]},
        "prohibited",
        ["Art. 5(1)(h)"],
        [],
        [],
    ),
    (
        "Driver drowsiness detection in company lorries (safety exception)",
        {
            "roles": D,
            "prohibited": ["f"],
            "emotion_recognition_medical_or_safety": True,
            "annex_iii": ["(1)(c)"],
            "profiling": False,
        },
        "high",
        ["Art. 5(1)(f)", "Annex III(1)(c)"],
        ["Art. 26"],
        ["Art. 5"],
    ),
    (
        "Remote biometric identification of visitors after the fact",
        {"roles": D, "annex_iii": ["(1)(a)"]},
        "high",
        ["Annex III(1)(a)", "Art. 6(2)"],
        ["Art. 26(10)"],
        ["Art. 27"],
    ),
    (
        "Biometric categorisation by age group at a venue",
        {"roles": P, "annex_iii": ["(1)(b)"]},
        "high",
        ["Annex III(1)(b)"],
        ["Art. 43(1)", "Art. 9"],
        ["Art. 43(2)"],
    ),
    (
        "AI controlling electricity grid load balancing",
        {"roles": P, "annex_iii": ["(2)"]},
        "high",
        ["Annex III(2)"],
        ["Art. 43(2)", "Art. 73"],
        [],
    ),
    (
        "University admission ranking",
        {"roles": D, "annex_iii": ["(3)(a)"], "public_body_or_public_service": True},
        "high",
        ["Annex III(3)(a)"],
        ["Art. 27", "Art. 26(8)", "Art. 49(3)"],
        [],
    ),
    (
        "Automated exam grading",
        {"roles": P, "annex_iii": ["(3)(b)"]},
        "high",
        ["Annex III(3)(b)"],
        ["Art. 11"],
        [],
    ),
    (
        "Proctoring software flagging cheating during tests",
        {"roles": D, "annex_iii": ["(3)(d)"]},
        "high",
        ["Annex III(3)(d)"],
        ["Art. 26"],
        ["Art. 27"],
    ),
    (
        "CV screening and candidate ranking",
        {"roles": D, "annex_iii": ["(4)(a)"], "profiling": True},
        "high",
        ["Annex III(4)(a)", "Art. 6(3), profiling"],
        ["Art. 26(7)", "Art. 86"],
        [],
    ),
    (
        "Allocating shifts and monitoring warehouse workers",
        {"roles": P, "annex_iii": ["(4)(b)"], "profiling": True},
        "high",
        ["Annex III(4)(b)"],
        ["Art. 17"],
        [],
    ),
    (
        "Public benefits eligibility check",
        {"roles": D, "annex_iii": ["(5)(a)"], "public_body_or_public_service": True},
        "high",
        ["Annex III(5)(a)"],
        ["Art. 27"],
        [],
    ),
    (
        "Consumer credit scoring",
        {"roles": ["provider", "deployer"], "annex_iii": ["(5)(b)"], "profiling": True},
        "high",
        ["Annex III(5)(b)", "Art. 6(3), profiling"],
        ["Art. 27", "Art. 9", "Art. 26"],
        [],
    ),
    (
        "Life insurance pricing from health data",
        {"roles": D, "annex_iii": ["(5)(c)"], "profiling": True},
        "high",
        ["Annex III(5)(c)"],
        ["Art. 27"],
        [],
    ),
    (
        "Emergency call triage and ambulance dispatch",
        {"roles": D, "annex_iii": ["(5)(d)"]},
        "high",
        ["Annex III(5)(d)"],
        ["Art. 26"],
        [],
    ),
    (
        "Police tool assessing reliability of evidence",
        {"roles": D, "annex_iii": ["(6)(c)"], "public_body_or_public_service": True},
        "high",
        ["Annex III(6)(c)"],
        ["Art. 27"],
        [],
    ),
    (
        "Border visa application assessment",
        {"roles": D, "annex_iii": ["(7)(c)"], "public_body_or_public_service": True},
        "high",
        ["Annex III(7)(c)"],
        ["Art. 49(3)"],
        [],
    ),
    (
        "Assistant drafting court rulings for judges",
        {"roles": P, "annex_iii": ["(8)(a)"]},
        "high",
        ["Annex III(8)(a)"],
        ["Art. 14"],
        [],
    ),
    (
        "Microtargeting to influence how people vote",
        {"roles": P, "annex_iii": ["(8)(b)"], "profiling": True},
        "high",
        ["Annex III(8)(b)"],
        ["Art. 15"],
        [],
    ),
    (
        "Recruitment tool that only removes duplicate applications (narrow procedural task)",
        {"roles": P, "annex_iii": ["(4)(a)"], "derogation": ["a"]},
        "minimal",
        ["Art. 6(3)", "Art. 6(3)(a)", "Art. 6(4)"],
        ["Art. 6(4)", "Art. 49(2)"],
        ["Art. 9"],
    ),
    (
        "Spell-checker polishing a finished exam report (improves completed human work)",
        {"roles": D, "annex_iii": ["(3)(b)"], "derogation": ["b"]},
        "minimal",
        ["Art. 6(3)(b)"],
        ["Art. 4"],
        ["Art. 26", "Art. 6(4)"],
    ),
    (
        "Credit pre-check claiming the derogation but profiling applicants",
        {"roles": P, "annex_iii": ["(5)(b)"], "derogation": ["d"], "profiling": True},
        "high",
        ["Art. 6(3), profiling"],
        ["Art. 9"],
        ["Art. 6(4)"],
    ),
    (
        "Customer service chatbot",
        {"roles": ["provider", "deployer"], "transparency": ["interacts_with_people"]},
        "limited",
        ["Art. 50(1)"],
        ["Art. 50(1)", "Art. 4"],
        ["Art. 9", "Art. 50(4)"],
    ),
    (
        "Marketing image generator",
        {"roles": P, "transparency": ["generates_synthetic_content"]},
        "limited",
        ["Art. 50(2)"],
        ["Art. 50(2)"],
        [],
    ),
    (
        "Deepfake video for an advertising campaign",
        {"roles": D, "transparency": ["deepfake_or_public_text"]},
        "limited",
        ["Art. 50(4)"],
        ["Art. 50(4)"],
        ["Art. 50(1)"],
    ),
    (
        "Emotion recognition to adapt a game's difficulty (not at work)",
        {"roles": D, "transparency": ["emotion_or_biometric_categorisation"]},
        "limited",
        ["Art. 50(3)"],
        ["Art. 50(3)"],
        [],
    ),
    (
        "Card fraud detection",
        {"roles": ["provider", "deployer"]},
        "minimal",
        ["Art. 4"],
        ["Art. 4"],
        ["Art. 9", "Art. 50"],
    ),
    ("Cash demand forecasting for ATMs", {"roles": P}, "minimal", ["Art. 95"], ["Art. 4"], ["Art. 95"]),
    ("Spam filter", {"roles": D}, "minimal", ["Art. 4"], [], []),
    (
        "Medical device software diagnosing skin cancer (Annex I)",
        {"roles": P, "annex_i_product": True},
        "high",
        ["Art. 6(1)"],
        ["Art. 9", "Art. 43"],
        [],
    ),
    (
        "Spreadsheet macro with fixed rules",
        {"is_ai_system": False, "roles": P},
        "not_ai_system",
        ["Art. 3(1)"],
        [],
        ["Art. 4"],
    ),
    (
        "General-purpose language model we train and release",
        {"roles": P, "gpai_model": True},
        "minimal",
        ["Art. 53"],
        ["Art. 53", "Art. 53(1)(c)"],
        ["Art. 55"],
    ),
    (
        "Frontier model above 10^25 FLOP",
        {"roles": P, "gpai_model": True, "gpai_systemic_risk": True},
        "minimal",
        ["Art. 55"],
        ["Art. 55", "Art. 55(1)(a)"],
        [],
    ),
    (
        "Chatbot built on our own GPAI model",
        {"roles": P, "gpai_model": True, "transparency": ["interacts_with_people"]},
        "limited",
        ["Art. 50(1)", "Art. 53"],
        ["Art. 53", "Art. 50(1)"],
        [],
    ),
    (
        "High-risk recruitment chatbot",
        {"roles": D, "annex_iii": ["(4)(a)"], "profiling": True, "transparency": ["interacts_with_people"]},
        "high",
        ["Art. 50(1)"],
        ["Art. 26"],
        [],
    ),
]


@pytest.fixture(scope="module")
def act():
    return cf.load_catalog("eu-ai-act-2024-1689")


def test_the_table_covers_every_annex_iii_area_and_every_prohibited_practice():
    assert len(TABLE) >= 30
    areas = {k.split(")")[0] + ")" for _d, a, *_ in TABLE for k in a.get("annex_iii", [])}
    assert areas == {f"({n})" for n in range(1, 9)}
    practices = {k for _d, a, *_ in TABLE for k in a.get("prohibited", [])}
    assert set("abcdefgh") <= practices


@pytest.mark.parametrize(
    ("description", "answers", "tier", "citations", "must", "must_not"),
    TABLE,
    ids=[row[0][:50] for row in TABLE],
)
def test_classification(act, description, answers, tier, citations, must, must_not):
    result = classify(answers, catalog=act)
    assert result.tier == tier, result.reasoning
    for ref in citations:
        assert ref in result.citations, (ref, result.citations)
    refs = {o["ref_id"] for o in result.obligations}
    for ref in must:
        assert ref in refs, (ref, sorted(refs))
    for ref in must_not:
        assert ref not in refs, (ref, sorted(refs))
    for ref in result.citations:
        assert ref == "Art. 3(1)" or ref in act, f"cited {ref} is not in the catalog"
    assert result.reasoning, "the result explains itself"


def test_obligations_carry_the_catalog_dates(act):
    result = classify({"roles": D, "annex_iii": ["(5)(b)"], "profiling": True}, catalog=act)
    dates = {o["ref_id"]: o["applies_from"] for o in result.obligations}
    assert dates["Art. 26"] == "2026-08-02"
    assert dates["Art. 4"] == "2025-02-02"


def test_the_omnibus_dates_apply_only_when_the_amendment_is_named(act):
    answers = {"roles": D, "annex_iii": ["(5)(b)"], "profiling": True}
    later = classify(answers, catalog=act, amendments=["digital-omnibus-ai"])
    assert {o["ref_id"]: o["applies_from"] for o in later.obligations}["Art. 26"] == "2027-12-02"


def test_an_annex_i_product_gets_the_annex_i_date(act):
    result = classify({"roles": P, "annex_i_product": True}, catalog=act)
    assert {o["ref_id"]: o["applies_from"] for o in result.obligations}["Art. 9"] == "2027-08-02"


def test_bad_answers_name_the_question(act):
    errors = Answers.from_dict({"roles": ["boss"], "annex_iii": ["(9)"], "gpai_systemic_risk": True}).errors(
        act
    )
    assert set(errors) == {"roles", "annex_iii", "gpai_systemic_risk"}


def test_every_annex_iii_point_is_offered(act):
    keys = [k for k, _r, _t in annex_iii_points(act)]
    assert "(2)" in keys and "(5)(b)" in keys and len(keys) == 25
