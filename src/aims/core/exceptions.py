"""Errors that services raise and every door (UI, API, CLI) turns into a clear answer."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class PreconditionFailed(Exception):
    """The object changed since the client read it (stale If-Match ETag or form version)."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"the record was changed by someone else (now at version {current_version})")
        self.current_version = current_version


def error_dict(exc: ValidationError) -> dict[str, list[str]]:
    """{field: [messages]} from any ValidationError, with '__all__' for errors not tied to one field."""
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for e in errors for m in e.messages] for key, errors in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}
