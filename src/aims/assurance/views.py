"""Pages for clauses 9 and 10: incidents and feedback (with the public report page), nonconformities and
corrective actions, internal audits, management reviews, KPIs, my tasks and the PDCA calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.actors import Actor
from aims.core.exceptions import error_dict
from aims.core.models import Organization
from aims.core.views import actor_required, paged
from aims.governance.pages import (
    act,
    attachment_context,
    child_form_action,
    create_view,
    edit_view,
    form_page,
    list_page,
    pdf_response,
    say,
    status_filter,
    transition_action,
    workflow_context,
)

from . import services
from .forms import (
    ActionForm,
    AuditForm,
    FeedbackTriageForm,
    FindingForm,
    IncidentForm,
    NonconformityForm,
    PublicFeedbackForm,
    ReviewForm,
)
from .models import (
    KPI,
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    Feedback,
    Incident,
    ManagementReview,
    Nonconformity,
    Severity,
    Task,
    serious_categories,
)

_say = say
_act = act
_form_page = form_page


# --- incidents -------------------------------------------------------------------------------------


@actor_required
def incident_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = Incident.objects.for_actor(actor).select_related("ai_system", "owner")
    qs, status = status_filter(request, qs, Incident)
    if request.GET.get("severity") in Severity.values:
        qs = qs.filter(severity=request.GET["severity"])
    feedback = (
        Feedback.objects.for_actor(actor)
        .filter(status__in=("new", "in_review"))
        .select_related("ai_system")[:20]
    )
    return list_page(
        request,
        actor,
        "assurance/incident_list.html",
        "incident",
        qs,
        statuses=Incident.Status.choices,
        status=status,
        feedback=feedback,
    )


incident_create = create_view(
    "incident",
    IncidentForm,
    title=_l("Report an incident"),
    cancel="assurance:incident-list",
    save=lambda actor, data: services.create_incident(
        actor, {k: v for k, v in data.items() if v is not None or k.endswith("_id")}
    ),
)
incident_edit = edit_view(
    Incident,
    IncidentForm,
    title=lambda obj: _("Edit %(ref)s") % {"ref": obj.reference},
    save=services.update_incident,
)


@actor_required
def incident_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    incident = get_object_or_404(
        Incident.objects.for_actor(actor).select_related("ai_system", "owner"), pk=pk
    )
    return render(
        request,
        "assurance/incident_detail.html",
        {
            "incident": incident,
            "events": incident.events.select_related("author"),
            "nonconformities": incident.nonconformities.all(),
            "feedback": incident.feedback.all(),
            "rule": incident.serious_rule,
            **workflow_context(actor, incident),
            **attachment_context(actor, incident),
        },
    )


incident_transition = transition_action(
    Incident, services.incident_transition, arguments=lambda request: {"note": request.POST.get("note", "")}
)


@require_POST
@actor_required
def incident_timeline(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.for_actor(actor), pk=pk)
    return _act(
        request,
        _("Added to the timeline."),
        incident.get_absolute_url(),
        lambda: services.add_timeline_entry(
            actor, incident, text=request.POST.get("text", ""), kind=request.POST.get("kind", "note")
        ),
    )


@require_POST
@actor_required
def incident_authority_report(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.for_actor(actor), pk=pk)
    return _act(
        request,
        _("Report to the authority recorded."),
        incident.get_absolute_url(),
        lambda: services.report_to_authority(
            actor, incident, reference=request.POST.get("reference", "")[:120]
        ),
    )


@require_POST
@actor_required
def incident_nonconformity(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.for_actor(actor), pk=pk)
    try:
        nc = services.incident_to_nonconformity(actor, incident)
    except ValidationError as exc:
        _say(request, exc)
        return redirect(incident.get_absolute_url())
    messages.success(request, _("Nonconformity %(ref)s raised.") % {"ref": nc.reference})
    return redirect(nc.get_absolute_url())


@actor_required
def incident_report_pdf(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The printable serious-incident report (EU AI Act Art. 73), from the incident's record."""
    actor.require("incident", "export")
    incident = get_object_or_404(
        Incident.objects.for_actor(actor).select_related("ai_system", "owner"), pk=pk
    )
    html = render_to_string(
        "assurance/print/incident_report.html",
        {
            "incident": incident,
            "events": incident.events.select_related("author"),
            "org": actor.organization,
            "rule": incident.serious_rule,
            "now": timezone.now(),
        },
    )
    return pdf_response(html, f"{incident.reference}.pdf", request.build_absolute_uri("/"))


# --- feedback --------------------------------------------------------------------------------------


@actor_required
def feedback_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = Feedback.objects.for_actor(actor).select_related("ai_system", "incident")
    return render(
        request,
        "assurance/feedback_list.html",
        {
            "page": paged(request, qs),
            "form": FeedbackTriageForm(),
            "can_change": actor.can("feedback", "change"),
        },
    )


