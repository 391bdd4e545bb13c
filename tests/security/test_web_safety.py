"""Browser-facing safety of every page route (ASVS 3.5.1-3.5.3, 1.2.1, 3.2.2, 16.5.1):

- CSRF: a cross-site POST (foreign Origin, session cookie, no token) to every route of the URL
  resolver is refused with 403, and nothing is written; the API refuses a session-authenticated
  write without the token too.
- No state change over GET: every page reachable from the dashboard (crawled as several roles)
  and every other GET route of the resolver leaves the audit trail as it was (apart from `export`
  and `login` entries, which record a read), and no table gains or loses rows.
- XSS: script-injection payloads stored in every text field of AI systems and interested parties
  come back escaped on every page that shows them: no injected tag, event-handler attribute or
  javascript: URL.
- No page answers 5xx or shows a traceback.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from aims.core.models import AuditEvent
from aims.core.roles import Role

pytestmark = pytest.mark.django_db

READ_ACTIONS = {"export", "login", "denied"}  # reads that are logged (a refused read is evidence)
CRAWL_ROLES = [Role.ORG_ADMIN, Role.AI_MANAGER, Role.EXTERNAL_AUDITOR]
MAX_PER_ROUTE = 2  # instances of one route pattern to visit (two detail pages of the same kind)
MAX_PAGES = int(__import__("os").environ.get("AIMS_CRAWL_MAX_PAGES", "600"))
DUMMY = {"int": "1", "slug": "x", "str": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}
EVIL = "http://evil.example"


# --- the URL resolver ------------------------------------------------------------------------------


def _walk(patterns, prefix: str = "", ns: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            sub_ns = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _walk(p.url_patterns, prefix + str(p.pattern), sub_ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), ns + (p.name or "")


def page_routes() -> list[tuple[str, str]]:
    """(route pattern, name) of every page route: the API (its own test below) and static files excluded."""
    routes = []
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(("api/v1/", "static/", "media/")) or route.startswith("^"):
            continue
        routes.append((route, name))
    return routes


def dummy_url(route: str) -> str:
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY.get(m.group(1) or "str", "x"), route)
    return "/" + path


def route_of(path: str) -> str:
    match = get_resolver().resolve(path)
    return match.route


def audit_writes() -> int:
    return AuditEvent.objects.exclude(action__in=READ_ACTIONS).count()


def table_counts() -> dict[str, int]:
    skip = {"django_session", "core_loginfailure", "core_auditevent"}  # audit: checked by action
    counts = {}
    with connection.cursor() as cur:
        for model in apps.get_models():
            table = model._meta.db_table
            if table in skip or model._meta.proxy or not model._meta.managed:
                continue
            cur.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names from the ORM
            counts[table] = cur.fetchone()[0]
    return counts


# --- HTML inspection ---------------------------------------------------------------------------------


class PageScan(HTMLParser):
    """Links, POST forms, and anything executable in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.post_actions: list[str] = []
        self.dangers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.dangers.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                if re.match(r"\s*(javascript|vbscript|data:text/html)", value, re.I):
                    self.dangers.append(f"<{tag} {name}={value[:40]}>")
        if tag == "script" and not attrs.get("src"):
            self.dangers.append("<script> without src (inline script)")
        if tag in {"iframe", "object", "embed", "base"}:
            self.dangers.append(f"<{tag}>")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.post_actions.append(attrs.get("action") or "")


def scan(html: str) -> PageScan:
    parser = PageScan()
    parser.feed(html)
    return parser


def _local(href: str, base: str) -> str | None:
    href, _ = urldefrag(href)
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path or base
    if not path.startswith("/"):
        path = base.rsplit("/", 1)[0] + "/" + path
    if path.startswith(("/static/", "/media/", "/api/")) or path.startswith("/logout"):
        return None
    return path


def crawl(client: Client, start: str = "/", after=None) -> dict[str, object]:
    """GET every page reachable from `start` (query strings dropped, MAX_PER_ROUTE per pattern)."""
    seen: set[str] = set()
    per_route: dict[str, int] = defaultdict(int)
    queue, pages = [start], {}
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            route = route_of(path)
        except Exception:
            continue
        if per_route[route] >= MAX_PER_ROUTE:
            continue
        per_route[route] += 1
        response = client.get(path)
        pages[path] = response
        if after is not None:
            after(path, response)
        if (
            response.status_code == 200
            and not response.streaming
            and "html" in response.get("Content-Type", "")
        ):
            for href in scan(response.content.decode(errors="replace")).links:
                local = _local(href, path)
                if local and local not in seen:
                    queue.append(local)
    return pages


