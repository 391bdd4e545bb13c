"""The demo organization and `aims demo`: idempotent, complete, passwords shown once and stored hashed,
every write audited."""

from __future__ import annotations

import re
import sys
import types
from io import StringIO

import pytest
from django.core.management import call_command

from aims.core import audit, demo
from aims.core.models import AuditEvent, Membership, Organization, User
from aims.core.roles import Role
from aims.inventory import demo as inventory_demo
from aims.inventory.models import AISystem, ContextIssue, InterestedParty, ScopeStatement

from ..factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "systems": AISystem.objects.count(),
        "parties": InterestedParty.objects.count(),
        "issues": ContextIssue.objects.count(),
        "scopes": ScopeStatement.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def printed_passwords(output: str) -> dict[str, str]:
    """e-mail -> password from the printed table (rows with four columns)."""
    found = {}
    for person in demo.PEOPLE:
        line = next((ln for ln in output.splitlines() if ln.startswith(person.email + " ")), None)
        if line is not None:
            cells = re.split(r"\s{2,}", line.strip())
            if len(cells) == 4:
                found[person.email] = cells[3]
    return found


@pytest.fixture(autouse=True)
def inventory_only(request, monkeypatch):
    """Most tests check the framework and the inventory's content, so they load the inventory only
    and stay independent of the other areas' demo modules; the `all_areas` tests load everything."""
    if "all_areas" not in request.fixturenames:
        monkeypatch.setattr(demo, "AREAS", ("inventory",))


@pytest.fixture
def all_areas():
    assert demo.AREAS[0] == "inventory" and len(demo.AREAS) > 1


@pytest.fixture
def loaded() -> demo.LoadResult:
    return demo.load()


def test_the_whole_demo_with_every_area_loads_twice_without_change_and_verifies(all_areas):
    first = run()
    assert len(printed_passwords(first)) == len(demo.PEOPLE)
    before = counts()
    assert audit.verify().ok
    second = run()
    assert counts() == before, "an area's demo module is not idempotent"
    assert "nothing changed" in second and printed_passwords(second) == {}
    assert audit.verify().ok


def test_loading_twice_changes_nothing_and_writes_no_audit_entry(loaded):
    before = counts()
    again = demo.load()
    assert counts() == before
    assert not again.changed and again.passwords == {} and not again.created
    assert loaded.created and loaded.organization.pk == again.organization.pk


def test_a_refresh_puts_back_what_was_edited_or_deleted(loaded):
    AISystem.objects.filter(slug="cv-screening").update(name="CV robot", criticality="low")
    ContextIssue.objects.filter(title__startswith="Shortage").delete()
    result = demo.load()
    assert AISystem.objects.get(slug="cv-screening").name == "Candidate CV screening"
    assert result.changes[("ai_system", "update")] == 1 and result.changes[("context_issue", "create")] == 1
    assert not result.passwords and ("scope", "approve") not in result.changes
    update = AuditEvent.objects.filter(object_type="ai_system", action="update").get()
    assert update.changes["criticality"] == ["low", "high"]
    assert update.changes["name"] == ["CV robot", "Candidate CV screening"]


def test_it_lists_at_least_eight_systems_of_five_types_with_every_tier_but_prohibited(loaded):
    systems = AISystem.objects.filter(organization=loaded.organization)
    assert systems.count() >= 8
    assert len(set(systems.values_list("system_type", flat=True))) >= 5
    assert set(systems.values_list("eu_ai_act_tier", flat=True)) >= {
        "high",
        "limited",
        "minimal",
        "not_assessed",
    }
    assert len(set(systems.values_list("lifecycle_stage", flat=True))) >= 5
    assert set(systems.values_list("criticality", flat=True)) == {"low", "medium", "high", "critical"}


def test_the_systems_the_issue_names_are_there_as_specified(loaded):
    by_slug = {s.slug: s for s in AISystem.objects.filter(organization=loaded.organization)}
    credit = by_slug["retail-credit-scoring"]
    assert credit.org_roles == ["provider", "deployer"] and credit.eu_ai_act_tier == "high"
    assert "German Credit" in credit.description and "Annex III point 5(b)" in credit.description
    assert "Annex III point 4(a)" in by_slug["cv-screening"].description
    chatbot = by_slug["customer-service-chatbot"]
    assert chatbot.system_type == "generative" and chatbot.eu_ai_act_tier == "limited" and chatbot.third_party
    assert by_slug["telehealth-triage-assistant"].special_category_data
    face = by_slug["building-access-face-recognition"]
    assert (
        face.system_type == "computer_vision" and face.eu_ai_act_tier == "high" and face.special_category_data
    )
    coder = by_slug["internal-coding-assistant"]
    assert coder.eu_ai_act_tier == "minimal" and coder.third_party and coder.supplier
    assert by_slug["cash-demand-forecasting"].eu_ai_act_tier == "minimal"
    assert "card-fraud-detection" in by_slug


