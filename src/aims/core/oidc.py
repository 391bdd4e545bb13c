"""Single sign-on with OpenID Connect (authorization code flow with PKCE, Authlib's Django client).

Configured from the environment (or the same names in Django settings):

    AIMS_OIDC_DISCOVERY_URL   https://idp.example/.well-known/openid-configuration (turns SSO on)
    AIMS_OIDC_CLIENT_ID       the client registered for AIMS at the identity provider
    AIMS_OIDC_CLIENT_SECRET   its secret (or AIMS_OIDC_CLIENT_SECRET_FILE)
    AIMS_OIDC_NAME            shown on the login page: "Sign in with <name>" (default "single sign-on")
    AIMS_OIDC_SCOPES          default "openid email profile"
    AIMS_OIDC_ORG_CLAIM       claim naming the organization slug(s) of the user (string or list)
    AIMS_OIDC_DEFAULT_ORG     organization slug when the claim is absent (empty: refuse)
    AIMS_OIDC_ROLE_CLAIM      claim with the user's groups or roles (default "groups")
    AIMS_OIDC_ROLE_MAP        JSON {"claim value": "aims role"}; the first match in the map's order wins
    AIMS_OIDC_DEFAULT_ROLE    role when nothing maps (empty: refuse people the IdP gave no AIMS role)
    AIMS_OIDC_SYNC_ROLES      "true": a later login updates the role to what the claims say now
    AIMS_OIDC_CREATE_USERS    "true" (default): create the user at the first login (just in time)

What is checked: the ID token's RS256/ES256 signature against the provider's JWKS, issuer,
audience, expiry and nonce (Authlib), the state against the session (CSRF on the callback), and
`email_verified`. Users are matched by verified e-mail address; the issuer and subject are recorded
in the audit entry of every SSO login. Just-in-time membership goes through
`services.add_member` as the system actor, so it is audited like any other membership change, and
the last-admin guard applies. A user whose account is inactive is refused whatever the IdP says.
A user with a local authenticator app still passes the two-factor step.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

log = logging.getLogger("aims.oidc")


def _setting(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
        if value is None and os.environ.get(f"{name}_FILE"):
            with open(os.environ[f"{name}_FILE"]) as f:
                value = f.read().strip()
    return default if value is None else str(value)


@dataclass
class OidcConfig:
    discovery_url: str
    client_id: str
    client_secret: str
    name: str = "single sign-on"
    scopes: str = "openid email profile"
    org_claim: str = ""
    default_org: str = ""
    role_claim: str = "groups"
    role_map: dict[str, str] = field(default_factory=dict)
    default_role: str = ""
    sync_roles: bool = False
    create_users: bool = True


def config() -> OidcConfig | None:
    """The configuration, or None when single sign-on is not set up."""
    discovery = _setting("AIMS_OIDC_DISCOVERY_URL")
    client_id = _setting("AIMS_OIDC_CLIENT_ID")
    if not discovery or not client_id:
        return None
    truthy = {"1", "true", "yes", "on"}
    return OidcConfig(
        discovery_url=discovery,
        client_id=client_id,
        client_secret=_setting("AIMS_OIDC_CLIENT_SECRET"),
        name=_setting("AIMS_OIDC_NAME", "single sign-on"),
        scopes=_setting("AIMS_OIDC_SCOPES", "openid email profile"),
        org_claim=_setting("AIMS_OIDC_ORG_CLAIM"),
        default_org=_setting("AIMS_OIDC_DEFAULT_ORG"),
        role_claim=_setting("AIMS_OIDC_ROLE_CLAIM", "groups"),
        role_map=json.loads(_setting("AIMS_OIDC_ROLE_MAP", "{}") or "{}"),
        default_role=_setting("AIMS_OIDC_DEFAULT_ROLE"),
        sync_roles=_setting("AIMS_OIDC_SYNC_ROLES", "false").lower() in truthy,
        create_users=_setting("AIMS_OIDC_CREATE_USERS", "true").lower() in truthy,
    )


def _client(cfg: OidcConfig) -> Any:
    from authlib.integrations.django_client import OAuth

    oauth = OAuth()  # a fresh registry: the configuration may change (tests, reloads)
    return oauth.register(
        name="aims",
        client_id=cfg.client_id,
        client_secret=cfg.client_secret,
        server_metadata_url=cfg.discovery_url,
        client_kwargs={"scope": cfg.scopes, "code_challenge_method": "S256", "timeout": 10},
    )


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: `oidc_provider` (the name to show) when SSO is configured."""
    cfg = config()
    return {"oidc_provider": cfg.name if cfg else ""}


# --- mapping claims to an organization and a role ------------------------------------------------


