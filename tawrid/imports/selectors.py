"""Reads of the imports app, always through the permission policies."""

from typing import Any

from django.db.models import QuerySet

from tawrid.core import permissions
from tawrid.core.permissions import Actor
from tawrid.imports.models import ImportRowError, ImportRun


def import_run_list(
    *, actor: Actor, kind: str | None = None, organisation_id: int | None = None
) -> QuerySet[ImportRun]:
    runs = permissions.visible(actor, ImportRun.objects.select_related("organisation", "created_by", "job"))
    if kind:
        runs = runs.filter(kind=kind)
    if organisation_id:
        runs = runs.filter(organisation_id=organisation_id)
    return runs.order_by("-created_at", "-pk")


def import_run_get(*, actor: Actor, run_id: Any) -> ImportRun:
    return permissions.get_visible_or_404(
        actor, ImportRun.objects.select_related("organisation", "created_by", "job"), pk=run_id
    )


def import_run_errors(*, actor: Actor, run: ImportRun, limit: int | None = 200) -> list[ImportRowError]:
    errors = permissions.visible(actor, ImportRowError.objects.filter(run=run)).order_by("row_number", "pk")
    return list(errors[:limit] if limit else errors)
