"""schemathesis over the whole OpenAPI document (/api/v1/openapi.json), in process (WSGI), with the
bearer token of several roles of the demo organization.

Pass criterion (reference §5, "API fuzzing"): no server error (5xx) and no response that
contradicts the document (undocumented status code, wrong content type, body not matching the
response schema). Every operation is exercised with positive and negative data; failures are
collected over the whole document and reported together, one line per endpoint, with the request
that reproduces it.

The fast subset (a few examples per operation, three roles) runs in the normal suite; the full run
(`-m slow`, every role, more examples) is the CI job:
    AIMS_VAR_DIR=var/test .venv/bin/python -m pytest tests/security/test_api_fuzz.py -m slow
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hsettings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aims.core.roles import Role

from .conftest import DemoWorld

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FAST_ROLES = [Role.AI_MANAGER, Role.EXTERNAL_AUDITOR, Role.OPERATIONAL_TEAM]
# Operations whose answer is a file (PDF, XLSX, ZIP, CSV): their generation is the slowest part of
# the API, so the fast run reads them with fewer examples.
HEAVY_HINTS = ("/pdf", "/export", "/pack", "/card", "/oscal", "/xlsx", "/csv", "/report")


@pytest.fixture
def in_process_app():
    """The production WSGI handler (CSRF enforced, real middleware), kept on the test's database
    connection: Django closes connections at the end of each request, which would end the test
    transaction, so that hook is off while the fuzzer runs (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _document() -> dict:
    """The served document, as a client reads it."""
    from aims.urls import api

    return api.get_openapi_schema()


def _schema(app):
    schema = schemathesis.openapi.from_dict(_document())
    schema.app = app
    return schema


def _reproduce(case, role: str) -> str:
    try:
        return case.as_curl_command(headers={"Authorization": f"Bearer <{role} token>"})
    except Exception:  # pragma: no cover - only for the report
        return f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"


def _runner(strategy, n: int, role: str, headers: dict, label: str, failures: dict, statuses: Counter):
    """A Hypothesis test of one operation as one role; returns how many cases it ran."""
    count = 0

    @seed(int(os.environ.get("AIMS_FUZZ_SEED", "42")))
    @hsettings(
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=strategy)
    def run(case) -> None:
        nonlocal count
        count += 1
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            found = getattr(exc, "exceptions", None) or (exc,)
            codes = ",".join(sorted({getattr(f, "code", type(f).__name__) for f in found}))
            key = f"{label} [{response.status_code} {codes}]"
            if key not in failures:
                detail = "; ".join(
                    f"{getattr(f, 'title', '')}: {getattr(f, 'message', str(f))}"[:600] for f in found
                )
                body = response.text[:300] if hasattr(response, "text") else ""
                failures[key] = f"as {role}: {detail}\n    body: {body}\n    {_reproduce(case, role)}"

    def go() -> int:
        run()
        return count

    return go


def fuzz(
    world: DemoWorld, app, roles, examples: int, heavy_examples: int, modes
) -> tuple[dict, Counter, int]:
    """Run every operation for every role; return ({endpoint: first failure}, status counts, cases)."""
    schema = _schema(app)
    failures: dict[str, str] = {}
    statuses: Counter = Counter()
    cases = 0
    logging.getLogger("aims").setLevel(logging.CRITICAL)  # the 5xx are reported below, not logged twice
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        n = heavy_examples if any(h in operation.path for h in HEAVY_HINTS) else examples
        for role in roles:
            headers = {"Authorization": f"Bearer {world.tokens[role]}"}
            for mode in modes:
                run = _runner(
                    operation.as_strategy(generation_mode=mode), n, role, headers, label, failures, statuses
                )
                try:
                    cases += run()
                except Exception as exc:  # generation problems are failures of the document too
                    failures.setdefault(
                        f"{label} [generation]", f"as {role}: {type(exc).__name__}: {str(exc)[:400]}"
                    )
    return failures, statuses, cases


def _report(failures: dict, statuses: Counter, cases: int, started: float) -> str:
    lines = [
        f"{cases} cases in {time.monotonic() - started:.0f} s; statuses {dict(sorted(statuses.items()))}"
    ]
    lines += [f"- {k}: {v}" for k, v in sorted(failures.items())]
    return "\n".join(lines)


def test_the_api_answers_every_generated_request_without_a_server_error_or_a_schema_violation(
    demo_world, in_process_app
):
    started = time.monotonic()
    examples = int(os.environ.get("AIMS_FUZZ_EXAMPLES", "3"))
    failures, statuses, cases = fuzz(
        demo_world,
        in_process_app,
        FAST_ROLES,
        examples=examples,
        heavy_examples=1,
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    )
    report = _report(failures, statuses, cases, started)
    print(report)
    assert not failures, report


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("AIMS_FUZZ_FULL"),
    reason="the full run (every role, 25 examples, about 30 minutes) is `make fuzz`; the suite runs the subset above",
)
def test_the_full_fuzzing_run_with_every_role_finds_nothing(demo_world, in_process_app):
    started = time.monotonic()
    examples = int(os.environ.get("AIMS_FUZZ_EXAMPLES", "25"))
    failures, statuses, cases = fuzz(
        demo_world,
        in_process_app,
        Role.values,
        examples=examples,
        heavy_examples=max(2, examples // 5),
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    )
    report = _report(failures, statuses, cases, started)
    print(report)
    assert not failures, report


def test_no_two_api_schemas_share_a_component_name():
    """django-ninja names a component after its class: two `CheckOut` classes in two apps become
    one component, and one of the operations then documents the other's body (found by the fuzzer
    on /gates/checks and /risks/library)."""
    from collections import defaultdict

    from ninja import Schema

    components = set(_document().get("components", {}).get("schemas", {}))
    modules: dict[str, set[str]] = defaultdict(set)

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("aims."):
                modules[sub.__name__].add(sub.__module__)
            walk(sub)

    walk(Schema)
    clashes = {name: sorted(mods) for name, mods in modules.items() if len(mods) > 1 and name in components}
    assert not clashes, f"rename one of each: {clashes}"
