import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aims.governance import services
from aims.governance.markdown import render
from aims.governance.models import Document


def publish(actor, doc, author="ai_manager", approver="top_management"):
    version = doc.versions.order_by("-number").first()
    version = services.version_transition(actor(author), version, "in_review")
    version = services.version_transition(actor(approver), version, "approved")
    return services.version_transition(actor(approver), version, "published")


@pytest.mark.django_db
def test_the_ai_policy_template_covers_the_principles_and_is_ours(actor, org):
    doc = services.ai_policy_from_template(actor("ai_manager"))
    text = doc.versions.get().content
    for principle in ("Transparency", "Fairness", "Accountability", "Privacy", "Security", "Social benefit"):
        assert principle in text
    assert "Acme Bank" in text and doc.is_ai_policy and doc.requires_acknowledgement
    with pytest.raises(ValidationError) as exc:
        services.ai_policy_from_template(actor("ai_manager"))
    assert "is_ai_policy" in exc.value.message_dict or "slug" in exc.value.message_dict


@pytest.mark.django_db
def test_only_top_management_approves_the_ai_policy(actor):
    doc = services.ai_policy_from_template(actor("ai_manager"))
    version = services.version_transition(actor("ai_manager"), doc.versions.get(), "in_review")
    with pytest.raises(PermissionDenied):
        services.version_transition(actor("cio_cdo"), version, "approved")
    with pytest.raises(PermissionDenied):
        services.version_transition(actor("risk_team"), version, "approved")
    assert services.version_transition(actor("top_management"), version, "approved").approved_by is not None


@pytest.mark.django_db
def test_nobody_approves_their_own_text(actor):
    doc = services.create_document(actor("ai_manager"), {"title": "Procedure", "content": "# Steps"})
    version = services.version_transition(actor("ai_manager"), doc.versions.get(), "in_review")
    with pytest.raises(ValidationError) as exc:
        services.version_transition(actor("ai_manager"), version, "approved")
    assert "approved_by" in exc.value.message_dict
    assert services.version_transition(actor("cio_cdo"), version, "approved").status == "approved"


@pytest.mark.django_db
def test_the_workflow_refuses_skips_and_edits_outside_draft(actor):
    manager = actor("ai_manager")
    doc = services.create_document(manager, {"title": "Procedure", "content": "v1"})
    version = doc.versions.get()
    with pytest.raises(ValidationError) as exc:
        services.version_transition(actor("top_management"), version, "published")
    assert "Cannot go from Draft to Published" in exc.value.message_dict["status"][0]
    version = services.version_transition(manager, version, "in_review")
    with pytest.raises(ValidationError):
        services.edit_version(manager, version, content="sneaky")
    back = services.version_transition(manager, version, "draft", comment="Add scope")
    assert back.status == "draft" and back.review_comment == "Add scope"
    with pytest.raises(ValidationError):
        services.new_version(manager, doc)  # a draft is pending


@pytest.mark.django_db
def test_publishing_a_new_version_retires_the_old_one_and_keeps_both(actor):
    manager = actor("ai_manager")
    doc = services.create_document(
        manager, {"title": "Procedure", "content": "v1", "review_interval_months": 6}
    )
    publish(actor, doc)
    doc.refresh_from_db()
    assert doc.published_version.number == 1 and doc.next_review
    v2 = services.new_version(manager, doc, change_note="Second")
    assert v2.content == "v1"
    services.edit_version(manager, v2, content="v2")
    publish(actor, doc)
    doc.refresh_from_db()
    assert doc.published_version.number == 2 and doc.published_version.content == "v2"
    assert list(doc.versions.values_list("number", "status")) == [(2, "published"), (1, "retired")]


@pytest.mark.django_db
def test_markdown_content_is_sanitized():
    html = render(
        "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> **bold**"
    )
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert (
        "<script" not in html and "javascript:" not in html and "onerror" not in html and "<img" not in html
    )


@pytest.mark.django_db
def test_acknowledgements_report_who_has_not_read_the_policy(actor, members, api):
    doc = services.ai_policy_from_template(actor("ai_manager"))
    with pytest.raises(ValidationError):
        services.acknowledge(actor("risk_team"), doc)  # nothing published yet
    publish(actor, doc)
    doc.refresh_from_db()
    services.acknowledge(actor("risk_team"), doc)
    services.acknowledge(actor("risk_team"), doc)  # twice counts once
    report = services.acknowledgement_report(doc.organization, doc)
    assert report["members"] == 8 and report["acknowledged"] == 1  # every member but the external auditor
    assert "risk_team@acme.example" not in {m["email"] for m in report["missing"]}
    assert "external_auditor@acme.example" not in {m["email"] for m in report["missing"]}
    got = api("ai_manager").get(f"/api/v1/documents/{doc.slug}/acknowledgements")
    assert got.status_code == 200 and got.json()["acknowledged"] == 1 and len(got.json()["missing"]) == 7
    assert api("technical_team").get(f"/api/v1/documents/{doc.slug}/acknowledgements").status_code == 403
    assert api("mallory").get(f"/api/v1/documents/{doc.slug}/acknowledgements").status_code == 404
    assert api("technical_team").post(f"/api/v1/documents/{doc.slug}/acknowledge").status_code == 201
    assert services.ai_policy_acknowledgement(doc.organization)["acknowledged"] == 2


@pytest.mark.django_db
def test_the_document_api_runs_the_workflow(api):
    author, ceo = api("ai_manager"), api("top_management")
    made = author.post(
        "/api/v1/documents",
        {"title": "Incident procedure", "kind": "procedure", "content": "# Steps"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["slug"] == "incident-procedure"
    base = "/api/v1/documents/incident-procedure"
    assert (
        author.post(
            f"{base}/versions/1/transition", {"status": "approved"}, content_type="application/json"
        ).status_code
        == 422
    )
    assert (
        author.post(
            f"{base}/versions/1/transition", {"status": "in_review"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert (
        api("technical_team")
        .post(f"{base}/versions/1/transition", {"status": "approved"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        ceo.post(
            f"{base}/versions/1/transition", {"status": "approved"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert (
        ceo.post(
            f"{base}/versions/1/transition", {"status": "published"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert author.get(base).json()["published"] == 1
    assert api("mallory").get(base).status_code == 404
    assert (
        api("external_auditor")
        .post("/api/v1/documents", {"title": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    bad = author.post("/api/v1/documents", {"title": "x", "kind": "poem"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_the_document_pages(browser_client, actor):
    doc = services.create_document(
        actor("ai_manager"), {"title": "Procedure", "content": "Hello <script>x</script>"}
    )
    assert browser_client("external_auditor").get("/governance/documents/").status_code == 200
    page = browser_client("external_auditor").get(f"/governance/documents/{doc.slug}/")
    assert page.status_code == 200 and b"<script>x" not in page.content
    assert browser_client("mallory").get(f"/governance/documents/{doc.slug}/").status_code == 404
    assert browser_client("external_auditor").get("/governance/documents/new/").status_code == 403
    assert browser_client("risk_team").get("/governance/documents/new/").status_code == 200
    r = browser_client("ai_manager").post(
        f"/governance/documents/{doc.slug}/versions/1/transition/", {"status": "published"}, follow=True
    )
    assert b"Cannot go from Draft to Published" in r.content
    ok = browser_client("ai_manager").post("/governance/documents/ai-policy-template/")
    assert ok.status_code == 302 and Document.objects.filter(is_ai_policy=True).exists()
