"""Pages for clause 4: the AI system inventory, interested parties, issues and the scope.

Views are thin: they read through `for_actor` (another organization's object is a 404), write
through the services (permission check, validation, audit entry, one transaction) and map the
services' ValidationError onto the form so each message sits next to the field it is about."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Count, Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from aims.core import services as core
from aims.core.actors import Actor
from aims.core.exceptions import PreconditionFailed, error_dict
from aims.core.views import actor_required, object_history, paged

from . import services
from .forms import AISystemForm, ContextIssueForm, ImportForm, InterestedPartyForm, ScopeForm, members_of
from .models import AISystem, ContextIssue, InterestedParty, ScopeStatement

INVALID = 422  # a form sent back with errors: nothing was written
EXPORT_FORMATS = ("csv", "xlsx", "json")
HISTORY_LIMIT = 200


# --- helpers --------------------------------------------------------------------------------------


def apply_errors(form: BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form: next to the field it names, or at the top
    (naming the field) when the form has no such field."""
    for name, texts in error_dict(exc).items():
        if name in form.fields:
            for text in texts:
                form.add_error(name, text)
        else:
            model = getattr(getattr(form, "_meta", None), "model", None)
            label = name
            if model is not None and name != "__all__":
                try:
                    label = capfirst(str(model._meta.get_field(name).verbose_name))
                except FieldDoesNotExist:
                    label = name
            for text in texts:
                form.add_error(None, text if name == "__all__" else f"{label}: {text}")


def stale_message(kind: str, current_version: int) -> str:
    return _(
        "Someone else changed this %(kind)s while you were editing it (it is now at version %(version)s), "
        "so your changes were not saved. The fields below keep what you typed; the values that differ from "
        "the saved ones are listed. Save again to replace the saved values with yours."
    ) % {"kind": kind, "version": current_version}


