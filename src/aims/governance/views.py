"""Pages for clauses 5, 6.2 and 7: documents and the AI policy, the RACI, objectives, competence and
training, and the communication plan."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from aims.core import services as core
from aims.core.actors import Actor
from aims.core.roles import Role
from aims.core.views import actor_required, object_history, paged

from . import attachments, services
from .forms import (
    CommunicationForm,
    DocumentForm,
    ObjectiveForm,
    ResourceForm,
    TrainingForm,
    VersionForm,
)
from .models import (
    PROCESSES,
    Communication,
    Competence,
    Document,
    DocumentVersion,
    Objective,
    ResourceAllocation,
    Responsibility,
    TrainingRecord,
)
from .pages import act as _act
from .pages import attachment_context, create_view, edit_view, list_page
from .pages import say as _say

# --- documents --------------------------------------------------------------------------------------


@actor_required
def document_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = Document.objects.for_actor(actor).select_related("owner", "published_version")
    kind = request.GET.get("kind")
    if kind in Document.Kind.values:
        qs = qs.filter(kind=kind)
    return list_page(
        request,
        actor,
        "governance/document_list.html",
        "document",
        qs,
        kinds=Document.Kind.choices,
        kind=kind,
        has_policy=Document.objects.for_actor(actor).filter(is_ai_policy=True).exists(),
    )


document_create = create_view(
    "document",
    DocumentForm,
    title=_l("New document"),
    cancel="governance:document-list",
    save=services.create_document,
)


@require_POST
@actor_required
def document_ai_policy(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("document", "add")
    try:
        doc = services.ai_policy_from_template(actor)
    except ValidationError as exc:
        _say(request, exc)
        return redirect("governance:document-list")
    messages.success(
        request, _("The AI policy draft was created from the template: adapt it, then submit it for review.")
    )
    return redirect(doc.get_absolute_url())


document_edit = edit_view(
    Document,
    DocumentForm,
    lookup="slug",
    drop=("content",),
    title=lambda doc: _("Edit %(t)s") % {"t": doc.title},
)


@actor_required
def document_detail(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    doc = get_object_or_404(
        Document.objects.for_actor(actor).select_related("owner", "approver", "published_version"), slug=slug
    )
    versions = list(doc.versions.select_related("author", "approved_by"))
    labels = dict(DocumentVersion.Status.choices)
    pending = next((v for v in versions if v.status in ("draft", "in_review", "approved")), None)
    acked = bool(
        doc.published_version
        and actor.user
        and doc.published_version.acknowledgements.filter(user=actor.user).exists()
    )
    may_report = actor.can("document", "approve") or actor.can("membership", "export")
    return render(
        request,
        "governance/document_detail.html",
        {
            "doc": doc,
            "versions": versions,
            "pending": pending,
            "next_statuses": [(s, labels[s]) for s in DocumentVersion.FLOW.get(pending.status, ())]
            if pending
            else [],
            "published_next": [("retired", labels["retired"])] if doc.published_version else [],
            "acknowledged": acked,
            "report": services.acknowledgement_report(actor.organization, doc)
            if may_report and doc.published_version
            else None,
            "can_change": actor.can("document", "change"),
            "can_approve": actor.can("document", "approve"),
            "history": object_history(actor, "document", doc.pk)[:100],
            **attachment_context(actor, doc),
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    doc = get_object_or_404(Document.objects.for_actor(actor), slug=slug)
    actor.require("document", "change")
    draft = doc.versions.filter(status=DocumentVersion.Status.DRAFT).order_by("-number").first()
    if draft is None:
        messages.error(request, _("There is no draft to edit: start a new version."))
        return redirect(doc.get_absolute_url())
    form = VersionForm(
        request.POST or None, initial={"content": draft.content, "change_note": draft.change_note}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_version(
                actor,
                draft,
                content=form.cleaned_data["content"],
                change_note=form.cleaned_data["change_note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(doc.get_absolute_url())
    return render(request, "governance/version_edit.html", {"doc": doc, "draft": draft, "form": form})


@require_POST
@actor_required
def version_create(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    doc = get_object_or_404(Document.objects.for_actor(actor).select_related("published_version"), slug=slug)
    return _act(
        request,
        _("New draft version started."),
        reverse("governance:version-edit", args=[doc.slug]),
        lambda: services.new_version(actor, doc, change_note=request.POST.get("change_note", "")),
    )


@require_POST
@actor_required
def version_transition(request: HttpRequest, actor: Actor, slug: str, number: int) -> HttpResponse:
    doc = get_object_or_404(Document.objects.for_actor(actor).select_related("published_version"), slug=slug)
    version = get_object_or_404(DocumentVersion, document=doc, number=number)
    return _act(
        request,
        _("Version updated."),
        doc.get_absolute_url(),
        lambda: services.version_transition(
            actor, version, request.POST.get("status", ""), comment=request.POST.get("comment", "")
        ),
    )


@require_POST
@actor_required
def document_acknowledge(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    doc = get_object_or_404(Document.objects.for_actor(actor).select_related("published_version"), slug=slug)
    return _act(
        request,
        _("Thank you: your acknowledgement is recorded."),
        doc.get_absolute_url(),
        lambda: services.acknowledge(actor, doc),
    )


# --- RACI -------------------------------------------------------------------------------------------


@actor_required
@require_http_methods(["GET", "POST"])
def raci(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("raci", "view")
    back = reverse("governance:raci")
    if request.method == "POST":
        if request.POST.get("defaults"):
            return _act(
                request,
                _("The default RACI is now the organization's own."),
                back,
                lambda: services.load_default_raci(actor),
            )
        return _act(
            request,
            _("Responsibility saved."),
            back,
            lambda: services.set_responsibility(
                actor,
                process=request.POST.get("process", ""),
                role=request.POST.get("role", ""),
                letter=request.POST.get("letter", ""),
            ),
        )
    matrix = services.raci_for(actor.organization.pk)
    roles = [(r, label) for r, label in Role.choices if r not in (Role.EXTERNAL_AUDITOR, Role.ORG_ADMIN)]
    from aims.core.roles import ROLE_HELP

    rows = [
        (key, name, [(r, matrix.get(key, {}).get(r, "")) for r, _label in roles])
        for key, name in PROCESSES.items()
    ]
    return render(
        request,
        "governance/raci.html",
        {
            "rows": rows,
            "roles": roles,
            "role_help": [(label, ROLE_HELP.get(r, "")) for r, label in roles],
            "default": not Responsibility.objects.filter(organization=actor.organization).exists(),
            "can_change": actor.can("raci", "change") and actor.can("raci", "add"),
        },
    )


# --- objectives -------------------------------------------------------------------------------------


@actor_required
def objective_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = Objective.objects.for_actor(actor).select_related("kpi", "owner")
    return list_page(request, actor, "governance/objective_list.html", "objective", qs)


objective_create = create_view(
    "objective",
    ObjectiveForm,
    title=_l("New AI objective"),
    cancel="governance:objective-list",
    save=lambda actor, data: core.create(actor, Objective, data),
)
objective_edit = edit_view(
    Objective, ObjectiveForm, title=lambda _obj: _("Edit objective"), cancel="governance:objective-list"
)


# --- competence and training ------------------------------------------------------------------------


@actor_required
def training_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = TrainingRecord.objects.for_actor(actor).select_related("person", "competence")
    return list_page(
        request,
        actor,
        "governance/training_list.html",
        "training",
        qs,
        report=services.competence_gaps(actor.organization),
        competences=Competence.objects.for_actor(actor),
    )


training_create = create_view(
    "training",
    TrainingForm,
    title=_l("Record a training"),
    cancel="governance:training-list",
    save=services.create_training,
    initial=lambda actor: {"person": actor.user.pk if actor.user else None},
)


# --- communication ----------------------------------------------------------------------------------


@actor_required
def communication_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = Communication.objects.for_actor(actor)
    return render(
        request,
        "governance/communication_list.html",
        {
            "plan": qs.filter(occurred_on__isnull=True),
            "records": paged(request, qs.filter(occurred_on__isnull=False)),
            "can_add": actor.can("communication", "add"),
        },
    )


communication_create = create_view(
    "communication",
    CommunicationForm,
    title=_l("Communication plan line or record"),
    cancel="governance:communication-list",
    save=lambda actor, data: core.create(actor, Communication, data),
)


# --- resources (7.1) ---------------------------------------------------------------------------------


@actor_required
def resource_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = ResourceAllocation.objects.for_actor(actor).select_related("ai_system")
    return list_page(request, actor, "governance/resource_list.html", "resource", qs)


resource_create = create_view(
    "resource",
    ResourceForm,
    title=_l("Allocate a resource"),
    cancel="governance:resource-list",
    save=lambda actor, data: core.create(actor, ResourceAllocation, data),
)
resource_edit = edit_view(
    ResourceAllocation,
    ResourceForm,
    title=lambda obj: _("Edit %(t)s") % {"t": obj.description},
    cancel="governance:resource-list",
)


# --- attachments ------------------------------------------------------------------------------------


@require_POST
@actor_required
def attachment_add(request: HttpRequest, actor: Actor, owner_type: str, owner_id: int) -> HttpResponse:
    owner = attachments.get_owner(actor, owner_type, owner_id)
    return _act(
        request,
        _("File attached."),
        attachments.owner_url(owner),
        lambda: attachments.attach(
            actor, owner, request.FILES.get("file"), description=request.POST.get("description", "")
        ),
    )


@actor_required
def attachment_download(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return attachments.download_response(attachments.get_attachment(actor, pk))


@require_POST
@actor_required
def attachment_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    attachment = attachments.get_attachment(actor, pk)
    owner = attachments.get_owner(actor, attachment.owner_type, attachment.owner_id)
    return _act(
        request,
        _("File removed."),
        attachments.owner_url(owner),
        lambda: attachments.remove(actor, attachment),
    )
