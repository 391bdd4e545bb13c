"""A real AIMS HTTP server for the SDK tests: Django's live-server thread (a WSGI server on a free
port of 127.0.0.1), sharing the test's database connection, so the test's personas and data are
there and everything is rolled back afterwards (the audit trail is append-only, which rules out
the flushing `live_server` fixture).

Works on SQLite and PostgreSQL. Django's live server closes the database connections of every
request thread when the request ends (`ThreadedWSGIServer.close_request`, and `close_old_connections`
on `request_started` / `request_finished`). SQLite's in-memory connection ignores `close()`, so the
shared connection survives there; a PostgreSQL connection would really close, rolling back the
test's transaction (its personas and data) in the middle of the test. While the server runs, the
shared connection's `close()` is therefore a no-op, as it is for in-memory SQLite; psycopg 3
connections may be used from several threads, and the test thread waits while the server thread
answers, so they never use it at the same time."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.test.utils import override_settings

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


@pytest.fixture
def aims_server(db):
    """The base URL of a running AIMS server (same database as the test)."""
    connection = connections["default"]
    connection.ensure_connection()
    connection.inc_thread_sharing()
    connection.close = lambda: None  # type: ignore[method-assign]  # see the module docstring
    thread = LiveServerThread(
        "127.0.0.1", _StaticFilesHandler, connections_override={"default": connection}, port=0
    )
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        del connection.close  # the class's close() again
        connection.dec_thread_sharing()
