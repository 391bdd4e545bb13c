"""Pages of the compliance area, mounted at /compliance/: frameworks and their requirements, the
control library, the Statement of Applicability, EU AI Act classification, gap assessments,
compliance status and certification readiness, and the regulatory register.

Views are thin: they read through `for_actor` (another organization's object is a 404) and write
through the services; a service's ValidationError is put back on the form next to its field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from aims.core import services as core
from aims.core.actors import Actor
from aims.core.exceptions import PreconditionFailed
from aims.core.views import actor_required, object_history, paged
from aims.inventory.models import AISystem
from aims.inventory.views import apply_errors, differences, stale_message

from . import catalog_files as cf
from . import exports, oscal, readiness, services, status
from .forms import (
    ClassificationForm,
    ControlForm,
    EvidenceForm,
    FrameworkForm,
    GapForm,
    LibraryForm,
    ObligationForm,
    RegulationForm,
    RequirementForm,
    SoAEntryForm,
)
from .library import LIBRARY
from .models import (
    CatalogChange,
    Classification,
    Control,
    Evidence,
    Framework,
    GapAssessment,
    GapScore,
    Obligation,
    Regulation,
    SoA,
    SoAEntry,
)

INVALID = 422


def _version(form: Any) -> int | None:
    value = form.cleaned_data.get("version")
    return int(value) if value is not None else None


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- frameworks -------------------------------------------------------------------------------------

# How a catalog relates to another (the `relations` of its file).
RELATION_LABELS = {
    "extends": gettext_lazy("Extends"),
    "extended_by": gettext_lazy("Extended by"),
    "replaces": gettext_lazy("Replaces"),
    "superseded_by": gettext_lazy("Replaced by"),
    "integrates_with": gettext_lazy("Integrates with"),
    "maps_to": gettext_lazy("Maps to"),
}


@actor_required
def framework_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    rows = {row["framework"].pk: row for row in status.summary(actor)}
    fws = list(services.frameworks(actor).order_by("organization", "name"))
    for f in fws:
        f.status_row = rows.get(f.pk)
    return render(
        request,
        "compliance/framework_list.html",
        {"frameworks": fws, "can_add": actor.can("framework", "add")},
    )


@require_http_methods(["GET", "POST"])
@actor_required
def framework_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    """An organization adds its own framework (internal policy, sector rule, customer requirements)."""
    actor.require("framework", "add")
    form = FrameworkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            fw = services.create_framework(actor, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Framework %(name)s added: now add its requirements.") % {"name": fw.name}
            )
            return redirect(fw.get_absolute_url())
    return render(
        request, "compliance/framework_form.html", {"form": form}, status=INVALID if form.errors else 200
    )


def _own_framework(actor: Actor, slug: str, action: str) -> Framework:
    """The organization's own framework with this slug; a shipped catalog is read-only (403) and
    another organization's framework is not found (404)."""
    fw = services.get_framework(actor, slug)
    actor.require("framework", action)
    if fw.builtin:
        raise PermissionDenied(
            _("The catalogs that ship with AIMS are read-only: add your own framework instead.")
        )
    return fw


