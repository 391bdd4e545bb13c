"""`aims scrub`: every byte flip in an evidence file is found, missing files too (reference §2.6)."""

from __future__ import annotations

import json
import random

import pytest
from django.core.management import CommandError, call_command

from aims.core.management.commands.scrub import INDEX_NAME, record, scrub
from aims.core.models import AuditEvent


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    root = settings.MEDIA_ROOT
    rng = random.Random(3)
    for i in range(30):
        path = root / "evidence" / f"{i:02d}" / f"file-{i}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(rng.randint(1, 300_000)))
    return root


def test_every_flipped_byte_is_detected(media):
    assert scrub(media, record_new=True).recorded and scrub(media).clean
    rng = random.Random(11)
    files = sorted(p for p in media.rglob("*.bin"))
    flipped = rng.sample(files, 10)
    for path in flipped:
        data = bytearray(path.read_bytes())
        pos = rng.randrange(len(data))
        data[pos] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
    report = scrub(media)
    assert sorted(report.mismatched) == sorted(p.relative_to(media).as_posix() for p in flipped)
    assert report.ok == len(files) - 10


def test_a_missing_or_unrecorded_file_is_reported(media):
    scrub(media, record_new=True)
    (media / "evidence/00/file-0.bin").unlink()
    (media / "evidence/new.pdf").write_bytes(b"%PDF-1.7")
    report = scrub(media)
    assert report.missing == ["evidence/00/file-0.bin"]
    assert report.unindexed == ["evidence/new.pdf"]
    assert not report.clean
    record(media, "evidence/new.pdf")
    assert scrub(media).unindexed == []


@pytest.mark.django_db
def test_the_command_fails_quarantines_and_leaves_an_audit_entry(media, capsys):
    call_command("scrub", "--record")
    capsys.readouterr()
    target = media / "evidence/05/file-5.bin"
    target.write_bytes(b"tampered")
    with pytest.raises(CommandError):
        call_command("scrub", "--quarantine", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["mismatched"] == ["evidence/05/file-5.bin"] and not out["clean"]
    assert not target.exists() and (media / ".quarantine/evidence/05/file-5.bin").exists()
    assert AuditEvent.objects.filter(
        object_type="evidence_file", object_repr="evidence/05/file-5.bin"
    ).exists()
    assert json.loads((media / INDEX_NAME).read_text())["evidence/05/file-5.bin"]["sha256"]


@pytest.mark.django_db
def test_the_command_checks_the_digests_rows_record_and_sweeps_orphans(media, actor, capsys, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aims.governance import attachments, services

    settings.AIMS_UPLOAD_SWEEP_GRACE_SECONDS = 0
    call_command("scrub", "--record")
    doc = services.create_document(actor("ai_manager"), {"title": "Procedure", "content": "# Steps"})
    kept = attachments.attach(actor("ai_manager"), doc, SimpleUploadedFile("a.pdf", b"%PDF-1.7 kept"))
    orphan = media / "governance" / str(doc.organization_id) / ("f" * 32)
    orphan.write_bytes(b"%PDF-1.7 never committed")
    partial = orphan.with_name(".part-x1")
    partial.write_bytes(b"%PDF-1")
    capsys.readouterr()
    with pytest.raises(CommandError):
        call_command("scrub", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["orphans"] == [orphan.relative_to(media).as_posix()]
    assert out["partial"] == [partial.relative_to(media).as_posix()] and not out["unindexed"]
    call_command("scrub", "--sweep")  # removes them and is then clean
    assert not orphan.exists() and not partial.exists()
    call_command("scrub")
    (media / kept.file.name).write_bytes(b"%PDF-1.7 kepT")
    capsys.readouterr()
    with pytest.raises(CommandError):
        call_command("scrub", "--json")
    assert json.loads(capsys.readouterr().out)["mismatched"] == [kept.file.name]
