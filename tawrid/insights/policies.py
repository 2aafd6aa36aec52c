"""Who sees and changes what in the insights (pages, API, exports and the admin site use these rules).

- Figures (snapshots, per-group figures), the crosswalk and exchange rates are aggregates or reference data:
  every signed-in person reads them; the cluster secretariat's writers (and the operator) change them,
  through the services.
- Trade data sets: the secretariat and the operator see all of them, with their problems; others see the
  loaded ones (their name, source and years), which the pages cite.
- Reports: the quarterly cluster report is for the secretariat and the ministries (industry, health); an
  opportunity report is for every signed-in person (investors and start-ups first). Buyers' names never
  appear in a report unless their plan discloses them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tawrid.core import permissions
from tawrid.core.permissions import Actor

REPORT_READER_KINDS = ("cluster", "ministry_industry", "ministry_health")


def can_manage(actor: Actor) -> bool:
    return actor.is_superuser or bool(actor.org_ids_of_kind("cluster", writable=True))


def can_read_quarterly_reports(actor: Actor) -> bool:
    return actor.is_superuser or actor.has_kind(*REPORT_READER_KINDS)


def _signed_in(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.none() if actor.is_anonymous else queryset


def _managers_change(actor: Actor, obj: Any) -> bool:
    return can_manage(actor)


def _datasets(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_anonymous:
        return queryset.none()
    return queryset if can_manage(actor) else queryset.filter(status="ready")


def _flows(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_anonymous:
        return queryset.none()
    return queryset if can_manage(actor) else queryset.filter(dataset__status="ready")


def _reports(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_anonymous:
        return queryset.none()
    if can_read_quarterly_reports(actor):
        return queryset
    return queryset.filter(Q(kind="opportunity") | Q(requested_by_id=actor.user_id))


def register() -> None:
    from tawrid.insights.models import (
        ExchangeRate,
        GroupFigures,
        GroupYearFigures,
        HsEmdnLink,
        IndicatorSnapshot,
        Report,
        TradeDataset,
        TradeFlow,
    )

    figures = permissions.Custom(_signed_in, _managers_change)
    for model in (IndicatorSnapshot, GroupFigures, GroupYearFigures, HsEmdnLink, ExchangeRate):
        permissions.register(model, figures)
    permissions.register(TradeDataset, permissions.Custom(_datasets, _managers_change))
    permissions.register(TradeFlow, permissions.Custom(_flows, _managers_change))
    permissions.register(Report, permissions.Custom(_reports, _managers_change))
