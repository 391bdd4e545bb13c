"""Crash safety of uploads (reference §4 "Crash during evidence upload"; ASVS 2.3.3, 12.1): client
threads upload files of 4 KB to 4 MB of random bytes as document attachments to `python -m aims serve`
on a throw-away SQLite var directory, and the server is killed (`kill -9`) at a random moment, so a
kill lands in the middle of a request body, of the upload handler's temp file, of the stored file's
write or between the file and its row's commit; then it restarts, and again.

After every kill, what the dead process left (temp files, orphans) must be gone once the restarted
server listens (`aims.core.storage.sweep` at start). At the end: every upload acknowledged with a 201
has its row, and the stored bytes' SHA-256 equals the one the client computed and the row records;
every row has its complete file and every stored file has its row (no partial or orphan file under
MEDIA_ROOT, nothing left in the upload temp folder); `PRAGMA integrity_check` says ok (amcheck over
every index when the suite runs on PostgreSQL: the server then uses a fresh PostgreSQL database),
`aims scrub` and `aims audit verify` exit 0.

20 kills per run of the suite (per database in its two passes), marked `slow`: `-m "not slow"` leaves
them out of a quick local run, and `AIMS_CRASH_KILLS=5` shortens them."""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import random
import shutil
import threading
import uuid
from pathlib import Path

import pytest

from aims.core.storage import is_managed, is_partial

from .conftest import (
    CrashInstance,
    aims,
    crash_database,
    crash_instance,
    free_port,
    kill_repeatedly,
    running_server,
)

UPLOADERS = 3
MIN_SIZE, MAX_SIZE = 4 * 1024, 4 * 1024 * 1024


