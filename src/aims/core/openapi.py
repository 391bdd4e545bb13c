"""The error answers every operation can give, added to the OpenAPI document: the API answers
400/401/403/404/412/422 from its exception handlers on every operation, but django-ninja only
documents what an operation declares, and a client must be able to trust the document."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        "errors": {
            "type": "array",
            "description": "Per-field messages (422).",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "messages": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "version": {"type": "integer", "description": "The object's current version (412)."},
        "request_id": {"type": "string"},
    },
    "required": ["detail"],
}

_ALL = {
    "400": "The request body could not be read (not JSON, or not in the declared format).",
    "401": "No valid bearer token (or logged-in session) was sent.",
    "403": "Your role, or a read-only token, does not allow this.",
    "404": "Not found in your organization (another organization's object is never revealed).",
    "422": "Invalid input: `errors` lists the fields and their messages.",
    "503": "The database cannot be reached at the moment; retry later.",
}
_WRITES = {
    "412": "The object changed since you read it (`If-Match` no longer matches its ETag).",
    "413": "The upload or import is larger than the configured limit.",
}


def document_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers every operation can give to every operation of the document."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = dict(_ALL)
            if method in {"post", "put", "patch", "delete"}:
                codes.update(_WRITES)
            for code, description in codes.items():
                operation["responses"].setdefault(code, {"description": description, "content": ref})
    return schema
