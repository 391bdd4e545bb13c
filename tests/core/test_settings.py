"""Settings from the environment: production settings pass Django's deployment checks with no
warning, the secret key is generated into var/ once and reused, DEBUG is off unless asked for, and
the models and migrations agree. Settings are read at import, so each case runs in a fresh process."""

from __future__ import annotations

import io
import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command


def clean_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMS_") and k != "DJANGO_SETTINGS_MODULE"}
    env["AIMS_VAR_DIR"] = str(var_dir)
    env.update(extra)
    return env


def production_env(var_dir: Path) -> dict[str, str]:
    return clean_env(
        var_dir,
        AIMS_HTTPS="1",
        AIMS_SECRET_KEY=secrets.token_urlsafe(64),
        AIMS_DEBUG="0",
        AIMS_ALLOWED_HOSTS="aims.example.com",
    )


def aims(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aims", *args], env=env, capture_output=True, text=True, timeout=120
    )


SHOW = (
    "import json, django; from django.conf import settings; django.setup(); "
    "from django.db import connection; c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
    "print(json.dumps({'key': settings.SECRET_KEY, 'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, "
    "'secure': settings.SESSION_COOKIE_SECURE, 'hsts': settings.SECURE_HSTS_SECONDS, "
    "'journal': c.fetchone()[0], 'db': str(settings.DATABASES['default']['NAME'])}))"
)


def show_settings(env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**env, "DJANGO_SETTINGS_MODULE": "aims.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_pass_check_deploy_with_no_warning(tmp_path):
    result = aims("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path / "var"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_the_local_quick_start_settings_do_warn_so_the_check_can_fail(tmp_path):
    result = aims("check", "--deploy", "--fail-level", "WARNING", env=clean_env(tmp_path / "var"))
    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr  # e.g. SECURE_SSL_REDIRECT, HSTS, secure cookies


def test_a_short_secret_key_fails_the_deploy_check(tmp_path):
    env = {**production_env(tmp_path / "var"), "AIMS_SECRET_KEY": "too-short"}
    result = aims("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0 and "W009" in result.stdout + result.stderr


def test_the_secret_key_is_generated_into_var_once_and_reused(tmp_path):
    var = tmp_path / "var"
    first = show_settings(clean_env(var))
    key_file = var / "secret_key"
    assert key_file.exists()
    assert key_file.read_text().strip() == first["key"]
    assert len(first["key"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, "only the owner may read the key"
    again = show_settings(clean_env(var))
    assert again["key"] == first["key"]
    assert show_settings(clean_env(tmp_path / "elsewhere"))["key"] != first["key"]


def test_a_secret_key_from_the_environment_or_a_file_wins_and_nothing_is_written(tmp_path):
    var = tmp_path / "var"
    assert show_settings(clean_env(var, AIMS_SECRET_KEY="k" * 60))["key"] == "k" * 60
    assert not (var / "secret_key").exists()
    secret = tmp_path / "secret.txt"
    secret.write_text("f" * 60 + "\n")
    assert show_settings(clean_env(var, AIMS_SECRET_KEY_FILE=str(secret)))["key"] == "f" * 60
    assert not (var / "secret_key").exists()


def test_debug_is_off_by_default_and_the_database_lives_in_var(tmp_path):
    var = tmp_path / "var"
    shown = show_settings(clean_env(var))
    assert shown["debug"] is False
    assert shown["secure"] is False and shown["hsts"] == 0  # plain HTTP for the local quick start
    assert Path(shown["db"]) == (var / "aims.sqlite3").resolve()
    assert shown["journal"] == "wal"
    assert "aims.example.com" not in shown["hosts"]


def test_https_turns_on_secure_cookies_and_hsts(tmp_path):
    shown = show_settings(production_env(tmp_path / "var"))
    assert shown["secure"] is True and shown["hsts"] >= 31536000
    assert shown["hosts"] == ["aims.example.com"]


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(
            f"makemigrations --check found changes without a migration:\n{out.getvalue()}", pytrace=False
        )
