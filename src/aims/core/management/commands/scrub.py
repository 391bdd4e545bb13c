"""`aims scrub`: re-hash the evidence files under MEDIA_ROOT against their recorded SHA-256.

The digests come from two places: the rows that refer to stored files (attachments, control evidence,
gate evidence: `aims.core.storage.recorded_files`), and `MEDIA_ROOT/.sha256-index.json`
({relative path: {"sha256", "size", "recorded_at"}}) for files put there by other means. Every file
is read in 1 MiB blocks, so the scrub runs in constant memory whatever the file size.

    aims scrub              verify; exit 1 and report on any mismatch, missing, unindexed, partial
                            or orphan file
    aims scrub --record     record the digest of files not yet in the index (files not uploaded
                            through AIMS)
    aims scrub --quarantine move mismatching files to MEDIA_ROOT/.quarantine/ (never deleted)
    aims scrub --sweep      remove what interrupted uploads left: temp (partial) files, and files
                            with a server-generated name no row refers to (aims.core.storage.sweep)
    aims scrub --json       the report as JSON (for monitoring)

A mismatch is also written to the audit trail (action `update`, object type `evidence_file`) and
logged at ERROR level on the `aims.scrub` logger, which is what an alert hooks onto.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core import storage

INDEX_NAME, QUARANTINE = storage.INDEX_NAME, storage.QUARANTINE
log = logging.getLogger("aims.scrub")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def index_path(root: Path) -> Path:
    return root / INDEX_NAME


def load_index(root: Path) -> dict[str, dict[str, Any]]:
    path = index_path(root)
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def save_index(root: Path, index: dict[str, dict[str, Any]]) -> None:
    """Atomically: a temp file in the same folder, fsync, rename, fsync the folder."""
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".index-", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(index, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_path(root))
    storage.fsync_dir(root)


def record(root: Path, rel: str) -> dict[str, Any]:
    """Record (or re-record) one file's digest; call it right after the file is stored."""
    index = load_index(root)
    path = root / rel
    index[rel] = {
        "sha256": sha256_of(path),
        "size": path.stat().st_size,
        "recorded_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    save_index(root, index)
    return index[rel]


def _files(root: Path) -> list[str]:
    out = []
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if (
            path.is_file()
            and not rel.startswith((QUARANTINE + "/", ".index-"))
            and rel != INDEX_NAME
            and not storage.is_partial(rel)
        ):
            out.append(rel)
    return sorted(out)


@dataclass
class ScrubReport:
    checked: int = 0
    ok: int = 0
    mismatched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unindexed: list[str] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    swept: bool = False

    @property
    def clean(self) -> bool:
        leftovers = (self.partial or self.orphans) and not self.swept
        return not (self.mismatched or self.missing or self.unindexed or leftovers)


def scrub(
    root: Path,
    *,
    record_new: bool = False,
    quarantine: bool = False,
    recorded: dict[str, dict[str, Any]] | None = None,
) -> ScrubReport:
    """`recorded`: the files rows refer to with their digests (`storage.recorded_files()`); then a
    file with a server-generated name that no row refers to is an orphan (for the sweep), not an
    unindexed file."""
    root = Path(root)
    index = load_index(root)
    expected = {**index, **(recorded or {})}
    report = ScrubReport()
    present = _files(root) if root.exists() else []
    for rel in present:
        if rel not in expected:
            if recorded is not None and storage.is_managed(rel):
                continue
            if record_new:
                report.recorded.append(rel)
            else:
                report.unindexed.append(rel)
    for rel, entry in sorted(expected.items()):
        path = root / rel
        if not path.is_file():
            report.missing.append(rel)
            continue
        report.checked += 1
        size_ok = entry.get("size") in (None, path.stat().st_size)
        if size_ok and (not entry.get("sha256") or sha256_of(path) == entry["sha256"]):
            report.ok += 1
            continue
        report.mismatched.append(rel)
        if quarantine:
            target = root / QUARANTINE / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
            report.quarantined.append(rel)
    if report.recorded:
        for rel in report.recorded:
            path = root / rel
            index[rel] = {
                "sha256": sha256_of(path),
                "size": path.stat().st_size,
                "recorded_at": dt.datetime.now(dt.UTC).isoformat(),
            }
        save_index(root, index)
    return report


def _alert(report: ScrubReport) -> None:
    if report.clean:
        return
    log.error(
        "evidence scrub: %d mismatched, %d missing, %d unindexed, %d partial, %d orphan",
        len(report.mismatched),
        len(report.missing),
        len(report.unindexed),
        len(report.partial) * (not report.swept),
        len(report.orphans) * (not report.swept),
    )
    from django.db import transaction

    from aims.core import audit
    from aims.core.models import AuditEvent

    with transaction.atomic():
        for kind in ("mismatched", "missing"):
            for rel in getattr(report, kind):
                audit.record(
                    None,
                    AuditEvent.Action.UPDATE,
                    object_type="evidence_file",
                    object_repr=rel[:300],
                    changes={"integrity": ["ok", kind], "quarantined": [False, rel in report.quarantined]},
                )


class Command(BaseCommand):
    help = (
        "Re-hash the evidence files under MEDIA_ROOT against their recorded SHA-256; exit 1 on any mismatch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--root", help="Folder to scrub (default: MEDIA_ROOT).")
        parser.add_argument(
            "--record", action="store_true", help="Record the digest of files not yet indexed."
        )
        parser.add_argument(
            "--quarantine", action="store_true", help="Move mismatching files to .quarantine/."
        )
        parser.add_argument(
            "--sweep",
            action="store_true",
            help="Remove partial files and orphans left by interrupted uploads.",
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options["root"] or settings.MEDIA_ROOT)
        recorded = storage.recorded_files()
        swept = storage.sweep(root, referenced=set(recorded), remove=options["sweep"])
        report = scrub(
            root, record_new=options["record"], quarantine=options["quarantine"], recorded=recorded
        )
        report.partial, report.orphans, report.swept = swept.partial, swept.orphans, swept.removed
        _alert(report)
        if options["json"]:
            self.stdout.write(json.dumps({**asdict(report), "clean": report.clean}, indent=2))
        else:
            self.stdout.write(
                f"{report.checked} files checked, {report.ok} intact, {len(report.recorded)} newly recorded"
            )
            for kind in ("mismatched", "missing", "unindexed", "quarantined", "partial", "orphans"):
                for rel in getattr(report, kind):
                    self.stdout.write(f"{kind.upper()}: {rel}")
        if not report.clean:
            raise CommandError("evidence files do not match their recorded digests")