def test_every_system_is_filled_in_and_owned_by_demo_users_but_one(loaded):
    systems = list(AISystem.objects.filter(organization=loaded.organization))
    for system in systems:
        for field in ("name", "purpose", "description", "function", "business_unit", "affected_persons"):
            assert getattr(system, field).strip(), (system.slug, field)
        assert system.org_roles and system.tags and system.links, system.slug
        if system.lifecycle_stage != "retired":
            assert system.deployment_environments, system.slug
        system.full_clean()
    demo_users = {u.pk for u in loaded.people.values()}
    owners = [s.owner_id for s in systems]
    assert owners.count(None) == 1
    assert {o for o in owners if o} <= demo_users
    assert [s.documentation_status for s in systems].count("none") == 1


def test_the_dashboard_has_a_system_without_owner_and_one_without_documentation(loaded):
    from aims.inventory.services import dashboard

    board = dashboard(demo.actor(loaded.organization, loaded.people["ai_manager"]))
    assert [s.slug for s in board["without_owner"]] == ["cv-screening"]
    assert [s.slug for s in board["without_documentation"]] == ["internal-coding-assistant"]


def test_every_party_category_is_present_with_needs_and_linked_systems(loaded):
    parties = InterestedParty.objects.filter(organization=loaded.organization)
    assert set(parties.values_list("category", flat=True)) == set(InterestedParty.Category.values)
    for party in parties:
        assert party.needs and party.addressed_needs, party.name
    assert parties.filter(ai_systems__isnull=False).distinct().count() >= len(InterestedParty.Category.values)
    credit = AISystem.objects.get(slug="retail-credit-scoring")
    assert credit.interested_parties.filter(category="ai_subject").exists()


def test_there_are_internal_and_external_issues(loaded):
    issues = ContextIssue.objects.filter(organization=loaded.organization)
    assert issues.filter(kind="internal").count() >= 3 and issues.filter(kind="external").count() >= 3
    titles = " ".join(issues.values_list("title", flat=True))
    for topic in ("EU AI Act", "GDPR", "skills", "foundation-model vendor"):
        assert topic in titles


def test_the_scope_is_approved_by_the_ceo_and_covers_the_live_systems(loaded):
    scope = ScopeStatement.objects.get(organization=loaded.organization)
    assert scope.status == "approved" and scope.approved_by.email == "ceo@demo.aims.local"
    live = AISystem.objects.exclude(lifecycle_stage="retired").values_list("pk", flat=True)
    assert set(scope.included_systems.values_list("pk", flat=True)) == set(live)
    assert any(e["item"] == "Legacy AML transaction monitoring rules" for e in scope.exclusions)


def test_the_scope_gets_a_new_approved_version_when_the_inventory_changed(loaded):
    AISystem.objects.filter(slug="next-best-offer").update(lifecycle_stage="retired")
    demo.load()  # puts the stage back: the drafted scope equals the approved one again
    assert ScopeStatement.objects.count() == 1
    from aims.inventory.services import create_system

    create_system(demo.actor(loaded.organization, loaded.people["ai_manager"]), {"name": "Extra system"})
    demo.load()
    versions = list(ScopeStatement.objects.order_by("number").values_list("number", "status"))
    assert versions == [(1, "superseded"), (2, "approved")]


def test_there_is_one_user_per_role_with_a_name(loaded):
    members = Membership.objects.filter(organization=loaded.organization).select_related("user")
    assert sorted(m.role for m in members) == sorted(Role.values)
    assert set(loaded.people) == set(Role.values)
    for m in members:
        assert m.user.email.endswith("@demo.aims.local") and m.user.full_name
        assert loaded.people[m.role] == m.user


def test_passwords_are_stored_hashed_and_nowhere_in_clear(argon2, loaded):
    assert set(loaded.passwords) == {p.email for p in demo.PEOPLE}
    stored = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    for email, raw in loaded.passwords.items():
        user = User.objects.get(email=email)
        assert user.password.startswith("argon2$") and raw not in user.password
        assert user.check_password(raw)
        assert raw not in stored
    assert len(set(loaded.passwords.values())) == len(loaded.passwords)


def test_every_write_is_audited_by_the_person_who_would_do_it(loaded):
    assert audit.verify().ok
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()

    def actors(object_type: str, action: str = "create") -> set[str]:
        return set(
            AuditEvent.objects.filter(object_type=object_type, action=action).values_list(
                "actor_email", flat=True
            )
        )

    assert actors("ai_system") == {"ai.manager@demo.aims.local"}
    assert actors("scope", "approve") == {"ceo@demo.aims.local"}
    assert actors("scope") == {"ai.manager@demo.aims.local"}
    assert actors("membership") == {"", "admin@demo.aims.local"}  # the operator adds the first admin
    assert "risk@demo.aims.local" in actors("context_issue")
    assert (
        AuditEvent.objects.filter(object_type="ai_system", action="create").count()
        == AISystem.objects.count()
    )


