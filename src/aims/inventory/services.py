"""Operations on the context of the organization (clause 4). Views, API handlers, the CLI and
imports call these, so validation, permissions and the audit trail are the same everywhere."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core import services as core
from aims.core.actors import Actor
from aims.core.models import AuditEvent

from .models import RESERVED_SLUGS, AISystem, ContextIssue, InterestedParty, ScopeStatement

# --- AI systems -----------------------------------------------------------------------------------


def unique_slug(actor: Actor, name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:70] or "ai-system"
    if base in RESERVED_SLUGS or base.isdigit():
        # The API reads an all-digit key as an id, so a slug must never be digits only.
        base = f"ai-system-{base}" if base.isdigit() else f"{base}-system"
    taken = set(
        AISystem.objects.filter(organization=actor.organization, slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_system(actor: Actor, data: dict[str, Any]) -> AISystem:
    data = dict(data)
    if not data.get("slug"):
        data["slug"] = unique_slug(actor, str(data.get("name") or ""))
    return core.create(actor, AISystem, data)


def update_system(
    actor: Actor,
    system: AISystem,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    via_gate: bool = False,
) -> AISystem:
    """Change an AI system. Its lifecycle stage moves only through its gate (aims.lifecycle), which
    passes via_gate=True; a new system may be registered at any stage (existing systems)."""
    stage = data.get("lifecycle_stage")
    if stage is not None and stage != system.lifecycle_stage and not via_gate:
        raise ValidationError(
            {
                "lifecycle_stage": _(
                    "A system moves to another lifecycle stage through its gate (Do → Lifecycle and gates), "
                    "so the evidence is checked first."
                )
            }
        )
    return core.update(actor, system, data, expected_version=expected_version)


def delete_system(actor: Actor, system: AISystem, *, expected_version: int | None = None) -> None:
    core.delete(actor, system, expected_version=expected_version)


def search_systems(qs: QuerySet[AISystem], q: str) -> QuerySet[AISystem]:
    """Every word must appear somewhere in the system's searchable text."""
    for word in q.lower().split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs


SORTS = {
    "name": "name",
    "-name": "-name",
    "criticality": "criticality",
    "-criticality": "-criticality",
    "stage": "lifecycle_stage",
    "-stage": "-lifecycle_stage",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


def filter_systems(qs: QuerySet[AISystem], params: dict[str, Any]) -> QuerySet[AISystem]:
    """The one filter behind the inventory page, the API list and the exports."""
    if params.get("q"):
        qs = search_systems(qs, str(params["q"]))
    mapping = {
        "type": "system_type",
        "criticality": "criticality",
        "stage": "lifecycle_stage",
        "tier": "eu_ai_act_tier",
        "documentation": "documentation_status",
    }
    for key, field in mapping.items():
        if params.get(key):
            qs = qs.filter(**{field: params[key]})
    owner = params.get("owner")
    if owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner:
        is_id = re.fullmatch(r"[0-9]{1,18}", str(owner))
        qs = qs.filter(owner_id=int(owner)) if is_id else qs.filter(owner__email__iexact=owner)
    sort = SORTS.get(str(params.get("sort") or "name"), "name")
    return qs.order_by(sort, "pk")


def dashboard(actor: Actor) -> dict[str, Any]:
    """Counts for the inventory dashboard, in a handful of queries whatever the inventory's size."""
    qs = AISystem.objects.for_actor(actor)

    def counts(field: str, choices: Any) -> list[tuple[str, str, int]]:
        found = dict(qs.values_list(field).annotate(n=Count("pk")).order_by())
        return [(value, label, found.get(value, 0)) for value, label in choices]

    totals = qs.aggregate(
        total=Count("pk"),
        no_owner=Count("pk", filter=Q(owner__isnull=True)),
        no_docs=Count("pk", filter=Q(documentation_status=AISystem.DocumentationStatus.NONE)),
        high_risk=Count("pk", filter=Q(eu_ai_act_tier=AISystem.RiskTier.HIGH)),
        personal=Count("pk", filter=Q(processes_personal_data=True)),
    )
    return {
        **totals,
        "by_criticality": counts("criticality", AISystem.Criticality.choices),
        "by_stage": counts("lifecycle_stage", AISystem.Stage.choices),
        "by_tier": counts("eu_ai_act_tier", AISystem.RiskTier.choices),
        "by_documentation": counts("documentation_status", AISystem.DocumentationStatus.choices),
        "without_owner": list(qs.filter(owner__isnull=True).order_by("name")[:10]),
        "without_documentation": list(
            qs.filter(documentation_status=AISystem.DocumentationStatus.NONE).order_by("name")[:10]
        ),
    }


# --- interested parties and issues ----------------------------------------------------------------


def missing_party_categories(actor: Actor) -> list[tuple[str, str]]:
    present = set(
        InterestedParty.objects.for_actor(actor).order_by().values_list("category", flat=True).distinct()
    )
    labels = dict(InterestedParty.Category.choices)
    return [(c, labels[c]) for c in InterestedParty.MINIMUM_CATEGORIES if c not in present]


def create_party(actor: Actor, data: dict[str, Any]) -> InterestedParty:
    return core.create(actor, InterestedParty, data)


def create_issue(actor: Actor, data: dict[str, Any]) -> ContextIssue:
    return core.create(actor, ContextIssue, data)


# --- scope ----------------------------------------------------------------------------------------


def current_scope(actor: Actor) -> ScopeStatement | None:
    return ScopeStatement.objects.for_actor(actor).order_by("-number").first()


def approved_scope(actor: Actor) -> ScopeStatement | None:
    return (
        ScopeStatement.objects.for_actor(actor)
        .filter(status=ScopeStatement.Status.APPROVED)
        .order_by("-number")
        .first()
    )


def save_scope(actor: Actor, data: dict[str, Any], *, expected_version: int | None = None) -> ScopeStatement:
    """Edit the draft; when the latest version is approved (frozen), start a new draft from it."""
    latest = current_scope(actor)
    if latest is not None and latest.status == ScopeStatement.Status.DRAFT:
        return core.update(actor, latest, data, expected_version=expected_version)
    if latest is not None and expected_version is not None and latest.version != expected_version:
        from aims.core.exceptions import PreconditionFailed

        raise PreconditionFailed(latest.version)
    base: dict[str, Any] = {}
    if latest is not None:
        base = {
            "statement": latest.statement,
            "included_units": latest.included_units,
            "exclusions": latest.exclusions,
            "boundaries": latest.boundaries,
            "objectives": latest.objectives,
            "included_systems": list(latest.included_systems.values_list("pk", flat=True)),
        }
    base.update(data)
    number = (latest.number + 1) if latest else 1

    def numbered(obj: ScopeStatement) -> None:
        obj.number = number

    return core.create(actor, ScopeStatement, base, before_save=numbered)


def approve_scope(actor: Actor, scope: ScopeStatement) -> ScopeStatement:
    actor.require("scope", "approve")
    if scope.status != ScopeStatement.Status.DRAFT:
        raise ValidationError(
            {
                "status": _("Only a draft can be approved; this version is %(s)s.")
                % {"s": scope.get_status_display()}
            }
        )
    if not scope.statement.strip():
        raise ValidationError({"statement": _("Write the scope statement before approving it.")})
    with transaction.atomic():
        ScopeStatement.objects.filter(
            organization=actor.organization, status=ScopeStatement.Status.APPROVED
        ).update(status=ScopeStatement.Status.SUPERSEDED)
        scope.status = ScopeStatement.Status.APPROVED
        scope.approved_by = actor.user
        scope.approved_at = timezone.now()
        scope.version += 1
        scope.save()
        audit.record(
            actor,
            AuditEvent.Action.APPROVE,
            obj=scope,
            changes={"status": [ScopeStatement.Status.DRAFT, ScopeStatement.Status.APPROVED]},
        )
    return scope


def draft_scope_from_inventory(actor: Actor) -> dict[str, Any]:
    """A first draft of the scope from what AIMS already knows; the user edits it before saving."""
    systems = list(
        AISystem.objects.for_actor(actor).exclude(lifecycle_stage=AISystem.Stage.RETIRED).order_by("name")
    )
    retired = list(
        AISystem.objects.for_actor(actor).filter(lifecycle_stage=AISystem.Stage.RETIRED).order_by("name")
    )
    units = sorted({s.business_unit for s in systems if s.business_unit})
    roles = Counter(role for s in systems for role in s.org_roles)
    parties = Counter(InterestedParty.objects.for_actor(actor).values_list("category", flat=True))
    role_labels = dict(AISystem.OrgRole.choices)
    party_labels = dict(InterestedParty.Category.choices)
    statement = _(
        "The AI management system of %(org)s covers the design, development, provision and use of the %(n)d AI "
        "systems listed below%(roles)s, in %(units)s, and the processes that govern them: risk and impact "
        "assessment, lifecycle gates, monitoring, incident handling, internal audit and management review."
    ) % {
        "org": actor.organization.name,
        "n": len(systems),
        "roles": (
            " "
            + _("where the organization acts as %(r)s")
            % {"r": ", ".join(str(role_labels[r]).lower() for r in roles)}
        )
        if roles
        else "",
        "units": ", ".join(units) if units else _("all business units"),
    }
    return {
        "statement": statement,
        "included_systems": [s.pk for s in systems],
        "included_units": "\n".join(units),
        "exclusions": [
            {"item": s.name, "reason": _("Retired: no longer developed, provided or used.")} for s in retired
        ],
        "boundaries": _("Interested parties considered: %(p)s.")
        % {"p": ", ".join(f"{party_labels[c]} ({n})" for c, n in sorted(parties.items())) or _("none yet")},
        "objectives": _(
            "Use AI responsibly and lawfully; keep every AI system's risks within the risk appetite; meet the "
            "obligations of the EU AI Act and data protection law that apply; improve continually."
        ),
    }
