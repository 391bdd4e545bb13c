"""Pages of the lifecycle area, mounted at /lifecycle/: the board of systems by stage, a system's
gate (criteria, evidence, move, exception), gate reviews (PDF), criteria, datasets, models and
evaluations (model cards), vendors and deployments. Thin: they call the same services as the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core import services as core
from aims.core.actors import Actor
from aims.core.exceptions import PreconditionFailed
from aims.core.views import actor_required, object_history, paged
from aims.inventory.models import AISystem

from . import gates, services
from .forms import (
    AgreementUploadForm,
    BreachForm,
    CriterionForm,
    DatasetForm,
    DatasetVersionForm,
    DeploymentForm,
    EvaluationForm,
    EvaluationUploadForm,
    EventForm,
    EvidenceForm,
    ExceptionForm,
    LogFilterForm,
    ModelVersionForm,
    MoveForm,
    NewProcedureForm,
    ProcedureForm,
    SampleUploadForm,
    VendorForm,
    apply_errors,
)
from .models import (
    Dataset,
    Deployment,
    GateCriterion,
    GateEvidence,
    GateException,
    GateReview,
    ModelVersion,
    Vendor,
)

STALE = _("Someone changed this record since you opened it. Reload it and reapply your change.")


def _save_form(
    request: HttpRequest,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: str,
) -> Any:
    """Validate the form and call the service; put the service's errors back on the form.
    Returns the saved object, or None when the form must be shown again."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = save(form.payload())
    except PreconditionFailed:
        form.add_error(None, STALE)
        return None
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, success)
    return obj


