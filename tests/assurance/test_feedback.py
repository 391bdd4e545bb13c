import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from aims.assurance.forms import PublicFeedbackForm
from aims.assurance.models import Feedback
from tests.factories import AISystemFactory


def old_stamp(seconds: int = 30) -> str:
    return signing.TimestampSigner(salt=PublicFeedbackForm.SALT).sign(
        str(int(timezone.now().timestamp()) - seconds)
    )


def report(client: Client, url: str, **extra: str):
    data = {
        "kind": "problem",
        "message": "The chatbot refused my claim without any reason.",
        "stamp": old_stamp(),
        **extra,
    }
    return client.post(url, data, REMOTE_ADDR=extra.pop("addr", "203.0.113.7"))


@pytest.fixture
def system(org):
    return AISystemFactory(organization=org, slug="claims-bot", name="Claims bot")


URL = "/assurance/report/acme/claims-bot/"


@pytest.mark.django_db
def test_the_public_page_takes_a_report_without_login(system):
    client = Client()
    assert client.get(URL).status_code == 200
    response = report(client, URL, reporter_email="jane@example.com")
    assert response.status_code == 200 and b"FB-1" in response.content
    fb = Feedback.objects.get()
    assert (
        fb.channel == "public_form"
        and fb.ai_system_id == system.pk
        and fb.status == "new"
        and len(fb.address_hash) == 64
    )


@pytest.mark.django_db
def test_the_public_page_strips_script_injection(system):
    report(
        Client(),
        URL,
        message='Hello <script>alert("x")</script><img src=x onerror=alert(1)> world, it failed me.',
    )
    fb = Feedback.objects.get()
    assert (
        "<script" not in fb.message
        and "onerror" not in fb.message
        and "Hello" in fb.message
        and "world" in fb.message
    )


@pytest.mark.django_db
def test_the_public_page_refuses_a_filled_honeypot_and_a_too_fast_submission(system):
    assert report(Client(), URL, website="http://spam.example").status_code == 422
    fast = Client().post(
        URL, {"kind": "problem", "message": "A long enough message here.", "stamp": old_stamp(0)}
    )
    assert fast.status_code == 422 and b"too fast" in fast.content
    forged = Client().post(
        URL, {"kind": "problem", "message": "A long enough message here.", "stamp": "123:abc"}
    )
    assert forged.status_code == 422
    assert Feedback.objects.count() == 0


@pytest.mark.django_db
def test_the_public_page_rate_limits_one_address(system):
    client = Client()
    for _ in range(5):
        assert report(client, URL).status_code == 200
    assert report(client, URL).status_code == 429
    assert report(client, URL, addr="198.51.100.1").status_code == 200  # another address still gets through


@pytest.mark.django_db
def test_the_public_page_is_404_for_an_unknown_or_retired_system(system, org):
    assert Client().get("/assurance/report/acme/nope/").status_code == 404
    assert Client().get("/assurance/report/nobody/claims-bot/").status_code == 404
    AISystemFactory(organization=org, slug="old", lifecycle_stage="retired")
    assert Client().get("/assurance/report/acme/old/").status_code == 404


@pytest.mark.django_db
def test_feedback_is_triaged_into_an_incident(api, system):
    report(Client(), URL)
    fb = Feedback.objects.get()
    assert api("technical_team").post(f"/api/v1/feedback/{fb.pk}/incident").status_code == 403
    assert api("mallory").post(f"/api/v1/feedback/{fb.pk}/incident").status_code == 404
    made = api("operational_team").post(f"/api/v1/feedback/{fb.pk}/incident")
    assert made.status_code == 201 and made.json()["detection_source"] == "user_feedback"
    fb.refresh_from_db()
    assert fb.status == "incident" and fb.incident_id == made.json()["id"]
    again = api("operational_team").post(f"/api/v1/feedback/{fb.pk}/incident")
    assert again.status_code == 422


@pytest.mark.django_db
def test_dismissing_feedback_needs_a_reason(api, system):
    report(Client(), URL)
    fb = Feedback.objects.get()
    client = api("operational_team")
    refused = client.post(
        f"/api/v1/feedback/{fb.pk}/triage", {"status": "dismissed"}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "triage_note"
    ok = client.post(
        f"/api/v1/feedback/{fb.pk}/triage",
        {"status": "dismissed", "note": "Spam"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "dismissed"


@pytest.mark.django_db
def test_staff_report_feedback_through_the_api(api):
    made = api("technical_team").post(
        "/api/v1/feedback", {"message": "Users say answers are slow"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["channel"] == "api"
    assert (
        api("external_auditor")
        .post("/api/v1/feedback", {"message": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    bad = api("technical_team").post(
        "/api/v1/feedback",
        {"message": "x", "reporter_email": "not-an-email"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reporter_email"
