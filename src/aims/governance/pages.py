"""Page helpers the governance and assurance views share: a form page that saves through a service
and turns its refusal into form errors, a button action whose refusal comes back as a message, a PDF
answer, and the two views nearly every register has — "new" and "edit" — built from one recipe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.actors import Actor
from aims.core.exceptions import PreconditionFailed, error_dict
from aims.core.views import actor_required, paged

from . import attachments
from .forms import AimsForm

View = Callable[..., HttpResponse]
Save = Callable[[dict[str, Any], int | None], Any]


def say(request: HttpRequest, exc: ValidationError) -> None:
    """A service's refusal as one message per error."""
    for field, msgs in error_dict(exc).items():
        for m in msgs:
            messages.error(request, m if field == "__all__" else f"{field.replace('_', ' ')}: {m}")


def act(request: HttpRequest, done: str, back: str, fn: Callable[[], Any]) -> HttpResponse:
    """Run a state change from a button; a refused transition comes back as a message, not an error page."""
    try:
        fn()
    except ValidationError as exc:
        say(request, exc)
    except PreconditionFailed:
        messages.error(request, _("Someone changed this record meanwhile: look at it again."))
    else:
        messages.success(request, done)
    return redirect(back)


def form_page(
    request: HttpRequest,
    actor: Actor,
    form: AimsForm,
    *,
    title: str,
    save: Save,
    cancel: str,
    intro: str = "",
) -> HttpResponse:
    """Show the form; on a valid POST save it through the service (which checks permission, validates
    and records the audit entry) and go to the saved object, else show what was refused (422)."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.payload(), form.expected_version())
        except ValidationError as exc:
            form.apply(exc)
        except PreconditionFailed:
            form.add_error(
                None,
                _(
                    "Someone changed this record since you opened it: reload the page and apply your change again."
                ),
            )
        else:
            messages.success(request, _("Saved."))
            return redirect(obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else cancel)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "governance/form_page.html",
        {"form": form, "title": title, "cancel": cancel, "intro": intro},
        status=status,
    )


def pdf_response(html: str, filename: str, base_url: str) -> HttpResponse:
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=base_url).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def create_view(
    object_type: str,
    form_class: type[AimsForm],
    *,
    title: Any,
    cancel: str,
    save: Callable[[Actor, dict[str, Any]], Any],
    intro: Any = "",
    initial: Callable[[Actor], dict[str, Any]] | None = None,
) -> View:
    """The "new" page of a register: needs the `add` right; `title` and `intro` are lazy translations,
    `cancel` a URL name."""

    @actor_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, actor: Actor) -> HttpResponse:
        actor.require(object_type, "add")
        form = form_class(request.POST or None, actor=actor, initial=initial(actor) if initial else None)
        return form_page(
            request,
            actor,
            form,
            title=str(title),
            cancel=reverse(cancel),
            intro=str(intro),
            save=lambda data, _v: save(actor, data),
        )

    return view


def edit_view(
    model: type[models.Model],
    form_class: type[AimsForm],
    *,
    title: Callable[[Any], str],
    save: Callable[..., Any] | None = None,
    cancel: str | None = None,
    lookup: str = "pk",
    refuse: Callable[[Any], str | None] | None = None,
    drop: tuple[str, ...] = (),
) -> View:
    """The "edit" page of a register: the object from the actor's organization (another's is 404), the
    `change` right, and the save with the version the form was opened at (a concurrent change is
    refused). `refuse(obj)` may name why this object is not editable; `drop` removes form fields."""
    object_type = model.object_type  # type: ignore[attr-defined]

    @actor_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, actor: Actor, **key: Any) -> HttpResponse:
        obj = get_object_or_404(model.objects.for_actor(actor), **{lookup: key[lookup]})  # type: ignore[attr-defined]
        actor.require(object_type, "change")
        reason = refuse(obj) if refuse else None
        if reason:
            messages.error(request, reason)
            return redirect(obj.get_absolute_url())
        form = form_class(request.POST or None, instance=obj, actor=actor)
        for name in drop:
            del form.fields[name]
        write = save or _core_update
        return form_page(
            request,
            actor,
            form,
            title=title(obj),
            cancel=reverse(cancel) if cancel else obj.get_absolute_url(),
            save=lambda data, v: write(actor, obj, data, expected_version=v),
        )

    return view


def _core_update(actor: Actor, obj: Any, data: dict[str, Any], *, expected_version: int | None) -> Any:
    from aims.core import services as core

    return core.update(actor, obj, data, expected_version=expected_version)


def list_page(
    request: HttpRequest, actor: Actor, template: str, object_type: str, qs: Any, **extra: Any
) -> HttpResponse:
    """A register's list: one page of `qs`, whether the actor may add, and what else the page shows."""
    return render(
        request,
        template,
        {"page": paged(request, qs), "can_add": actor.can(object_type, "add"), **extra},
    )


