"""A new version of a catalog file: the loader upgrades the database in place, records what changed,
and creates review tasks for the controls, obligations and register entries it touches."""

from __future__ import annotations

import pytest

from aims.compliance import catalog_files as cf
from aims.compliance import loader, services
from aims.compliance.models import CatalogChange, Framework, Requirement

pytestmark = pytest.mark.django_db


def _amended(catalog: cf.Catalog) -> cf.Catalog:
    """The AI Act with the Digital Omnibus in force, Art. 26 retitled and one new article."""
    from dataclasses import replace

    reqs = [
        replace(r, title="Obligations of deployers (amended)") if r.ref_id == "Art. 26" else r
        for r in catalog.requirements
    ]
    reqs.append(cf.Requirement(ref_id="Art. 200", title="A new duty", kind="article"))
    amendments = tuple(replace(a, status="in_force") for a in catalog.amendments)
    dates = tuple(
        replace(d, date=d.date.replace(year=2030)) if d.id == "annex-iii-high-risk" else d
        for d in catalog.application_dates
    )
    return replace(catalog, requirements=tuple(reqs), amendments=amendments, application_dates=dates)


def test_an_upgrade_records_the_change_and_creates_review_tasks(actor, system, org, members):
    from aims.assurance.models import Task

    manager = actor("ai_manager")
    control = services.create_control(
        manager,
        {
            "name": "Deployer duties",
            "owner_id": members["ai_manager"].user.pk,
            "requirements": services.resolve_refs(manager, {services.AI_ACT: ["Art. 26"]}),
        },
    )
    services.classify_system(manager, system, {"roles": ["deployer"], "annex_iii": ["(4)(a)"]})
    services.create_regulation(manager, {"title": "EU AI Act", "framework": services.AI_ACT})
    fw, change = loader.load_catalog_into(_amended(cf.load_catalog(services.AI_ACT)))
    assert change is not None and change.added == ["Art. 200"]
    assert {"ref": "Art. 26", "fields": ["title"]} in change.changed
    assert {d["id"] for d in change.dates} == {"annex-iii-high-risk"}
    assert change.amendments[0]["after"] == "in_force"
    assert Requirement.objects.get(framework=fw, ref_id="Art. 26").title.endswith("(amended)")
    made = services.review_catalog_change(change)
    assert made == {"controls": 1, "obligations": 1, "regulations": 1}
    task = Task.objects.get(source_key=f"catalog:{change.pk}:control:{control.pk}")
    assert task.assignee_id == members["ai_manager"].user.pk
    assert services.review_catalog_change(change) == {"controls": 0, "obligations": 0, "regulations": 0}
    # the original file loads back: the added article goes (nothing uses it), a second change is recorded
    loader.load_catalog_into(cf.load_catalog(services.AI_ACT))
    assert not Requirement.objects.filter(framework=fw, ref_id="Art. 200").exists()
    assert CatalogChange.objects.filter(framework=fw).count() == 2


def test_an_organization_loads_its_own_catalog_file(org, tmp_path, api):
    path = tmp_path / "acme-policy.yaml"
    path.write_text(
        'schema: aims-catalog/1\nslug: acme-policy\nname: Acme AI policy\nversion: "1"\npublisher: Acme\nkind: custom\n'
        'description: Our rules.\nlicence: Internal.\nrequirements:\n  - ref_id: "P-1"\n    kind: requirement\n    title: Inventory\n'
    )
    from django.core.management import call_command

    call_command("catalog", "load", str(path), "--org", org.slug)
    fw = Framework.objects.get(slug="acme-policy", organization=org)
    assert fw.requirements.count() == 1
    assert (
        api("ai_manager").get("/api/v1/frameworks/acme-policy/requirements").json()["items"][0]["ref_id"]
        == "P-1"
    )
    assert api("mallory").get("/api/v1/frameworks/acme-policy").status_code == 404


def test_the_cli_reports_every_problem_of_a_bad_file(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "bad.yaml"
    path.write_text(
        "schema: aims-catalog/1\nslug: bad\nname: Bad\nrequirements:\n  - ref_id: 6.1\n    title: x\n    kind: clause\n"
    )
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "load", str(path), "--check")
    assert "must be a quoted string" in str(exc.value) and "missing or empty 'version'" in str(exc.value)


def test_the_cli_exports_oscal(tmp_path, capsys):
    import json

    from django.core.management import call_command

    out = tmp_path / "iso.json"
    call_command("catalog", "export", "iso-iec-42001-2023", "--oscal", "-o", str(out))
    assert json.loads(out.read_text())["catalog"]["metadata"]["oscal-version"] == "1.1.2"
    call_command("catalog", "list")
    assert "iso42001-nist-ai-rmf" in capsys.readouterr().out
