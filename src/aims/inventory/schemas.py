"""API schemas for clause 4 objects: XIn (create), XPatch (partial update), XOut (read), XList."""

from __future__ import annotations

import datetime as dt

from ninja import Field

from aims.core.api_helpers import ObjectId, Page
from aims.core.schema import Schema

from .models import AISystem, ContextIssue, InterestedParty

SystemType = AISystem.Type
Criticality = AISystem.Criticality
Tier = AISystem.RiskTier
DocStatus = AISystem.DocumentationStatus
Stage = AISystem.Stage


class AISystemIn(Schema):
    name: str = Field(..., min_length=1, max_length=200, description="What people call the system.")
    slug: str | None = Field(
        None, max_length=80, description="Unique in the organization; made from the name when left out."
    )
    purpose: str = ""
    description: str = ""
    function: str = Field("", description="What it decides, recommends or produces.")
    system_type: SystemType = SystemType.PREDICTIVE_ML
    owner_id: int | None = Field(None, description="User id of the accountable owner (a member).")
    business_unit: str = ""
    criticality: Criticality = Criticality.MEDIUM
    org_roles: list[AISystem.OrgRole] = Field(default_factory=list)
    eu_ai_act_tier: Tier = Tier.NOT_ASSESSED
    documentation_status: DocStatus = DocStatus.NONE
    lifecycle_stage: Stage = Stage.IDEA
    project_status: AISystem.ProjectStatus = AISystem.ProjectStatus.ACTIVE
    processes_personal_data: bool = False
    special_category_data: bool = False
    affected_persons: str = ""
    deployment_environments: list[AISystem.Environment] = Field(default_factory=list)
    third_party: bool = False
    supplier: str = ""
    tags: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)


class AISystemPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    slug: str | None = Field(None, max_length=80)
    purpose: str | None = None
    description: str | None = None
    function: str | None = None
    system_type: SystemType | None = None
    owner_id: int | None = None
    business_unit: str | None = None
    criticality: Criticality | None = None
    org_roles: list[AISystem.OrgRole] | None = None
    eu_ai_act_tier: Tier | None = None
    documentation_status: DocStatus | None = None
    lifecycle_stage: Stage | None = None
    project_status: AISystem.ProjectStatus | None = None
    processes_personal_data: bool | None = None
    special_category_data: bool | None = None
    affected_persons: str | None = None
    deployment_environments: list[AISystem.Environment] | None = None
    third_party: bool | None = None
    supplier: str | None = None
    tags: list[str] | None = None
    links: list[str] | None = None


class AISystemOut(Schema):
    id: int
    slug: str
    name: str
    purpose: str
    description: str
    function: str
    system_type: str
    owner_id: int | None
    owner_email: str | None = Field(None, alias="owner.email")
    business_unit: str
    criticality: str
    org_roles: list[str]
    eu_ai_act_tier: str
    documentation_status: str
    lifecycle_stage: str
    project_status: str
    processes_personal_data: bool
    special_category_data: bool
    affected_persons: str
    deployment_environments: list[str]
    third_party: bool
    supplier: str
    tags: list[str]
    links: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class AISystemList(Page):
    items: list[AISystemOut]


class InterestedPartyIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    category: InterestedParty.Category
    needs: str = ""
    addressed_needs: str = ""
    ai_systems: list[int] = Field(default_factory=list, description="Ids of linked AI systems.")


class InterestedPartyPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    category: InterestedParty.Category | None = None
    needs: str | None = None
    addressed_needs: str | None = None
    ai_systems: list[int] | None = None


class InterestedPartyOut(Schema):
    id: int
    name: str
    category: str
    needs: str
    addressed_needs: str
    ai_systems: list[int]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_ai_systems(obj: InterestedParty) -> list[int]:
        return [s.pk for s in obj.ai_systems.all()]


class InterestedPartyList(Page):
    items: list[InterestedPartyOut]
    missing_categories: list[str] = Field(description="Minimum categories not yet identified.")


class ContextIssueIn(Schema):
    kind: ContextIssue.Kind
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    impact: str = ""


class ContextIssuePatch(Schema):
    kind: ContextIssue.Kind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    impact: str | None = None


class ContextIssueOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    impact: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ContextIssueList(Page):
    items: list[ContextIssueOut]


class Exclusion(Schema):
    item: str
    reason: str


class ScopeIn(Schema):
    statement: str = Field(..., min_length=1)
    included_systems: list[ObjectId] = Field(default_factory=list)
    included_units: str = ""
    exclusions: list[Exclusion] = Field(default_factory=list)
    boundaries: str = ""
    objectives: str = ""


class ScopeOut(Schema):
    id: int
    number: int
    status: str
    statement: str
    included_systems: list[int]
    included_units: str
    exclusions: list[Exclusion]
    boundaries: str
    objectives: str
    approved_by: str | None = Field(None, alias="approved_by.email")
    approved_at: dt.datetime | None
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_included_systems(obj: object) -> list[int]:
        return [s.pk for s in obj.included_systems.all()]  # type: ignore[attr-defined]
