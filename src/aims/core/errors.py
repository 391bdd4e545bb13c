"""Error pages, and the clean 503 answer when the database cannot be reached."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


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
    """handler500: every exception of a page ends here,
    including those raised in middleware (the session and user lookups of a page run in
    middleware, and Django turns their exceptions into this answer before any outer middleware
    could catch them, so a catching middleware would not see a database outage)."""
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
