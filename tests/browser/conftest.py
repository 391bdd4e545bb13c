"""Browser tests: a real AIMS server (its own SQLite database under a temporary AIMS_VAR_DIR,
started with the `aims` command as an operator would) driven by Debian's Chromium through Playwright.

Chromium is never downloaded (`playwright install` is not used): the tests drive /usr/bin/chromium,
and skip when it is missing unless AIMS_REQUIRE_BROWSER=1 (CI), where they fail instead."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("AIMS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Browser-Test-Horse-42"
ORG = "northwind"

# People of the test organization: (e-mail, full name, role).
PEOPLE = [
    ("ana.garcia@northwind.example", "Ana García", "ai_manager"),
    ("tom.becker@northwind.example", "Tom Becker", "technical_team"),
    ("lea.martin@northwind.example", "Léa Martin", "risk_team"),
]

# A few believable AI systems, so the pages and the screenshots look like a real inventory.
SYSTEMS = [
    {
        "name": "Credit scoring",
        "purpose": "Decide on consumer loan applications consistently and quickly.",
        "function": "Scores each application and approves, declines or refers it to an underwriter.",
        "description": "Gradient-boosted trees on the application form and the credit bureau report, retrained "
        "quarterly; an underwriter reviews every decline and every referral.",
        "system_type": "predictive_ml",
        "business_unit": "Retail lending",
        "criticality": "high",
        "org_roles": ["provider", "deployer"],
        "eu_ai_act_tier": "high",
        "documentation_status": "partial",
        "lifecycle_stage": "operation",
        "processes_personal_data": True,
        "affected_persons": "Loan applicants",
        "deployment_environments": ["staging", "production"],
        "tags": ["credit", "annex-iii"],
        "links": ["https://git.northwind.example/ml/credit-scoring"],
        "owner": 0,
    },
    {
        "name": "CV screening assistant",
        "purpose": "Shortlist applicants for high-volume roles.",
        "function": "Ranks CVs against the job profile for a recruiter to review.",
        "system_type": "predictive_ml",
        "business_unit": "Human resources",
        "criticality": "high",
        "org_roles": ["deployer"],
        "eu_ai_act_tier": "high",
        "documentation_status": "none",
        "lifecycle_stage": "validation",
        "processes_personal_data": True,
        "affected_persons": "Job applicants",
        "third_party": True,
        "supplier": "TalentRank GmbH",
        "tags": ["hr", "annex-iii"],
    },
    {
        "name": "Customer service chatbot",
        "purpose": "Answer routine customer questions around the clock.",
        "function": "Generates answers from the help centre and hands over to an agent.",
        "system_type": "generative",
        "business_unit": "Customer service",
        "criticality": "medium",
        "org_roles": ["deployer"],
        "eu_ai_act_tier": "limited",
        "documentation_status": "partial",
        "lifecycle_stage": "operation",
        "processes_personal_data": True,
        "third_party": True,
        "supplier": "Large language model provider",
        "deployment_environments": ["production"],
        "tags": ["llm", "customer-facing"],
        "owner": 1,
    },
    {
        "name": "Card fraud detection",
        "purpose": "Stop fraudulent card payments before they settle.",
        "function": "Flags suspicious payments for blocking or review.",
        "system_type": "predictive_ml",
        "business_unit": "Payments",
        "criticality": "critical",
        "org_roles": ["provider", "deployer"],
        "eu_ai_act_tier": "minimal",
        "documentation_status": "complete",
        "lifecycle_stage": "operation",
        "processes_personal_data": True,
        "deployment_environments": ["production"],
        "tags": ["payments"],
        "owner": 1,
    },
    {
        "name": "Branch cash demand forecasting",
        "purpose": "Plan cash deliveries to branches and ATMs.",
        "system_type": "predictive_ml",
        "business_unit": "Operations",
        "criticality": "low",
        "org_roles": ["provider", "deployer"],
        "eu_ai_act_tier": "minimal",
        "documentation_status": "complete",
        "lifecycle_stage": "deployment",
        "owner": 2,
    },
    {
        "name": "Internal coding assistant",
        "purpose": "Help developers write and review code.",
        "system_type": "generative",
        "business_unit": "IT",
        "criticality": "low",
        "org_roles": ["deployer"],
        "eu_ai_act_tier": "minimal",
        "documentation_status": "none",
        "lifecycle_stage": "idea",
        "third_party": True,
        "supplier": "Code assistant vendor",
    },
]


@dataclass
class Server:
    url: str
    var_dir: Path
    email: str
    password: str
    tokens: dict[str, str] = field(default_factory=dict)

    def api(
        self, method: str, path: str, payload: object | None = None, *, as_email: str | None = None
    ) -> object:
        token = self.tokens[as_email or self.email]
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(payload).encode() if payload is not None else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — our own local server
            return json.loads(response.read() or b"null")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _aims(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "aims", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"aims {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"aims serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"aims serve did not answer within {timeout} s:\n{log.read_text()}")


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("AIMS_REQUIRE_BROWSER") == "1":
        pytest.fail(message + "; AIMS_REQUIRE_BROWSER=1 makes this an error", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A running AIMS with an organization, three people and a few AI systems."""
    _require_chromium()
    var_dir = tmp_path_factory.mktemp("aims-browser")
    env = {k: v for k, v in os.environ.items() if k not in {"AIMS_DATABASE_URL", "AIMS_HTTPS"}}
    env.update(
        {"AIMS_VAR_DIR": str(var_dir), "AIMS_PASSWORD": PASSWORD, "AIMS_DEBUG": "0", "PYTHONUNBUFFERED": "1"}
    )
    _aims(env, "migrate", "--noinput")
    _aims(env, "createorg", "--name", "Northwind Bank", "--slug", ORG)
    for email, name, role in PEOPLE:
        _aims(env, "createuser", "--email", email, "--org", ORG, "--role", role, "--name", name)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = var_dir / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "aims",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--threads",
                "4",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url, proc, log)
        srv = Server(url=url, var_dir=var_dir, email=PEOPLE[0][0], password=PASSWORD)
        ids = []
        for email, _name, _role in PEOPLE:
            srv.tokens[email] = _aims(
                env, "token", "create", "--email", email, "--org", ORG, "--name", "browser tests"
            ).strip()
            ids.append(srv.api("GET", "/api/v1/me", as_email=email)["id"])  # type: ignore[index]
        for spec in SYSTEMS:
            payload = {k: v for k, v in spec.items() if k != "owner"}
            if "owner" in spec:
                payload["owner_id"] = ids[int(spec["owner"])]  # type: ignore[call-overload]
            srv.api("POST", "/api/v1/ai-systems", payload)
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser(server: Server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Watched:
    """A page and the console errors, uncaught exceptions and failed requests seen on it."""

    page: object
    errors: list[str] = field(default_factory=list)

    def assert_clean(self, *, allow: tuple[str, ...] = ()) -> None:
        """No console error and no uncaught exception (a CSP violation is a console error)."""
        errors = [e for e in self.errors if not any(a in e for a in allow)]
        assert not errors, "the browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def watched(browser, server: Server, tmp_path: Path) -> Iterator[Watched]:  # type: ignore[no-untyped-def]
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=server.url, viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    watched = Watched(page=page)
    page.on(
        "console",
        lambda msg: (
            watched.errors.append(f"console {msg.type}: {msg.text} [{msg.location.get('url', '')}]")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: watched.errors.append(f"uncaught: {exc}"))
    try:
        yield watched
    finally:
        context.close()


@pytest.fixture
def log_in(server: Server):  # type: ignore[no-untyped-def]
    """log_in(page) logs the AI manager in through the login form and lands on the dashboard."""

    def do(page, email: str | None = None) -> None:  # type: ignore[no-untyped-def]
        page.goto("/login/")
        page.get_by_label("E-mail address").fill(email or server.email)
        page.get_by_label("Password").fill(server.password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(server.url + "/")

    return do
