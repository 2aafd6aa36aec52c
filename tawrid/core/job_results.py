"""A job's result as a person reads it: translated labels instead of the keys its function returned, values
made readable by the kind that knows them (an import's status as its label), internal ids left out."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from tawrid.core.models import Job

RESULT_LABELS: dict[str, Any] = {
    "status": _("Status"),
    "rows": _("Rows read"),
    "valid": _("Valid rows"),
    "invalid": _("Rows in error"),
    "created": _("Created"),
    "updated": _("Updated"),
    "unchanged": _("Unchanged"),
    "deleted": _("Deleted"),
    "year": _("Year"),
    "lines": _("Lines matched"),
    "covered": _("Quantity covered"),
    "demand": _("Quantity asked"),
    "embedded": _("Products embedded"),
    "reminders": _("Reminders sent"),
    "expired_certificates": _("Certificates expired"),
    "flows": _("Trade flows"),
    "groups": _("Groups"),
    "pages": _("Pages"),
    "size": _("Size (bytes)"),
    "skipped": _("Skipped"),
}
# Ids a job keeps for its own use (the page links to the object itself): not for the reader.
HIDDEN_KEYS = frozenset({"run_id", "chunk_id", "dataset_id", "snapshot_id", "report_id"})

_FORMATTERS: dict[str, dict[str, Callable[[Any], Any]]] = {}


def register_result_values(kind: str, **formatters: Callable[[Any], Any]) -> None:
    """Let a kind say how some values of its result read (e.g. `status=lambda v: ImportStatus(v).label`)."""
    _FORMATTERS.setdefault(kind, {}).update(formatters)


def result_items(job: Job) -> list[tuple[Any, Any]]:
    """(label, value) of each entry of the job's result, in its order."""
    formatters = _FORMATTERS.get(job.kind, {})
    items = []
    for key, value in (job.result or {}).items():
        if key in HIDDEN_KEYS:
            continue
        label = RESULT_LABELS.get(key) or key.replace("_", " ").capitalize()
        if key in formatters:
            # a value the kind no longer knows is shown as it was stored
            with contextlib.suppress(ValueError, KeyError, TypeError):
                value = formatters[key](value)
        items.append((label, value))
    return items
