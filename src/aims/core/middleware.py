"""Request id, security headers, and the organization the logged-in user is working in."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .actors import Actor
from .models import Membership

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# No inline scripts or styles from other hosts: every asset is vendored and served by the app.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The interactive API docs (Swagger UI, served from django-ninja's bundled static files) set
# inline styles; scripts stay 'self' only.
CSP_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class RequestIdMiddleware:
    """Gives each request an id (or keeps a sane X-Request-ID from a proxy) for logs and the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CSP_DOCS if request.path == "/api/v1/docs" else CSP
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class CurrentOrganizationMiddleware:
    """Sets request.actor for a logged-in user: the organization chosen in the session (the first
    membership otherwise) and the role held there."""

    SESSION_KEY = "aims_organization_id"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.filter(user=request.user)
                .select_related("organization", "user")
                .order_by("organization__name")
            )
            request.memberships = memberships  # type: ignore[attr-defined]
            chosen = request.session.get(self.SESSION_KEY)
            current = next(
                (m for m in memberships if m.organization_id == chosen),
                memberships[0] if memberships else None,
            )
            if current is not None:
                request.actor = Actor.for_membership(  # type: ignore[attr-defined]
                    current,
                    source="ui",
                    request_id=getattr(request, "request_id", ""),
                    address=request.META.get("REMOTE_ADDR", ""),
                )
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Ends a web session after AIMS_SESSION_IDLE_SECONDS without a request, and in any case
    AIMS_SESSION_ABSOLUTE_SECONDS after login (ASVS 7.3.1, 7.3.2). The session is flushed on the
    server, not only forgotten by the browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.contrib.auth import logout

        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault("aims_login_at", now)
            last = request.session.get("aims_seen_at", now)
            if (
                now - last > settings.AIMS_SESSION_IDLE_SECONDS
                or now - started > settings.AIMS_SESSION_ABSOLUTE_SECONDS
            ):
                logout(request)
            elif now - last > 30:  # write the session at most twice a minute
                request.session["aims_seen_at"] = now
            else:
                request.session.setdefault("aims_seen_at", now)
        return self.get_response(request)


class MfaEnforcementMiddleware:
    """A member whose organization requires two-factor authentication and who has not set it up
    reaches only the set-up page (and logging out) until they have."""

    ALLOWED = ("/account/two-factor/", "/logout/", "/static/", "/login/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and request.session.get("aims_mfa_state") == "setup"
            and not request.path.startswith(self.ALLOWED)
        ):
            from django.shortcuts import redirect

            return redirect("mfa-setup")
        return self.get_response(request)