# --- CSRF ----------------------------------------------------------------------------------------------


def test_a_cross_site_post_to_every_page_route_is_refused_and_writes_nothing(demo_world):
    client = Client(enforce_csrf_checks=True, HTTP_ORIGIN=EVIL, HTTP_REFERER=EVIL + "/attack.html")
    client.force_login(demo_world.people[Role.ORG_ADMIN])
    before, rows_before = audit_writes(), table_counts()
    accepted = {}
    routes = page_routes()
    for route, name in routes:
        url = dummy_url(route)
        response = client.post(url, {"name": "csrf", "title": "csrf", "action": "approve"})
        if response.status_code != 403:
            accepted[f"{url} ({name})"] = response.status_code
    assert not accepted, f"cross-site POST not refused: {accepted}"
    assert audit_writes() == before
    assert table_counts() == rows_before
    assert len(routes) > 50  # the walk found the areas' routes, not only the core ones


def test_a_cross_site_post_reaching_a_real_object_is_refused(demo_world):
    """The same for the POST forms found on real pages (real ids, so the view would act)."""
    owner = Client()
    owner.force_login(demo_world.people[Role.ORG_ADMIN])
    actions = set()
    for path, response in crawl(owner).items():
        if (
            response.status_code == 200
            and not response.streaming
            and "html" in response.get("Content-Type", "")
        ):
            for action in scan(response.content.decode(errors="replace")).post_actions:
                actions.add(_local(action, path) or path if not action else _local(action, path))
    actions.discard(None)
    attacker = Client(enforce_csrf_checks=True, HTTP_ORIGIN=EVIL)
    attacker.cookies = owner.cookies
    before = audit_writes()
    accepted = {a: attacker.post(a, {"action": "approve"}).status_code for a in sorted(actions)}
    accepted = {a: s for a, s in accepted.items() if s != 403}
    assert not accepted, f"cross-site POST not refused: {accepted}"
    assert audit_writes() == before
    assert len(actions) > 10


def test_the_api_refuses_a_session_authenticated_write_without_the_csrf_token(demo_world):
    from aims.urls import api

    client = Client(enforce_csrf_checks=True, HTTP_ORIGIN=EVIL)
    client.force_login(demo_world.people[Role.AI_MANAGER])
    before = audit_writes()
    accepted = {}
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            if method not in {"post", "put", "patch", "delete"}:
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)
            response = client.generic(method.upper(), url, "{}", content_type="application/json")
            if response.status_code < 400:
                accepted[f"{method.upper()} {path}"] = response.status_code
    assert not accepted, f"session write without CSRF token accepted: {accepted}"
    assert audit_writes() == before


# --- no state change over GET ----------------------------------------------------------------------


@pytest.mark.parametrize("role", CRAWL_ROLES)
def test_no_page_changes_anything_when_read(demo_world, role):
    client = Client()
    client.force_login(demo_world.people[role])
    rows_before = table_counts()
    writes = audit_writes()
    changed, errors = [], []

    def check(path, response) -> None:
        nonlocal writes
        now = audit_writes()
        if now != writes:
            changed.append(path)
            writes = now

    pages = crawl(client, after=check)
    visited_routes = {route_of(p) for p in pages}
    # Routes no link led to: read them with placeholder values (most answer 404, none may write).
    for path in {dummy_url(r) for r, _ in page_routes() if r not in visited_routes}:
        pages[path] = client.get(path)
        check(path, pages[path])
    for path, response in pages.items():
        body = b"" if response.streaming else response.content
        if response.status_code >= 500 or b"Traceback" in body:
            errors.append(f"{path}: {response.status_code}")
    rows_after = table_counts()
    assert not errors, f"server errors: {errors}"
    assert not changed, f"GET wrote to the audit trail: {changed}"
    grown = {t: (rows_before[t], rows_after[t]) for t in rows_before if rows_before[t] != rows_after[t]}
    assert not grown, f"GET changed row counts: {grown}"
    assert len(pages) > 40


