"""A library of typical AI controls to start a control library from. Each entry names the
requirements it usually satisfies, in any framework (catalog slug -> ref ids); the crosswalks then
carry it into the frameworks it does not name. Our own words; adapt them to the organization."""

from __future__ import annotations

ISO = "iso-iec-42001-2023"
ACT = "eu-ai-act-2024-1689"
NIST = "nist-ai-rmf-1-0"
GDPR = "gdpr-2016-679"

LIBRARY: list[dict] = [
    {
        "key": "ai-policy",
        "name": "AI policy approved and published",
        "description": "Top management approves an AI policy, publishes it to staff and reviews it every year.",
        "requirements": {ISO: ["5.2", "A.2.2", "A.2.4"], NIST: ["GOVERN 1.2"]},
    },
    {
        "key": "ai-roles",
        "name": "AI roles and responsibilities assigned",
        "description": "A RACI names the owner of every AI system and who approves, builds, runs and monitors it.",
        "requirements": {ISO: ["5.3", "A.3.2"], NIST: ["GOVERN 2.1"]},
    },
    {
        "key": "concern-reporting",
        "name": "Channel to report AI concerns",
        "description": "Staff and outsiders can report concerns about AI systems, anonymously if they wish; reports are triaged weekly.",
        "requirements": {ISO: ["A.3.3"], ACT: ["Art. 87"]},
    },
    {
        "key": "ai-inventory",
        "name": "AI system inventory kept current",
        "description": "Every AI system is listed with owner, purpose, risk tier and resources; owners confirm entries quarterly.",
        "requirements": {ISO: ["4.1", "A.4.2"], NIST: ["GOVERN 1.6"]},
    },
    {
        "key": "dataset-datasheets",
        "name": "Datasheets for datasets",
        "description": "Each training, validation and test dataset has a datasheet: source, collection, licence, known gaps.",
        "requirements": {ISO: ["A.4.3", "A.7.3", "A.7.5"], ACT: ["Art. 10"]},
    },
    {
        "key": "ml-bom",
        "name": "ML bill of materials",
        "description": "Tools, libraries, pretrained models and compute used by each AI system are recorded.",
        "requirements": {ISO: ["A.4.4", "A.4.5"]},
    },
    {
        "key": "ai-competence",
        "name": "AI competence and training",
        "description": "Roles that build, run or oversee AI have competence requirements; training is recorded and refreshed.",
        "requirements": {ISO: ["7.2", "A.4.6"], ACT: ["Art. 4"]},
    },
    {
        "key": "impact-assessment",
        "name": "AI system impact assessment before go-live",
        "description": "Before deployment and on material change, the impacts on individuals, groups and society are assessed and approved.",
        "requirements": {
            ISO: ["6.1.4", "A.5.2", "A.5.3", "A.5.4", "A.5.5"],
            ACT: ["Art. 27"],
            GDPR: ["Art. 35"],
        },
    },
    {
        "key": "risk-assessment",
        "name": "AI risk assessment per system",
        "description": "Each AI system's risks are assessed with the organization's method and reviewed on schedule.",
        "requirements": {ISO: ["6.1.2", "8.2"], ACT: ["Art. 9"], NIST: ["MAP 1.1"]},
    },
    {
        "key": "responsible-dev-process",
        "name": "Responsible AI development process",
        "description": "A documented lifecycle with stage gates: requirements, design review, validation, approval to deploy.",
        "requirements": {ISO: ["A.6.1.2", "A.6.1.3", "A.6.2.2", "A.6.2.3"], ACT: ["Art. 17"]},
    },
    {
        "key": "validation-gate",
        "name": "Verification and validation gate",
        "description": "Performance, fairness and robustness are tested against acceptance criteria before release.",
        "requirements": {ISO: ["A.6.2.4"], ACT: ["Art. 15"], NIST: ["MEASURE 2.5"]},
    },
    {
        "key": "fairness-testing",
        "name": "Bias and fairness testing",
        "description": "Outcomes are compared across protected groups at validation and in production; gaps above threshold block release.",
        "requirements": {ISO: ["A.5.4", "A.7.4"], ACT: ["Art. 10"], NIST: ["MEASURE 2.11"]},
    },
    {
        "key": "deployment-plan",
        "name": "Controlled deployment and rollback",
        "description": "Releases follow a deployment plan with approvals, staged rollout and a tested rollback.",
        "requirements": {ISO: ["A.6.2.5"]},
    },
    {
        "key": "production-monitoring",
        "name": "Production monitoring and drift alerts",
        "description": "Performance, drift and data quality are monitored with thresholds that raise alerts and tickets.",
        "requirements": {ISO: ["A.6.2.6", "9.1"], ACT: ["Art. 72"], NIST: ["MEASURE 2.4"]},
    },
    {
        "key": "technical-docs",
        "name": "Technical documentation per AI system",
        "description": "A model card and technical file are maintained for each AI system and updated at each release.",
        "requirements": {ISO: ["A.6.2.7"], ACT: ["Art. 11"]},
    },
    {
        "key": "event-logging",
        "name": "Event logging and retention",
        "description": "Inputs, outputs and decisions are logged with timestamps and kept for the retention period.",
        "requirements": {ISO: ["A.6.2.8"], ACT: ["Art. 12", "Art. 19"]},
    },
    {
        "key": "data-quality",
        "name": "Data quality checks",
        "description": "Data quality rules (completeness, validity, representativeness) run on every training and scoring batch.",
        "requirements": {ISO: ["A.7.2", "A.7.4", "A.7.6"], ACT: ["Art. 10"]},
    },
    {
        "key": "user-information",
        "name": "Instructions for use and user information",
        "description": "Users receive instructions for use, limitations and how to get a human review.",
        "requirements": {ISO: ["A.8.2", "A.8.5"], ACT: ["Art. 13", "Art. 50"], GDPR: ["Art. 13"]},
    },
    {
        "key": "incident-response",
        "name": "AI incident response and reporting",
        "description": "AI incidents are logged, assessed for seriousness and reported to authorities within the legal deadlines.",
        "requirements": {ISO: ["A.8.4", "10.2"], ACT: ["Art. 73"]},
    },
    {
        "key": "human-oversight",
        "name": "Human oversight of decisions",
        "description": "Trained staff review decisions the system flags, can override them and can stop the system.",
        "requirements": {ISO: ["A.9.2", "A.9.4"], ACT: ["Art. 14", "Art. 26(2)"], GDPR: ["Art. 22"]},
    },
    {
        "key": "intended-use",
        "name": "Intended use defined and enforced",
        "description": "The intended use and foreseeable misuse are documented; use outside them needs approval.",
        "requirements": {ISO: ["A.9.3", "A.9.4"], ACT: ["Art. 26(1)"]},
    },
    {
        "key": "supplier-assessment",
        "name": "AI supplier due diligence",
        "description": "AI vendors and external models are assessed before contract and reviewed yearly; contracts allocate responsibilities.",
        "requirements": {ISO: ["A.10.2", "A.10.3"], ACT: ["Art. 25"]},
    },
    {
        "key": "customer-commitments",
        "name": "Customer expectations for AI",
        "description": "What customers are told about AI in products is agreed, documented and met.",
        "requirements": {ISO: ["A.10.4"]},
    },
    {
        "key": "ai-transparency-notice",
        "name": "AI interaction and synthetic content disclosure",
        "description": "People are told when they talk to an AI; generated content is marked as such.",
        "requirements": {ACT: ["Art. 50(1)", "Art. 50(2)"]},
    },
    {
        "key": "management-review",
        "name": "Management review of the AIMS",
        "description": "Top management reviews the AIMS at planned intervals with the inputs the standard lists.",
        "requirements": {ISO: ["9.3", "5.1"]},
    },
    {
        "key": "internal-audit",
        "name": "Internal audit programme",
        "description": "The AIMS is audited internally on a risk-based programme by auditors independent of the area.",
        "requirements": {ISO: ["9.2"]},
    },
]

BY_KEY = {entry["key"]: entry for entry in LIBRARY}
