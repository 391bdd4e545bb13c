"""Keep the shipped catalogs in the database: after every `migrate`, load new catalog files and
upgrade changed ones (idempotent: an unchanged file writes nothing)."""

from __future__ import annotations

from typing import Any


def load_catalogs_after_migrate(
    sender: Any, using: str = "default", verbosity: int = 1, **kwargs: Any
) -> None:
    from .loader import sync_catalogs
    from .services import review_catalog_change

    result = sync_catalogs(using=using)
    for change in result.changes:  # a new version of a shipped catalog: tasks to review what it touches
        review_catalog_change(change)
    if verbosity >= 1 and result.changed:
        print(f"  Compliance catalogs: {result.summary()}")
