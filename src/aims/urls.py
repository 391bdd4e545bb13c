"""URLs. Each area app contributes its pages (`aims.<app>.urls`, mounted at /<app>/) and its API
routers (`ROUTERS` in `aims.<app>.api`, mounted under /api/v1/), so adding an area touches no
shared file."""

from importlib import import_module
from importlib.util import find_spec

from django.contrib.auth import views as auth_views
from django.urls import include, path

from aims.core import oidc
from aims.core import views as core_views
from aims.core.api import api, audit_router, core_router, token_router

AREAS = ["inventory", "governance", "risk", "compliance", "lifecycle", "monitoring", "assurance", "reports"]

api.add_router("/", core_router)
api.add_router("/audit-events", audit_router)
api.add_router("/tokens", token_router)

area_urls = []
for area in AREAS:
    if find_spec(f"aims.{area}.api"):
        for prefix, router in getattr(import_module(f"aims.{area}.api"), "ROUTERS", []):
            api.add_router(prefix, router)
    if find_spec(f"aims.{area}.urls"):
        area_urls.append(path(f"{area}/", include(f"aims.{area}.urls")))

urlpatterns = [
    path("api/v1/", api.urls),
    path("login/", core_views.login_view, name="login"),
    path("login/two-factor/", core_views.mfa_challenge, name="mfa-challenge"),
    path("account/two-factor/", core_views.mfa_setup, name="mfa-setup"),
    path("logout/", core_views.logout_view, name="logout"),
    path("", include(oidc.urlpatterns)),  # /oidc/login/ and /oidc/callback/, when a provider is configured
    # Password reset by e-mail: the same answer whether or not the address exists; the link is
    # single-use (its token covers the password hash and last login) and expires.
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("organization/", core_views.switch_organization, name="switch-organization"),
    path("audit/", core_views.audit_log, name="audit-log"),
    path("tokens/", core_views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", core_views.revoke_token, name="revoke-token"),
    *area_urls,
    path("", core_views.dashboard, name="dashboard"),
]

handler404 = "aims.core.errors.not_found"
handler500 = "aims.core.errors.server_error"
handler403 = "aims.core.errors.forbidden"
