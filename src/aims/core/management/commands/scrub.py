"""`aims scrub`: re-hash the evidence files under MEDIA_ROOT against their recorded SHA-256.

The index is `MEDIA_ROOT/.sha256-index.json` ({relative path: {"sha256", "size", "recorded_at"}}),
kept next to the files until evidence files have a database model of their own (then the digests
come from that table instead; see docs/security.md). Every file is read in 1 MiB blocks, so the
scrub runs in constant memory whatever the file size.

    aims scrub              verify; exit 1 and report on any mismatch, missing or unindexed file
    aims scrub --record     record the digest of files not yet in the index (new uploads)
    aims scrub --quarantine move mismatching files to MEDIA_ROOT/.quarantine/ (never deleted)
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

INDEX_NAME = ".sha256-index.json"
QUARANTINE = ".quarantine"
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
    dirfd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(dirfd)
    finally:
        os.close(dirfd)


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
        if path.is_file() and not rel.startswith((QUARANTINE + "/", ".index-")) and rel != INDEX_NAME:
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

    @property
    def clean(self) -> bool:
        return not (self.mismatched or self.missing or self.unindexed)


def scrub(root: Path, *, record_new: bool = False, quarantine: bool = False) -> ScrubReport:
    root = Path(root)
    index = load_index(root)
    report = ScrubReport()
    present = _files(root) if root.exists() else []
    for rel in present:
        if rel not in index:
            if record_new:
                report.recorded.append(rel)
            else:
                report.unindexed.append(rel)
    for rel, entry in sorted(index.items()):
        path = root / rel
        if not path.is_file():
            report.missing.append(rel)
            continue
        report.checked += 1
        if sha256_of(path) == entry["sha256"]:
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
        "evidence scrub: %d mismatched, %d missing, %d unindexed",
        len(report.mismatched),
        len(report.missing),
        len(report.unindexed),
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
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options["root"] or settings.MEDIA_ROOT)
        report = scrub(root, record_new=options["record"], quarantine=options["quarantine"])
        _alert(report)
        if options["json"]:
            self.stdout.write(json.dumps({**asdict(report), "clean": report.clean}, indent=2))
        else:
            self.stdout.write(
                f"{report.checked} files checked, {report.ok} intact, {len(report.recorded)} newly recorded"
            )
            for kind in ("mismatched", "missing", "unindexed", "quarantined"):
                for rel in getattr(report, kind):
                    self.stdout.write(f"{kind.upper()}: {rel}")
        if not report.clean:
            raise CommandError("evidence files do not match their recorded digests")
