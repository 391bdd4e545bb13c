"""The `aims` command: createorg, createuser, token create/list/revoke, --help. In-process through
call_command (a CommandError is a non-zero exit), and once end to end as a real subprocess."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from aims.core import audit
from aims.core.models import ApiToken, AuditEvent, Membership, Organization, User
from aims.core.roles import Role

TOKEN = re.compile(r"^aims_[A-Za-z0-9_-]{40,}$")
STRONG = "Correct-Horse-Battery-9"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- createorg ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_createorg_creates_the_organization_and_an_audit_entry():
    out, _err = run("createorg", "--name", "Acme Bank", "--slug", "acme")
    org = Organization.objects.get(slug="acme")
    assert org.name == "Acme Bank" and "acme" in out
    entry = AuditEvent.objects.get(object_type="organization")
    assert (entry.action, entry.source, entry.organization_id) == ("create", "cli", org.pk)


@pytest.mark.django_db
def test_createorg_refuses_a_duplicate_slug():
    run("createorg", "--name", "Acme Bank", "--slug", "acme")
    with pytest.raises(CommandError, match="slug"):
        run("createorg", "--name", "Acme Again", "--slug", "acme")
    assert Organization.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["has space", "ümlaut!", ""])
def test_createorg_refuses_a_bad_slug(slug):
    with pytest.raises(CommandError):
        run("createorg", "--name", "Acme", "--slug", slug)
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_createorg_requires_name_and_slug():
    with pytest.raises(CommandError):
        run("createorg", "--name", "Acme")


# --- createuser ----------------------------------------------------------------------------------


@pytest.fixture
def acme(db) -> Organization:
    run("createorg", "--name", "Acme Bank", "--slug", "acme")
    return Organization.objects.get(slug="acme")


def test_createuser_takes_the_password_from_aims_password(acme, monkeypatch, argon2):
    monkeypatch.setenv("AIMS_PASSWORD", STRONG)
    out, _err = run(
        "createuser",
        "--email",
        "Alice@Acme.Example",
        "--org",
        "acme",
        "--role",
        "ai_manager",
        "--name",
        "Alice",
    )
    user = User.objects.get(email="alice@acme.example")
    assert user.check_password(STRONG) and user.full_name == "Alice"
    assert identify_hasher(user.password).algorithm == "argon2"
    assert STRONG not in user.password
    assert Membership.objects.get(user=user, organization=acme).role == Role.AI_MANAGER
    assert "alice@acme.example" in out and STRONG not in out
    assert AuditEvent.objects.filter(object_type="membership", action="create").count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "too short"),
        ("password1234", "too common"),
        ("349857230498572", "entirely numeric"),
        ("alice@acme.example1", "too similar"),
    ],
)
def test_createuser_rejects_a_weak_password_with_the_validators_message(password, message, acme, monkeypatch):
    monkeypatch.setenv("AIMS_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        run("createuser", "--email", "alice@acme.example", "--org", "acme", "--role", "ai_manager")
    assert not User.objects.filter(email="alice@acme.example").exists()


def test_createuser_rejects_an_unknown_role(acme, monkeypatch):
    monkeypatch.setenv("AIMS_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="invalid choice"):
        run("createuser", "--email", "alice@acme.example", "--org", "acme", "--role", "emperor")
    assert not User.objects.exists()


def test_createuser_rejects_an_unknown_organization(db, monkeypatch):
    monkeypatch.setenv("AIMS_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="no organization"):
        run("createuser", "--email", "alice@acme.example", "--org", "nowhere", "--role", "ai_manager")
    assert not User.objects.exists()


def test_createuser_rejects_a_bad_email(acme, monkeypatch):
    monkeypatch.setenv("AIMS_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="email"):
        run("createuser", "--email", "not-an-address", "--org", "acme", "--role", "ai_manager")


def test_createuser_without_a_password_and_without_a_terminal_fails(acme, monkeypatch):
    monkeypatch.delenv("AIMS_PASSWORD", raising=False)
    monkeypatch.setattr(os, "isatty", lambda fd: False)
    with pytest.raises(CommandError, match="AIMS_PASSWORD"):
        run("createuser", "--email", "alice@acme.example", "--org", "acme", "--role", "ai_manager")


def test_createuser_for_an_existing_user_changes_their_role(acme, monkeypatch):
    monkeypatch.setenv("AIMS_PASSWORD", STRONG)
    run("createuser", "--email", "alice@acme.example", "--org", "acme", "--role", "ai_manager")
    monkeypatch.setenv("AIMS_PASSWORD", "a-different-Password-42")
    out, _err = run("createuser", "--email", "alice@acme.example", "--org", "acme", "--role", "risk_team")
    user = User.objects.get(email="alice@acme.example")
    assert user.check_password(STRONG), "an existing user's password is not replaced"
    assert Membership.objects.get(user=user).role == Role.RISK_TEAM
    assert "updated" in out


# --- token ---------------------------------------------------------------------------------------


@pytest.fixture
def alice(acme, monkeypatch) -> User:
    monkeypatch.setenv("AIMS_PASSWORD", STRONG)
    run("createuser", "--email", "alice@acme.example", "--org", "acme", "--role", "ai_manager")
    return User.objects.get(email="alice@acme.example")


def test_token_create_prints_only_the_token_and_it_works_against_the_api(alice):
    out, err = run("token", "create", "--email", "alice@acme.example", "--org", "acme", "--name", "pipeline")
    assert out.endswith("\n") and out.count("\n") == 1 and err == ""
    raw = out.strip()
    assert TOKEN.match(raw), out
    me = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")
    assert me.status_code == 200
    assert (me.json()["email"], me.json()["organization"]["slug"], me.json()["read_only"]) == (
        "alice@acme.example",
        "acme",
        False,
    )
    made = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        "/api/v1/ai-systems", {"name": "From the CLI token"}, content_type="application/json"
    )
    assert made.status_code == 201
    assert ApiToken.objects.get().name == "pipeline"


def test_token_create_read_only_and_expiring(alice):
    raw = run(
        "token",
        "create",
        "--email",
        "alice@acme.example",
        "--org",
        "acme",
        "--read-only",
        "--expires-days",
        "7",
    )[0].strip()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me").json()["read_only"] is True
    assert (
        client.post("/api/v1/ai-systems", {"name": "x"}, content_type="application/json").status_code == 403
    )
    token = ApiToken.objects.get()
    assert token.read_only and token.expires_at is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "bob@acme.example", "--org", "acme"], "no user"),
        (["--email", "alice@acme.example", "--org", "nowhere"], "no organization"),
        (["--email", "alice@acme.example", "--org", "acme", "--expires-days", "0"], "expires_days"),
    ],
)
def test_token_create_refuses_what_it_cannot_do(args, message, alice):
    with pytest.raises(CommandError, match=message):
        run("token", "create", *args)
    assert not ApiToken.objects.exists()


def test_token_create_refuses_a_user_of_another_organization(alice, monkeypatch):
    run("createorg", "--name", "Other", "--slug", "other")
    with pytest.raises(CommandError, match="not a member"):
        run("token", "create", "--email", "alice@acme.example", "--org", "other")


def test_token_list_shows_prefix_owner_and_state_never_the_secret(alice):
    live = run("token", "create", "--email", "alice@acme.example", "--org", "acme", "--name", "live-one")[
        0
    ].strip()
    gone = run("token", "create", "--email", "alice@acme.example", "--org", "acme", "--read-only")[0].strip()
    run("token", "revoke", "--org", "acme", gone[:12])
    out, _err = run("token", "list", "--org", "acme")
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert live not in out and gone not in out
    by_prefix = {line.split("\t")[0]: line for line in lines}
    assert "live" in by_prefix[live[:12]] and "alice@acme.example" in by_prefix[live[:12]]
    assert "read-write" in by_prefix[live[:12]] and "live-one" in by_prefix[live[:12]]
    assert "revoked" in by_prefix[gone[:12]] and "read-only" in by_prefix[gone[:12]]
    assert run("token", "list", "--org", "acme", "--email", "nobody@acme.example")[0] == ""


def test_token_revoke_stops_the_token_at_once(alice):
    raw = run("token", "create", "--email", "alice@acme.example", "--org", "acme")[0].strip()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me").status_code == 200
    out, _err = run("token", "revoke", "--org", "acme", raw[:12])
    assert "revoked" in out and raw not in out
    assert client.get("/api/v1/me").status_code == 401
    entry = AuditEvent.objects.filter(action="revoke").get()
    assert entry.source == "cli" and entry.object_type == "api_token"


def test_token_revoke_needs_a_matching_live_prefix(alice):
    with pytest.raises(CommandError, match="0 live tokens"):
        run("token", "revoke", "--org", "acme", "aims_nothing")
    raw = run("token", "create", "--email", "alice@acme.example", "--org", "acme")[0].strip()
    run("token", "revoke", "--org", "acme", raw[:12])
    with pytest.raises(CommandError, match="0 live tokens"):
        run("token", "revoke", "--org", "acme", raw[:12])


def test_token_revoke_cannot_reach_another_organizations_token(alice):
    raw = run("token", "create", "--email", "alice@acme.example", "--org", "acme")[0].strip()
    run("createorg", "--name", "Other", "--slug", "other")
    with pytest.raises(CommandError):
        run("token", "revoke", "--org", "other", raw[:12])
    assert ApiToken.objects.get().revoked_at is None


def test_token_needs_a_subcommand(db):
    with pytest.raises(CommandError):
        run("token")


def test_every_cli_write_leaves_an_intact_chain(alice):
    raw = run("token", "create", "--email", "alice@acme.example", "--org", "acme")[0].strip()
    run("token", "revoke", "--org", "acme", raw[:12])
    assert audit.verify().ok
    assert run("audit", "verify")[0].startswith("audit trail intact")


# --- the real command ---------------------------------------------------------------------------


def aims(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "aims", *args], env=env, capture_output=True, text=True, timeout=180
    )
    if check:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


@pytest.fixture
def cli_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMS_") and k != "DJANGO_SETTINGS_MODULE"}
    env["AIMS_VAR_DIR"] = str(tmp_path / "var")
    return env


def test_aims_help_lists_the_commands(cli_env):
    out = aims("--help", env=cli_env).stdout
    for command in ("createorg", "createuser", "token", "audit", "serve", "worker", "permissions", "migrate"):
        assert re.search(rf"^\s+{command}$", out, re.MULTILINE), command
    token_help = aims("token", "--help", env=cli_env).stdout
    assert "create" in token_help and "revoke" in token_help and "shown once" in token_help
    assert "exits 0" in aims("audit", "--help", env=cli_env).stdout


@pytest.mark.slow
def test_the_command_end_to_end_with_exit_codes(cli_env):
    aims("migrate", "--noinput", env=cli_env)
    aims("createorg", "--name", "Acme Bank", "--slug", "acme", env=cli_env)
    duplicate = aims("createorg", "--name", "Acme Bank", "--slug", "acme", env=cli_env, check=False)
    assert duplicate.returncode == 1 and "slug" in duplicate.stderr
    weak = aims(
        "createuser",
        "--email",
        "a@acme.example",
        "--org",
        "acme",
        "--role",
        "ai_manager",
        env={**cli_env, "AIMS_PASSWORD": "short"},
        check=False,
    )
    assert weak.returncode == 1 and "too short" in weak.stderr
    aims(
        "createuser",
        "--email",
        "a@acme.example",
        "--org",
        "acme",
        "--role",
        "ai_manager",
        env={**cli_env, "AIMS_PASSWORD": STRONG},
    )
    token = aims("token", "create", "--email", "a@acme.example", "--org", "acme", env=cli_env)
    assert TOKEN.match(token.stdout.strip()) and token.stdout.count("\n") == 1
    verify = aims("audit", "verify", env=cli_env)
    assert "intact" in verify.stdout
