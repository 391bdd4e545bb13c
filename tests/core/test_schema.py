"""`aims.core.schema.Schema` reads model instances itself (faster than ninja's per-field getter):
its output must be exactly what ninja's would be, for every kind of field a schema declares."""

from __future__ import annotations

import pytest
from ninja import Field
from ninja import Schema as NinjaSchema

from aims.core.models import ApiToken, Organization
from aims.core.schema import Schema
from aims.inventory.models import AISystem
from aims.inventory.schemas import AISystemList
from aims.risk.schemas import RiskOut
from tests.factories import AISystemFactory, MembershipFactory, OrganizationFactory


def _both(fields: dict, resolvers: dict | None = None) -> tuple[type, type]:
    """The same schema on ninja's base and on ours."""
    made = []
    for base in (NinjaSchema, Schema):
        namespace = {"__annotations__": {k: v[0] for k, v in fields.items()}}
        namespace.update({k: v[1] for k, v in fields.items() if v[1] is not ...})
        namespace.update(resolvers or {})
        made.append(type(f"Probe{base.__name__}", (base,), namespace))
    return made[0], made[1]


@pytest.mark.django_db
def test_plain_dotted_missing_and_resolved_fields_read_as_ninja_reads_them():
    membership = MembershipFactory()
    system = AISystemFactory(organization=membership.organization, owner=None)
    ninja_cls, ours = _both(
        {
            "id": (int, ...),
            "name": (str, ...),
            "org_name": (str, Field(..., alias="organization.name")),
            # a None on the way: the field is left out and its default applies
            "owner_email": (str | None, Field(None, alias="owner.email")),
            # an attribute that does not exist: the default applies
            "nothing": (str, "fallback"),
            # a bound method is called, as in ninja
            "label": (str, Field(..., alias="get_absolute_url")),
            "upper": (str, ...),
        },
        {"resolve_upper": staticmethod(lambda obj: obj.name.upper())},
    )
    expected = ninja_cls.model_validate(system).model_dump()
    got = ours.model_validate(system).model_dump()
    assert got == expected
    assert got["owner_email"] is None and got["nothing"] == "fallback" and got["upper"] == system.name.upper()


@pytest.mark.django_db
def test_a_required_field_that_cannot_be_read_fails_as_in_ninja():
    org = OrganizationFactory()
    ninja_cls, ours = _both({"missing": (str, ...)})
    with pytest.raises(Exception) as theirs:
        ninja_cls.model_validate(org)
    with pytest.raises(Exception) as mine:
        ours.model_validate(org)
    assert type(mine.value) is type(theirs.value)
    assert "missing" in str(mine.value)


@pytest.mark.django_db
def test_related_managers_and_querysets_become_lists():
    membership = MembershipFactory()
    org: Organization = membership.organization
    dumps = []
    for base in (NinjaSchema, Schema):
        ref = type("Ref", (base,), {"__annotations__": {"id": int, "role": str}})
        probe = type(
            "Probe",
            (base,),
            {
                "__annotations__": {"memberships": list[ref], "token_ids": list[int]},
                "resolve_token_ids": staticmethod(lambda o: o.api_tokens.values_list("id", flat=True)),
            },
        )
        dumps.append(probe.model_validate(org).model_dump())
    assert (
        dumps[0]
        == dumps[1]
        == {"memberships": [{"id": membership.pk, "role": membership.role}], "token_ids": []}
    )
    assert ApiToken.objects.count() == 0


@pytest.mark.django_db
def test_real_list_schemas_give_identical_json(monkeypatch):
    org = OrganizationFactory()
    for i in range(5):
        AISystemFactory(organization=org, name=f"System {i}")
    items = list(AISystem.objects.filter(organization=org).select_related("owner"))
    page = {"items": items, "count": 5, "page": 1, "page_size": 50, "pages": 1}
    fast = AISystemList.model_validate(page).model_dump_json()
    monkeypatch.setattr(Schema, "_reading_plan", classmethod(lambda cls: None))  # ninja's own path
    assert AISystemList.model_validate(page).model_dump_json() == fast


def test_every_api_output_schema_reads_through_the_fast_path():
    # A schema the fast path cannot plan (AliasPath, extra="forbid") falls back to ninja: none of
    # the register's should.
    assert RiskOut._reading_plan() is not None
    assert AISystemList._reading_plan() is not None
