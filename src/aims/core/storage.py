"""Crash-safe storage of uploaded files (attachments, control evidence, gate evidence).

A file is written to a temporary `.part-…` file in its final folder, flushed and fsynced, then
published under its final name in one atomic step (a hard link, which never replaces an existing
file) and the folder is fsynced. So a crash (`kill -9`, power loss) leaves either the whole file under
its name or a `.part-…` file, never a short file under a name a row points to; and the file is on
disk before the transaction that records its row commits.

What a crash can leave behind is swept (`sweep`): `.part-…` files, files of the upload handler's
temporary folder (`FILE_UPLOAD_TEMP_DIR`), and orphans: complete files with a server-generated name
(`<area>/<organization id>/<32 hex>`) that no row refers to (the process died after the file was
published but before its row committed, or after a row was deleted but before its file was). Only
files older than `AIMS_UPLOAD_SWEEP_GRACE_SECONDS` are touched, so uploads in progress in another
process are left alone. The WSGI application sweeps when it loads (`aims.wsgi`, whatever server
runs it); `aims scrub` reports what is left and `aims scrub --sweep` removes it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage

PART_PREFIX = ".part-"
# The names AIMS gives uploaded files (see each model's upload_to): area/organization id/uuid4 hex,
# with the suffix Django adds if the name was taken.
MANAGED_NAME = re.compile(r"^[a-z_]+/\d+/[0-9a-f]{32}(?:_[A-Za-z0-9]{7})?$")
QUARANTINE = ".quarantine"  # where `aims scrub --quarantine` moves mismatching files
INDEX_NAME = ".sha256-index.json"  # `aims scrub`'s digests of files not uploaded through AIMS
INDEX_TEMP = re.compile(r"^\.index-[^/]*\.tmp$")  # left by a crash in `aims scrub`'s index write
log = logging.getLogger("aims.storage")


def fsync_dir(path: str | os.PathLike[str]) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def makedirs_durable(directory: str, mode: int | None = None) -> None:
    """`os.makedirs`, then fsync the parent of every folder it created (a new folder's entry is
    otherwise not on disk before the file inside it is)."""
    missing = []
    path = os.path.abspath(directory)
    while not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    if not missing:
        return
    try:
        if mode is None:
            os.makedirs(directory, exist_ok=True)
        else:
            from django.core.files.storage.filesystem import safe_makedirs

            safe_makedirs(directory, mode, exist_ok=True)
    except FileExistsError as exc:
        raise FileExistsError(f"{directory} exists and is not a directory.") from exc
    for created in reversed(missing):
        fsync_dir(os.path.dirname(created))


class DurableFileSystemStorage(FileSystemStorage):
    """`FileSystemStorage` whose `_save` writes a temp file in the same folder, fsyncs it and
    publishes it atomically under its final name (see the module's docstring)."""

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        makedirs_durable(directory, self.directory_permissions_mode)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=PART_PREFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in content.chunks():
                    f.write(chunk.encode() if isinstance(chunk, str) else chunk)
                f.flush()
                os.fsync(f.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(tmp, self.file_permissions_mode)
            while True:
                try:
                    self._publish(tmp, full_path)
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
                else:
                    break
        finally:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        fsync_dir(os.path.dirname(full_path))
        self._ensure_location_group_id(full_path)
        return os.path.relpath(full_path, self.location).replace("\\", "/")

    def _publish(self, tmp: str, full_path: str) -> None:
        """Make the complete temp file visible under its final name in one step."""
        if getattr(self, "_allow_overwrite", False):
            os.replace(tmp, full_path)
            return
        try:
            os.link(tmp, full_path)  # atomic, and fails if the name is taken
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: rename (the name was checked free)
            if os.path.lexists(full_path):
                raise FileExistsError(full_path) from None
            os.replace(tmp, full_path)


# --- what a crash leaves behind ---------------------------------------------------------------------


def recorded_files() -> dict[str, dict[str, Any]]:
    """Every stored file a row refers to: {name: {"model", "pk", "sha256", "size"}} (digest and size
    when the model records them)."""
    from django.apps import apps
    from django.db import models

    found: dict[str, dict[str, Any]] = {}
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.FileField):
                continue
            extra = [n for n in ("sha256", "size") if n in names]
            rows = model._base_manager.exclude(**{f.name: ""}).exclude(**{f"{f.name}__isnull": True})
            for pk, name, *values in rows.values_list("pk", f.name, *extra).iterator():
                found[str(name)] = {
                    "model": model._meta.label,
                    "pk": pk,
                    **dict(zip(extra, values, strict=True)),
                }
    return found


def is_partial(rel: str) -> bool:
    return Path(rel).name.startswith(PART_PREFIX) or bool(INDEX_TEMP.match(rel))


def is_managed(rel: str) -> bool:
    return bool(MANAGED_NAME.match(rel))


def _legacy_index(root: Path) -> set[str]:
    try:
        return set(json.loads((root / INDEX_NAME).read_text()))
    except (OSError, ValueError):
        return set()


@dataclass
class SweepReport:
    partial: list[str] = field(default_factory=list)  # temp files of interrupted writes
    orphans: list[str] = field(default_factory=list)  # complete files no row refers to
    removed: bool = False

    @property
    def found(self) -> bool:
        return bool(self.partial or self.orphans)


def sweep(
    root: Path | str | None = None,
    *,
    referenced: set[str] | None,
    grace: float | None = None,
    remove: bool = True,
    upload_tmp: Path | str | None = None,
) -> SweepReport:
    """Find (and with `remove`, delete) what interrupted uploads left under `root` (MEDIA_ROOT) and in
    `upload_tmp` (FILE_UPLOAD_TEMP_DIR), ignoring anything modified less than `grace` seconds ago.
    `referenced=None` means the rows could not be read: orphans are then neither looked for nor
    removed (a file is never deleted unless it is known that no row needs it)."""
    root = Path(root if root is not None else settings.MEDIA_ROOT)
    if grace is None:
        grace = float(settings.AIMS_UPLOAD_SWEEP_GRACE_SECONDS)
    if upload_tmp is None:
        upload_tmp = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    cutoff = time.time() - grace
    report = SweepReport(removed=remove)
    legacy = _legacy_index(root)
    victims: list[Path] = []

    def old(path: Path) -> bool:
        try:
            return path.stat().st_mtime <= cutoff
        except FileNotFoundError:
            return False

    if root.is_dir():
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if rel.startswith(QUARANTINE + "/") or not path.is_file() or path.is_symlink():
                continue
            if is_partial(rel):
                if old(path):
                    report.partial.append(rel)
                    victims.append(path)
            elif (
                referenced is not None
                and is_managed(rel)
                and rel not in referenced
                and rel not in legacy
                and old(path)
            ):
                report.orphans.append(rel)
                victims.append(path)
    if upload_tmp and Path(upload_tmp).is_dir() and Path(upload_tmp).resolve() != root.resolve():
        for path in sorted(Path(upload_tmp).iterdir()):
            if path.is_file() and not path.is_symlink() and old(path):
                report.partial.append(str(path))
                victims.append(path)
    if remove:
        for path in victims:
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            log.warning("removed %s left by an interrupted upload", path)
    return report


def sweep_on_start() -> SweepReport:
    """What the WSGI application runs when it loads: remove what a crash left (older than the grace)."""
    from django.db import DatabaseError

    try:
        referenced: set[str] | None = set(recorded_files())
    except DatabaseError as exc:  # not migrated yet, or the database is down: orphans stay
        log.warning("upload sweep: the stored files' rows could not be read (%s); orphans kept", exc)
        referenced = None
    return sweep(referenced=referenced)
