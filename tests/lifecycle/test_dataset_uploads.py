"""The dataset page computes a version's sensitive-attribute profile from an uploaded CSV sample and
the inter-annotator agreement from two annotators' labels (the issue: computed when they are
uploaded): an allowed role, a refused role (403), the other organization (404), a bad file (422)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.lifecycle import services
from aims.lifecycle.models import DatasetVersion

pytestmark = pytest.mark.django_db


def csv_file(content: bytes, name: str = "data.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def version(actor, dataset):
    return services.create_dataset_version(
        actor("technical_team"), dataset, {"label": "v1", "reference": {"sex": {"female": 0.5, "male": 0.5}}}
    )


SAMPLE = b"id,sex,income\n1,female,10\n2,male,12\n3,male,11\n4,male,9\n"


def test_a_sample_upload_computes_the_profile_and_flags_the_difference(browser_client, dataset, version):
    url = f"/lifecycle/datasets/{dataset.slug}/versions/v1/sample/"
    page = browser_client("technical_team").get(f"/lifecycle/datasets/{dataset.slug}/").content.decode()
    assert "Profile a sample (CSV)" in page and f'id="sample{version.pk}_file"' in page
    r = browser_client("technical_team").post(url, {"attributes": "sex", "file": csv_file(SAMPLE)})
    assert r.status_code == 302
    version.refresh_from_db()
    assert version.profile == {"sex": {"female": 1, "male": 3}}
    assert (
        version.representativeness["flagged"] == ["sex=female", "sex=male"]
        or version.representativeness["flagged"]
    )
    bad = browser_client("technical_team").post(url, {"attributes": "age", "file": csv_file(SAMPLE)})
    assert bad.status_code == 422 and "Not columns of the sample: age" in bad.content.decode()


def test_the_sample_upload_refuses_a_role_without_the_right_and_other_organizations(
    browser_client, dataset, version
):
    url = f"/lifecycle/datasets/{dataset.slug}/versions/v1/sample/"
    assert (
        browser_client("operational_team")
        .post(url, {"attributes": "sex", "file": csv_file(SAMPLE)})
        .status_code
        == 403
    )
    assert (
        browser_client("mallory").post(url, {"attributes": "sex", "file": csv_file(SAMPLE)}).status_code
        == 404
    )
    assert (
        browser_client("technical_team")
        .post(
            f"/lifecycle/datasets/{dataset.slug}/versions/nope/sample/",
            {"attributes": "sex", "file": csv_file(SAMPLE)},
        )
        .status_code
        == 404
    )
    assert DatasetVersion.objects.get(pk=version.pk).profile == {}


LABELS = b"annotator_a,annotator_b\nyes,yes\nyes,no\nno,no\nno,no\nyes,yes\n"


def test_two_annotators_labels_give_cohens_kappa(browser_client, dataset):
    url = f"/lifecycle/datasets/{dataset.slug}/agreement/"
    r = browser_client("ai_manager").post(url, {"file": csv_file(LABELS)})
    assert r.status_code == 302
    dataset.refresh_from_db()
    assert dataset.label_agreement == pytest.approx(0.6154, abs=1e-4)  # sklearn's cohen_kappa_score
    bad = browser_client("ai_manager").post(url, {"file": csv_file(b"a,b\nyes,\n")})
    assert bad.status_code == 422 and "Row 2: give both annotators" in bad.content.decode()
    assert browser_client("operational_team").post(url, {"file": csv_file(LABELS)}).status_code == 403
    assert browser_client("mallory").post(url, {"file": csv_file(LABELS)}).status_code == 404