class Refused(Exception):
    """The identity provider vouched for the person, but AIMS has no place for them."""


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    return [str(v) for v in value]


def organizations_for(cfg: OidcConfig, claims: dict[str, Any]) -> list[Any]:
    from .models import Organization

    slugs = _as_list(claims.get(cfg.org_claim)) if cfg.org_claim else []
    if not slugs and cfg.default_org:
        slugs = [cfg.default_org]
    orgs = list(Organization.objects.filter(slug__in=slugs).order_by("name"))
    if not orgs:
        raise Refused(_("Your identity provider did not name an organization known to AIMS."))
    return orgs


def role_for(cfg: OidcConfig, claims: dict[str, Any]) -> str:
    from .roles import Role

    held = set(_as_list(claims.get(cfg.role_claim)))
    for value, role in cfg.role_map.items():
        if value in held and role in Role.values:
            return role
    if cfg.default_role in Role.values:
        return cfg.default_role
    raise Refused(_("Your identity provider gave you no role in AIMS. Ask your administrator."))


@transaction.atomic
def provision(cfg: OidcConfig, claims: dict[str, Any]) -> Any:
    """The user for verified claims, with just-in-time membership; raises Refused."""
    from . import audit, services
    from .actors import Actor
    from .models import AuditEvent, Membership, User

    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise Refused(_("Your identity provider did not confirm a verified e-mail address."))
    orgs = organizations_for(cfg, claims)
    role = role_for(cfg, claims)
    user = User.objects.filter(email=email).first()
    if user is None:
        if not cfg.create_users:
            raise Refused(_("There is no AIMS account for %(email)s.") % {"email": email})
        name = str(claims.get("name") or "")[:200]
        try:
            user = services.create_user(email=email, password=None, full_name=name, source="ui")
        except ValidationError as exc:
            raise Refused(_("The account could not be created.")) from exc
    if not user.is_active:
        raise Refused(_("This account is disabled."))
    for org in orgs:
        current = Membership.objects.filter(user=user, organization=org).first()
        if current is None or (cfg.sync_roles and current.role != role):
            services.add_member(Actor.system(org, source="ui"), user=user, role=role)
    audit.record(
        None,
        AuditEvent.Action.LOGIN,
        object_type="user",
        object_id=user.pk,
        object_repr=user.email,
        changes={
            "sso": [None, {"issuer": str(claims.get("iss", "")), "subject": str(claims.get("sub", ""))}]
        },
        organization_id=orgs[0].pk,
    )
    return user


# --- views ---------------------------------------------------------------------------------------


@require_GET
def login(request: HttpRequest) -> HttpResponse:
    cfg = config()
    if cfg is None:
        return redirect("login")
    request.session["aims_oidc_next"] = request.GET.get("next", "")
    redirect_uri = request.build_absolute_uri(reverse("oidc-callback"))
    try:
        return _client(cfg).authorize_redirect(request, redirect_uri)
    except Exception:
        log.exception("OIDC: the identity provider's discovery document could not be read")
        messages.error(request, _("Single sign-on is not available at the moment."))
        return redirect("login")


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    from authlib.integrations.base_client import OAuthError

    from . import mfa
    from .views import MFA_NEXT, MFA_PENDING, _complete_login

    cfg = config()
    if cfg is None:
        return redirect("login")
    try:
        token = _client(cfg).authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise OAuthError(description="no ID token")
        user = provision(cfg, claims)
    except Refused as exc:
        _refused(request, str(exc))
        return render(request, "security/oidc_refused.html", {"reason": str(exc)}, status=403)
    except Exception as exc:  # invalid state, signature, audience, nonce, expiry, or the IdP is down
        log.warning("OIDC login refused: %s", exc)
        _refused(request, type(exc).__name__)
        return render(
            request,
            "security/oidc_refused.html",
            {"reason": _("The sign-in could not be verified. Start again from the login page.")},
            status=403,
        )
    nxt = request.session.pop("aims_oidc_next", "")
    if mfa.has_device(user):
        request.session.cycle_key()
        request.session[MFA_PENDING] = user.pk
        request.session[MFA_NEXT] = nxt
        return redirect("mfa-challenge")
    return _complete_login(request, user, nxt, setup_needed=mfa.required_for(user))


def _refused(request: HttpRequest, reason: str) -> None:
    from . import audit
    from .models import AuditEvent

    with transaction.atomic():
        audit.record(
            None,
            AuditEvent.Action.LOGIN_FAILED,
            object_type="user",
            object_repr="(single sign-on)",
            changes={"sso_refused": [None, reason[:200]]},
        )


urlpatterns = [
    path("oidc/login/", login, name="oidc-login"),
    path("oidc/callback/", callback, name="oidc-callback"),
]
