"""The permission matrix: role x object type x action, in one table.

Every service call checks it through `Actor.require()`; `docs/permissions.md` is generated from it
(`aims permissions --markdown`) and a test keeps the two in step. A new object type is one entry in
OBJECT_TYPES plus one row in GRANTS.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .roles import Role

VIEW, ADD, CHANGE, DELETE, APPROVE, EXPORT = "view", "add", "change", "delete", "approve", "export"
ACTIONS = (VIEW, ADD, CHANGE, DELETE, APPROVE, EXPORT)

# object type -> human name (for the docs and messages)
OBJECT_TYPES: dict[str, str] = {
    "organization": _("Organization"),
    "membership": _("Membership"),
    "api_token": _("API token"),
    "audit_event": _("Audit event"),
    "ai_system": _("AI system"),
    "interested_party": _("Interested party"),
    "context_issue": _("Internal or external issue"),
    "scope": _("AIMS scope"),
}

R = Role
ALL = frozenset(Role)
MANAGERS = frozenset({R.AI_MANAGER, R.ORG_ADMIN})
LEADERS = frozenset({R.TOP_MANAGEMENT, R.AI_MANAGER})

# For each object type, the roles allowed each action. VIEW and EXPORT default to every member
# (an AIMS is meant to be transparent inside the organization; the external auditor reads all).
# Writes are narrower. A missing action means nobody.
GRANTS: dict[str, dict[str, frozenset[Role]]] = {
    "organization": {VIEW: ALL, CHANGE: frozenset({R.ORG_ADMIN}), EXPORT: ALL},
    "membership": {
        VIEW: ALL,
        ADD: frozenset({R.ORG_ADMIN}),
        CHANGE: frozenset({R.ORG_ADMIN}),
        DELETE: frozenset({R.ORG_ADMIN}),
        EXPORT: frozenset({R.ORG_ADMIN, R.AI_MANAGER, R.INTERNAL_AUDIT, R.EXTERNAL_AUDITOR}),
    },
    "api_token": {
        # A member manages their own tokens; the admin sees and revokes everyone's.
        VIEW: ALL,
        ADD: ALL,
        DELETE: ALL,
    },
    "audit_event": {
        VIEW: frozenset(
            {R.ORG_ADMIN, R.AI_MANAGER, R.TOP_MANAGEMENT, R.INTERNAL_AUDIT, R.EXTERNAL_AUDITOR, R.CIO_CDO}
        ),
        EXPORT: frozenset({R.ORG_ADMIN, R.AI_MANAGER, R.INTERNAL_AUDIT, R.EXTERNAL_AUDITOR}),
    },
    "ai_system": {
        VIEW: ALL,
        ADD: frozenset({R.AI_MANAGER, R.CIO_CDO, R.TECHNICAL_TEAM, R.ORG_ADMIN}),
        CHANGE: frozenset(
            {R.AI_MANAGER, R.CIO_CDO, R.TECHNICAL_TEAM, R.OPERATIONAL_TEAM, R.RISK_TEAM, R.ORG_ADMIN}
        ),
        DELETE: frozenset({R.AI_MANAGER, R.ORG_ADMIN}),
        EXPORT: ALL,
    },
    "interested_party": {
        VIEW: ALL,
        ADD: frozenset({R.AI_MANAGER, R.CIO_CDO, R.RISK_TEAM, R.ORG_ADMIN}),
        CHANGE: frozenset({R.AI_MANAGER, R.CIO_CDO, R.RISK_TEAM, R.ORG_ADMIN}),
        DELETE: MANAGERS,
        EXPORT: ALL,
    },
    "context_issue": {
        VIEW: ALL,
        ADD: frozenset({R.AI_MANAGER, R.CIO_CDO, R.RISK_TEAM, R.TOP_MANAGEMENT, R.ORG_ADMIN}),
        CHANGE: frozenset({R.AI_MANAGER, R.CIO_CDO, R.RISK_TEAM, R.TOP_MANAGEMENT, R.ORG_ADMIN}),
        DELETE: MANAGERS,
        EXPORT: ALL,
    },
    "scope": {
        VIEW: ALL,
        ADD: frozenset({R.AI_MANAGER, R.ORG_ADMIN}),
        CHANGE: frozenset({R.AI_MANAGER, R.ORG_ADMIN}),
        DELETE: MANAGERS,
        APPROVE: LEADERS,
        EXPORT: ALL,
    },
}


def register(object_type: str, name: str, grants: dict[str, frozenset[Role]]) -> None:
    """Add an object type from another app (risk, compliance, ...) to the one matrix."""
    OBJECT_TYPES[object_type] = name
    GRANTS[object_type] = grants


def allowed(role: str, object_type: str, action: str) -> bool:
    if object_type not in GRANTS:
        raise KeyError(f"unknown object type {object_type!r}: add it to aims.core.permissions")
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    return role in GRANTS[object_type].get(action, frozenset())


def matrix_markdown() -> str:
    """docs/permissions.md, generated: one table per object type."""
    roles = list(Role)
    lines = [
        "# Permission matrix",
        "",
        "Generated from `src/aims/core/permissions.py` by `aims permissions --markdown > docs/permissions.md`;",
        "a test fails when the two differ. Every member sees only their own organization's records; a",
        "record of another organization answers 404. ✓ = allowed, · = refused.",
        "",
        "| object type | action | " + " | ".join(f"`{r.value}`" for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for object_type, name in OBJECT_TYPES.items():
        for action in ACTIONS:
            cells = ["✓" if allowed(r, object_type, action) else "·" for r in roles]
            lines.append(f"| {name} (`{object_type}`) | {action} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
