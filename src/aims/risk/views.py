"""Pages of the risk area: method, register, heat maps, treatment, acceptance, reviews due, impact
assessments. Thin: they call the same services as the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core.actors import Actor
from aims.core.exceptions import PreconditionFailed
from aims.core.roles import Role
from aims.core.views import actor_required, object_history, paged
from aims.inventory.models import AISystem

from . import exports, library, services, taxonomy
from .forms import (
    AcceptanceForm,
    ApprovePlanForm,
    AssessmentForm,
    FromLibraryForm,
    ImpactItemFormSet,
    MethodologyForm,
    ReviewForm,
    RiskForm,
    TreatmentForm,
    apply_errors,
)
from .models import (
    ImpactAssessment,
    RecomputeJob,
    Risk,
    RiskAcceptance,
    RiskCategory,
    RiskMethodology,
    RiskTreatment,
)

STALE = _(
    "Someone changed this record since you opened it. Their version is shown below: reapply your change."
)

# --- method ---------------------------------------------------------------------------------------


@actor_required
def methodology(request: HttpRequest, actor: Actor) -> HttpResponse:
    method = services.current_method(actor)
    return render(
        request,
        "risk/methodology.html",
        {
            "method": method,
            **_method_context(method),
            "versions": RiskMethodology.objects.for_actor(actor).select_related("created_by"),
            "jobs": RecomputeJob.objects.filter(organization=actor.organization).select_related(
                "methodology"
            )[:5],
            "can_change": actor.can("risk_methodology", "change"),
            "categories": RiskCategory.objects.for_actor(actor),
            "objectives": taxonomy.ANNEX_C_OBJECTIVES,
            "sources": taxonomy.ANNEX_C_SOURCES,
        },
    )


@actor_required
def methodology_version(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    services.current_method(actor)
    method = get_object_or_404(RiskMethodology.objects.for_actor(actor), number=number)
    return render(request, "risk/methodology_version.html", {"method": method, **_method_context(method)})


def _method_context(method: RiskMethodology) -> dict[str, Any]:
    role_labels = dict(Role.choices)
    rows = [
        {
            "likelihood": li,
            "label": method.likelihood_scale[li - 1]["name"],
            "cells": [method.level_for(li, im) for im in range(1, method.size + 1)],
        }
        for li in range(method.size, 0, -1)
    ]
    return {
        "matrix_rows": rows,
        "impact_labels": [s["name"] for s in method.impact_scale],
        "scale_rows": list(
            zip(range(1, method.size + 1), method.likelihood_scale, method.impact_scale, strict=True)
        ),
        "acceptance_role_labels": [role_labels.get(r, r) for r in method.acceptance_roles],
        "above_role_labels": [role_labels.get(r, r) for r in method.above_appetite_roles],
        "appetite_level": method.level(method.appetite),
        "feed_level": method.level(method.impact_feed_level),
    }


@actor_required
def methodology_edit(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("risk_methodology", "change")
    current = services.current_method(actor)
    values = {f: getattr(current, f) for f in services.METHOD_FIELDS}
    size = request.POST.get("size") or request.GET.get("size")
    if size in ("3", "4", "5") and int(size) != current.size:
        defaults = services.method_defaults(int(size))
        values.update({k: defaults[k] for k in ("size", "likelihood_scale", "impact_scale", "matrix")})
    form = MethodologyForm(request.POST or None, values=values)
    if request.method == "POST" and form.is_valid():
        try:
            new, job = services.change_method(
                actor, form.payload(), expected_version=int(request.POST.get("version") or current.version)
            )
        except PreconditionFailed:
            messages.error(request, STALE)
            return redirect("risk:methodology")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Method version %(n)d saved. Every risk's levels are being recomputed.")
                % {"n": new.number},
            )
            return redirect("risk:methodology")
    return render(
        request,
        "risk/methodology_form.html",
        {"form": form, "method": current, "size": values["size"]},
        status=422 if form.errors else 200,
    )


# --- register -------------------------------------------------------------------------------------


def _filter_context(actor: Actor, method: RiskMethodology) -> dict[str, Any]:
    from aims.core.models import User

    return {
        "systems": AISystem.objects.filter(organization=actor.organization)
        .order_by("name")
        .only("slug", "name"),
        "categories": RiskCategory.objects.filter(organization=actor.organization),
        "owners": User.objects.filter(memberships__organization=actor.organization).order_by(
            "full_name", "email"
        ),
        "statuses": Risk.Status.choices,
        "levels": method.levels,
    }


SORTABLE = [
    ("number", _("Ref.")),
    ("title", _("Title")),
    ("inherent", _("Inherent")),
    ("residual", _("Residual")),
    ("status", _("Status")),
    ("next_review", _("Next review")),
]


@actor_required
def risk_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    method = services.current_method(actor)
    params = request.GET.dict()
    qs = services.filter_risks(services.register_queryset(actor), params, actor)
    sort = params.get("sort") or "number"
    return render(
        request,
        "risk/risk_list.html",
        {
            "page": paged(request, qs),
            "params": params,
            "method": method,
            "sort": sort,
            "sortable": SORTABLE,
            "query": "&".join(f"{k}={v}" for k, v in params.items() if k not in ("page", "sort") and v),
            "export_query": "&".join(f"{k}={v}" for k, v in params.items() if k != "page" and v),
            "can_add": actor.can("risk", "add"),
            **_filter_context(actor, method),
        },
    )


@actor_required
def heatmap(request: HttpRequest, actor: Actor) -> HttpResponse:
    method = services.current_method(actor)
    params = request.GET.dict()
    qs = services.filter_risks(Risk.objects.for_actor(actor), params, actor)
    data = services.heatmap(actor, qs)
    return render(
        request,
        "risk/heatmap.html",
        {
            **data,
            "params": params,
            "query": "&".join(
                f"{k}={v}"
                for k, v in params.items()
                if v and k not in ("likelihood", "impact", "residual_likelihood", "residual_impact", "page")
            ),
            **_filter_context(actor, method),
        },
    )


@actor_required
def risk_export(request: HttpRequest, actor: Actor, fmt: str) -> HttpResponse:
    qs = services.filter_risks(services.register_queryset(actor), request.GET.dict(), actor)
    try:
        return exports.register_response(actor, qs, fmt)
    except ValidationError:
        return render(request, "404.html", status=404)


def _risk(actor: Actor, number: int) -> Risk:
    return get_object_or_404(services.register_queryset(actor), number=number)


@actor_required
def risk_detail(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    risk = _risk(actor, number)
    method = services.current_method(actor)
    level = risk.level
    return render(
        request,
        "risk/risk_detail.html",
        {
            "risk": risk,
            "method": method,
            "treatments": risk.treatments.select_related("owner"),
            "acceptances": risk.acceptances.select_related("accepted_by", "methodology"),
            "reassessments": risk.reassessments.select_related("assessed_by")[:50],
            "history": object_history(actor, "risk", risk.pk)[:200],
            "can_change": actor.can("risk", "change"),
            "can_treat": actor.can("risk_treatment", "add"),
            "can_approve_plan": actor.can("risk_treatment", "approve"),
            "can_accept": bool(level)
            and services.may_accept(actor, method, level)
            and risk.status != Risk.Status.CLOSED,
            "above_appetite": bool(level) and method.above_appetite(level),
            "review_form": ReviewForm(),
            "acceptance_form": AcceptanceForm(),
            "treatment_form": TreatmentForm(actor=actor),
            "approve_form": ApprovePlanForm(),
            "impact_items": risk.impact_items.select_related("assessment__ai_system"),
        },
    )


@actor_required
def risk_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("risk", "add")
    method = services.current_method(actor)
    initial = {}
    if request.GET.get("system"):
        initial["ai_systems"] = list(
            AISystem.objects.filter(organization=actor.organization, slug=request.GET["system"])
        )
    form = RiskForm(request.POST or None, actor=actor, method=method, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.create_risk(actor, form.payload(creating=True))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(ref)s registered.") % {"ref": risk.ref})
            return redirect(risk.get_absolute_url())
    return render(
        request, "risk/risk_form.html", {"form": form, "method": method}, status=422 if form.errors else 200
    )


@actor_required
def risk_edit(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    actor.require("risk", "change")
    risk = _risk(actor, number)
    method = services.current_method(actor)
    form = RiskForm(request.POST or None, actor=actor, method=method, initial=RiskForm.initial_from(risk))
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.update_risk(
                actor, risk, form.payload(creating=False), expected_version=form.cleaned_data.get("version")
            )
        except PreconditionFailed:
            messages.error(request, STALE)
            risk = _risk(actor, number)
            form = RiskForm(actor=actor, method=method, initial=RiskForm.initial_from(risk))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(ref)s saved.") % {"ref": risk.ref})
            return redirect(risk.get_absolute_url())
    return render(
        request,
        "risk/risk_form.html",
        {"form": form, "method": method, "risk": risk},
        status=422 if form.errors else 200,
    )


@require_POST
@actor_required
def risk_delete(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    risk = _risk(actor, number)
    services.delete_risk(actor, risk)
    messages.success(request, _("%(ref)s deleted.") % {"ref": risk.ref})
    return redirect("risk:risk-list")


@require_POST
@actor_required
def risk_review(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    risk = _risk(actor, number)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.review_risk(actor, risk, note=form.cleaned_data.get("note", ""))
        messages.success(request, _("Review recorded."))
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    return redirect(risk.get_absolute_url())


@require_POST
@actor_required
def risk_accept(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    risk = _risk(actor, number)
    form = AcceptanceForm(request.POST)
    if form.is_valid():
        try:
            services.accept_risk(
                actor,
                risk,
                justification=form.cleaned_data["justification"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(ref)s accepted until %(d)s.") % {"ref": risk.ref, "d": form.cleaned_data["expires_on"]},
            )
            return redirect(risk.get_absolute_url())
    messages.error(
        request,
        _("The acceptance was not recorded: %(e)s")
        % {"e": "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())},
    )
    return redirect(risk.get_absolute_url())


@require_POST
@actor_required
def acceptance_revoke(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    acceptance = get_object_or_404(RiskAcceptance.objects.for_actor(actor).select_related("risk"), pk=pk)
    try:
        services.revoke_acceptance(actor, acceptance, reason=request.POST.get("reason", ""))
        messages.success(request, _("Acceptance revoked; the risk is due for review."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(acceptance.risk.get_absolute_url())


@require_POST
@actor_required
def treatment_create(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    risk = _risk(actor, number)
    form = TreatmentForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            services.create_treatment(actor, {**form.cleaned_data, "risk": risk})
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Action added to the treatment plan."))
            return redirect(risk.get_absolute_url())
    messages.error(
        request,
        _("The action was not added: %(e)s")
        % {"e": "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())},
    )
    return redirect(risk.get_absolute_url())


@actor_required
def treatment_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    action = get_object_or_404(RiskTreatment.objects.for_actor(actor).select_related("risk"), pk=pk)
    actor.require("risk_treatment", "change")
    initial = {
        "title": action.title,
        "description": action.description,
        "owner": action.owner_id,
        "due_date": action.due_date,
        "status": action.status,
        "control_ref": action.control_ref,
    }
    form = TreatmentForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_treatment(actor, action, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Action saved."))
            return redirect(action.risk.get_absolute_url())
    return render(
        request,
        "risk/treatment_form.html",
        {"form": form, "action": action},
        status=422 if form.errors else 200,
    )


@require_POST
@actor_required
def approve_plan(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    risk = _risk(actor, number)
    try:
        services.approve_treatment_plan(actor, risk, note=request.POST.get("note", ""))
        messages.success(request, _("Treatment plan approved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(risk.get_absolute_url())


@actor_required
def from_library(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("risk", "add")
    form = FromLibraryForm(
        request.POST or None, actor=actor, initial={"ai_system": request.GET.get("system")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = services.add_from_library(
                actor, ai_system=form.cleaned_data["ai_system"].pk, keys=form.cleaned_data["keys"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(n)d risks added; assess each of them.") % {"n": len(made)})
            return redirect(f"{redirect('risk:risk-list').url}?system={form.cleaned_data['ai_system'].slug}")
    return render(
        request,
        "risk/library.html",
        {"form": form, "entries": library.ENTRIES},
        status=422 if form.errors else 200,
    )


@actor_required
def due_reviews(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("risk", "view")
    mine = request.GET.get("mine") == "1"
    found = services.due_reviews(actor, mine=mine)
    return render(
        request,
        "risk/due.html",
        {
            "risks": found["risks"][:500],
            "actions": found["actions"][:500],
            "assessments": found["assessments"][:500],
            "mine": mine,
            "method": services.current_method(actor),
            "today": timezone.localdate(),
        },
    )


# --- impact assessments ---------------------------------------------------------------------------


@actor_required
def assessment_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    method = services.current_method(actor)
    params = request.GET.dict()
    qs = services.filter_assessments(
        ImpactAssessment.objects.for_actor(actor).select_related("ai_system", "approved_by"), params
    )
    return render(
        request,
        "risk/assessment_list.html",
        {
            "page": paged(request, qs),
            "params": params,
            "method": method,
            "statuses": ImpactAssessment.Status.choices,
            "systems": AISystem.objects.filter(organization=actor.organization).order_by("name"),
            "can_add": actor.can("impact_assessment", "add"),
        },
    )


def _assessment(actor: Actor, pk: int) -> ImpactAssessment:
    return get_object_or_404(services.assessments_queryset(actor), pk=pk)


@actor_required
def assessment_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    assessment = _assessment(actor, pk)
    return render(
        request,
        "risk/assessment_detail.html",
        {
            "a": assessment,
            "method": services.current_method(actor),
            "items": assessment.items.select_related("risk"),
            "history": object_history(actor, "impact_assessment", assessment.pk)[:200],
            "other_versions": ImpactAssessment.objects.for_actor(actor)
            .filter(ai_system_id=assessment.ai_system_id)
            .exclude(pk=pk),
            "can_change": actor.can("impact_assessment", "change")
            and assessment.status == ImpactAssessment.Status.DRAFT,
            "can_approve": actor.can("impact_assessment", "approve")
            and assessment.status == ImpactAssessment.Status.IN_REVIEW,
            "can_new_version": actor.can("impact_assessment", "add")
            and assessment.status in (ImpactAssessment.Status.APPROVED, ImpactAssessment.Status.SUPERSEDED),
        },
    )


def _assessment_form_page(
    request: HttpRequest, actor: Actor, assessment: ImpactAssessment | None
) -> HttpResponse:
    method = services.current_method(actor)
    if assessment is None:
        actor.require("impact_assessment", "add")
        initial: dict[str, Any] = {"ai_system": request.GET.get("system")}
        items_initial: list[dict[str, Any]] = []
    else:
        actor.require("impact_assessment", "change")
        from .forms import ASSESSMENT_TEXT_FIELDS

        initial = {
            f: getattr(assessment, f)
            for f in [*ASSESSMENT_TEXT_FIELDS, "affects_minors", "processes_personal_data", "dpia_required"]
        }
        initial["version"] = assessment.version
        items_initial = [
            {
                "area": i.area,
                "affected": i.affected,
                "description": i.description,
                "severity": i.severity,
                "likelihood": i.likelihood,
                "reversibility": i.reversibility,
                "scale": i.scale,
                "mitigation": i.mitigation,
            }
            for i in assessment.items.all()
        ]
    form = AssessmentForm(request.POST or None, actor=actor, editing=assessment is not None, initial=initial)
    items = ImpactItemFormSet(
        request.POST or None, initial=items_initial, prefix="items", form_kwargs={"method": method}
    )
    if request.method == "POST" and form.is_valid() and items.is_valid():
        data = form.payload()
        data["items"] = [
            f.payload()
            for f in items.forms
            if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        for item in data["items"]:
            item.pop("DELETE", None)
        try:
            if assessment is None:
                saved = services.create_assessment(actor, data)
            else:
                saved = services.update_assessment(
                    actor, assessment, data, expected_version=form.cleaned_data.get("version")
                )
        except PreconditionFailed:
            messages.error(request, STALE)
            return redirect(assessment.get_absolute_url())  # type: ignore[union-attr]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Impact assessment saved."))
            return redirect(saved.get_absolute_url())
    return render(
        request,
        "risk/assessment_form.html",
        {"form": form, "items": items, "a": assessment, "method": method},
        status=422 if (form.errors or any(items.errors)) else 200,
    )


@actor_required
def assessment_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _assessment_form_page(request, actor, None)


@actor_required
def assessment_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    assessment = _assessment(actor, pk)
    if assessment.status != ImpactAssessment.Status.DRAFT:
        messages.error(
            request, _("Only a draft can be changed; start a new version of an approved assessment.")
        )
        return redirect(assessment.get_absolute_url())
    return _assessment_form_page(request, actor, assessment)


@require_POST
@actor_required
def assessment_action(request: HttpRequest, actor: Actor, pk: int, action: str) -> HttpResponse:
    assessment = _assessment(actor, pk)
    operations = {
        "submit": (services.submit_assessment, _("Submitted for approval.")),
        "approve": (
            services.approve_assessment,
            _("Approved. Significant impacts were fed into the risk register."),
        ),
        "return": (services.return_assessment, _("Sent back to draft.")),
        "new-version": (services.new_assessment_version, _("New draft version started.")),
    }
    if action not in operations:
        return render(request, "404.html", status=404)
    operation, done = operations[action]
    try:
        result = operation(actor, assessment)
    except ValidationError as exc:
        messages.error(
            request,
            " ".join(m for ms in exc.message_dict.values() for m in ms)
            if hasattr(exc, "error_dict")
            else " ".join(exc.messages),
        )
        return redirect(assessment.get_absolute_url())
    except PermissionDenied:
        raise
    messages.success(request, done)
    return redirect(result.get_absolute_url())


# --- printable documents --------------------------------------------------------------------------


@actor_required
def register_pdf(request: HttpRequest, actor: Actor) -> HttpResponse:
    from . import reports

    actor.require("risk", "export")
    qs = services.filter_risks(services.register_queryset(actor), request.GET.dict(), actor)
    return reports.response(reports.register_pdf(actor, qs), reports.register_filename())


@actor_required
def heatmap_pdf(request: HttpRequest, actor: Actor) -> HttpResponse:
    from . import reports

    actor.require("risk", "export")
    qs = services.filter_risks(Risk.objects.for_actor(actor), request.GET.dict(), actor)
    return reports.response(reports.heatmap_pdf(actor, qs), reports.heatmap_filename())


@actor_required
def treatment_plan_pdf(request: HttpRequest, actor: Actor) -> HttpResponse:
    from . import reports

    return reports.response(reports.treatment_plan_pdf(actor), reports.treatment_plan_filename())


@actor_required
def assessment_pdf(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    from . import reports

    assessment = _assessment(actor, pk)
    return reports.response(
        reports.assessment_pdf(actor, assessment), reports.assessment_filename(assessment)
    )
