"""Framework pages: log in and out, switch organization, the home dashboard, the audit log, tokens.

Also the generic helpers every app's views use (`actor_required`, `paged`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import audit, auth, mfa, services
from .actors import Actor
from .api import AuditFilters, filter_audit
from .forms import LoginForm, TokenForm
from .middleware import CurrentOrganizationMiddleware
from .models import ApiToken, AuditEvent, User


def actor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, with a membership: passes request.actor on. Refusals are audited and shown as 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.get_full_path()}")
        actor: Actor | None = getattr(request, "actor", None)
        if actor is None:
            return render(request, "core/no_membership.html", status=403)
        try:
            return view(request, actor, *args, **kwargs)
        except PermissionDenied as exc:
            services.record_denied(
                actor,
                request.resolver_match.view_name if request.resolver_match else "",
                request.method or "",
                request.path,
            )
            return render(request, "403.html", {"reason": str(exc)}, status=403)

    return wrapper


def paged(request: HttpRequest, qs: Any, per_page: int = 50) -> Any:
    paginator = Paginator(qs, per_page)
    return paginator.get_page(request.GET.get("page"))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        address = auth.client_address(request)
        if auth.is_throttled(email, address):
            form.add_error(None, _("Too many failed attempts. Try again later."))
            status = 429
        else:
            from django.contrib.auth import authenticate

            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                with transaction.atomic():
                    auth.note_failure(email, address)
                    audit.record(None, AuditEvent.Action.LOGIN_FAILED, object_type="user", object_repr=email)
                form.add_error(None, _("That e-mail address and password do not match an active account."))
            else:
                auth.clear_failures(email)
                nxt = request.GET.get("next") or ""
                if mfa.has_device(user):
                    # Password right; the session is not logged in until the second factor is.
                    request.session.cycle_key()
                    request.session[MFA_PENDING] = user.pk
                    request.session[MFA_NEXT] = nxt
                    return redirect("mfa-challenge")
                return _complete_login(request, user, nxt, setup_needed=mfa.required_for(user))
    return render(request, "core/login.html", {"form": form}, status=status)


MFA_PENDING, MFA_NEXT, MFA_STATE = "aims_mfa_pending_user", "aims_mfa_next", "aims_mfa_state"
MFA_PENDING_SECRET = "aims_mfa_pending_secret"


def _complete_login(
    request: HttpRequest, user: User, nxt: str, *, setup_needed: bool = False
) -> HttpResponse:
    login(request, user, backend="aims.core.auth.EmailBackend")  # rotates the session id
    audit.record(None, AuditEvent.Action.LOGIN, object_type="user", object_id=user.pk, object_repr=user.email)
    if setup_needed:
        request.session[MFA_STATE] = "setup"
        messages.warning(
            request, _("Your organization requires two-factor authentication: set it up to continue.")
        )
        return redirect("mfa-setup")
    if url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(nxt)
    return redirect("dashboard")


@require_http_methods(["GET", "POST"])
def mfa_challenge(request: HttpRequest) -> HttpResponse:
    user = User.objects.filter(pk=request.session.get(MFA_PENDING), is_active=True).first()
    if user is None:
        return redirect("login")
    status = 200
    error = ""
    if request.method == "POST":
        address = auth.client_address(request)
        code = request.POST.get("code", "")
        if auth.is_throttled(user.email, address):
            error, status = _("Too many failed attempts. Try again later."), 429
        elif mfa.verify_code(user, code) or (len(code.strip()) > 6 and mfa.use_recovery_code(user, code)):
            nxt = request.session.pop(MFA_NEXT, "")
            request.session.pop(MFA_PENDING, None)
            auth.clear_failures(user.email)
            return _complete_login(request, user, nxt)
        else:
            auth.note_failure(user.email, address)
            audit.record(
                None,
                AuditEvent.Action.LOGIN_FAILED,
                object_type="user",
                object_repr=user.email,
                changes={"second_factor": [None, False]},
            )
            error = _("That code is not valid. Enter the current code from your app, or a recovery code.")
    return render(request, "core/mfa_challenge.html", {"error": error}, status=status)


@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    user = request.user
    context: dict[str, Any] = {"enabled": mfa.has_device(user), "required": mfa.required_for(user)}
    if request.method == "POST" and request.POST.get("action") == "disable":
        if context["required"]:
            messages.error(
                request, _("Your organization requires two-factor authentication; it cannot be turned off.")
            )
        else:
            mfa.disable(user)
            messages.success(request, _("Two-factor authentication is off."))
        return redirect("mfa-setup")
    if request.method == "POST" and request.POST.get("action") == "confirm":
        secret = request.session.get(MFA_PENDING_SECRET, "")
        codes = mfa.confirm_enrolment(user, request.POST.get("code", ""), secret) if secret else None
        if codes is None:
            context["error"] = _("That code is not valid. Scan the QR code again and enter the current code.")
        else:
            request.session.pop(MFA_STATE, None)
            request.session.pop(MFA_PENDING_SECRET, None)
            return render(request, "core/mfa_codes.html", {"codes": codes})
    renewing = request.method == "POST" and request.POST.get("action") == "renew"
    if not context["enabled"] or renewing or "error" in context:
        # The pending secret lives in the session; the device changes only when a code confirms it.
        secret = request.session.get(MFA_PENDING_SECRET) if not renewing else None
        if not secret:
            secret, _qr = mfa.start_enrolment(user)
            request.session[MFA_PENDING_SECRET] = secret
        context["secret"], context["qr"] = secret, mfa.qr_for(user, secret)
    return render(request, "core/mfa_setup.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(
            getattr(request, "actor", None),
            AuditEvent.Action.LOGOUT,
            object_type="user",
            object_id=request.user.pk,
            object_repr=request.user.email,
        )
    logout(request)  # flushes the server-side session
    messages.info(request, _("You are logged out."))
    return redirect("login")


@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    try:
        org_id = int(request.POST.get("organization", ""))
    except ValueError as exc:
        raise Http404 from exc
    if not any(m.organization_id == org_id for m in request.memberships):  # type: ignore[attr-defined]
        raise Http404
    request.session[CurrentOrganizationMiddleware.SESSION_KEY] = org_id
    return redirect("dashboard")


@actor_required
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    from aims.inventory.services import dashboard as inventory_dashboard
    from aims.inventory.services import missing_party_categories

    context = {
        "stats": inventory_dashboard(actor),
        "missing_categories": missing_party_categories(actor),
        "recent": AuditEvent.objects.filter(organization=actor.organization).order_by("-id")[:8]
        if actor.can("audit_event", "view")
        else [],
    }
    return render(request, "core/dashboard.html", context)


@actor_required
def audit_log(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("audit_event", "view")
    params = {k: v for k, v in request.GET.items() if v and k in AuditFilters.model_fields}
    try:
        filters = AuditFilters(**params)
    except Exception:
        filters = AuditFilters()
        messages.error(request, _("Some filters were not understood and were ignored."))
    qs = filter_audit(AuditEvent.objects.filter(organization=actor.organization).order_by("-id"), filters)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": paged(request, qs),
            "filters": filters,
            "actions": AuditEvent.Action.choices,
            "object_types": sorted(
                AuditEvent.objects.filter(organization=actor.organization)
                .values_list("object_type", flat=True)
                .distinct()
            ),
        },
    )


@actor_required
def tokens(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        _token, created = services.create_token(
            actor,
            name=form.cleaned_data["name"],
            read_only=form.cleaned_data["read_only"],
            expires_days=form.cleaned_data["expires_days"],
        )
        form = TokenForm()
    return render(
        request,
        "core/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.filter(user=actor.user, organization=actor.organization),
        },
    )


@require_POST
@actor_required
def revoke_token(request: HttpRequest, actor: Actor, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, organization=actor.organization, user=actor.user)
    services.revoke_token(actor, token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.key_prefix})
    return redirect("tokens")


def object_history(actor: Actor, object_type: str, object_id: int) -> Any:
    return AuditEvent.objects.filter(
        organization=actor.organization, object_type=object_type, object_id=str(object_id)
    ).order_by("-id")


__all__ = ["actor_required", "paged", "object_history", "User"]
