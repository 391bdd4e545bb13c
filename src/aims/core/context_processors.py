from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def organization(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    return {
        "actor": actor,
        "current_org": actor.organization if actor else None,
        "memberships": getattr(request, "memberships", []),
    }


def navigation(request: HttpRequest) -> dict[str, Any]:
    from .navigation import menu

    return {"menu": menu() if getattr(request, "actor", None) else []}
