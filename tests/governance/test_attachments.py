"""Attachments: documents carry files, incidents, nonconformities and audit findings carry evidence
files. Stored safely (size, sniffed type, clean name, server-side storage name), served as a download
with nosniff, scoped to the organization, and the SHA-256 in the owner's audit entry."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from aims.assurance import services as assurance
from aims.core.models import AuditEvent
from aims.governance import attachments, services
from aims.governance.models import Attachment

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def doc(actor):
    return services.create_document(actor("ai_manager"), {"title": "Procedure", "content": "# Steps"})


def upload(name="minutes.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.django_db
def test_a_file_is_kept_with_its_digest_and_the_owner_audit_entry_names_it(actor, doc, media):
    a = attachments.attach(actor("technical_team"), doc, upload(), description="Signed minutes")
    assert a.sha256 == hashlib.sha256(PDF).hexdigest() and a.size == len(PDF)
    assert a.content_type == "application/pdf" and a.filename == "minutes.pdf"
    assert "minutes" not in a.file.name and a.file.name.startswith(f"governance/{doc.organization_id}/")
    event = AuditEvent.objects.filter(object_type="document", object_id=str(doc.pk)).latest("id")
    assert event.changes["attachment"][1]["sha256"] == a.sha256
    assert event.changes["attachment"][1]["filename"] == "minutes.pdf"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>"),  # says PDF, is HTML
        ("notes.txt", b"<svg onload=alert(1)>"),  # markup in a text file
        ("page.html", b"<p>hello</p>"),  # a type we never accept
        ("tool.exe", b"MZ\x90\x00"),
        ("data.csv", b"a,b\x00c"),  # binary in text
        ("empty.pdf", b""),
    ],
)
def test_it_refuses_files_whose_content_is_not_an_accepted_type(actor, doc, name, content, media):
    with pytest.raises(ValidationError) as exc:
        attachments.attach(actor("ai_manager"), doc, upload(name, content, "application/pdf"))
    assert "file" in exc.value.message_dict
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


@pytest.mark.django_db
def test_it_refuses_a_file_over_the_size_limit(actor, doc, settings):
    settings.AIMS_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        attachments.attach(actor("ai_manager"), doc, upload())
    assert "limit" in exc.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\Évaluation finale.pdf", "Evaluation_finale.pdf"),
        ('"; rm -rf.pdf', "_rm_-rf.pdf"),
        ("..", "file"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_the_download_name_is_made_harmless(given, kept):
    assert attachments.safe_filename(given) == kept


@pytest.mark.django_db
def test_only_those_who_may_change_the_owner_attach(actor, doc):
    with pytest.raises(PermissionDenied):
        attachments.attach(actor("external_auditor"), doc, upload())
    with pytest.raises(PermissionDenied):
        attachments.attach(actor("org_admin"), doc, upload())


@pytest.mark.django_db
def test_removing_keeps_what_it_was_in_the_audit_trail(actor, doc, media):
    a = attachments.attach(actor("ai_manager"), doc, upload())
    stored = media / a.file.name
    assert stored.exists()
    with pytest.raises(PermissionDenied):
        attachments.remove(actor("external_auditor"), a)
    attachments.remove(actor("ai_manager"), a)
    assert not Attachment.objects.exists()
    event = AuditEvent.objects.filter(object_type="document", object_id=str(doc.pk)).latest("id")
    assert event.changes["attachment"][0]["sha256"] == a.sha256 and event.changes["attachment"][1] is None


@pytest.mark.django_db
def test_another_organization_never_finds_a_file(actor, outsider, doc):
    a = attachments.attach(actor("ai_manager"), doc, upload())
    with pytest.raises(Http404):
        attachments.get_attachment(outsider, a.pk)
    with pytest.raises(Http404):
        attachments.get_owner(outsider, "document", doc.pk)
    with pytest.raises(Http404):
        attachments.get_owner(actor("ai_manager"), "user", 1)  # not attachable


# --- pages ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_download_is_an_attachment_with_nosniff(browser_client, actor, doc):
    a = attachments.attach(actor("ai_manager"), doc, upload("notes.txt", b"hello", "text/html"))
    response = browser_client("external_auditor").get(f"/governance/attachments/{a.pk}/")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "notes.txt" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain"  # sniffed, not what the browser said
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"hello"
    assert browser_client("mallory").get(f"/governance/attachments/{a.pk}/").status_code == 404


@pytest.mark.django_db
def test_uploading_on_the_document_page(browser_client, doc):
    page = browser_client("technical_team").get(doc.get_absolute_url())
    assert b'enctype="multipart/form-data"' in page.content
    url = f"/governance/attachments/document/{doc.pk}/"
    response = browser_client("technical_team").post(url, {"file": upload(), "description": "Minutes"})
    assert response.status_code == 302 and response["Location"] == doc.get_absolute_url()
    a = Attachment.objects.get()
    assert a.owner_type == "document" and a.owner_id == doc.pk and a.description == "Minutes"
    assert b"minutes.pdf" in browser_client("external_auditor").get(doc.get_absolute_url()).content
    assert browser_client("external_auditor").post(url, {"file": upload()}).status_code == 403
    assert browser_client("mallory").post(url, {"file": upload()}).status_code == 404
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_upload_comes_back_as_a_message(browser_client, doc):
    url = f"/governance/attachments/document/{doc.pk}/"
    response = browser_client("ai_manager").post(url, {"file": upload("x.pdf", b"GIF89a")}, follow=True)
    assert "not a .pdf file" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_removing_on_the_page(browser_client, actor, doc):
    a = attachments.attach(actor("ai_manager"), doc, upload())
    url = f"/governance/attachments/{a.pk}/delete/"
    assert browser_client("external_auditor").post(url).status_code == 403
    assert browser_client("mallory").post(url).status_code == 404
    assert browser_client("ai_manager").post(url).status_code == 302
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_nonconformities_incidents_and_findings_carry_evidence_files(browser_client, actor):
    ops, manager, auditor = actor("operational_team"), actor("ai_manager"), actor("internal_audit")
    incident = assurance.create_incident(ops, {"title": "Drift"})
    nc = assurance.incident_to_nonconformity(manager, incident)
    audit = assurance.create_audit(auditor, {"title": "A", "planned_start": "2026-06-01", "clauses": ["9.1"]})
    assurance.audit_transition(auditor, audit, "in_progress")
    finding = assurance.create_finding(
        auditor, {"audit_id": audit.pk, "kind": "observation", "title": "Thin records"}
    )
    for owner_type, owner, role, page in [
        ("incident", incident, "operational_team", incident.get_absolute_url()),
        ("nonconformity", nc, "ai_manager", nc.get_absolute_url()),
        ("finding", finding, "internal_audit", audit.get_absolute_url()),
    ]:
        url = f"/governance/attachments/{owner_type}/{owner.pk}/"
        assert browser_client("external_auditor").post(url, {"file": upload()}).status_code == 403
        assert browser_client("mallory").post(url, {"file": upload()}).status_code == 404
        response = browser_client(role).post(url, {"file": upload(f"{owner_type}.pdf")})
        assert response.status_code == 302 and response["Location"] == page
        assert f"{owner_type}.pdf".encode() in browser_client("external_auditor").get(page).content
    assert Attachment.objects.count() == 3


# --- API --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_attaches_lists_downloads_and_removes(api, doc):
    url = f"/api/v1/documents/{doc.slug}/attachments"
    refused = api("external_auditor").post(url, {"file": upload()})
    assert refused.status_code == 403
    assert api("mallory").post(url, {"file": upload()}).status_code == 404
    created = api("technical_team").post(url, {"file": upload(), "description": "Minutes"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest() and body["content_type"] == "application/pdf"
    listed = api("external_auditor").get(url)
    assert listed.status_code == 200 and [a["id"] for a in listed.json()] == [body["id"]]
    assert api("mallory").get(url).status_code == 404
    download = api("external_auditor").get(body["download"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert api("mallory").get(body["download"]).status_code == 404
    assert api("external_auditor").delete(body["download"]).status_code == 403
    assert api("mallory").delete(body["download"]).status_code == 404
    assert api("ai_manager").delete(body["download"]).status_code == 204
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_a_disguised_file_with_422(api, actor):
    incident = assurance.create_incident(actor("operational_team"), {"title": "Drift"})
    url = f"/api/v1/incidents/{incident.pk}/attachments"
    bad = api("operational_team").post(url, {"file": upload("shot.png", b"<html>")})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "file"
    good = api("operational_team").post(url, {"file": upload("shot.png", b"\x89PNG\r\n\x1a\n....")})
    assert good.status_code == 201 and good.json()["owner_type"] == "incident"
