"""Signed checkpoints of the audit chain, in the C2SP signed-note form that transparency logs use:

    <origin>
    <size>
    <base64 head hash>

    — <origin> <base64(key id || Ed25519 signature)>

A hash chain alone cannot reveal a truncated tail or a chain recomputed from scratch by someone with
write access to the database. A checkpoint kept outside it (by the auditor, in a ticket, in a
mailbox) can: `aims audit verify --checkpoint FILE` checks that the chain still holds the entry the
checkpoint names with the same hash. The signing key lives in a file outside the database
(AIMS_CHECKPOINT_KEY_FILE, generated under var/ on first use); keep a copy of the public key with
the checkpoints.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from .audit import GENESIS
from .models import AuditChainHead, AuditEvent

ORIGIN_DEFAULT = "aims.audit"


def origin() -> str:
    return os.environ.get("AIMS_CHECKPOINT_ORIGIN", ORIGIN_DEFAULT)


def key_path() -> Path:
    return Path(os.environ.get("AIMS_CHECKPOINT_KEY_FILE", Path(settings.VAR_DIR) / "checkpoint_ed25519.pem"))


def load_key() -> Ed25519PrivateKey:
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return loaded


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _key_id(name: str, public_raw: bytes) -> bytes:
    # As in C2SP signed notes: first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
    return hashlib.sha256(name.encode() + b"\n\x01" + public_raw).digest()[:4]


def make() -> str:
    """A signed checkpoint of the chain as it is now."""
    head = AuditChainHead.objects.filter(pk=1).first()
    size, last = (head.size, head.last_hash) if head else (0, GENESIS)
    name = origin()
    body = f"{name}\n{size}\n{base64.b64encode(bytes.fromhex(last)).decode()}\n"
    key = load_key()
    public_raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    signature = key.sign(body.encode())
    return body + "\n" + f"— {name} {base64.b64encode(_key_id(name, public_raw) + signature).decode()}\n"


@dataclass
class Checkpoint:
    origin: str
    size: int
    head_hash: str


def parse_and_check(text: str, public_key: Ed25519PublicKey | None = None) -> Checkpoint:
    """Parse a checkpoint and verify its signature (with our key unless another is given)."""
    try:
        body, _, signatures = text.partition("\n\n")
        name, size, head_b64 = body.split("\n")[:3]
        body_text = f"{name}\n{size}\n{head_b64}\n"
        line = next(s for s in signatures.splitlines() if s.startswith("— "))
        _, sig_name, sig_b64 = line.split(" ")
        blob = base64.b64decode(sig_b64)
    except (ValueError, StopIteration) as exc:
        raise ValueError(
            "not a checkpoint file (expected origin, size, hash, blank line, signature)"
        ) from exc
    key = public_key or load_key().public_key()
    public_raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if sig_name != name or blob[:4] != _key_id(name, public_raw):
        raise ValueError("the checkpoint was signed by another key")
    try:
        key.verify(blob[4:], body_text.encode())
    except InvalidSignature as exc:
        raise ValueError("the checkpoint's signature does not match its content") from exc
    return Checkpoint(origin=name, size=int(size), head_hash=base64.b64decode(head_b64).hex())


def compare(checkpoint: Checkpoint) -> str | None:
    """None when the chain still contains the checkpointed state, else the reason it does not."""
    if checkpoint.size == 0:
        return None
    entry = AuditEvent.objects.filter(pk=checkpoint.size).only("hash").first()
    head = AuditChainHead.objects.filter(pk=1).first()
    if entry is None or head is None or head.size < checkpoint.size:
        return f"the chain is shorter than the checkpoint ({head.size if head else 0} < {checkpoint.size} entries): truncated"
    if entry.hash != checkpoint.head_hash:
        return f"entry #{checkpoint.size} differs from the checkpoint: the chain was rewritten"
    return None
