"""Files attached to documents (7.5) and kept as evidence of incidents, nonconformities and audit
findings.

Stored safely: a size limit (`AIMS_MAX_UPLOAD_BYTES`), the type read from the file's first bytes and
checked against an allow-list and against the name's extension (no HTML, SVG, scripts or programs),
a server-generated storage name, a cleaned download name, and the SHA-256 kept on the row and in the
owner's audit entry. Downloads answer `Content-Disposition: attachment` with `nosniff` and a sandbox
policy, so a file is never shown as a page of AIMS. Permissions are the owner's: `view` to list and
download, `change` to attach and remove; another organization's file is not found."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core.actors import Actor
from aims.core.models import AuditEvent

from .models import ATTACHABLE, Attachment

# Content types we accept, by extension: (content type, how to recognise the first bytes).
ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
    "odt": ("application/vnd.oasis.opendocument.text", (ZIP,)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (ZIP,)),
    "zip": ("application/zip", (ZIP,)),
    "doc": ("application/msword", (OLE,)),
    "xls": ("application/vnd.ms-excel", (OLE,)),
}
TEXT: dict[str, str] = {
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
    "log": "text/plain",
}
# Text a browser would run or render as a page, whatever the name says.
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)", re.IGNORECASE)
SNIFF_BYTES = 4096


def allowed_extensions() -> list[str]:
    return sorted({*BINARY, *TEXT})


def safe_filename(name: str) -> str:
    """The uploader's name reduced to a harmless one: last path part, no control characters, only
    letters, digits, dot, dash and underscore, at most 150 characters, the extension kept."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    try:
        cleaned = get_valid_filename(base)
    except Exception:  # Django refuses names that clean to nothing or to "." / ".."
        cleaned = ""
    if not cleaned:
        return "file"
    path = PurePosixPath(cleaned)
    suffix = path.suffix[:10]
    return path.stem[: 150 - len(suffix)] + suffix


def sniff(head: bytes, filename: str) -> str:
    """The content type of a file from its first bytes, provided its extension says the same; else a
    ValidationError on `file`."""
    ext = PurePosixPath(filename).suffix.lower().lstrip(".")
    if ext in BINARY:
        content_type, magics = BINARY[ext]
        if any(head.startswith(m) for m in magics):
            return content_type
        raise ValidationError({"file": _("The file's content is not a .%(ext)s file.") % {"ext": ext}})
    if ext in TEXT:
        if b"\x00" in head or MARKUP.search(head):
            raise ValidationError(
                {"file": _("The file's content is not plain text (markup and binary data are refused).")}
            )
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # a multi-byte character cut at the end of the sample is fine
            if exc.start < len(head) - 4:
                raise ValidationError({"file": _("A text file must be UTF-8.")}) from exc
        return TEXT[ext]
    raise ValidationError(
        {
            "file": _("Files of this type are not accepted. Accepted: %(list)s.")
            % {"list": ", ".join(allowed_extensions())}
        }
    )


def owner_model(owner_type: str) -> type[models.Model]:
    label = ATTACHABLE.get(owner_type)
    if label is None:
        raise Http404
    try:
        return apps.get_model(label)
    except LookupError as exc:
        raise Http404 from exc


def get_owner(actor: Actor, owner_type: str, owner_id: Any) -> Any:
    """The record in the actor's organization (needs its `view` right); another organization's is 404."""
    model = owner_model(owner_type)
    obj = model.objects.for_actor(actor).filter(pk=owner_id).first() if str(owner_id).isdigit() else None  # type: ignore[attr-defined]
    if obj is None:
        raise Http404
    return obj


def owner_url(owner: Any) -> str:
    if hasattr(owner, "get_absolute_url"):
        return str(owner.get_absolute_url())
    return str(owner.audit.get_absolute_url())  # a finding shows on its audit's page


def _owner_type(owner: Any) -> str:
    owner_type = getattr(owner, "object_type", "")
    if owner_type not in ATTACHABLE:
        raise ValidationError({"owner": _("This kind of record does not take attachments.")})
    return str(owner_type)


def for_owner(actor: Actor, owner: Any) -> models.QuerySet[Attachment]:
    owner_type = _owner_type(owner)
    actor.require(owner_type, "view")
    return Attachment.objects.filter(
        organization=actor.organization, owner_type=owner_type, owner_id=owner.pk
    ).select_related("created_by")


def for_owners(actor: Actor, owner_type: str, ids: Iterable[int]) -> dict[int, list[Attachment]]:
    """Attachments of several records of one kind, in one query: {owner id: [attachments]}."""
    actor.require(owner_type, "view")
    found: dict[int, list[Attachment]] = {}
    for a in Attachment.objects.filter(
        organization=actor.organization, owner_type=owner_type, owner_id__in=list(ids)
    ):
        found.setdefault(a.owner_id, []).append(a)
    return found


def attach(actor: Actor, owner: Any, upload: Any, *, description: str = "") -> Attachment:
    """Keep an uploaded file with a record: the owner's `change` right, the checks above, and one audit
    entry on the owner (file name, type, size and SHA-256), in one transaction."""
    owner_type = _owner_type(owner)
    actor.require(owner_type, "change")
    if owner.organization_id != actor.organization.pk:
        raise Http404
    if upload is None:
        raise ValidationError({"file": _("Choose a file to attach.")})
    limit = settings.AIMS_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than the %(n)s MB limit.") % {"n": limit // 2**20}}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    filename = safe_filename(getattr(upload, "name", "") or "")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    content_type = sniff(head, filename)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        organization=actor.organization,
        created_by=actor.user,
        owner_type=owner_type,
        owner_id=owner.pk,
        filename=filename,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        description=str(description or "")[:300],
    )
    with transaction.atomic():
        attachment.file.save(filename, upload, save=False)
        stored = attachment.file.name
        try:
            attachment.full_clean()
            attachment.save()
            audit.record(
                actor,
                AuditEvent.Action.UPDATE,
                obj=owner,
                changes={"attachment": [None, {"id": attachment.pk, **attachment.summary()}]},
            )
        except BaseException:
            attachment.file.storage.delete(stored)
            raise
    return attachment


def remove(actor: Actor, attachment: Attachment) -> None:
    """Remove an attachment: the owner's `change` right; the audit entry on the owner keeps what it was.
    The stored file goes once the transaction commits."""
    owner = get_owner(actor, attachment.owner_type, attachment.owner_id)
    actor.require(attachment.owner_type, "change")
    name, storage = attachment.file.name, attachment.file.storage
    with transaction.atomic():
        audit.record(
            actor,
            AuditEvent.Action.UPDATE,
            obj=owner,
            changes={"attachment": [{"id": attachment.pk, **attachment.summary()}, None]},
        )
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


def get_attachment(actor: Actor, pk: Any) -> Attachment:
    """An attachment the actor may see: in their organization, with the owner's `view` right."""
    attachment = (
        Attachment.objects.filter(organization=actor.organization, pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if attachment is None:
        raise Http404
    get_owner(actor, attachment.owner_type, attachment.owner_id)  # the owner still exists and is visible
    return attachment


def download_response(attachment: Attachment) -> Any:
    """The file, always as a download: never rendered by the browser, never sniffed into HTML."""
    from django.http import FileResponse

    if not attachment.file:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