def status_filter(request: HttpRequest, qs: Any, model: Any) -> tuple[Any, str | None]:
    """`?status=open` (the model's OPEN statuses) or one status; anything else lists everything."""
    status = request.GET.get("status")
    if status == "open":
        qs = qs.filter(status__in=model.OPEN)
    elif status in model.Status.values:
        qs = qs.filter(status=status)
    return qs, status


def child_form_action(
    parent: type[models.Model],
    object_type: str,
    form_class: type[AimsForm],
    *,
    link: str,
    save: Callable[[Actor, dict[str, Any]], Any],
    done: Any,
) -> View:
    """A POST from a form on a parent's page that adds a child record (`link` names the child's key to
    the parent): invalid input and refusals come back as messages on the parent's page."""

    @require_POST
    @actor_required
    def view(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
        obj = get_object_or_404(parent.objects.for_actor(actor), pk=pk)  # type: ignore[attr-defined]
        actor.require(object_type, "add")
        form = form_class(request.POST, actor=actor)
        if not form.is_valid():
            for field, errs in form.errors.items():
                for e in errs:
                    messages.error(request, f"{field}: {e}")
            return redirect(obj.get_absolute_url())
        return act(
            request, str(done), obj.get_absolute_url(), lambda: save(actor, {**form.payload(), link: obj.pk})
        )

    return view


def transition_action(
    model: type[models.Model],
    move: Callable[..., Any],
    *,
    done: Any = None,
    arguments: Callable[[HttpRequest], dict[str, Any]] | None = None,
) -> View:
    """The status buttons of a record: `move(actor, obj, target, **arguments(request))` through the service."""

    @require_POST
    @actor_required
    def view(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
        obj = get_object_or_404(model.objects.for_actor(actor), pk=pk)  # type: ignore[attr-defined]
        more = arguments(request) if arguments else {}
        return act(
            request,
            str(done or _("Status changed.")),
            obj.get_absolute_url(),
            lambda: move(actor, obj, request.POST.get("status", ""), **more),
        )

    return view


def workflow_context(actor: Actor, obj: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """What every detail page of a record with a status flow shows: the next statuses, whether the actor
    may change it, and its history."""
    from aims.core.views import object_history

    labels = dict(type(obj).Status.choices)
    return {
        "next_statuses": [(s, labels[s]) for s in type(obj).FLOW.get(obj.status, ()) if s not in skip],
        "can_change": actor.can(obj.object_type, "change"),
        "history": object_history(actor, obj.object_type, obj.pk)[:100],
    }


def attachment_context(actor: Actor, owner: Any, *, prefix: str = "att") -> dict[str, Any]:
    """What `governance/_attachments.html` needs for one record's files."""
    from django.conf import settings

    may_attach = actor.can(owner.object_type, "change")
    return {
        "attachments": list(attachments.for_owner(actor, owner)),
        "attach_url": reverse("governance:attachment-add", args=[owner.object_type, owner.pk])
        if may_attach
        else "",
        "id_prefix": prefix,
        "max_mb": settings.AIMS_MAX_UPLOAD_BYTES // 2**20,
    }
