"""Pages for clause 4: the AI system inventory, interested parties, issues and the scope."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from aims.core.actors import Actor
from aims.core.views import actor_required, object_history, paged

from . import services
from .models import AISystem


@actor_required
def system_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = services.filter_systems(AISystem.objects.for_actor(actor).select_related("owner"), request.GET.dict())
    return render(
        request,
        "inventory/system_list.html",
        {"page": paged(request, qs), "choices": AISystem, "params": request.GET},
    )


@actor_required
def system_detail(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    system = get_object_or_404(AISystem.objects.for_actor(actor).select_related("owner"), slug=slug)
    return render(
        request,
        "inventory/system_detail.html",
        {"system": system, "history": object_history(actor, "ai_system", system.pk)[:200]},
    )
