"""Single sign-on with OpenID Connect against a real (local, in-test) identity provider: discovery,
JWKS, code flow with PKCE, RS256 ID tokens; just-in-time membership from the configured claims;
and the spoofing cases (ASVS 10.x, 6.8.x): another signing key, another audience, another issuer,
an expired token, a wrong nonce, a forged state, an unverified e-mail address, a code used twice."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from aims.core.models import AuditEvent, Membership, User
from aims.core.roles import Role

from .idp import LocalIdP

pytestmark = [pytest.mark.django_db]

ALICE = {
    "sub": "u-1001",
    "email": "alice@acme.example",
    "email_verified": True,
    "name": "Alice Example",
    "orgs": ["acme"],
    "groups": ["staff", "aims-risk"],
}


@pytest.fixture
def idp(settings, org):
    with LocalIdP() as provider:
        settings.AIMS_OIDC_DISCOVERY_URL = provider.discovery_url
        settings.AIMS_OIDC_CLIENT_ID = provider.client_id
        settings.AIMS_OIDC_CLIENT_SECRET = provider.client_secret
        settings.AIMS_OIDC_NAME = "Acme Login"
        settings.AIMS_OIDC_ORG_CLAIM = "orgs"
        settings.AIMS_OIDC_ROLE_CLAIM = "groups"
        settings.AIMS_OIDC_ROLE_MAP = json.dumps({"aims-admins": "org_admin", "aims-risk": "risk_team"})
        settings.AIMS_OIDC_DEFAULT_ROLE = ""
        provider.next_login = dict(ALICE)
        yield provider


def sso(client: Client, idp: LocalIdP, *, forge_state: bool = False):
    start = client.get("/oidc/login/")
    assert start.status_code == 302 and start["Location"].startswith(idp.issuer + "/authorize")
    back = idp.authorize(start["Location"])
    path = back.split("://", 1)[1].split("/", 1)[1]
    if forge_state:
        path = path.rsplit("state=", 1)[0] + "state=forged"
    return client.get("/" + path)


def test_the_login_page_offers_the_configured_provider(idp, settings):
    from django.template import engines

    snippet = engines["django"].from_string('{% include "security/oidc_login.html" %}')
    html = snippet.render({"oidc_provider": "Acme Login"})
    assert "Sign in with Acme Login" in html and "/oidc/login/" in html
    page = Client().get("/login/")
    assert "Sign in with Acme Login" in page.content.decode()


def test_a_first_sso_login_creates_the_user_and_membership_from_the_claims(idp):
    client = Client()
    done = sso(client, idp)
    assert done.status_code == 302 and done["Location"] == "/"
    user = User.objects.get(email="alice@acme.example")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert membership.organization.slug == "acme" and membership.role == Role.RISK_TEAM
    assert client.get("/").status_code == 200
    entry = AuditEvent.objects.filter(
        action="login", object_repr="alice@acme.example", changes__has_key="sso"
    ).get()
    assert entry.changes["sso"][1] == {"issuer": idp.issuer, "subject": "u-1001"}
    assert AuditEvent.objects.filter(object_type="membership", action="create").exists()


def test_a_later_login_keeps_the_membership_and_the_session_id_changes_at_login(idp):
    sso(Client(), idp)
    client = Client()
    start = client.get("/oidc/login/")
    before = client.cookies["sessionid"].value  # the anonymous session holding state and nonce
    back = idp.authorize(start["Location"])
    assert client.get("/" + back.split("://", 1)[1].split("/", 1)[1]).status_code == 302
    assert client.cookies["sessionid"].value != before
    assert Membership.objects.filter(user__email="alice@acme.example").count() == 1


def test_roles_follow_the_claims_only_when_syncing_is_on(idp, settings):
    sso(Client(), idp)
    idp.next_login = {**ALICE, "groups": ["aims-admins"]}
    sso(Client(), idp)
    assert Membership.objects.get(user__email="alice@acme.example").role == Role.RISK_TEAM
    settings.AIMS_OIDC_SYNC_ROLES = "true"
    sso(Client(), idp)
    assert Membership.objects.get(user__email="alice@acme.example").role == Role.ORG_ADMIN


@pytest.mark.parametrize(
    "claims",
    [
        {"groups": ["staff"]},  # no AIMS role
        {"orgs": ["unknown-org"]},  # no AIMS organization
        {"email_verified": False},  # the address is not the IdP's to vouch for
    ],
    ids=["no-role", "unknown-org", "unverified-email"],
)
def test_people_the_claims_give_no_place_are_refused(idp, claims):
    idp.next_login = {**ALICE, **claims}
    client = Client()
    refused = sso(client, idp)
    assert refused.status_code == 403
    assert not Membership.objects.filter(user__email="alice@acme.example").exists()
    assert client.get("/").status_code == 302  # not logged in
    assert AuditEvent.objects.filter(action="login_failed", changes__has_key="sso_refused").exists()


@pytest.mark.parametrize(
    "tamper",
    [
        {"rogue_key": True},
        {"aud": "another-client"},
        {"iss": "http://evil.example"},
        {"expired": True},
        {"nonce": "replayed"},
    ],
    ids=["foreign-signing-key", "other-audience", "other-issuer", "expired", "wrong-nonce"],
)
def test_a_spoofed_id_token_is_refused(idp, tamper):
    idp.tamper = tamper
    client = Client()
    assert sso(client, idp).status_code == 403
    assert not User.objects.filter(email="alice@acme.example").exists()
    assert client.get("/").status_code == 302


def test_a_forged_state_is_refused(idp):
    client = Client()
    assert sso(client, idp, forge_state=True).status_code == 403
    assert not User.objects.filter(email="alice@acme.example").exists()


def test_an_inactive_account_is_refused_whatever_the_idp_says(idp, members):
    user = User.objects.create(email="alice@acme.example", is_active=False)
    Membership.objects.create(
        user=user, organization=members[Role.AI_MANAGER].organization, role=Role.RISK_TEAM
    )
    client = Client()
    assert sso(client, idp).status_code == 403
    assert client.get("/").status_code == 302


def test_a_user_with_an_authenticator_still_passes_the_second_factor(idp):
    import pyotp

    from aims.core import mfa

    sso(Client(), idp)
    user = User.objects.get(email="alice@acme.example")
    secret, _ = mfa.start_enrolment(user)
    mfa.confirm_enrolment(user, pyotp.TOTP(secret).now(), secret)
    client = Client()
    assert sso(client, idp)["Location"] == "/login/two-factor/"
    assert client.get("/").status_code == 302


def test_without_configuration_the_sso_routes_lead_back_to_the_login_page(settings, db):
    settings.AIMS_OIDC_DISCOVERY_URL = ""
    assert Client().get("/oidc/login/")["Location"] == "/login/"
