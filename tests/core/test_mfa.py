"""Two-factor authentication: enrolment, login with a code, replay refused, recovery codes, policy."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.test import Client

from aims.core import mfa
from aims.core.models import MfaDevice

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _enrol(user) -> tuple[str, list[str]]:
    secret, qr = mfa.start_enrolment(user)
    assert qr.startswith("data:image/svg+xml")
    codes = mfa.confirm_enrolment(user, pyotp.TOTP(secret).now(), secret)
    assert codes is not None
    return secret, codes


def _password_step(client: Client, email: str):
    return client.post("/login/", {"email": email, "password": PASSWORD})


def test_the_secret_is_stored_encrypted(members):
    user = members["ai_manager"].user
    secret, _codes = _enrol(user)
    assert secret not in MfaDevice.objects.get(user=user).secret_encrypted


def test_login_needs_the_code_after_the_password(members):
    user = members["ai_manager"].user
    secret, _ = _enrol(user)
    client = Client()
    step = _password_step(client, user.email)
    assert step.url == "/login/two-factor/"
    assert client.get("/").status_code == 302  # not logged in yet
    wrong = client.post("/login/two-factor/", {"code": "000000"})
    assert "not valid" in wrong.content.decode()
    # A fresh step: the code used to confirm the enrolment cannot be replayed.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert client.post("/login/two-factor/", {"code": code}).status_code == 302
    assert client.get("/audit/").status_code in (200, 403)  # logged in


def test_a_code_is_accepted_once(members):
    user = members["risk_team"].user
    secret, _ = _enrol(user)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert mfa.verify_code(user, code)
    assert not mfa.verify_code(user, code)


def test_a_recovery_code_works_once(members):
    user = members["risk_team"].user
    _secret, codes = _enrol(user)
    client = Client()
    _password_step(client, user.email)
    assert client.post("/login/two-factor/", {"code": codes[0]}).status_code == 302
    other = Client()
    _password_step(other, user.email)
    again = other.post("/login/two-factor/", {"code": codes[0]})
    assert again.status_code == 200 and "not valid" in again.content.decode()


def test_an_organization_can_require_it_for_privileged_roles(members, org):
    org.mfa_policy = "privileged"
    org.save()
    admin = Client()
    response = _password_step(admin, "org_admin@acme.example")
    assert response.url == "/account/two-factor/"
    assert admin.get("/inventory/systems/").url == "/account/two-factor/"  # held at the set-up page
    page = admin.get("/account/two-factor/").content.decode()
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page).group(1)
    done = admin.post("/account/two-factor/", {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert "Keep these recovery codes" in done.content.decode()
    assert admin.get("/inventory/systems/").status_code == 200
    # A role that is not privileged logs in without a second factor.
    ops = Client()
    assert _password_step(ops, "operational_team@acme.example").url == "/"


def test_it_cannot_be_turned_off_where_required(members, org):
    user = members["org_admin"].user
    _enrol(user)
    org.mfa_policy = "all"
    org.save()
    client = Client()
    client.force_login(user)
    client.post("/account/two-factor/", {"action": "disable"})
    assert mfa.has_device(user)
