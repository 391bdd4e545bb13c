"""The main menu, shaped like the standard's PDCA cycle so an auditor finds things where the
standard puts them. An app adds its pages by appending to a section; entries whose URL name does
not exist (an area not built yet) are left out."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    clause: str = ""

    @property
    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


SECTIONS: dict[str, list[Entry]] = {
    str(_("Plan")): [
        Entry(_("AI systems"), "inventory:system-list", "4.1"),
        Entry(_("Inventory dashboard"), "inventory:dashboard", "4.1"),
        Entry(_("Interested parties"), "inventory:party-list", "4.2"),
        Entry(_("Internal and external issues"), "inventory:issue-list", "4.1"),
        Entry(_("AIMS scope"), "inventory:scope", "4.3"),
        Entry(_("AI policy and documents"), "governance:document-list", "5.2"),
        Entry(_("Roles and responsibilities"), "governance:raci", "5.3"),
        Entry(_("Risk methodology"), "risk:methodology", "6.1.2"),
        Entry(_("Risk register"), "risk:risk-list", "6.1.2"),
        Entry(_("Impact assessments"), "risk:assessment-list", "6.1.4"),
        Entry(_("Statement of Applicability"), "compliance:soa", "6.1.3"),
        Entry(_("Controls"), "compliance:control-list", "Annex A"),
        Entry(_("EU AI Act classification"), "compliance:classification-list", ""),
        Entry(_("Gap analysis"), "compliance:gap-list", ""),
        Entry(_("Compliance status"), "compliance:status", ""),
        Entry(_("Regulatory register"), "compliance:regulation-list", "4.1"),
        Entry(_("Frameworks"), "compliance:framework-list", ""),
        Entry(_("AI objectives"), "governance:objective-list", "6.2"),
    ],
    str(_("Do")): [
        Entry(_("Competence and training"), "governance:training-list", "7.2"),
        Entry(_("Resources"), "governance:resource-list", "7.1"),
        Entry(_("Communication"), "governance:communication-list", "7.4"),
        Entry(_("Lifecycle and gates"), "lifecycle:board", "8.1"),
        Entry(_("Datasets"), "lifecycle:dataset-list", "A.7"),
        Entry(_("Models"), "lifecycle:model-list", "A.6"),
        Entry(_("Vendors"), "lifecycle:vendor-list", "A.10"),
        Entry(_("Deployments"), "lifecycle:deployment-list", "A.6.2.5"),
    ],
    str(_("Check")): [
        Entry(_("Monitors"), "monitoring:monitor-list", "9.1"),
        Entry(_("Alerts"), "monitoring:alert-list", "A.6.2.6"),
        Entry(_("Certification readiness"), "compliance:readiness", "9.2"),
        Entry(_("Executive dashboard"), "assurance:dashboard", "9.1"),
        Entry(_("Incidents"), "assurance:incident-list", "A.8.4"),
        Entry(_("User feedback"), "assurance:feedback-list", "A.8.3"),
        Entry(_("KPIs"), "assurance:kpi-list", "9.1"),
        Entry(_("My tasks"), "assurance:task-list", ""),
        Entry(_("PDCA calendar"), "assurance:calendar", ""),
        Entry(_("Internal audits"), "assurance:audit-list", "9.2"),
        Entry(_("Management reviews"), "assurance:review-list", "9.3"),
        Entry(_("Audit trail"), "audit-log", ""),
    ],
    str(_("Act")): [
        Entry(_("Nonconformities and actions"), "assurance:nonconformity-list", "10.2"),
    ],
}


def menu() -> list[tuple[str, list[tuple[Entry, str]]]]:
    out = []
    for section, entries in SECTIONS.items():
        links = [(e, url) for e in entries if (url := e.url)]
        if links:
            out.append((section, links))
    return out