# --- XSS -----------------------------------------------------------------------------------------------

PAYLOADS = [
    '<script>alert("xss-1")</script>',
    '"><img src=x onerror=alert("xss-2")>',
    "'><svg/onload=alert('xss-3')>",
    "javascript:alert('xss-4')",
    '[click](javascript:alert("xss-5"))',
    '<a href="javascript:alert(6)">xss-6</a>',
    "</textarea><iframe src=//evil.example></iframe>",
    '{{ 7*7 }}<base href="//evil.example/">',
    '<div style="background:url(javascript:alert(8))" onmouseover="alert(8)">',
]


def _store_payloads(world) -> tuple[list[str], list[str]]:
    """Payloads in every free-text field of AI systems and interested parties; returns the pages
    that show them (list, detail, history, edit)."""
    from aims.core.actors import Actor
    from aims.core.models import Membership
    from aims.inventory import services
    from aims.inventory.models import AISystem, InterestedParty

    member = Membership.objects.get(user=world.people[Role.AI_MANAGER], organization=world.org)
    actor = Actor.for_membership(member, source="test")
    pages = ["/", "/inventory/", "/inventory/systems/", "/inventory/parties/", "/audit/"]
    text_fields = {
        "system": ["purpose", "description", "function", "affected_persons", "business_unit", "supplier"],
        "party": ["needs", "addressed_needs"],
    }
    for i, payload in enumerate(PAYLOADS):
        data = {"name": f"{payload} system {i}"}
        data.update({f: payload for f in text_fields["system"] if hasattr(AISystem, f)})
        try:
            system = services.create_system(actor, data)
        except Exception:  # a field with choices or a length limit: keep what validates
            system = services.create_system(
                actor, {"name": f"{payload[:150]} {i}", "purpose": payload, "description": payload}
            )
        pages += [
            system.get_absolute_url(),
            f"/inventory/systems/{system.slug}/history/",
            f"/inventory/systems/{system.slug}/edit/",
        ]
        party_data = {
            "name": f"{payload} party {i}",
            "category": InterestedParty._meta.get_field("category").choices[0][0],
        }
        party_data.update({f: payload for f in text_fields["party"]})
        party = services.create_party(actor, party_data)
        pages.append(f"/inventory/parties/{party.pk}/edit/")
    return pages, [p for p in PAYLOADS]


def test_stored_script_payloads_are_escaped_on_every_page_that_shows_them(demo_world):
    pages, payloads = _store_payloads(demo_world)
    client = Client()
    client.force_login(demo_world.people[Role.AI_MANAGER])
    problems = []
    for path in dict.fromkeys(pages):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        found = scan(html).dangers
        if found:
            problems.append(f"{path}: {sorted(set(found))}")
        for payload in payloads:
            if "<" in payload and payload in html:
                problems.append(f"{path}: payload rendered raw: {payload}")
    assert not problems, "\n".join(problems)
    # The export (CSV/XLSX) is read by spreadsheets: a leading = + - @ must be neutralised.
    export = client.get("/inventory/systems/-/export/?format=csv")
    if export.status_code == 200 and "csv" in export.get("Content-Type", ""):
        body = b"".join(export.streaming_content) if export.streaming else export.content
        for line in body.decode().splitlines()[1:]:
            for cell in line.split(","):
                assert not re.match(r'^"?[=+@]', cell), cell


def test_a_link_cannot_reset_a_users_two_factor_device(members):
    """GET /account/two-factor/?renew=1 (an <img> on any site would do) must not replace a
    confirmed authenticator by an unconfirmed one: that turns two-factor login off for the user."""
    import pyotp

    from aims.core import mfa
    from aims.core.models import MfaDevice

    user = members[Role.AI_MANAGER].user
    secret, _qr = mfa.start_enrolment(user)
    assert mfa.confirm_enrolment(user, pyotp.TOTP(secret).now(), secret) is not None
    client = Client()
    client.force_login(user)
    client.get("/account/two-factor/?renew=1")
    device = MfaDevice.objects.get(user=user)
    assert device.confirmed_at is not None and mfa.has_device(user), "a GET turned two-factor login off"
