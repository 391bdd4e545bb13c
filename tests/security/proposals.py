"""Code proposed for shared files (the lead applies it; see docs/security.md, "Changes to apply").

The tests import the applied version when it exists and fall back to the copy here, so they test
the behaviour now and keep passing once the code has moved:

- `document_error_responses`: for `AimsAPI.get_openapi_schema` in aims/core/api.py. The API answers
  400/401/403/404/412/422 from its exception handlers on every operation, but django-ninja only
  documents the responses an operation declares, so every error answer contradicted the document
  (schemathesis ST103 on 280 of 292 operations).
- `outage_response`, `server_error`, and the API handler in `install_api_handler`'s docstring: for
  aims/core/errors.py and aims/core/api.py: a database that cannot be reached answers a clean 503
  (JSON for the API, a static page that needs no database for the browser), without traceback,
  and the broken connections are closed so the next request after it is back succeeds.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

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


log = logging.getLogger("aims.outage")

OUTAGE_MESSAGE = "The database is not reachable at the moment. Try again in a minute."
OUTAGE_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>AIMS: temporarily unavailable</title>"
    "</head><body><h1>Temporarily unavailable</h1><p>" + OUTAGE_MESSAGE + "</p></body></html>"
)


def _is_outage(exc: BaseException) -> bool:
    """An error of the connection, not of a query: OperationalError / InterfaceError (connection
    refused, terminated, database missing, server shut down), and a 'database is locked' that
    outlived the busy timeout on SQLite. Integrity and programming errors are bugs and stay 500."""
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """Proposed aims.core.errors.server_error (handler500): every exception of a page ends here,
    including those raised in middleware (the session and user lookups of a page run in
    middleware, and Django turns their exceptions into this answer before any outer middleware
    could catch them, so a catching middleware would not see a database outage)."""
    import sys

    from django.shortcuts import render

    exc = sys.exc_info()[1]
    if exc is not None and _is_outage(exc):
        return outage_response(request, exc)
    return render(request, "500.html", {"request_id": getattr(request, "request_id", "")}, status=500)


def outage_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 answer; also what the API's exception handler returns (the API catches every
    exception itself, so a middleware alone never sees the API's database errors)."""
    log.error("database unavailable on %s %s: %s", request.method, request.path, type(exc).__name__)
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # noqa: S110 - the connection is already broken; closing is best effort
            pass
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": OUTAGE_MESSAGE, "request_id": getattr(request, "request_id", "")}, status=503
        )
    else:
        response = HttpResponse(OUTAGE_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def install_api_handler() -> None:
    """Test shim (outage_urls.py calls it): registers the API handler below unless aims/core/api.py
    has it already.
    Proposed for aims/core/api.py:

        from django.db import InterfaceError, OperationalError
        from .errors import outage_response

        @api.exception_handler(OperationalError)
        def on_database_unavailable(request, exc):
            return outage_response(request, exc)

        api.add_exception_handler(InterfaceError, on_database_unavailable)
    """
    from aims.core.api import api

    if OperationalError not in api._exception_handlers:
        api.add_exception_handler(OperationalError, outage_response)
        api.add_exception_handler(InterfaceError, outage_response)
