"""Database outage (reference §4 "DB connection loss"): a real server (`python -m aims serve`) on a
fresh PostgreSQL database; the database is taken away under it (connections terminated, database
renamed), then given back. During the outage the API answers a clean 503 JSON and pages a plain
503 page, with no traceback or SQL in the body; afterwards service resumes without a restart
(within two requests). Skipped when no PostgreSQL server is reachable at AIMS_TEST_PG (default
postgres://postgres@127.0.0.1:5432/postgres).

An in-process test checks the middleware's answers on SQLite too, by making the connection fail."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from .conftest import PASSWORD, aims, aims_env, free_port, running_server

PG = os.environ.get("AIMS_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REPO = Path(__file__).resolve().parents[2]
LEAKS = re.compile(rb"Traceback|psycopg|OperationalError|File \"|SELECT |FATAL", re.I)


def _psql(sql: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["psql", PG, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True, timeout=60
    )


def _pg_available() -> bool:
    try:
        return _psql("select 1").returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _handlers():
    """(page handler500, API exception handler)."""
    from aims.core.errors import outage_response, server_error

    return server_error, outage_response


@pytest.mark.slow
@pytest.mark.skipif(not _pg_available(), reason="no PostgreSQL server reachable")
def test_a_database_outage_gives_a_clean_503_and_service_resumes(tmp_path):
    requests = pytest.importorskip("requests")
    name = f"aims_outage_{uuid.uuid4().hex[:8]}"
    assert _psql(f"CREATE DATABASE {name}").returncode == 0
    base = PG.rsplit("/", 1)[0]
    env = aims_env(
        tmp_path / "var",
        AIMS_DATABASE_URL=f"{base}/{name}",
        DJANGO_SETTINGS_MODULE="aims.settings",
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    try:
        aims(env, "migrate", "-v0")
        aims(env, "createorg", "--name", "Outage", "--slug", "outage")
        aims(env, "createuser", "--email", "ops@outage.example", "--org", "outage", "--role", "ai_manager")
        token = aims(
            env, "token", "create", "--email", "ops@outage.example", "--org", "outage"
        ).stdout.split()[-1]
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        api = {"Authorization": f"Bearer {token}"}
        with running_server(env, port):
            browser = requests.Session()
            login = browser.get(f"{url}/login/")
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
            done = browser.post(
                f"{url}/login/",
                data={"email": "ops@outage.example", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
                headers={"Referer": f"{url}/login/"},
            )
            assert done.status_code == 200 and "/login/" not in done.url
            assert requests.get(f"{url}/api/v1/me", headers=api, timeout=30).status_code == 200

            # The outage: every connection cut, the database gone.
            cut = _psql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
                f"ALTER DATABASE {name} RENAME TO {name}_away"
            )
            assert cut.returncode == 0, cut.stderr
            for _ in range(3):
                answer = requests.get(f"{url}/api/v1/me", headers=api, timeout=30)
                assert answer.status_code == 503, answer.text[:300]
                assert answer.headers["Content-Type"].startswith("application/json")
                assert answer.json()["detail"] and not LEAKS.search(answer.content)
                page = browser.get(f"{url}/", timeout=30)
                assert page.status_code == 503 and "Temporarily unavailable" in page.text
                assert not LEAKS.search(page.content)
                write = requests.post(
                    f"{url}/api/v1/ai-systems", json={"name": "during"}, headers=api, timeout=30
                )
                assert write.status_code == 503

            # The database is back: service resumes without a restart.
            assert _psql(f"ALTER DATABASE {name}_away RENAME TO {name}").returncode == 0
            statuses = [
                requests.get(f"{url}/api/v1/me", headers=api, timeout=30).status_code for _ in range(3)
            ]
            assert 200 in statuses[:2], statuses
            assert statuses[-1] == 200
            assert browser.get(f"{url}/", timeout=30).status_code == 200
            made = requests.post(f"{url}/api/v1/ai-systems", json={"name": "after"}, headers=api, timeout=30)
            assert made.status_code == 201
        assert aims(env, "audit", "verify", check=False).returncode == 0
    finally:
        _psql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ('{name}', '{name}_away')"
        )
        _psql(f"DROP DATABASE IF EXISTS {name}")
        _psql(f"DROP DATABASE IF EXISTS {name}_away")


def test_the_outage_answer_is_clean_json_for_the_api_and_a_static_page_for_the_browser(rf):
    from django.db import OperationalError

    server_error, outage_response = _handlers()
    exc = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    api = outage_response(rf.get("/api/v1/me"), exc)
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    assert api["Retry-After"] and not LEAKS.search(api.content)
    try:
        raise exc
    except OperationalError:
        page = server_error(rf.get("/inventory/"))
    assert page.status_code == 503 and b"Temporarily unavailable" in page.content
    assert not LEAKS.search(page.content)


@pytest.mark.django_db
def test_a_programming_error_is_still_a_500(rf):
    from django.db import IntegrityError

    server_error, _ = _handlers()
    request = rf.get("/inventory/")
    request.user = __import__("django.contrib.auth.models", fromlist=["AnonymousUser"]).AnonymousUser()
    try:
        raise IntegrityError("duplicate key")
    except IntegrityError:
        assert server_error(request).status_code == 500
