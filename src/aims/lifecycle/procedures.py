"""The default documented procedures of the lifecycle stages (clause 8.1; Annex A.4, A.6, A.7, A.10),
from the seed's lists: design and architecture; data management; development and training;
third-party vendor and external model control; deployment and monitoring; plus the intake of an
idea, verification and validation, and operation up to retirement.

Every organization gets version 1 of each the first time it opens a gate or the procedures
(`services.ensure_procedures`) and then edits them: each change is a new version, earlier versions
stay readable. The gate page shows the procedures of the stage whose exit gate it judges."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from aims.inventory.models import AISystem

Stage = AISystem.Stage

# stage -> [{"key", "title", "body"}]
DEFAULT_PROCEDURES: dict[str, list[dict[str, Any]]] = {
    Stage.IDEA: [
        {
            "key": "intake",
            "title": _("Intake and business case"),
            "body": _(
                "Purpose: decide whether an AI idea is worth designing, before effort is spent.\n"
                "Responsible: the proposed system owner; the AI manager registers the system.\n"
                "Steps:\n"
                "- Register the system in the AI inventory with its purpose, function and owner.\n"
                "- Write the business case: the problem, who asked for it, the expected benefit, who pays.\n"
                "- Name the people affected by the system's outputs.\n"
                "- Check the idea against the AI policy (prohibited and restricted uses).\n"
                "Records: inventory entry, business case (attached to the gate's checklist item)."
            ),
        },
    ],
    Stage.DESIGN: [
        {
            "key": "design-architecture",
            "title": _("Design and architecture"),
            "body": _(
                "Purpose: decide what the system must do and how it will be built, with safety, fairness "
                "and security designed in (A.6.1.2, A.6.2.2, A.6.2.3).\n"
                "Responsible: the system owner with the technical team; the risk team for the impact assessment.\n"
                "Steps:\n"
                "- Define the objectives and success metrics, with target values.\n"
                "- Write the functional and non-functional requirements, including safety limits and fairness targets.\n"
                "- Choose the architecture and record the alternatives considered and why they were not chosen.\n"
                "- Draw the data entity map: every source, transformation and destination of data.\n"
                "- Describe the boundaries and interfaces: what the system connects to, who uses it, what is out of scope.\n"
                "- Write down the assumptions and the known limitations.\n"
                "- Assess the impact on affected people (impact assessment, approved).\n"
                "- Plan security: authentication, authorization, encryption at rest and in transit.\n"
                "- Classify the system under the EU AI Act.\n"
                "Records: requirements, architecture decision records, data map, interface description, "
                "impact assessment, security plan, AI Act classification."
            ),
        },
    ],
    Stage.DEVELOPMENT: [
        {
            "key": "data-management",
            "title": _("Data management"),
            "body": _(
                "Purpose: know and control the data used to build and run the system (A.7).\n"
                "Responsible: the technical team; the data protection officer for personal data.\n"
                "Steps:\n"
                "- Register each dataset with its provenance: origin, how it was obtained, the authorization for use, "
                "licence and copyright.\n"
                "- Record personal data and special categories, the legal basis and, where it applies, how consent was obtained.\n"
                "- Define data quality requirements and check them: completeness, accuracy, missing values, outliers.\n"
                "- Document the transformations and cleaning steps.\n"
                "- Document the labelling process and measure label quality (inter-annotator agreement).\n"
                "- Compare the sensitive attributes of the data with the population it must represent.\n"
                "- Set the retention, the storage location and who may access the data.\n"
                "Records: dataset register entries and versions, quality checks, representativeness results."
            ),
        },
        {
            "key": "development-training",
            "title": _("Development and training"),
            "body": _(
                "Purpose: build a model that can be traced back to its code, data and choices (A.6.2.3, A.4.4).\n"
                "Responsible: the technical team.\n"
                "Steps:\n"
                "- Record the algorithm and framework, the reasons for the choice and the alternatives considered.\n"
                "- Record the training configuration and hyperparameters, and the experiments that led to them.\n"
                "- Name the exact dataset versions used for training, validation and test.\n"
                "- Keep the code in version control; record the repository and the commit of each model version.\n"
                "- Record the digest of each model artefact.\n"
                "Records: model version entries, training record, code reference, artefact digest."
            ),
        },
        {
            "key": "third-party-control",
            "title": _("Third-party vendor and external model control"),
            "body": _(
                "Purpose: control the suppliers of models, AI services and data the system depends on (A.10).\n"
                "Responsible: the AI manager with the risk team; procurement and legal for the terms.\n"
                "Steps:\n"
                "- Register each vendor with the services and models it supplies and the AI systems that use them.\n"
                "- Answer the vendor risk questionnaire before integration; re-assess every year.\n"
                "- Review the terms of service and licence: permitted use, restrictions, and the next review date.\n"
                "- Agree the SLAs (availability, security, support) and record every breach.\n"
                "- Check regulatory compliance: data processing agreement, data location, certifications.\n"
                "- Write the contingency plan for unavailability or changed terms.\n"
                "- For an external model, record its version and the vendor's documentation (model card).\n"
                "Records: vendor register, questionnaire and score, terms review, SLA breaches, contingency plan."
            ),
        },
    ],
    Stage.VALIDATION: [
        {
            "key": "verification-validation",
            "title": _("Verification and validation"),
            "body": _(
                "Purpose: show that the model meets its requirements before it is released (A.6.2.4).\n"
                "Responsible: the technical team; the risk team reviews; the AI manager approves the model version.\n"
                "Steps:\n"
                "- Evaluate technical performance on held-out data against the thresholds set in design.\n"
                "- Evaluate fairness by group against the fairness thresholds.\n"
                "- Test robustness: noisy, missing and out-of-distribution inputs.\n"
                "- Review the legal conditions: data and model licences, contractual restrictions.\n"
                "- Check the risk register: no open risk of the system above the risk appetite.\n"
                "- Approve the model version.\n"
                "Records: evaluations with their thresholds, robustness report, approval."
            ),
        },
    ],
    Stage.DEPLOYMENT: [
        {
            "key": "deployment-monitoring",
            "title": _("Deployment and monitoring"),
            "body": _(
                "Purpose: put the system into production safely and keep watching it (A.6.2.5, A.6.2.6, A.6.2.8).\n"
                "Responsible: the operational team; the AI manager approves the deployment plan.\n"
                "Steps:\n"
                "- Write the deployment plan: steps, checks, communication, fallback; have it approved.\n"
                "- Restrict production access to named, authorized people; every change of access is recorded.\n"
                "- Keep development, test and production environments separate.\n"
                "- Write the rollback procedure and test it.\n"
                "- Configure monitoring and alert thresholds before go-live.\n"
                "- Switch on event and access logging; send the logs to AIMS or record where they are kept, "
                "and keep them at least six months for high-risk systems (EU AI Act Art. 19, 26).\n"
                "- Inform users: instructions for use and transparency notices.\n"
                "Records: deployment plan and approval, access list, rollback test, monitors, logs."
            ),
        },
    ],
    Stage.OPERATION: [
        {
            "key": "operation-retirement",
            "title": _("Operation, monitoring and retirement"),
            "body": _(
                "Purpose: run the system as designed, react to what monitoring shows, and retire it in order.\n"
                "Responsible: the operational team and the system owner.\n"
                "Steps:\n"
                "- Review monitoring alerts and drift; record incidents and their treatment.\n"
                "- Record every rollback, patch and maintenance on the deployment.\n"
                "- Review production access and the vendor assessments when they fall due.\n"
                "- To retire: approve a retirement plan, settle what data and models are kept or deleted, "
                "inform users and affected people, and decommission the production deployment.\n"
                "Records: deployment events, incidents, retirement plan, disposal record."
            ),
        },
    ],
}
