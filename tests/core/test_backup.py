"""Backup and restore, as an operator runs them: real commands on a real database file."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _aims(env, *args, check=True):
    return subprocess.run(
        [sys.executable, "-m", "aims", *args], env=env, capture_output=True, text=True, check=check
    )


@pytest.fixture
def instance(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMS_DATABASE")}
    env.update(AIMS_VAR_DIR=str(tmp_path / "var"), AIMS_PASSWORD="Correct-Horse-Battery-9")
    _aims(env, "migrate", "-v0")
    return env, tmp_path


@pytest.mark.slow
def test_a_sqlite_backup_restores_the_data_files_and_audit_chain(instance):
    env, tmp = instance
    _aims(env, "createorg", "--name", "Before", "--slug", "before")
    evidence = tmp / "var" / "media" / "evidence" / "report.txt"
    evidence.parent.mkdir(parents=True)
    evidence.write_text("model card v1")
    archive = tmp / "b.tar.gz"
    out = _aims(env, "backup", "-o", str(archive)).stdout
    assert "1 evidence files" in out
    _aims(env, "createorg", "--name", "After", "--slug", "after")
    evidence.write_text("tampered")
    refused = _aims(env, "restore", str(archive), check=False)
    assert refused.returncode != 0 and "--yes" in refused.stderr
    restored = _aims(env, "restore", str(archive), "--yes")
    assert "audit chain verified" in restored.stdout
    listing = _aims(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from aims.core.models import Organization as O; print(sorted(O.objects.values_list('slug', flat=True)))",
    ).stdout
    assert listing.strip() == "['before']"
    assert evidence.read_text() == "model card v1"
    assert _aims(env, "audit", "verify").returncode == 0


@pytest.mark.slow
def test_a_corrupted_archive_is_refused_before_anything_changes(instance):
    import tarfile

    env, tmp = instance
    _aims(env, "createorg", "--name", "Kept", "--slug", "kept")
    archive = tmp / "b.tar.gz"
    _aims(env, "backup", "-o", str(archive))
    bad = tmp / "bad.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(bad, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("database"):
                data = data[:-10] + b"0123456789"
            import io

            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    _aims(env, "createorg", "--name", "New", "--slug", "new")
    refused = _aims(env, "restore", str(bad), "--yes", check=False)
    assert refused.returncode != 0 and "digest" in refused.stderr
    listing = _aims(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from aims.core.models import Organization as O; print(O.objects.count())",
    ).stdout
    assert listing.strip() == "2"


PG_SERVER = os.environ.get("AIMS_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def _psql(sql):
    return subprocess.run(
        ["psql", PG_SERVER, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True, timeout=60
    )


def _pg_reachable():
    try:
        return _psql("select 1").returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.slow
@pytest.mark.skipif(
    not _pg_reachable() and not os.environ.get("AIMS_TEST_DATABASE_URL"),
    reason="no PostgreSQL server reachable (CI sets AIMS_TEST_DATABASE_URL and has one)",
)
def test_a_postgresql_backup_restores_the_data_and_audit_chain(tmp_path):
    import uuid

    name = f"aims_backup_{uuid.uuid4().hex[:8]}"
    created = _psql(f"CREATE DATABASE {name}")
    assert created.returncode == 0, created.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMS_DATABASE")}
    env.update(
        AIMS_VAR_DIR=str(tmp_path / "var"),
        AIMS_PASSWORD="Correct-Horse-Battery-9",
        AIMS_DATABASE_URL=PG_SERVER.rsplit("/", 1)[0] + "/" + name,
    )
    try:
        _aims(env, "migrate", "-v0")
        _aims(env, "createorg", "--name", "Before", "--slug", "before")
        _aims(env, "createuser", "--email", "ann@before.example", "--org", "before", "--role", "ai_manager")
        archive = tmp_path / "pg.tar.gz"
        _aims(env, "backup", "-o", str(archive))
        _aims(env, "createorg", "--name", "After", "--slug", "after")
        restored = _aims(env, "restore", str(archive), "--yes")
        assert "audit chain verified" in restored.stdout
        listing = _aims(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from aims.core.models import Organization as O, User as U; "
            "print(sorted(O.objects.values_list('slug', flat=True)), U.objects.count())",
        ).stdout
        assert listing.strip() == "['before'] 1"
        assert _aims(env, "audit", "verify").returncode == 0
        # The restored database still refuses to rewrite history.
        tamper = subprocess.run(
            ["psql", env["AIMS_DATABASE_URL"], "-qAtc", "UPDATE core_auditevent SET object_repr = 'x'"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert tamper.returncode != 0 and "append-only" in tamper.stderr
    finally:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