def _form_page(
    request: HttpRequest, form: Any, title: str, *, back: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    return render(
        request,
        "lifecycle/form.html",
        {"form": form, "title": title, "back": back, **(extra or {})},
        status=422 if form.errors else 200,
    )


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version")
    return int(raw) if raw and raw.isdigit() else None


# --- board and gates ------------------------------------------------------------------------------


@actor_required
def board(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("gate_review", "view")
    return render(request, "lifecycle/board.html", {"columns": services.board(actor)})


def _system(actor: Actor, slug: str) -> AISystem:
    return get_object_or_404(AISystem.objects.for_actor(actor).select_related("owner"), slug=slug)


@actor_required
def system_gate(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    system = _system(actor, slug)
    result = services.evaluate(actor, system)
    services.ensure_procedures(actor.organization, source=actor.source)
    procedures = services.current_procedures(actor.organization, result.stage)
    reviews = GateReview.objects.for_actor(actor).filter(ai_system=system).select_related("created_by")[:20]
    exceptions = (
        GateException.objects.for_actor(actor).filter(ai_system=system).select_related("approved_by")[:10]
    )
    return render(
        request,
        "lifecycle/system_gate.html",
        {
            "system": system,
            "result": result,
            "reviews": reviews,
            "exceptions": exceptions,
            "stage_label": gates.stage_label(result.stage),
            "next_label": gates.stage_label(result.to_stage),
            "rows": [
                {
                    "r": r,
                    "form": EvidenceForm(actor=actor, auto_id=f"ev{r.criterion_id}_%s")
                    if r.kind == "checklist"
                    else None,
                }
                for r in result.results
            ],
            "exception_form": ExceptionForm(actor=actor),
            "move_form": MoveForm(actor=actor),
            "procedures": procedures,
            "can_move": actor.can("gate_review", "add")
            and actor.can("ai_system", "change")
            and not result.final,
            "can_except": actor.can("gate_exception", "add") and not result.final and not result.all_met,
            "can_add_evidence": actor.can("gate_evidence", "add"),
            "can_delete_evidence": actor.can("gate_evidence", "delete"),
        },
    )


@require_POST
@actor_required
def system_move(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    system = _system(actor, slug)
    form = MoveForm(request.POST, actor=actor)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        review = services.move(actor, system, note=note, expected_version=_version(request))
    except PreconditionFailed:
        messages.error(request, STALE)
        return redirect("lifecycle:system-gate", slug=slug)
    except ValidationError as exc:
        messages.error(
            request,
            " ".join(m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms),
        )
        return redirect("lifecycle:system-gate", slug=slug)
    if review.moved:
        messages.success(
            request, _("%(s)s moved to %(st)s.") % {"s": system.name, "st": review.get_to_stage_display()}
        )
    else:
        messages.error(
            request,
            _("The gate holds %(s)s back: %(n)d criteria are not met. The review is kept.")
            % {"s": system.name, "n": len(review.results) - review.met_count},
        )
    return redirect("lifecycle:review-detail", pk=review.pk)


@require_POST
@actor_required
def system_exception(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    system = _system(actor, slug)
    actor.require("gate_exception", "add")
    form = ExceptionForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            services.record_exception(actor, system, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Exception recorded until %(d)s.") % {"d": form.cleaned_data["expires_on"]}
            )
            return redirect("lifecycle:system-gate", slug=slug)
    return _form_page(
        request,
        form,
        _("Record an exception to the gate of %(s)s") % {"s": system.name},
        back=f"/lifecycle/systems/{slug}/",
    )


@require_POST
@actor_required
def evidence_add(request: HttpRequest, actor: Actor, slug: str, criterion_id: int) -> HttpResponse:
    system = _system(actor, slug)
    actor.require("gate_evidence", "add")
    criterion = get_object_or_404(GateCriterion.objects.for_actor(actor), pk=criterion_id)
    form = EvidenceForm(request.POST, request.FILES, actor=actor)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "file"}
        upload = form.cleaned_data.get("file")
        if data["kind"] == GateEvidence.Kind.FILE and upload is None:
            form.add_error("file", _("Choose the file to upload."))
        else:
            try:
                services.add_evidence(
                    actor,
                    system,
                    criterion,
                    data,
                    upload=upload if data["kind"] == GateEvidence.Kind.FILE else None,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Evidence added to “%(c)s”.") % {"c": criterion.title})
                return redirect("lifecycle:system-gate", slug=slug)
    return _form_page(
        request,
        form,
        _("Evidence for “%(c)s”") % {"c": criterion.title},
        back=f"/lifecycle/systems/{slug}/",
        extra={"multipart": True},
    )


@require_POST
@actor_required
def evidence_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    evidence = get_object_or_404(GateEvidence.objects.for_actor(actor).select_related("ai_system"), pk=pk)
    core.delete(actor, evidence)
    messages.success(request, _("Evidence removed."))
    return redirect("lifecycle:system-gate", slug=evidence.ai_system.slug)


@actor_required
def evidence_download(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    from django.http import FileResponse

    evidence = get_object_or_404(GateEvidence.objects.for_actor(actor), pk=pk, kind=GateEvidence.Kind.FILE)
    if not evidence.file:
        raise Http404
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.filename or "evidence",
        content_type="application/octet-stream",
    )


@actor_required
def review_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    review = get_object_or_404(
        GateReview.objects.for_actor(actor).select_related(
            "ai_system", "created_by", "exception__approved_by"
        ),
        pk=pk,
    )
    return render(request, "lifecycle/review_detail.html", {"review": review})


def review_pdf_response(actor: Actor, review: GateReview) -> HttpResponse:
    from aims.reports.renderers import to_pdf

    pdf = to_pdf(
        "lifecycle/review_pdf.html",
        {
            "review": review,
            "organization": actor.organization,
            "generated_by": actor.user.email if actor.user else "",
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="gate-review-{review.pk}-{review.ai_system.slug}.pdf"'
    )
    return response


@actor_required
def review_pdf(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    actor.require("gate_review", "export")
    review = get_object_or_404(
        GateReview.objects.for_actor(actor).select_related(
            "ai_system", "created_by", "exception__approved_by"
        ),
        pk=pk,
    )
    return review_pdf_response(actor, review)


@actor_required
def criteria(request: HttpRequest, actor: Actor) -> HttpResponse:
    services.ensure_criteria(actor.organization, source=actor.source)
    rows = GateCriterion.objects.for_actor(actor).order_by("stage", "order", "pk")
    by_stage = [
        {
            "stage": s,
            "label": gates.stage_label(s),
            "next": gates.stage_label(gates.next_stage(s)),
            "items": [c for c in rows if c.stage == s],
        }
        for s in gates.ORDER
        if gates.next_stage(s)
    ]
    form = CriterionForm(request.POST or None, actor=actor)
    if request.method == "POST":
        actor.require("gate_criterion", "add")

        def save(data: dict[str, Any]) -> Any:
            data["key"] = slugify(data["title"])[:60]
            data["kind"] = GateCriterion.Kind.CHECKLIST
            return services.create_criterion(actor, data)

        if _save_form(request, form, save, success=_("Criterion added.")):
            return redirect("lifecycle:criteria")
    return render(
        request,
        "lifecycle/criteria.html",
        {
            "stages": by_stage,
            "form": form,
            "checks": gates.CHECKS.values(),
            "can_change": actor.can("gate_criterion", "change"),
            "can_add": actor.can("gate_criterion", "add"),
        },
        status=422 if form.errors else 200,
    )


@require_POST
@actor_required
def criterion_toggle(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    criterion = get_object_or_404(GateCriterion.objects.for_actor(actor), pk=pk)
    core.update(actor, criterion, {"active": not criterion.active})
    return redirect("lifecycle:criteria")


# --- stage procedures ----------------------------------------------------------------------------


@actor_required
def procedures(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("gate_criterion", "view")
    services.ensure_procedures(actor.organization, source=actor.source)
    current = services.current_procedures(actor.organization)
    by_stage = [
        {"stage": s, "label": gates.stage_label(s), "items": [p for p in current if p.stage == s]}
        for s in gates.ORDER
        if gates.next_stage(s)
    ]
    can_add = actor.can("gate_criterion", "add")
    form = NewProcedureForm(request.POST or None, actor=actor)
    if request.method == "POST":
        actor.require("gate_criterion", "add")

        def save(data: dict[str, Any]) -> Any:
            stage = data.pop("stage")
            key = slugify(data["title"])[:60]
            if any(p.stage == stage and p.key == key for p in current):
                raise ValidationError(
                    {"title": _("This stage already has a procedure with this title: add a version to it.")}
                )
            return services.revise_procedure(actor, stage, key, data)

        obj = _save_form(request, form, save, success=_("Procedure added."))
        if obj:
            return redirect(obj)
    return render(
        request,
        "lifecycle/procedures.html",
        {"stages": by_stage, "form": form, "can_add": can_add},
        status=422 if form.errors else 200,
    )


@actor_required
def procedure_detail(request: HttpRequest, actor: Actor, stage: str, key: str) -> HttpResponse:
    actor.require("gate_criterion", "view")
    services.ensure_procedures(actor.organization, source=actor.source)
    versions = services.procedure_versions(actor.organization, stage, key)
    if not versions:
        raise Http404
    current = versions[0]
    shown = current
    if request.GET.get("v", "").isdigit():
        shown = next((p for p in versions if p.number == int(request.GET["v"])), None)
        if shown is None:
            raise Http404
    can_change = actor.can("gate_criterion", "change")
    form = ProcedureForm(
        request.POST or None,
        actor=actor,
        initial={"title": current.title, "body": current.body, "based_on": current.number},
    )
    if request.method == "POST":
        actor.require("gate_criterion", "change")
        based_on = request.POST.get("based_on", "")

        def save(data: dict[str, Any]) -> Any:
            return services.revise_procedure(
                actor, stage, key, data, based_on=int(based_on) if based_on.isdigit() else None
            )

        obj = _save_form(
            request, form, save, success=_("New version saved; the earlier versions stay readable.")
        )
        if obj:
            return redirect(obj)
    return render(
        request,
        "lifecycle/procedure_detail.html",
        {
            "procedure": shown,
            "current": current,
            "versions": versions,
            "form": form,
            "can_change": can_change,
            "stage_label": gates.stage_label(stage),
        },
        status=422 if form.errors else 200,
    )


# --- datasets -------------------------------------------------------------------------------------


@actor_required
def dataset_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = Dataset.objects.for_actor(actor).prefetch_related("ai_systems", "versions")
    if request.GET.get("q"):
        qs = qs.filter(name__icontains=request.GET["q"])
    return render(
        request,
        "lifecycle/dataset_list.html",
        {"page": paged(request, qs), "can_add": actor.can("dataset", "add")},
    )


@actor_required
def dataset_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("dataset", "add")
    form = DatasetForm(request.POST or None, actor=actor)
    obj = _save_form(
        request, form, lambda d: services.create_dataset(actor, d), success=_("Dataset registered.")
    )
    if obj:
        return redirect(obj)
    return _form_page(request, form, _("Register a dataset"), back="/lifecycle/datasets/")


def _dataset(actor: Actor, slug: str) -> Dataset:
    return get_object_or_404(Dataset.objects.for_actor(actor), slug=slug)


@actor_required
def dataset_edit(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    dataset = _dataset(actor, slug)
    actor.require("dataset", "change")
    form = DatasetForm(
        request.POST or None, instance=dataset, initial={"version": dataset.version}, actor=actor
    )
    obj = _save_form(
        request,
        form,
        lambda d: core.update(actor, dataset, d, expected_version=_version(request)),
        success=_("Dataset saved."),
    )
    if obj:
        return redirect(obj)
    return _form_page(request, form, _("Edit %(d)s") % {"d": dataset.name}, back=dataset.get_absolute_url())


@actor_required
def dataset_detail(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    dataset = _dataset(actor, slug)
    form = DatasetVersionForm(request.POST or None, actor=actor)
    if request.method == "POST":
        actor.require("dataset", "change")
        if _save_form(
            request,
            form,
            lambda d: services.create_dataset_version(actor, dataset, d),
            success=_("Version added."),
        ):
            return redirect(dataset)
    versions = list(dataset.versions.order_by("-created_at", "-pk"))
    for v in versions:  # one sample form per version, with its own element ids
        v.sample_form = SampleUploadForm(actor=actor, auto_id=f"sample{v.pk}_%s")  # type: ignore[attr-defined]
    return render(
        request,
        "lifecycle/dataset_detail.html",
        {
            "dataset": dataset,
            "versions": versions,
            "form": form,
            "agreement_form": AgreementUploadForm(actor=actor, auto_id="agreement_%s"),
            "systems": dataset.ai_systems.all(),
            "models": ModelVersion.objects.filter(datasets__dataset=dataset)
            .select_related("ai_system")
            .distinct()
            .order_by("ai_system__name", "name", "label"),
            "can_change": actor.can("dataset", "change"),
            "history": object_history(actor, "dataset", dataset.pk)[:20]
            if actor.can("audit_event", "view")
            else [],
        },
        status=422 if form.errors else 200,
    )


@require_POST
@actor_required
def dataset_sample(request: HttpRequest, actor: Actor, slug: str, label: str) -> HttpResponse:
    dataset = _dataset(actor, slug)
    version = get_object_or_404(dataset.versions, label=label)
    actor.require("dataset", "change")
    form = SampleUploadForm(request.POST, request.FILES, actor=actor, auto_id="sample_%s")
    if form.is_valid():
        attributes = [a.strip() for a in form.cleaned_data["attributes"].split(",") if a.strip()]
        try:
            profile = services.profile_from_csv(form.cleaned_data["file"].read(), attributes)
            services.update_dataset_version(actor, version, {"profile": profile})
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Profile computed from the sample."))
            return redirect(dataset)
    return _form_page(
        request,
        form,
        _("Profile a sample of %(v)s") % {"v": version},
        back=dataset.get_absolute_url(),
        extra={"multipart": True},
    )


@require_POST
@actor_required
def dataset_agreement(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    dataset = _dataset(actor, slug)
    actor.require("dataset", "change")
    form = AgreementUploadForm(request.POST, request.FILES, actor=actor, auto_id="agreement_%s")
    if form.is_valid():
        try:
            labels_a, labels_b = services.labels_from_csv(form.cleaned_data["file"].read())
            dataset = services.record_agreement(actor, dataset, labels_a, labels_b)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Cohen's kappa: %(k).3f.") % {"k": dataset.label_agreement})
            return redirect(dataset)
    return _form_page(
        request,
        form,
        _("Inter-annotator agreement of %(d)s") % {"d": dataset.name},
        back=dataset.get_absolute_url(),
        extra={"multipart": True},
    )


# --- models and evaluations -----------------------------------------------------------------------


@actor_required
def model_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = (
        ModelVersion.objects.for_actor(actor)
        .select_related("ai_system", "approved_by")
        .prefetch_related("evaluations")
    )
    if request.GET.get("ai_system"):
        qs = qs.filter(ai_system__slug=request.GET["ai_system"])
    return render(
        request,
        "lifecycle/model_list.html",
        {"page": paged(request, qs), "can_add": actor.can("model_version", "add")},
    )


@actor_required
def model_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("model_version", "add")
    form = ModelVersionForm(request.POST or None, actor=actor)
    obj = _save_form(
        request,
        form,
        lambda d: services.create_model_version(actor, d),
        success=_("Model version registered."),
    )
    if obj:
        return redirect(obj)
    return _form_page(request, form, _("Register a model version"), back="/lifecycle/models/")


def _model(actor: Actor, pk: int) -> ModelVersion:
    return get_object_or_404(
        ModelVersion.objects.for_actor(actor).select_related("ai_system", "vendor", "approved_by"), pk=pk
    )


@actor_required
def model_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    mv = _model(actor, pk)
    form = EvaluationForm(request.POST or None, actor=actor)
    if request.method == "POST":
        actor.require("evaluation", "add")

        def save(data: dict[str, Any]) -> Any:
            data["model_version_id"] = mv.pk
            data["dataset_version_id"] = (
                data.pop("dataset_version").pk if data.get("dataset_version") else None
            )
            return services.create_evaluation(actor, data)

        if _save_form(request, form, save, success=_("Evaluation recorded.")):
            return redirect(mv)
    return render(
        request,
        "lifecycle/model_detail.html",
        {
            **services.model_card(mv),
            "form": form,
            "can_evaluate": actor.can("evaluation", "add"),
            "upload_form": EvaluationUploadForm(actor=actor, auto_id="up_%s"),
            "can_approve": actor.can("model_version", "approve") and mv.status == "draft",
        },
        status=422 if form.errors else 200,
    )


@require_POST
@actor_required
def evaluation_upload(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    mv = _model(actor, pk)
    actor.require("evaluation", "add")
    form = EvaluationUploadForm(request.POST, request.FILES, actor=actor, auto_id="up_%s")
    if form.is_valid():
        try:
            services.upload_evaluation(
                actor,
                mv,
                form.cleaned_data["file"],
                {"kind": form.cleaned_data["kind"], "title": form.cleaned_data["title"]},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Evaluation recorded from the file."))
            return redirect(mv)
    return _form_page(
        request,
        form,
        _("Upload an evaluation of %(m)s") % {"m": mv},
        back=mv.get_absolute_url(),
        extra={"multipart": True},
    )


@require_POST
@actor_required
def model_approve(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    mv = _model(actor, pk)
    try:
        services.approve_model(actor, mv)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Model version approved."))
    return redirect(mv)


def model_card_response(request: HttpRequest, actor: Actor, mv: ModelVersion, fmt: str) -> HttpResponse:
    actor.require("model_version", "export")
    name = f"model-card-{slugify(mv.name)}-{slugify(mv.label)}"
    if fmt == "md":
        response = HttpResponse(services.model_card_markdown(mv), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.md"'
        return response
    if fmt == "html":
        return HttpResponse(
            render_to_string(
                "lifecycle/model_card.html", {**services.model_card(mv), "standalone": True}, request=request
            )
        )
    if fmt == "pdf":
        from aims.reports.renderers import to_pdf

        pdf = to_pdf(
            "lifecycle/model_card_pdf.html",
            {**services.model_card(mv), "generated_by": actor.user.email if actor.user else ""},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    raise ValidationError({"format": _("Choose md, html or pdf.")})


@actor_required
def model_card(request: HttpRequest, actor: Actor, pk: int, fmt: str) -> HttpResponse:
    try:
        return model_card_response(request, actor, _model(actor, pk), fmt)
    except ValidationError as exc:
        raise Http404 from exc


# --- vendors --------------------------------------------------------------------------------------


@actor_required
def vendor_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = Vendor.objects.for_actor(actor).prefetch_related("ai_systems")
    return render(
        request,
        "lifecycle/vendor_list.html",
        {"page": paged(request, qs), "can_add": actor.can("vendor", "add")},
    )


@actor_required
def vendor_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("vendor", "add")
    form = VendorForm(request.POST or None, actor=actor)
    obj = _save_form(
        request, form, lambda d: services.create_vendor(actor, d), success=_("Vendor registered.")
    )
    if obj:
        return redirect(obj)
    return _form_page(request, form, _("Register a vendor"), back="/lifecycle/vendors/")


def _vendor(actor: Actor, slug: str) -> Vendor:
    return get_object_or_404(Vendor.objects.for_actor(actor), slug=slug)


@actor_required
def vendor_edit(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    vendor = _vendor(actor, slug)
    actor.require("vendor", "change")
    form = VendorForm(request.POST or None, instance=vendor, initial={"version": vendor.version}, actor=actor)
    obj = _save_form(
        request,
        form,
        lambda d: core.update(actor, vendor, d, expected_version=_version(request)),
        success=_("Vendor saved."),
    )
    if obj:
        return redirect(obj)
    return _form_page(request, form, _("Edit %(v)s") % {"v": vendor.name}, back=vendor.get_absolute_url())


@actor_required
def vendor_detail(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    vendor = _vendor(actor, slug)
    form = BreachForm(request.POST or None, actor=actor)
    if request.method == "POST":
        actor.require("vendor", "change")
        if _save_form(
            request, form, lambda d: services.add_breach(actor, vendor, d), success=_("SLA breach recorded.")
        ):
            return redirect(vendor)
    answers = vendor.questionnaire or {}
    return render(
        request,
        "lifecycle/vendor_detail.html",
        {
            "vendor": vendor,
            "form": form,
            "breaches": vendor.breaches.all(),
            "systems": vendor.ai_systems.all(),
            "questions": [
                {"text": q["text"], "weight": q["weight"], "answer": answers.get(q["key"])}
                for q in gates.QUESTIONNAIRE
            ],
            "can_change": actor.can("vendor", "change"),
        },
        status=422 if form.errors else 200,
    )


# --- deployments ----------------------------------------------------------------------------------


@actor_required
def deployment_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = (
        Deployment.objects.for_actor(actor)
        .select_related("ai_system", "model_version", "approved_by")
        .prefetch_related("production_access")
    )
    return render(
        request,
        "lifecycle/deployment_list.html",
        {"page": paged(request, qs), "can_add": actor.can("deployment", "add")},
    )


@actor_required
def deployment_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("deployment", "add")
    form = DeploymentForm(request.POST or None, actor=actor)
    obj = _save_form(
        request, form, lambda d: services.create_deployment(actor, d), success=_("Deployment recorded.")
    )
    if obj:
        return redirect(obj)
    return _form_page(request, form, _("Record a deployment"), back="/lifecycle/deployments/")


def _deployment(actor: Actor, pk: int) -> Deployment:
    return get_object_or_404(
        Deployment.objects.for_actor(actor).select_related(
            "ai_system", "model_version", "approved_by", "gate_review"
        ),
        pk=pk,
    )


@actor_required
def deployment_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    d = _deployment(actor, pk)
    actor.require("deployment", "change")
    form = DeploymentForm(request.POST or None, instance=d, initial={"version": d.version}, actor=actor)
    obj = _save_form(
        request,
        form,
        lambda data: services.update_deployment(actor, d, data, expected_version=_version(request)),
        success=_("Deployment saved."),
    )
    if obj:
        return redirect(obj)
    return _form_page(
        request, form, _("Edit the deployment of %(s)s") % {"s": d.ai_system.name}, back=d.get_absolute_url()
    )


@actor_required
def deployment_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    d = _deployment(actor, pk)
    form = EventForm(request.POST or None, actor=actor, deployment=d)
    if request.method == "POST":
        actor.require("deployment", "change")

        def save(data: dict[str, Any]) -> Any:
            if data.get("occurred_at") is None:
                data.pop("occurred_at", None)
            return services.record_event(actor, d, data)

        if _save_form(request, form, save, success=_("Event recorded.")):
            return redirect(d)
    return render(
        request,
        "lifecycle/deployment_detail.html",
        {
            "deployment": d,
            "events": d.events.select_related("to_version", "from_version", "created_by"),
            "people": d.production_access.all(),
            "form": form,
            "can_read_logs": actor.can("event_log", "view"),
            "logs": d.log_records.order_by("-occurred_at", "-pk")[:10]
            if actor.can("event_log", "view")
            else [],
            "log_summary": services.log_summary(d),
            "can_change": actor.can("deployment", "change"),
            "can_approve": actor.can("deployment", "approve"),
            "history": object_history(actor, "deployment", d.pk)[:20]
            if actor.can("audit_event", "view")
            else [],
        },
        status=422 if form.errors else 200,
    )


@actor_required
def deployment_logs(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    d = _deployment(actor, pk)
    actor.require("event_log", "view")
    form = LogFilterForm(request.GET or None, actor=actor)
    params = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    return render(
        request,
        "lifecycle/deployment_logs.html",
        {
            "deployment": d,
            "form": form,
            "page": paged(request, services.filter_logs(d, params)),
            "summary": services.log_summary(d),
        },
    )


@require_POST
@actor_required
def deployment_action(request: HttpRequest, actor: Actor, pk: int, action: str) -> HttpResponse:
    d = _deployment(actor, pk)
    operations = {
        "approve": services.approve_deployment,
        "go-live": services.go_live,
        "retire": services.retire_deployment,
    }
    if action not in operations:
        raise Http404
    try:
        operations[action](actor, d)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("Done."))
    return redirect(d)


__all__ = ["board", "forms"]
