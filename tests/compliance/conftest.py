import pytest

from aims.compliance import services
from tests.factories import AISystemFactory


@pytest.fixture
def system(org, members):
    return AISystemFactory(
        organization=org,
        name="Credit scoring",
        slug="credit-scoring",
        org_roles=["provider", "deployer"],
        purpose="Decide on consumer loans",
        function="Scores applicants for creditworthiness",
    )


@pytest.fixture
def foreign_system(other_org, mallory):
    return AISystemFactory(organization=other_org, name="Their system", slug="their-system")


@pytest.fixture
def control(actor):
    iso = services.builtin(services.ISO_42001)
    req = iso.requirements.get(ref_id="A.6.2.4")
    return services.create_control(
        actor("ai_manager"),
        {
            "name": "Validation gate",
            "description": "Tests before release",
            "requirements": [req.pk],
            "status": "implemented",
        },
    )


@pytest.fixture
def foreign_control(outsider):
    return services.create_control(outsider, {"name": "Their control"})