def _request(port: int, token: str, method: str, path: str, body: bytes = b"", content_type: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        if content_type:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n'.encode(),
            b"kill -9 during upload\r\n",
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'.encode(),
            b"Content-Type: application/pdf\r\n\r\n",
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return body, f"multipart/form-data; boundary={boundary}"


def _media_files(var: Path) -> list[str]:
    media = var / "media"
    if not media.exists():
        return []
    return sorted(
        p.relative_to(media).as_posix()
        for p in media.rglob("*")
        if p.is_file() and not p.relative_to(media).as_posix().startswith(".quarantine/")
    )


def _rows(instance: CrashInstance) -> dict[str, tuple[int, str, int]]:
    """{stored name: (id, sha256, size)} of every attachment row."""
    return {
        name: (pk, sha, size)
        for pk, name, sha, size in instance.rows("SELECT id, file, sha256, size FROM governance_attachment")
    }


def _leftovers(instance: CrashInstance) -> dict[str, list[str]]:
    """What a dead server left: partial files under MEDIA_ROOT, spooled uploads, files without a row."""
    var = instance.var
    rows = _rows(instance)
    files = _media_files(var)
    spool = var / "tmp" / "uploads"
    return {
        "partial": [f for f in files if is_partial(f)],
        "spooled": sorted(str(p) for p in spool.iterdir()) if spool.exists() else [],
        "orphans": [f for f in files if is_managed(f) and f not in rows],
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(tmp_path, kills: int) -> None:
    with crash_database() as url:
        # Grace 0: one server runs at a time, so whatever is there at start is a crash's leftover.
        _run_on(crash_instance(tmp_path, url, AIMS_UPLOAD_SWEEP_GRACE_SECONDS="0"), kills)


def _run_on(instance: CrashInstance, kills: int) -> None:
    env, var, token = instance.env, instance.var, instance.token
    acknowledged: dict[int, tuple[str, int]] = {}  # attachment id -> (client's sha256, size)
    refused: list[str] = []
    lock = threading.Lock()
    seed = int(os.environ.get("AIMS_CRASH_SEED", "7"))
    rng = random.Random(seed)
    document: dict[str, str] = {}
    seen: dict[str, set[str]] = {"partial": set(), "spooled": set(), "orphans": set()}  # all kills
    pending: dict[str, list[str]] = {}

    def uploader(run: int, u: int, port: int, stop: threading.Event) -> None:
        own = random.Random(f"{seed}-{run}-{u}")
        i = 0
        while not stop.is_set():
            size = int(math.exp(own.uniform(math.log(MIN_SIZE), math.log(MAX_SIZE))))
            data = b"%PDF-1.7\n" + own.randbytes(size)
            body, content_type = _multipart(f"crash-r{run}-u{u}-n{i}.pdf", data)
            i += 1
            try:
                status, answer = _request(
                    port,
                    token,
                    "POST",
                    f"/api/v1/documents/{document['key']}/attachments",
                    body,
                    content_type,
                )
            except (OSError, http.client.HTTPException):
                return  # the server is gone: this upload was never acknowledged
            if status == 201:
                got = json.loads(answer)
                with lock:
                    acknowledged[got["id"]] = (hashlib.sha256(data).hexdigest(), len(data))
                    if got["sha256"] != acknowledged[got["id"]][0] or got["size"] != len(data):
                        refused.append(f"#{got['id']} acknowledged with another digest or size")
            else:
                with lock:
                    refused.append(f"{status}: {answer[:200]!r}")

    def before_start(run: int) -> None:
        pending.clear()
        if run:
            pending.update(_leftovers(instance))
            for kind, names in pending.items():
                seen[kind].update(names)

    def after_start(run: int, port: int) -> None:
        if run == 0:
            status, answer = _request(port, token, "POST", "/api/v1/documents/ai-policy-template")
            assert status == 201, answer
            document["key"] = str(json.loads(answer)["id"])
        still = [n for names in pending.values() for n in names if (var / "media" / n).exists()]
        assert not still, f"left by the kill before run {run} and not swept at start: {still}"

    kill_repeatedly(
        env, kills, uploader, clients=UPLOADERS, rng=rng, before_start=before_start, after_start=after_start
    )
    assert len(acknowledged) >= kills, "the uploaders never got an answer: the test proved nothing"
    assert not refused, f"uploads refused or acknowledged wrongly: {refused[:5]}"

    # What the last kill left goes when the server next starts.
    before_start(kills)
    with running_server(env, free_port()):
        pass
    after = _leftovers(instance)
    assert not any(after.values()), f"not swept at start: {after}"

    rows = _rows(instance)
    by_id = {pk: (name, sha, size) for name, (pk, sha, size) in rows.items()}
    lost = sorted(set(acknowledged) - set(by_id))
    assert not lost, f"{len(lost)} acknowledged uploads lost of {len(acknowledged)}: {lost[:10]}"
    for pk, (digest, size) in acknowledged.items():
        assert by_id[pk][1:] == (digest, size), f"attachment #{pk}: the row does not record what was sent"
    media = var / "media"
    for name, (pk, sha, size) in rows.items():  # acknowledged or not: a row has its whole file
        path = media / name
        assert path.is_file(), f"attachment #{pk} has no file"
        assert path.stat().st_size == size and _sha256(path) == sha, f"attachment #{pk}: file differs"
    stored = set(_media_files(var)) - {".sha256-index.json"}
    assert stored == set(rows), f"files without a row: {sorted(stored - set(rows))[:10]}"
    assert instance.integrity_problems() == []
    scrub = aims(env, "scrub", "--json", check=False)
    assert scrub.returncode == 0, scrub.stdout + scrub.stderr
    verify = aims(env, "audit", "verify", check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    shutil.rmtree(media)  # up to a GiB of random bytes: not kept in pytest's last three temp folders
    print(
        f"{'PostgreSQL' if instance.database_url else 'SQLite'}: "
        f"{kills} kills, {len(acknowledged)} acknowledged uploads "
        f"({sum(s for _d, s in acknowledged.values()) / 2**20:.0f} MiB), {len(rows)} rows, 0 lost; "
        f"swept at restart: {len(seen['partial'])} partial, {len(seen['spooled'])} spooled, "
        f"{len(seen['orphans'])} orphan files; integrity ok, scrub ok, audit chain ok"
    )


@pytest.mark.slow
def test_no_acknowledged_upload_is_lost_or_left_partial_over_twenty_kills(tmp_path):
    _run(tmp_path, kills=int(os.environ.get("AIMS_CRASH_KILLS", "20")))
