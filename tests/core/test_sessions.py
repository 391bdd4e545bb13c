"""Web sessions: login throttling, idle and absolute timeouts, logout, password reset by e-mail."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.test import Client

from aims.core.models import AuditEvent

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str = PASSWORD):
    return client.post("/login/", {"email": email, "password": password})


def test_it_logs_in_with_the_email_and_rotates_the_session_id(members):
    client = Client()
    client.get("/login/")
    before = client.cookies.get("sessionid")
    response = _login(client, "ai_manager@acme.example")
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="login", object_repr="ai_manager@acme.example").exists()


def test_it_answers_the_same_for_an_unknown_account_and_a_wrong_password(members):
    unknown = _login(Client(), "nobody@acme.example", "whatever-it-is-1")
    wrong = _login(Client(), "ai_manager@acme.example", "whatever-it-is-1")
    text = "do not match an active account"
    assert unknown.status_code == wrong.status_code == 200
    assert text in unknown.content.decode() and text in wrong.content.decode()


def test_it_throttles_failed_logins_per_account_even_with_the_right_password(members, settings):
    settings.AIMS_LOGIN_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        assert _login(client, "risk_team@acme.example", "wrong-password-123").status_code == 200
    refused = _login(client, "risk_team@acme.example")
    assert refused.status_code == 429
    assert "Too many failed attempts" in refused.content.decode()


def test_it_ends_an_idle_session(members, settings):
    settings.AIMS_SESSION_IDLE_SECONDS = 60
    client = Client()
    _login(client, "ai_manager@acme.example")
    session = client.session
    session["aims_seen_at"] = int(time.time()) - 120
    session.save()
    assert client.get("/").status_code == 302  # back to the login page


def test_it_ends_a_session_after_the_absolute_limit(members, settings):
    settings.AIMS_SESSION_ABSOLUTE_SECONDS = 3600
    client = Client()
    _login(client, "ai_manager@acme.example")
    session = client.session
    session["aims_login_at"] = int(time.time()) - 7200
    session.save()
    assert client.get("/").status_code == 302


def test_logout_is_a_post_and_ends_the_session_on_the_server(members):
    client = Client()
    _login(client, "ai_manager@acme.example")
    key = client.cookies["sessionid"].value
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_a_disabled_user_is_logged_out_at_once(members):
    client = Client()
    _login(client, "ai_manager@acme.example")
    user = members["ai_manager"].user
    user.is_active = False
    user.save()
    assert client.get("/").status_code == 302


def test_password_reset_sends_a_single_use_link_and_reveals_nothing(members):
    client = Client()
    unknown = client.post("/password-reset/", {"email": "nobody@acme.example"})
    known = client.post("/password-reset/", {"email": "ai_manager@acme.example"})
    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(
        set_url, {"new_password1": "A-new-long-passphrase-42", "new_password2": "A-new-long-passphrase-42"}
    )
    assert done.status_code == 302
    assert _login(Client(), "ai_manager@acme.example", "A-new-long-passphrase-42").status_code == 302
    again = Client().get(link, follow=True)
    assert "no longer works" in again.content.decode()
