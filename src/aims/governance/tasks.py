"""Governance has no background work of its own: document reviews, approvals, training expiry and
acknowledgements become tasks through `aims.assurance.tasks.daily` (see governance.services.due_items)."""
