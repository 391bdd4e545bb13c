"""Crash-safe storage of uploaded files (aims.core.storage): a file appears whole under its name or not
at all, and the sweep removes what an interrupted upload left, never a file a row needs."""

from __future__ import annotations

import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.core import storage
from aims.core.storage import PART_PREFIX, DurableFileSystemStorage, sweep

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 100
HEX = "0123456789abcdef" * 2


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_the_default_storage_is_the_durable_one():
    assert isinstance(default_storage, DurableFileSystemStorage)


def test_a_saved_file_is_whole_under_its_name_and_no_temp_file_stays(media):
    fs = DurableFileSystemStorage(location=media)
    name = fs.save(f"governance/1/{HEX}", SimpleUploadedFile("x.pdf", PDF))
    assert name == f"governance/1/{HEX}"
    assert (media / name).read_bytes() == PDF
    assert _files(media) == [name]
    text = fs.save("notes/a.txt", ContentFile("héllo"))
    assert (media / text).read_text() == "héllo"


def test_a_taken_name_is_never_overwritten(media):
    fs = DurableFileSystemStorage(location=media)
    first = fs.save("evidence/1/file", ContentFile(b"first"))
    # the name is checked free before _save, then taken by someone else: _save picks another one
    second = fs._save(first, ContentFile(b"second"))
    assert second != first
    assert (media / first).read_bytes() == b"first" and (media / second).read_bytes() == b"second"


def test_a_write_that_fails_half_way_leaves_nothing(media):
    fs = DurableFileSystemStorage(location=media)

    class Broken(ContentFile):
        def chunks(self, chunk_size=None):
            yield b"half of it"
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        fs.save(f"evidence/1/{HEX}", Broken(b""))
    assert _files(media) == []


def _make(root, rel, data=b"x", age=3600.0):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def test_the_sweep_removes_partial_spooled_and_orphan_files_and_nothing_else(media, tmp_path):
    spool = tmp_path / "spool"
    keep = [
        _make(media, f"governance/1/{HEX}"),  # a row refers to it
        _make(media, f"evidence/2/{HEX[::-1]}"),  # in the legacy digest index
        _make(media, "evidence/00/file-0.bin"),  # not a name AIMS gives: not ours to judge
        _make(media, f".quarantine/governance/1/{'a' * 32}"),
        _make(media, f"lifecycle/3/{'b' * 32}", age=1),  # young: an upload in progress elsewhere
        _make(media, f"lifecycle/3/{PART_PREFIX}young", age=1),
        _make(spool, "young.upload.pdf", age=1),
    ]
    (media / ".sha256-index.json").write_text(f'{{"evidence/2/{HEX[::-1]}": {{"sha256": "x"}}}}')
    gone = [
        _make(media, f"governance/1/{PART_PREFIX}abc"),
        _make(media, ".index-123.tmp"),
        _make(media, f"lifecycle/3/{'c' * 32}"),  # an orphan
        _make(spool, "tmpabc.upload.pdf"),
    ]
    found = sweep(media, referenced={f"governance/1/{HEX}"}, grace=60, remove=False, upload_tmp=spool)
    assert sorted(found.partial) == sorted([f"governance/1/{PART_PREFIX}abc", ".index-123.tmp", str(gone[3])])
    assert found.orphans == [f"lifecycle/3/{'c' * 32}"]
    assert all(p.exists() for p in gone)  # remove=False only reports
    sweep(media, referenced={f"governance/1/{HEX}"}, grace=60, upload_tmp=spool)
    assert not any(p.exists() for p in gone)
    assert all(p.exists() for p in keep)


def test_without_the_rows_the_sweep_never_removes_a_complete_file(media):
    orphan = _make(media, f"lifecycle/3/{'c' * 32}")
    partial = _make(media, f"lifecycle/3/{PART_PREFIX}x")
    report = sweep(media, referenced=None, grace=0, upload_tmp=None)
    assert orphan.exists() and not partial.exists() and report.orphans == []


@pytest.mark.django_db
def test_the_rows_of_every_file_field_are_known(actor, media):
    from aims.governance import attachments, services

    doc = services.create_document(actor("ai_manager"), {"title": "Procedure", "content": "# Steps"})
    a = attachments.attach(actor("ai_manager"), doc, SimpleUploadedFile("m.pdf", PDF))
    recorded = storage.recorded_files()
    assert recorded[a.file.name] == {
        "model": "governance.Attachment",
        "pk": a.pk,
        "sha256": a.sha256,
        "size": len(PDF),
    }
    assert sweep(media, referenced=set(recorded), grace=0, upload_tmp=None).found is False
    assert (media / a.file.name).read_bytes() == PDF