@require_http_methods(["GET", "POST"])
@actor_required
def requirement_create(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    fw = _own_framework(actor, slug, "change")
    form = RequirementForm(request.POST if request.method == "POST" else None, framework=fw)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.add_requirement(actor, fw, form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Requirement %(ref)s added.") % {"ref": req.ref_id})
            if request.POST.get("another"):
                return redirect("compliance:requirement-create", slug=fw.slug)
            return redirect(fw.get_absolute_url())
    return render(
        request,
        "compliance/requirement_form.html",
        {"form": form, "framework": fw},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def framework_delete(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    fw = _own_framework(actor, slug, "delete")
    if request.method == "POST":
        try:
            services.delete_framework(actor, fw)
        except ValidationError as exc:
            for texts in exc.message_dict.values():
                for text in texts:
                    messages.error(request, text)
            return redirect(fw.get_absolute_url())
        messages.success(request, _("Framework deleted. The audit trail keeps its record."))
        return redirect("compliance:framework-list")
    return render(
        request,
        "inventory/confirm_delete.html",
        {
            "object": fw,
            "kind": _("framework"),
            "cancel_url": fw.get_absolute_url(),
            "consequences": [
                _("Its requirements are deleted, and your controls no longer point to them."),
                _("Register entries that use it as their catalog keep their entry, without the catalog."),
            ],
        },
    )


@actor_required
def framework_detail(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    fw = services.get_framework(actor, slug)
    reqs = list(services.requirements(fw))
    states = status.compute(actor.organization, [fw.pk]).get(fw.pk, {}).get("states", {})
    linked: dict[int, list[Control]] = {}
    through = Control.requirements.through
    ids = through.objects.filter(
        control__organization=actor.organization, requirement__framework=fw
    ).values_list("requirement_id", "control_id")
    controls = {c.pk: c for c in Control.objects.filter(organization=actor.organization)}
    for rid, cid in ids:
        linked.setdefault(rid, []).append(controls[cid])
    for r in reqs:
        r.state = states.get(r.pk)
        r.linked_controls = linked.get(r.pk, [])
    dates = []
    if fw.data.get("application_dates"):
        dates = fw.data["application_dates"]
    relations = []
    names = dict(
        Framework.objects.filter(
            organization__isnull=True, slug__in=[r.get("catalog") for r in fw.data.get("relations", [])]
        ).values_list("slug", "name")
    )
    for r in fw.data.get("relations", []):
        relations.append(
            {
                "kind": RELATION_LABELS.get(r.get("kind", ""), r.get("kind", "")),
                "slug": r.get("catalog", ""),
                "name": names.get(r.get("catalog", "")),
                "note": r.get("note", ""),
            }
        )
    own = not fw.builtin
    return render(
        request,
        "compliance/framework_detail.html",
        {
            "framework": fw,
            "requirements": reqs,
            "dates": dates,
            "amendments": fw.data.get("amendments", []),
            "relations": relations,
            "can_change": own and actor.can("framework", "change"),
            "can_delete": own and actor.can("framework", "delete"),
        },
    )


@actor_required
def framework_oscal(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    import json

    actor.require("framework", "export")
    fw = services.get_framework(actor, slug)
    body = json.dumps(oscal.catalog(fw), indent=2, ensure_ascii=False).encode()
    return _download(body, "application/json", f"{fw.slug}.oscal.json")


# --- controls ---------------------------------------------------------------------------------------


@actor_required
def control_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    params = {
        k: request.GET.get(k, "").strip()
        for k in ("q", "status", "framework")
        if request.GET.get(k, "").strip()
    }
    qs = services.filter_controls(services.controls_queryset(actor), params)
    return render(
        request,
        "compliance/control_list.html",
        {
            "page": paged(request, qs),
            "params": params,
            "statuses": Control.Status.choices,
            "frameworks": services.frameworks(actor).order_by("name"),
            "can_add": actor.can("control", "add"),
            "library_form": LibraryForm(),
            "library": LIBRARY,
        },
    )


@require_http_methods(["GET", "POST"])
@actor_required
def control_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("control", "add")
    form = ControlForm(request.POST or None, organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        try:
            control = services.create_control(actor, form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Control %(ref)s added.") % {"ref": control.ref})
            return redirect(control.get_absolute_url())
    return render(
        request,
        "compliance/control_form.html",
        {"form": form, "control": None},
        status=INVALID if form.errors else 200,
    )


@require_POST
@actor_required
def control_library(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("control", "add")
    form = LibraryForm(request.POST)
    if form.is_valid():
        made = services.add_from_library(actor, form.cleaned_data["keys"])
        messages.success(request, _("%(n)d controls added from the library.") % {"n": len(made)})
    else:
        messages.error(request, _("Choose at least one control from the library."))
    return redirect("compliance:control-list")


@actor_required
def control_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    control = get_object_or_404(services.controls_queryset(actor), pk=pk)
    return render(
        request,
        "compliance/control_detail.html",
        {
            "control": control,
            "evidence": Evidence.objects.filter(control=control),
            "soa_entries": control.soa_entries.select_related("soa", "requirement").order_by("-soa__number")[
                :20
            ],
            "history": list(object_history(actor, "control", control.pk)[:100]),
            "evidence_form": EvidenceForm(),
            "can_change": actor.can("control", "change"),
            "can_delete": actor.can("control", "delete"),
        },
    )


@require_http_methods(["GET", "POST"])
@actor_required
def control_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    control = get_object_or_404(Control.objects.for_actor(actor), pk=pk)
    actor.require("control", "change")
    form = ControlForm(request.POST or None, instance=control, organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        try:
            control = services.update_control(
                actor, control, form.service_data(), expected_version=_version(form)
            )
        except PreconditionFailed as exc:
            form.add_error(None, stale_message(_("control"), exc.current_version))
            form.data = form.data.copy()
            form.data["version"] = str(exc.current_version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes to %(ref)s saved.") % {"ref": control.ref})
            return redirect(control.get_absolute_url())
    return render(
        request,
        "compliance/control_form.html",
        {"form": form, "control": control},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def control_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    control = get_object_or_404(Control.objects.for_actor(actor), pk=pk)
    actor.require("control", "delete")
    if request.method == "POST":
        services.delete_control(actor, control)
        messages.success(request, _("Control deleted. The audit trail keeps its record."))
        return redirect("compliance:control-list")
    return render(
        request,
        "inventory/confirm_delete.html",
        {
            "object": control,
            "kind": _("control"),
            "cancel_url": control.get_absolute_url(),
            "consequences": [_("It is removed from every SoA version and risk it was linked to.")],
        },
    )


@require_POST
@actor_required
def evidence_add(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    control = get_object_or_404(Control.objects.for_actor(actor), pk=pk)
    actor.require("control", "change")
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_evidence(
                actor,
                control,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"] or "",
                upload=form.cleaned_data.get("file"),
            )
        except ValidationError as exc:
            for field, texts in exc.message_dict.items():
                messages.error(request, f"{field}: {' '.join(texts)}")
        else:
            messages.success(request, _("Evidence added."))
    else:
        messages.error(request, " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect(control.get_absolute_url())


@actor_required
def evidence_download(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    ev = get_object_or_404(Evidence.objects.for_actor(actor), pk=pk)
    if not ev.file:
        raise Http404
    with ev.file.open("rb") as fh:
        body = fh.read()
    return _download(body, "application/octet-stream", ev.filename or f"evidence-{ev.pk}")


# --- Statement of Applicability ---------------------------------------------------------------------


def _soa_context(actor: Actor, soa: SoA | None) -> dict[str, Any]:
    versions = list(SoA.objects.for_actor(actor).select_related("approved_by"))
    ctx: dict[str, Any] = {
        "soa": soa,
        "versions": versions,
        "can_change": actor.can("soa", "change"),
        "can_add": actor.can("soa", "add"),
        "can_approve": actor.can("soa", "approve"),
        "can_export": actor.can("soa", "export"),
    }
    if soa is not None:
        entries = list(services.soa_entries(soa))
        treatments = services.soa_risk_treatments(actor.organization)
        for e in entries:
            e.treatments = treatments.get(e.requirement.ref_id, [])
        ctx.update(
            {
                "entries": entries,
                "missing": services.soa_missing(actor, soa),
                "applicable": sum(1 for e in entries if e.applicable),
                "excluded": sum(1 for e in entries if e.applicable is False),
                "undecided": sum(1 for e in entries if e.applicable is None),
            }
        )
    return ctx


@actor_required
def soa(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "compliance/soa.html", _soa_context(actor, services.current_soa(actor)))


@actor_required
def soa_version(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    version = get_object_or_404(SoA.objects.for_actor(actor), number=number)
    return render(request, "compliance/soa.html", _soa_context(actor, version))


@require_POST
@actor_required
def soa_start(request: HttpRequest, actor: Actor) -> HttpResponse:
    draft = services.start_soa(actor)
    messages.success(request, _("Draft version %(n)s is ready to edit.") % {"n": draft.number})
    return redirect("compliance:soa")


@require_http_methods(["GET", "POST"])
@actor_required
def soa_entry_edit(request: HttpRequest, actor: Actor, number: int, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        SoAEntry.objects.for_actor(actor).select_related("soa", "requirement"), soa__number=number, pk=pk
    )
    actor.require("soa", "change")
    form = SoAEntryForm(request.POST or None, instance=entry, organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_entry(actor, entry, form.service_data(), expected_version=_version(form))
        except PreconditionFailed as exc:
            form.add_error(None, stale_message(_("SoA entry"), exc.current_version))
            form.data = form.data.copy()
            form.data["version"] = str(exc.current_version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(ref)s saved.") % {"ref": entry.requirement.ref_id})
            return redirect(f"{entry.soa.get_absolute_url()}#e-{entry.pk}")
    return render(
        request,
        "compliance/soa_entry_form.html",
        {"form": form, "entry": entry},
        status=INVALID if form.errors else 200,
    )


@require_POST
@actor_required
def soa_approve(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    version = get_object_or_404(SoA.objects.for_actor(actor), number=number)
    try:
        services.approve_soa(actor, version, note=request.POST.get("note", "")[:2000])
    except ValidationError as exc:
        for texts in exc.message_dict.values():
            for t in texts:
                messages.error(request, t)
    else:
        messages.success(request, _("Statement of Applicability v%(n)s approved.") % {"n": version.number})
    return redirect(version.get_absolute_url())


@actor_required
def soa_export(request: HttpRequest, actor: Actor, number: int, fmt: str) -> HttpResponse:
    from .api import soa_download

    actor.require("soa", "export")
    version = get_object_or_404(
        SoA.objects.for_actor(actor).select_related("framework", "approved_by"), number=number
    )
    if fmt not in ("xlsx", "pdf", "oscal"):
        raise Http404
    return soa_download(actor, version, fmt)


# --- EU AI Act classification -----------------------------------------------------------------------


@actor_required
def classification_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    systems = list(AISystem.objects.for_actor(actor).order_by("name"))
    current = {c.ai_system_id: c for c in Classification.objects.for_actor(actor).filter(is_current=True)}
    open_counts: dict[int, int] = {}
    for sid in (
        Obligation.objects.for_actor(actor).filter(status="open").values_list("ai_system_id", flat=True)
    ):
        open_counts[sid] = open_counts.get(sid, 0) + 1
    rows = []
    for s in systems:
        c = current.get(s.pk)
        rows.append(
            {
                "system": s,
                "classification": c,
                "changed": services.needs_reclassification(s, c) if c else [],
                "open": open_counts.get(s.pk, 0),
            }
        )
    return render(request, "compliance/classification_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@actor_required
def classification(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    system = get_object_or_404(AISystem.objects.for_actor(actor), slug=slug)
    actor.require("classification", "view")
    current = services.current_classification(system)
    initial = services.default_answers(system)
    form = ClassificationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        actor.require("classification", "add")
        if form.is_valid():
            try:
                c = services.classify_system(actor, system, form.answers(), notes=form.cleaned_data["notes"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s classified: %(tier)s.") % {"name": system.name, "tier": c.get_tier_display()},
                )
                return redirect("compliance:classification", slug=system.slug)
    return render(
        request,
        "compliance/classification.html",
        {
            "system": system,
            "current": current,
            "form": form,
            "changed": services.needs_reclassification(system, current) if current else [],
            "history": Classification.objects.filter(ai_system=system).select_related("created_by"),
            "obligations": Obligation.objects.filter(ai_system=system).select_related("requirement"),
            "can_classify": actor.can("classification", "add"),
            "can_change_obligations": actor.can("classification", "change"),
        },
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def obligation_edit(request: HttpRequest, actor: Actor, slug: str, pk: int) -> HttpResponse:
    """Mark one AI Act obligation of a system done (or no longer applicable), with a note. A stale
    form (someone saved in between) is refused with what changed, like the other edit forms."""
    obligation = get_object_or_404(
        Obligation.objects.for_actor(actor).select_related("ai_system", "requirement"),
        ai_system__slug=slug,
        pk=pk,
    )
    actor.require("classification", "change")
    form = ObligationForm(request.POST if request.method == "POST" else None, instance=obligation)
    stale: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            services.update_obligation(actor, obligation, data, expected_version=_version(form))
        except PreconditionFailed as exc:
            stale = differences(Obligation.objects.get(pk=obligation.pk), data)
            form.add_error(None, stale_message(_("obligation"), exc.current_version))
            # A second, deliberate save goes through: the person has now seen what changed.
            form.data = form.data.copy()
            form.data["version"] = str(exc.current_version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(ref)s for %(system)s: %(status)s.")
                % {
                    "ref": obligation.requirement.ref_id,
                    "system": obligation.ai_system.name,
                    "status": Obligation.Status(data["status"]).label,
                },
            )
            return redirect("compliance:classification", slug=obligation.ai_system.slug)
    return render(
        request,
        "compliance/obligation_form.html",
        {
            "form": form,
            "obligation": obligation,
            "system": obligation.ai_system,
            "stale": stale,
            # Obligations share the "classification" object type with the classifications themselves:
            # keep this obligation's entries only.
            "history": list(
                object_history(actor, "classification", obligation.pk).filter(
                    object_repr__startswith=f"{obligation.requirement.ref_id} ("
                )[:50]
            ),
        },
        status=INVALID if form.errors else 200,
    )


# --- gap assessment ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@actor_required
def gap_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = GapForm(request.POST or None)
    if request.method == "POST":
        actor.require("gap_assessment", "add")
        if form.is_valid():
            try:
                a = services.create_gap_assessment(actor, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect(a.get_absolute_url())
    trend = services.gap_trend(actor)
    return render(
        request,
        "compliance/gap_list.html",
        {"trend": trend, "form": form, "can_add": actor.can("gap_assessment", "add")},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def gap_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    assessment = get_object_or_404(GapAssessment.objects.for_actor(actor).select_related("framework"), pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        actor.require("gap_assessment", "change")
        for item in GapScore.objects.filter(assessment=assessment).select_related(
            "assessment", "requirement"
        ):
            raw = request.POST.get(f"m-{item.pk}")
            if raw is None:
                continue
            data: dict[str, Any] = {
                "maturity": int(raw) if raw.isdigit() else None,
                "notes": request.POST.get(f"n-{item.pk}", item.notes),
            }
            if data["maturity"] == item.maturity and data["notes"] == item.notes:
                continue
            try:
                services.score(actor, item, data)
            except ValidationError as exc:
                errors += [f"{item.requirement.ref_id}: {' '.join(m)}" for m in exc.message_dict.values()]
        if request.POST.get("complete") and not errors:
            core.update(actor, assessment, {"status": GapAssessment.Status.COMPLETED})
        if not errors:
            messages.success(request, _("Scores saved."))
            return redirect(assessment.get_absolute_url())
    report = services.gap_report(assessment)
    return render(
        request,
        "compliance/gap_detail.html",
        {
            "assessment": assessment,
            "report": report,
            "errors": errors,
            "levels": range(6),
            "can_change": actor.can("gap_assessment", "change"),
        },
        status=INVALID if errors else 200,
    )


@actor_required
def gap_export(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    actor.require("gap_assessment", "export")
    assessment = get_object_or_404(GapAssessment.objects.for_actor(actor), pk=pk)
    body = exports.gap_xlsx(services.gap_report(assessment))
    return _download(
        body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"gap-assessment-{pk}.xlsx"
    )


# --- status and readiness ---------------------------------------------------------------------------


@actor_required
def compliance_status(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("control", "view")
    return render(request, "compliance/status.html", {"rows": status.summary(actor)})


@actor_required
def readiness_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("soa", "view")
    return render(request, "compliance/readiness.html", readiness.report(actor))


@actor_required
def readiness_pdf(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("soa", "export")
    return _download(exports.readiness_pdf(actor), "application/pdf", "certification-readiness.pdf")


# --- regulatory register ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@actor_required
def regulation_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = RegulationForm(request.POST or None, organization=actor.organization)
    if request.method == "POST":
        actor.require("regulation", "add")
        if form.is_valid():
            try:
                core.create(actor, Regulation, form.service_data())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Added to the register."))
                return redirect("compliance:regulation-list")
    changes = CatalogChange.objects.filter(framework__in=Framework.objects.visible_to(actor)).select_related(
        "framework"
    )[:50]
    return render(
        request,
        "compliance/regulation_list.html",
        {
            "regulations": Regulation.objects.for_actor(actor).select_related("framework", "owner"),
            "form": form,
            "changes": changes,
            "can_add": actor.can("regulation", "add"),
            "catalogs": [cf.load_catalog(s).to_dict() for s in cf.list_catalogs()],
        },
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def regulation_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    reg = get_object_or_404(Regulation.objects.for_actor(actor), pk=pk)
    actor.require("regulation", "change")
    form = RegulationForm(request.POST or None, instance=reg, organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        try:
            core.update(actor, reg, form.service_data(), expected_version=_version(form))
        except PreconditionFailed as exc:
            form.add_error(None, stale_message(_("regulation"), exc.current_version))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("compliance:regulation-list")
    return render(
        request,
        "compliance/regulation_form.html",
        {"form": form, "regulation": reg},
        status=INVALID if form.errors else 200,
    )