def test_the_command_prints_passwords_only_when_users_are_created_or_reset():
    first = run()
    passwords = printed_passwords(first)
    assert set(passwords) == {p.email for p in demo.PEOPLE}
    for email, raw in passwords.items():
        assert User.objects.get(email=email).check_password(raw)
    assert "Loaded the demo organization Northwind Financial Group" in first

    second = run()
    assert printed_passwords(second) == {}
    assert not any(raw in second for raw in passwords.values())
    assert "nothing changed" in second and "aims demo --reset-passwords" in second
    assert "ai.manager@demo.aims.local" in second

    third = run("--reset-passwords")
    renewed = printed_passwords(third)
    assert set(renewed) == set(passwords)
    for email, raw in renewed.items():
        user = User.objects.get(email=email)
        assert user.check_password(raw) and not user.check_password(passwords[email])
    assert audit.verify().ok


def test_if_empty_loads_an_empty_database():
    output = run("--if-empty")
    assert Organization.objects.filter(slug="demo").exists()
    assert len(printed_passwords(output)) == len(demo.PEOPLE)


def test_if_empty_does_nothing_when_an_organization_exists():
    OrganizationFactory(slug="acme", name="Acme Bank")
    before = counts()
    output = run("--if-empty")
    assert counts() == before
    assert not Organization.objects.filter(slug="demo").exists()
    assert "aims demo" in output


def test_if_empty_only_reminds_how_to_log_in_when_the_demo_is_there(loaded):
    before = counts()
    output = run("--if-empty")
    assert counts() == before
    assert printed_passwords(output) == {}
    assert "ai.manager@demo.aims.local" in output and "aims demo --reset-passwords" in output
    reset = run("--if-empty", "--reset-passwords")
    assert len(printed_passwords(reset)) == len(demo.PEOPLE)


def test_each_area_demo_module_is_called_after_the_inventory_with_the_people(monkeypatch):
    calls = []

    def load(org, people):
        calls.append((org.slug, sorted(people), AISystem.objects.filter(organization=org).count()))

    fake = types.ModuleType("aims.risk.demo")
    fake.load = load
    monkeypatch.setitem(sys.modules, "aims.risk.demo", fake)
    monkeypatch.setattr(demo, "AREAS", ("inventory", "risk"))
    demo.load()
    assert calls == [("demo", sorted(Role.values), AISystem.objects.count())]
    assert [area for area, _module in demo.area_modules()] == ["inventory", "risk"]


def test_an_area_without_a_demo_module_is_skipped(monkeypatch):
    monkeypatch.setattr(demo, "AREAS", ("inventory", "no_such_area"))
    assert [area for area, _module in demo.area_modules()] == ["inventory"]


def test_an_error_in_an_area_leaves_nothing_behind(monkeypatch):
    fake = types.ModuleType("aims.assurance.demo")

    def load(org, people):
        raise RuntimeError("boom")

    fake.load = load
    monkeypatch.setitem(sys.modules, "aims.assurance.demo", fake)
    monkeypatch.setattr(demo, "AREAS", ("inventory", "assurance"))
    with pytest.raises(RuntimeError):
        demo.load()
    assert not Organization.objects.exists() and not User.objects.exists() and not AuditEvent.objects.exists()


def test_the_credit_model_is_trained_on_the_german_credit_data_deterministically():
    model = inventory_demo.credit_scoring_model()
    m = model.metrics
    assert (m["n_rows"], m["n_train"], m["n_test"]) == (1000, 700, 300)
    assert 0.65 < m["roc_auc"] < 0.85 and 0.6 < m["accuracy"] < 0.85
    assert "sex" not in " ".join(model.feature_names)
    inventory_demo.credit_scoring_model.cache_clear()
    again = inventory_demo.credit_scoring_model()
    assert again.metrics == m


def test_the_credit_model_agrees_with_scikit_learn():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    model = inventory_demo.credit_scoring_model()
    rows = inventory_demo.load_german_credit()
    x = model.design(rows)[:, 1:]
    y = [int(r["risk"]) for r in rows]
    train, test = model.train_index, model.test_index
    reference = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(x[train], [y[i] for i in train])
    assert abs(reference.intercept_[0] - model.weights[0]) < 1e-4
    assert max(abs(reference.coef_[0] - model.weights[1:])) < 1e-4
    auc = roc_auc_score([y[i] for i in test], reference.predict_proba(x[test])[:, 1])
    assert abs(auc - model.metrics["roc_auc"]) < 1e-6


def test_the_roc_auc_handles_ties_as_scikit_learn_does():
    pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    for _ in range(100):
        labels = np.append(rng.integers(0, 2, 60), [0, 1])
        scores = rng.integers(0, 6, 62).astype(float)  # many ties
        assert abs(inventory_demo._roc_auc(labels, scores) - roc_auc_score(labels, scores)) < 1e-12
