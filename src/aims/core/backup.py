"""Backups that can be restored: the database and the evidence files, in one archive with a
manifest of digests, checked on restore.

- SQLite: the online backup API (consistent while the server runs; never `cp` a live database),
  then PRAGMA integrity_check on the copy.
- PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --clean --if-exists`.
- Files under MEDIA_ROOT go into the archive with their SHA-256; restore verifies every digest.
After a restore the audit chain is verified (`aims.core.audit.verify`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

from .storage import is_partial

FORMAT = "aims-backup/1"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _db() -> dict[str, Any]:
    return settings.DATABASES["default"]


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict[str, Any]) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def create(output: Path) -> dict[str, Any]:
    """Write a backup archive (.tar.gz) to `output`; returns its manifest."""
    from .models import AuditChainHead

    db = _db()
    head = AuditChainHead.objects.filter(pk=1).first()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": connection.vendor,
        "audit_size": head.size if head else 0,
        "audit_head": head.last_hash if head else "",
        "files": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if connection.vendor == "sqlite":
            dump = work / "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            with target:
                connection.connection.backup(target)
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
            target.close()
            if check != "ok":
                raise RuntimeError(f"the database copy failed its integrity check: {check}")
        elif connection.vendor == "postgresql":
            dump = work / "database.pgdump"
            subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(dump),
                    *_pg_args(db),
                    str(db["NAME"]),
                ],
                check=True,
                env=_pg_env(db),
            )
        else:
            raise RuntimeError(f"backups of {connection.vendor} databases are not supported")
        manifest["database"] = {"name": dump.name, "sha256": _sha256(dump)}
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(output, "w:gz") as tar:
            tar.add(dump, arcname=dump.name)
            if media.exists():
                for path in sorted(p for p in media.rglob("*") if p.is_file()):
                    rel = path.relative_to(media).as_posix()
                    if is_partial(rel):  # an upload being written (or a crash's leftover)
                        continue
                    manifest["files"][rel] = _sha256(path)
                    tar.add(path, arcname=f"media/{rel}")
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return manifest


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Refuse absolute paths, '..' and links: an archive must not write outside its folder."""
    members = []
    for m in tar.getmembers():
        if m.name.startswith("/") or ".." in Path(m.name).parts or not (m.isfile() or m.isdir()):
            raise ValueError(f"unsafe entry in the archive: {m.name}")
        members.append(m)
    return members


def restore(archive: Path) -> dict[str, Any]:
    """Replace the database and evidence files with the archive's, verifying every digest first.
    Stop the web server and workers before restoring."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, members=_safe_members(tar), filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise ValueError("not an AIMS backup (unknown format)")
        if manifest["vendor"] != connection.vendor:
            raise ValueError(
                f"this backup is of a {manifest['vendor']} database; the configured one is {connection.vendor}"
            )
        dump = work / manifest["database"]["name"]
        if _sha256(dump) != manifest["database"]["sha256"]:
            raise ValueError("the database file in the archive does not match its digest")
        for rel, digest in manifest["files"].items():
            if _sha256(work / "media" / rel) != digest:
                raise ValueError(f"evidence file {rel} in the archive does not match its digest")
        db = _db()
        if connection.vendor == "sqlite":
            connections.close_all()
            source = sqlite3.connect(dump)
            target = sqlite3.connect(db["NAME"])
            with target:
                source.backup(target)
            source.close()
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
            target.close()
            if check != "ok":
                raise RuntimeError(f"the restored database failed its integrity check: {check}")
        else:
            connections.close_all()
            subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    str(db["NAME"]),
                    *_pg_args(db),
                    str(dump),
                ],
                check=True,
                env=_pg_env(db),
            )
        media = Path(settings.MEDIA_ROOT)
        if (work / "media").exists():
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(work / "media", media)
    from .audit import verify

    result = verify()
    manifest["audit_ok"] = result.ok
    manifest["audit_reason"] = result.reason
    return manifest