def _display(obj: Model, name: str) -> str:
    """A field's value as a person reads it: choice labels, names instead of ids, lists joined."""
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if field.many_to_many:
        return ", ".join(str(o) for o in value.all()) or "—"
    if getattr(field, "choices", None):
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        labels = (
            (dict(AISystem.OrgRole.choices) | dict(AISystem.Environment.choices))
            if isinstance(obj, AISystem)
            else {}
        )
        return ", ".join(str(labels.get(v, v)) if isinstance(v, str) else str(v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    return str(value)


def differences(current: Model, data: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields whose saved value differs from what the person submitted: (label, saved value)."""
    out = []
    for name, submitted in data.items():
        field = current._meta.get_field(name)
        saved: Any = getattr(current, name)
        if field.many_to_many:
            saved = sorted(saved.values_list("pk", flat=True))
            submitted = sorted(submitted)
        elif field.is_relation:
            saved = getattr(current, f"{name}_id")
            submitted = getattr(submitted, "pk", submitted)
        if saved != submitted:
            out.append((capfirst(str(field.verbose_name)), _display(current, name)))
    return out


def _bound(request: HttpRequest, *, files: bool = False) -> tuple[Any, ...]:
    """The form's data on a POST (even an empty one, which must fail validation), else nothing."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _version(form: BaseForm) -> int | None:
    value = form.cleaned_data.get("version")
    return int(value) if value is not None else None


# --- AI systems -----------------------------------------------------------------------------------

SORTABLE = [
    ("name", gettext_lazy("Name")),
    ("criticality", gettext_lazy("Criticality")),
    ("stage", gettext_lazy("Stage")),
    ("updated", gettext_lazy("Updated")),
]
FILTER_KEYS = ("q", "type", "criticality", "stage", "tier", "owner", "documentation")


def _system_filters(request: HttpRequest) -> dict[str, str]:
    return {
        key: request.GET.get(key, "").strip()
        for key in (*FILTER_KEYS, "sort")
        if request.GET.get(key, "").strip()
    }


def _scoped_systems(actor: Actor, params: dict[str, str]) -> Any:
    return services.filter_systems(AISystem.objects.for_actor(actor).select_related("owner"), params)


@actor_required
def system_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    params = _system_filters(request)
    page = paged(request, _scoped_systems(actor, params))
    sort = params.get("sort", "name")
    columns = []
    for key, label in SORTABLE:
        current = sort.lstrip("-") == key
        descending = current and sort.startswith("-")
        columns.append(
            {
                "key": key,
                "label": label,
                "current": current,
                "aria_sort": ("descending" if descending else "ascending") if current else None,
                "next": f"-{key}" if current and not descending else key,
            }
        )
    return render(
        request,
        "inventory/system_list.html",
        {
            "page": page,
            "params": params,
            "filtered": any(k in params for k in FILTER_KEYS),
            "columns": {c["key"]: c for c in columns},
            "owners": members_of(actor.organization),
            "filters": [
                {"key": key, "label": label, "options": options, "selected": params.get(key, "")}
                for key, label, options in (
                    ("type", _("Type"), AISystem.Type.choices),
                    ("criticality", _("Criticality"), AISystem.Criticality.choices),
                    ("stage", _("Lifecycle stage"), AISystem.Stage.choices),
                    ("tier", _("EU AI Act tier"), AISystem.RiskTier.choices),
                    ("documentation", _("Documentation"), AISystem.DocumentationStatus.choices),
                )
            ],
            "can_add": actor.can("ai_system", "add"),
            "can_export": actor.can("ai_system", "export"),
            "formats": EXPORT_FORMATS,
        },
    )


def _overview(system: AISystem) -> list[tuple[str, list[dict[str, Any]]]]:
    sections = []
    for title, names in AISystemForm.SECTIONS:
        rows = []
        for name in names:
            field = AISystem._meta.get_field(name)
            row: dict[str, Any] = {
                "name": name,
                "label": capfirst(str(field.verbose_name)),
                "help": str(field.help_text or AISystemForm.Meta.help_texts.get(name, "")),
                "value": _display(system, name),
            }
            if name == "links":
                row["links"] = system.links
            if name == "tags":
                row["tags"] = system.tags
            rows.append(row)
        sections.append((str(title), rows))
    return sections


def _detail_context(actor: Actor, system: AISystem, tab: str) -> dict[str, Any]:
    return {
        "system": system,
        "tab": tab,
        "can_change": actor.can("ai_system", "change"),
        "can_delete": actor.can("ai_system", "delete"),
    }


@actor_required
def system_detail(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    system = get_object_or_404(
        AISystem.objects.for_actor(actor).select_related("owner", "created_by"), slug=slug
    )
    context = _detail_context(actor, system, "overview")
    context["sections"] = _overview(system)
    context["parties"] = list(system.interested_parties.order_by("name"))
    return render(request, "inventory/system_detail.html", context)


@actor_required
def system_history(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    system = get_object_or_404(AISystem.objects.for_actor(actor), slug=slug)
    context = _detail_context(actor, system, "history")
    context["history"] = list(object_history(actor, AISystem.object_type, system.pk)[:HISTORY_LIMIT])
    context["history_limit"] = HISTORY_LIMIT
    return render(request, "inventory/system_detail.html", context)


@require_http_methods(["GET", "POST"])
@actor_required
def system_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("ai_system", "add")
    form = AISystemForm(*_bound(request), organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        try:
            system = services.create_system(actor, form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("AI system “%(name)s” added to the inventory.") % {"name": system.name}
            )
            return redirect(system.get_absolute_url())
    return render(
        request,
        "inventory/system_form.html",
        {"form": form, "system": None},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def system_edit(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    system = get_object_or_404(AISystem.objects.for_actor(actor).select_related("owner"), slug=slug)
    actor.require("ai_system", "change")
    form = AISystemForm(*_bound(request), instance=system, organization=actor.organization)
    stale: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            system = services.update_system(actor, system, data, expected_version=_version(form))
        except PreconditionFailed as exc:
            current = AISystem.objects.select_related("owner").get(pk=system.pk)
            stale = differences(current, data)
            form.add_error(None, stale_message(_("AI system"), exc.current_version))
            # A second, deliberate save goes through: the person has now seen what changed.
            form.data = form.data.copy()
            form.data["version"] = str(exc.current_version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes to “%(name)s” saved.") % {"name": system.name})
            return redirect(system.get_absolute_url())
    return render(
        request,
        "inventory/system_form.html",
        {"form": form, "system": system, "stale": stale},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def system_delete(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    system = get_object_or_404(AISystem.objects.for_actor(actor), slug=slug)
    actor.require("ai_system", "delete")
    if request.method == "POST":
        try:
            expected = int(request.POST.get("version", ""))
        except ValueError:
            expected = None
        try:
            services.delete_system(actor, system, expected_version=expected)
        except PreconditionFailed:
            messages.error(
                request,
                _(
                    "“%(name)s” was changed by someone else after you opened this page. Check it before deleting it."
                )
                % {"name": system.name},
            )
            return redirect(system.get_absolute_url())
        messages.success(
            request,
            _("AI system “%(name)s” deleted. The audit trail keeps its record.") % {"name": system.name},
        )
        return redirect("inventory:system-list")
    scope_versions = list(
        ScopeStatement.objects.filter(organization=actor.organization, included_systems=system)
        .order_by("-number")
        .values_list("number", "status")
    )
    status_labels = dict(ScopeStatement.Status.choices)
    return render(
        request,
        "inventory/confirm_delete.html",
        {
            "object": system,
            "kind": _("AI system"),
            "cancel_url": system.get_absolute_url(),
            "consequences": [
                _("Interested parties linked to it: %(names)s.")
                % {
                    "names": ", ".join(p.name for p in system.interested_parties.order_by("name"))
                    or _("none")
                },
                _("Scope versions that name it: %(versions)s.")
                % {
                    "versions": ", ".join(f"v{n} ({status_labels[s]})" for n, s in scope_versions)
                    or _("none"),
                },
            ],
        },
    )


@actor_required
def system_export(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("ai_system", "export")
    fmt = request.GET.get("format", "csv").lower()
    if fmt not in EXPORT_FORMATS:
        messages.error(
            request, _("Unknown export format “%(fmt)s”: choose CSV, XLSX or JSON.") % {"fmt": fmt[:10]}
        )
        return redirect("inventory:system-list")
    if not _import_available():
        messages.error(request, _("Export is not available in this installation."))
        return redirect("inventory:system-list")
    from . import io as inventory_io

    content, content_type, filename = inventory_io.export_systems(
        actor, _scoped_systems(actor, _system_filters(request)), fmt
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _import_available() -> bool:
    # aims.inventory.io (the file formats) is optional for these pages: without it the list, the
    # forms and the dashboard still work, and export/import say they are not available.
    from importlib.util import find_spec

    return find_spec("aims.inventory.io") is not None


@require_http_methods(["GET", "POST"])
@actor_required
def system_import(request: HttpRequest, actor: Actor) -> HttpResponse:
    # An import adds new systems and updates those whose slug it names: it needs both rights.
    actor.require("ai_system", "add")
    actor.require("ai_system", "change")
    max_bytes = int(getattr(settings, "AIMS_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
    form = ImportForm(*_bound(request, files=True), max_bytes=max_bytes)
    available = _import_available()
    result = None
    columns: list[tuple[str, str, str]] = []
    if available:
        from . import io as inventory_io

        columns = inventory_io.column_help()
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            result = inventory_io.import_systems(
                actor,
                upload.read(),
                form.cleaned_data["fmt"] or "",
                filename=upload.name,
                dry_run=bool(form.cleaned_data["dry_run"]),
            )
            if result.ok and not result.dry_run:
                messages.success(
                    request,
                    _(
                        "Import done: %(created)s AI systems added, %(updated)s updated, %(unchanged)s unchanged."
                    )
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                return redirect("inventory:system-list")
    failed = bool(form.errors) or (result is not None and not result.ok)
    return render(
        request,
        "inventory/system_import.html",
        {
            "form": form,
            "result": result,
            "available": available,
            "columns": columns,
            "max_mb": round(max_bytes / 1_048_576),
        },
        status=INVALID if failed else 200,
    )


@actor_required
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    stats = services.dashboard(actor)
    groups = []
    for key, title, param in (
        ("by_criticality", _("By criticality"), "criticality"),
        ("by_stage", _("By lifecycle stage"), "stage"),
        ("by_tier", _("By EU AI Act risk tier"), "tier"),
        ("by_documentation", _("By documentation status"), "documentation"),
    ):
        rows = stats[key]
        top = max((n for _v, _l, n in rows), default=0) or 1
        groups.append(
            {
                "title": title,
                "param": param,
                "rows": [
                    {"value": v, "label": label, "count": n, "pct": round(100 * n / top)}
                    for v, label, n in rows
                ],
            }
        )
    return render(request, "inventory/dashboard.html", {"stats": stats, "groups": groups})


# --- interested parties ---------------------------------------------------------------------------


@actor_required
def party_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    category = request.GET.get("category", "")
    qs = InterestedParty.objects.for_actor(actor).prefetch_related("ai_systems").order_by("category", "name")
    if category in InterestedParty.Category.values:
        qs = qs.filter(category=category)
    else:
        category = ""
    counts = dict(
        InterestedParty.objects.for_actor(actor).values_list("category").annotate(n=Count("pk")).order_by()
    )
    return render(
        request,
        "inventory/party_list.html",
        {
            "page": paged(request, qs),
            "category": category,
            "categories": [(v, label, counts.get(v, 0)) for v, label in InterestedParty.Category.choices],
            "missing": services.missing_party_categories(actor),
            "can_add": actor.can("interested_party", "add"),
            "can_change": actor.can("interested_party", "change"),
            "can_delete": actor.can("interested_party", "delete"),
        },
    )


@require_http_methods(["GET", "POST"])
@actor_required
def party_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("interested_party", "add")
    initial = (
        {"category": request.GET["category"]}
        if request.GET.get("category") in InterestedParty.Category.values
        else {}
    )
    form = InterestedPartyForm(*_bound(request), initial=initial, organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        try:
            party = services.create_party(actor, form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Interested party “%(name)s” added.") % {"name": party.name})
            return redirect("inventory:party-list")
    return render(
        request,
        "inventory/party_form.html",
        {"form": form, "party": None},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def party_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    party = get_object_or_404(InterestedParty.objects.for_actor(actor), pk=pk)
    actor.require("interested_party", "change")
    form = InterestedPartyForm(*_bound(request), instance=party, organization=actor.organization)
    stale: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            party = core.update(actor, party, data, expected_version=_version(form))
        except PreconditionFailed as exc:
            stale = differences(InterestedParty.objects.get(pk=party.pk), data)
            form.add_error(None, stale_message(_("interested party"), exc.current_version))
            form.data = form.data.copy()
            form.data["version"] = str(exc.current_version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes to “%(name)s” saved.") % {"name": party.name})
            return redirect("inventory:party-list")
    return render(
        request,
        "inventory/party_form.html",
        {
            "form": form,
            "party": party,
            "stale": stale,
            "history": list(object_history(actor, InterestedParty.object_type, party.pk)[:HISTORY_LIMIT]),
        },
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def party_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    party = get_object_or_404(InterestedParty.objects.for_actor(actor), pk=pk)
    actor.require("interested_party", "delete")
    if request.method == "POST":
        core.delete(actor, party)
        messages.success(request, _("Interested party “%(name)s” deleted.") % {"name": party.name})
        return redirect("inventory:party-list")
    return render(
        request,
        "inventory/confirm_delete.html",
        {
            "object": party,
            "kind": _("interested party"),
            "cancel_url": reverse("inventory:party-edit", args=[party.pk])
            if actor.can("interested_party", "change")
            else reverse("inventory:party-list"),
            "consequences": [
                _("Its links to AI systems are removed: %(names)s.")
                % {"names": ", ".join(s.name for s in party.ai_systems.order_by("name")) or _("none")}
            ],
        },
    )


# --- internal and external issues -----------------------------------------------------------------


@actor_required
def issue_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    kind = request.GET.get("kind", "")
    qs = ContextIssue.objects.for_actor(actor).order_by("kind", "title")
    if kind in ContextIssue.Kind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    return render(
        request,
        "inventory/issue_list.html",
        {
            "page": paged(request, qs, per_page=100),
            "kind": kind,
            "kinds": ContextIssue.Kind.choices,
            "can_add": actor.can("context_issue", "add"),
            "can_change": actor.can("context_issue", "change"),
            "can_delete": actor.can("context_issue", "delete"),
        },
    )


@require_http_methods(["GET", "POST"])
@actor_required
def issue_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("context_issue", "add")
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in ContextIssue.Kind.values else {}
    form = ContextIssueForm(*_bound(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.create_issue(actor, form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Issue “%(title)s” added.") % {"title": issue.title})
            return redirect("inventory:issue-list")
    return render(
        request,
        "inventory/issue_form.html",
        {"form": form, "issue": None},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def issue_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    issue = get_object_or_404(ContextIssue.objects.for_actor(actor), pk=pk)
    actor.require("context_issue", "change")
    form = ContextIssueForm(*_bound(request), instance=issue)
    stale: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            issue = core.update(actor, issue, data, expected_version=_version(form))
        except PreconditionFailed as exc:
            stale = differences(ContextIssue.objects.get(pk=issue.pk), data)
            form.add_error(None, stale_message(_("issue"), exc.current_version))
            form.data = form.data.copy()
            form.data["version"] = str(exc.current_version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes to “%(title)s” saved.") % {"title": issue.title})
            return redirect("inventory:issue-list")
    return render(
        request,
        "inventory/issue_form.html",
        {
            "form": form,
            "issue": issue,
            "stale": stale,
            "history": list(object_history(actor, ContextIssue.object_type, issue.pk)[:HISTORY_LIMIT]),
        },
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@actor_required
def issue_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    issue = get_object_or_404(ContextIssue.objects.for_actor(actor), pk=pk)
    actor.require("context_issue", "delete")
    if request.method == "POST":
        core.delete(actor, issue)
        messages.success(request, _("Issue “%(title)s” deleted.") % {"title": issue.title})
        return redirect("inventory:issue-list")
    return render(
        request,
        "inventory/confirm_delete.html",
        {
            "object": issue,
            "kind": _("issue"),
            "cancel_url": reverse("inventory:issue-list"),
            "consequences": [],
        },
    )


# --- scope ----------------------------------------------------------------------------------------


def _scope_context(actor: Actor, scope: ScopeStatement | None) -> dict[str, Any]:
    latest = services.current_scope(actor)
    return {
        "scope": scope,
        "latest": latest,
        "systems": list(scope.included_systems.order_by("name")) if scope else [],
        "versions": list(
            ScopeStatement.objects.for_actor(actor).select_related("approved_by").order_by("-number")
        ),
        "can_edit": actor.can("scope", "change") and actor.can("scope", "add"),
        "can_approve": actor.can("scope", "approve"),
    }


@actor_required
def scope(request: HttpRequest, actor: Actor) -> HttpResponse:
    current = services.current_scope(actor)
    context = _scope_context(actor, current)
    context["approved"] = services.approved_scope(actor)
    return render(request, "inventory/scope.html", context)


@actor_required
def scope_version(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    version = get_object_or_404(
        ScopeStatement.objects.for_actor(actor).select_related("approved_by"), number=number
    )
    context = _scope_context(actor, version)
    context["history"] = list(object_history(actor, ScopeStatement.object_type, version.pk)[:HISTORY_LIMIT])
    return render(request, "inventory/scope_version.html", context)


def _scope_initial(scope: ScopeStatement | None) -> dict[str, Any]:
    if scope is None:
        return {}
    return {
        "statement": scope.statement,
        "included_systems": list(scope.included_systems.values_list("pk", flat=True)),
        "included_units": scope.included_units,
        "exclusions": scope.exclusions,
        "boundaries": scope.boundaries,
        "objectives": scope.objectives,
        "version": scope.version,
    }


def _require_scope_edit(actor: Actor) -> None:
    # Saving edits a draft (change) or starts a new version (add): both are needed to edit the scope.
    actor.require("scope", "change")
    actor.require("scope", "add")


@require_http_methods(["GET", "POST"])
@actor_required
def scope_edit(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_scope_edit(actor)
    latest = services.current_scope(actor)
    form = ScopeForm(*_bound(request), initial=_scope_initial(latest), organization=actor.organization)
    stale: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            saved = services.save_scope(actor, data, expected_version=_version(form))
        except PreconditionFailed as exc:
            if latest is not None:
                latest = ScopeStatement.objects.get(pk=latest.pk)
                stale = differences(latest, data)
            form.add_error(None, stale_message(_("scope"), exc.current_version))
            form.data = form.data.copy()
            form.data["version"] = str(exc.current_version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if latest is not None and saved.pk != latest.pk:
                messages.success(
                    request,
                    _(
                        "Version %(old)s is approved and stays as it was; your changes start draft version %(new)s."
                    )
                    % {"old": latest.number, "new": saved.number},
                )
            else:
                messages.success(request, _("Draft version %(n)s of the scope saved.") % {"n": saved.number})
            return redirect("inventory:scope")
    return render(
        request,
        "inventory/scope_form.html",
        {"form": form, "latest": latest, "stale": stale, "generated": False},
        status=INVALID if form.errors else 200,
    )


@actor_required
def scope_generate(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The edit form, prefilled with a draft generated from the inventory and the interested
    parties. Nothing is saved until the person saves the form."""
    _require_scope_edit(actor)
    latest = services.current_scope(actor)
    initial = services.draft_scope_from_inventory(actor)
    initial["version"] = latest.version if latest else None
    form = ScopeForm(initial=initial, organization=actor.organization)
    return render(
        request, "inventory/scope_form.html", {"form": form, "latest": latest, "stale": [], "generated": True}
    )


@require_http_methods(["GET", "POST"])
@actor_required
def scope_approve(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    version = get_object_or_404(ScopeStatement.objects.for_actor(actor), number=number)
    actor.require("scope", "approve")
    if request.method == "POST":
        try:
            services.approve_scope(actor, version)
        except ValidationError as exc:
            for texts in error_dict(exc).values():
                for text in texts:
                    messages.error(request, text)
            return redirect("inventory:scope-version", number=number)
        messages.success(
            request,
            _("Scope version %(n)s approved. It is now frozen; later edits start a new draft.")
            % {"n": number},
        )
        return redirect("inventory:scope")
    context = _scope_context(actor, version)
    return render(request, "inventory/scope_approve.html", context)
