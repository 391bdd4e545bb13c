"""Shared fixtures of the security suite: the demo organization with a bearer token per role, and
helpers that run `python -m aims ...` as a real process on a throw-away var directory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "Correct-Horse-Battery-9"


@dataclass
class DemoWorld:
    org: object
    people: dict  # role -> User
    tokens: dict  # role -> raw bearer token


@pytest.fixture
def demo_world(db) -> DemoWorld:
    """The demo organization (every area's demo content) and one API token per role."""
    from django.db import transaction

    from aims.core import demo, services
    from aims.core.actors import Actor
    from aims.core.models import Membership

    try:
        demo.load(source="test")
        org = demo.demo_organization()
    except Exception as exc:  # an area's demo is broken: load the others, each on its own
        import warnings

        from aims.core.demo import DEMO_NAME, DEMO_SLUG, _ensure_people, area_modules

        org = services.create_organization(name=DEMO_NAME, slug=DEMO_SLUG, source="test")
        people, _passwords = _ensure_people(org, reset_passwords=False, source="test")
        for area, module in area_modules():
            try:
                with transaction.atomic():
                    module.load(org, people)
            except Exception as area_exc:
                warnings.warn(f"demo of {area} skipped: {area_exc!r} (after {exc!r})", stacklevel=1)
    people = demo.people_of(org)
    tokens = {}
    for role, user in people.items():
        membership = Membership.objects.get(user=user, organization=org)
        _token, raw = services.create_token(Actor.for_membership(membership, source="test"))
        tokens[role] = raw
    return DemoWorld(org=org, people=people, tokens=tokens)


# --- real server processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def aims_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMS_")}
    env.update(AIMS_VAR_DIR=str(var_dir), AIMS_PASSWORD=PASSWORD, PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def aims(
    env: dict[str, str], *args: str, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aims", *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"the server exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}"
            )
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


@contextmanager
def running_server(env: dict[str, str], port: int, threads: int = 4) -> Iterator[subprocess.Popen]:
    """`python -m aims serve` in its own process group; killed (SIGKILL) on exit if still alive."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "aims", "serve", "--port", str(port), "--threads", str(threads)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for_port(port, proc)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