@require_POST
@actor_required
def feedback_triage(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    fb = get_object_or_404(Feedback.objects.for_actor(actor), pk=pk)
    target = request.POST.get("status", "")
    back = reverse("assurance:feedback-list")
    if target == "incident":
        try:
            incident = services.feedback_to_incident(actor, fb)
        except ValidationError as exc:
            _say(request, exc)
            return redirect(back)
        messages.success(request, _("Incident %(ref)s opened from the report.") % {"ref": incident.reference})
        return redirect(incident.get_absolute_url())
    return _act(
        request,
        _("Report triaged."),
        back,
        lambda: services.triage_feedback(actor, fb, target, note=request.POST.get("note", "")),
    )


@require_http_methods(["GET", "POST"])
def public_feedback(request: HttpRequest, org_slug: str, system_slug: str) -> HttpResponse:
    """The public page where users and affected people report a problem with an AI system (A.3.3, A.8.3)."""
    from aims.inventory.models import AISystem

    org = Organization.objects.filter(slug=org_slug).first()
    system = (
        AISystem.objects.filter(organization=org, slug=system_slug)
        .exclude(lifecycle_stage=AISystem.Stage.RETIRED)
        .first()
        if org
        else None
    )
    if system is None:
        raise Http404
    form = PublicFeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                fb = services.submit_public_feedback(
                    org, system, form.cleaned_data, address=request.META.get("REMOTE_ADDR", "")
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 429
            except ValidationError as exc:
                for field, msgs in error_dict(exc).items():
                    for m in msgs:
                        form.add_error(field if field in form.fields else None, m)
                status = 422
            else:
                return render(
                    request,
                    "assurance/public_feedback_thanks.html",
                    {"org": org, "system": system, "reference": fb.reference},
                )
        else:
            status = 422
    return render(
        request, "assurance/public_feedback.html", {"org": org, "system": system, "form": form}, status=status
    )


# --- nonconformities -------------------------------------------------------------------------------


@actor_required
def nonconformity_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = (
        Nonconformity.objects.for_actor(actor)
        .select_related("owner")
        .annotate(n_actions=Count("actions"), n_done=Count("actions", filter=Q(actions__status="done")))
        .order_by("-created_at", "-number")
    )
    qs, status = status_filter(request, qs, Nonconformity)
    from .models import Improvement

    return list_page(
        request,
        actor,
        "assurance/nonconformity_list.html",
        "nonconformity",
        qs,
        statuses=Nonconformity.Status.choices,
        status=status,
        improvements=Improvement.objects.for_actor(actor).select_related("owner")[:50],
    )


nonconformity_create = create_view(
    "nonconformity",
    NonconformityForm,
    title=_l("Record a nonconformity"),
    cancel="assurance:nonconformity-list",
    save=services.raise_nonconformity,
)
nonconformity_edit = edit_view(
    Nonconformity, NonconformityForm, title=lambda obj: _("Edit %(ref)s") % {"ref": obj.reference}
)


@actor_required
def nonconformity_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    nc = get_object_or_404(
        Nonconformity.objects.for_actor(actor).select_related(
            "owner", "incident", "verified_by", "ai_system"
        ),
        pk=pk,
    )
    action_labels = dict(CorrectiveAction.Status.choices)
    actions = [
        (a, [(s, action_labels[s]) for s in CorrectiveAction.FLOW[a.status]])
        for a in nc.actions.select_related("owner")
    ]
    return render(
        request,
        "assurance/nonconformity_detail.html",
        {
            "nc": nc,
            "actions": actions,
            "action_form": ActionForm(actor=actor)
            if nc.status not in ("verifying", "closed") and actor.can("corrective_action", "add")
            else None,
            "finding": getattr(nc, "finding", None) if hasattr(nc, "finding") else None,
            "can_verify": actor.can("nonconformity", "approve") and nc.status == "verifying",
            **workflow_context(actor, nc, skip=("closed",)),
            **attachment_context(actor, nc),
            "today": timezone.localdate(),
        },
    )


nonconformity_transition = transition_action(Nonconformity, services.nonconformity_transition)


@require_POST
@actor_required
def nonconformity_verify(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    nc = get_object_or_404(Nonconformity.objects.for_actor(actor), pk=pk)
    effective = request.POST.get("effective") == "yes"
    return _act(
        request,
        _("Effectiveness check recorded."),
        nc.get_absolute_url(),
        lambda: services.verify_effectiveness(
            actor, nc, effective=effective, note=request.POST.get("note", "")
        ),
    )


action_create = child_form_action(
    Nonconformity,
    "corrective_action",
    ActionForm,
    link="nonconformity_id",
    save=services.create_action,
    done=_l("Corrective action planned."),
)


@require_POST
@actor_required
def action_transition(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    action = get_object_or_404(
        CorrectiveAction.objects.for_actor(actor).select_related("nonconformity"), pk=pk
    )
    return _act(
        request,
        _("Corrective action updated."),
        action.nonconformity.get_absolute_url(),
        lambda: services.action_transition(
            actor, action, request.POST.get("status", ""), result=request.POST.get("result", "")
        ),
    )


# --- internal audits -------------------------------------------------------------------------------


@actor_required
def audit_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    programmes = list(AuditProgramme.objects.for_actor(actor).select_related("approved_by"))
    coverage = [(p, services.programme_coverage(p, actor)) for p in programmes[:3]]
    audits = (
        Audit.objects.for_actor(actor)
        .select_related("lead_auditor", "programme")
        .annotate(n_findings=Count("findings"))
        .order_by("-planned_start", "-number")
    )
    return list_page(request, actor, "assurance/audit_list.html", "audit", audits, coverage=coverage)


audit_create = create_view(
    "audit",
    AuditForm,
    title=_l("Plan an internal audit"),
    cancel="assurance:audit-list",
    intro=_l("The checklist is generated from ISO/IEC 42001 and your Statement of Applicability."),
    save=services.create_audit,
)
audit_edit = edit_view(
    Audit,
    AuditForm,
    title=lambda obj: _("Edit %(ref)s") % {"ref": obj.reference},
    save=services.update_audit,
)


@actor_required
def audit_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    obj = get_object_or_404(Audit.objects.for_actor(actor).select_related("lead_auditor", "programme"), pk=pk)
    return render(
        request,
        "assurance/audit_detail.html",
        {
            "audit": obj,
            "checklist": obj.checklist.all(),
            "results": ChecklistItem.Result.choices,
            "findings": _with_files(actor, obj.findings.select_related("nonconformity", "improvement")),
            "auditors": obj.auditors.all(),
            "finding_form": FindingForm(actor=actor)
            if obj.status in ("in_progress", "reported") and actor.can("finding", "add")
            else None,
            **workflow_context(actor, obj),
        },
    )


audit_transition = transition_action(Audit, services.audit_transition)


def _with_files(actor: Actor, findings: Any) -> list[Any]:
    """The findings, each with its evidence files and (for auditors) where to upload more."""
    from django.conf import settings

    from aims.governance import attachments

    found = list(findings)
    files = attachments.for_owners(actor, "finding", [f.pk for f in found])
    may_attach = actor.can("finding", "change")
    for f in found:
        f.files = files.get(f.pk, [])
        f.attach_url = reverse("governance:attachment-add", args=["finding", f.pk]) if may_attach else ""
        f.max_mb = settings.AIMS_MAX_UPLOAD_BYTES // 2**20
        f.id_prefix = f"finding-{f.pk}"
    return found


@require_POST
@actor_required
def audit_checklist(request: HttpRequest, actor: Actor, pk: int, item_id: int) -> HttpResponse:
    obj = get_object_or_404(Audit.objects.for_actor(actor), pk=pk)
    item = get_object_or_404(ChecklistItem, pk=item_id, audit=obj)
    return _act(
        request,
        _("Checklist updated."),
        obj.get_absolute_url() + f"#item-{item.pk}",
        lambda: services.update_checklist_item(
            actor, item, result=request.POST.get("result", ""), notes=request.POST.get("notes", "")[:5000]
        ),
    )


finding_create = child_form_action(
    Audit,
    "finding",
    FindingForm,
    link="audit_id",
    save=services.create_finding,
    done=_l("Finding recorded."),
)


@actor_required
def audit_report_pdf(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    actor.require("audit", "export")
    obj = get_object_or_404(Audit.objects.for_actor(actor).select_related("lead_auditor", "programme"), pk=pk)
    html = render_to_string(
        "assurance/print/audit_report.html",
        {
            "audit": obj,
            "org": actor.organization,
            "checklist": obj.checklist.all(),
            "auditors": obj.auditors.all(),
            "findings": obj.findings.select_related("nonconformity"),
            "now": timezone.now(),
        },
    )
    return pdf_response(html, f"{obj.reference}-report.pdf", request.build_absolute_uri("/"))


# --- management reviews ----------------------------------------------------------------------------


@actor_required
def review_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = (
        ManagementReview.objects.for_actor(actor)
        .select_related("chair")
        .annotate(n_decisions=Count("decisions"))
        .order_by("-scheduled_for")
    )
    last = (
        ManagementReview.objects.for_actor(actor)
        .filter(status__in=("held", "closed"))
        .order_by("-scheduled_for")
        .first()
    )
    overdue = last is None or (timezone.localdate() - last.scheduled_for).days > 365
    return list_page(
        request, actor, "assurance/review_list.html", "management_review", qs, overdue=overdue, last=last
    )


review_create = create_view(
    "management_review",
    ReviewForm,
    title=_l("Schedule a management review"),
    cancel="assurance:review-list",
    save=lambda actor, data: _core().create(actor, ManagementReview, data),
)
review_edit = edit_view(
    ManagementReview,
    ReviewForm,
    title=lambda obj: _("Edit %(t)s") % {"t": obj.title},
    refuse=lambda obj: _("The minutes are approved and closed.") if obj.status == "closed" else None,
)


def _core() -> Any:
    from aims.core import services as core

    return core


def _pack(actor: Actor, review: ManagementReview) -> dict[str, Any]:
    return (
        review.inputs
        if review.status != "planned" and review.inputs
        else services.compile_pack(actor, review)
    )


@actor_required
def review_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    review = get_object_or_404(
        ManagementReview.objects.for_actor(actor).select_related("chair", "approved_by"), pk=pk
    )
    from .models import ReviewDecision

    return render(
        request,
        "assurance/review_detail.html",
        {
            "review": review,
            "pack": _pack(actor, review),
            "attendees": review.attendees.all(),
            "decisions": review.decisions.select_related("owner", "task"),
            "decision_kinds": ReviewDecision.Kind.choices,
            "members": actor.organization.memberships.select_related("user").order_by("user__email"),
            **workflow_context(actor, review),
        },
    )


review_transition = transition_action(ManagementReview, services.review_transition)


@require_POST
@actor_required
def review_decision(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    review = get_object_or_404(ManagementReview.objects.for_actor(actor), pk=pk)
    owner = request.POST.get("owner") or None
    due = request.POST.get("due_date") or None

    def add() -> Any:
        try:
            due_date = dt.date.fromisoformat(due) if due else None
        except ValueError as exc:
            raise ValidationError({"due_date": _("Give a date as YYYY-MM-DD.")}) from exc
        return services.add_decision(
            actor,
            review,
            text=request.POST.get("text", ""),
            kind=request.POST.get("kind", "improvement"),
            owner_id=int(owner) if owner and owner.isdigit() else None,
            due_date=due_date,
        )

    return _act(request, _("Decision recorded."), review.get_absolute_url(), add)


@actor_required
def review_pdf(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    actor.require("management_review", "export")
    review = get_object_or_404(
        ManagementReview.objects.for_actor(actor).select_related("chair", "approved_by"), pk=pk
    )
    html = render_to_string(
        "assurance/print/review.html",
        {
            "review": review,
            "pack": _pack(actor, review),
            "org": actor.organization,
            "attendees": review.attendees.all(),
            "decisions": review.decisions.select_related("owner"),
            "now": timezone.now(),
        },
    )
    return pdf_response(
        html, f"management-review-{review.scheduled_for}.pdf", request.build_absolute_uri("/")
    )


# --- KPIs, tasks and the calendar ------------------------------------------------------------------


@actor_required
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The executive dashboard: status at a glance, trends, and what is overdue."""
    from . import dashboard as board

    return render(request, "assurance/dashboard.html", board.build(actor))


@actor_required
def kpi_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    kpis = list(KPI.objects.for_actor(actor).prefetch_related("measurements"))
    rows = []
    for k in kpis:
        series = [m.value for m in k.measurements.all()][-12:]
        top = max([abs(v) for v in series] + [1e-9])
        bars = []
        for i, v in enumerate(series):
            h = max(2, int(40 * abs(v) / top))
            bars.append({"value": v, "x": i * 10, "y": 42 - h, "h": h})
        rows.append((k, bars, len(series) * 10 + 2))
    return render(request, "assurance/kpi_list.html", {"rows": rows})


@actor_required
def task_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    mine = services.my_tasks(actor).select_related("assignee")
    everyone = Task.objects.for_actor(actor).filter(status="open").select_related("assignee")
    return render(
        request,
        "assurance/task_list.html",
        {"mine": mine[:200], "page": paged(request, everyone), "today": timezone.localdate()},
    )


@require_POST
@actor_required
def task_complete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.for_actor(actor), pk=pk)
    return _act(
        request,
        _("Task updated."),
        reverse("assurance:task-list"),
        lambda: services.complete_task(actor, task, status=request.POST.get("status", "done")),
    )


@actor_required
def calendar(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The PDCA year at a glance: every dated thing AIMS knows, month by month."""
    from .calendar import events

    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    months: dict[int, list[dict[str, Any]]] = {m: [] for m in range(1, 13)}
    for e in events(actor, year):
        months[e["date"].month].append(e)
    return render(
        request,
        "assurance/calendar.html",
        {
            "year": year,
            "months": [(dt.date(year, m, 1), months[m]) for m in range(1, 13)],
            "serious": serious_categories(),
        },
    )
