"""Who sees and changes what in the insights (pages, API, exports and the admin site use these rules).

- Figures (snapshots, per-group figures), the crosswalk and exchange rates are aggregates or reference data:
  every signed-in person reads them; the cluster secretariat's writers (and the operator) change them,
  through the services.
- Trade data sets: the secretariat and the operator see all of them, with their problems; others see the
  loaded ones (their name, source and years), which the pages cite.
- Reports: the quarterly cluster report is for the secretariat and the ministries (industry, health); an
  opportunity report is for every signed-in person (investors and start-ups first). Buyers' names never
  appear in a report unless their plan discloses them.
- Figures of one organisation (a buyer's demand and orders, a manufacturer's products and sales): the people
  who may read that organisation (its own, the secretariat overseeing it, the operator). Nobody changes them:
  the snapshot job writes them.
- Dashboards: a buyer's or a manufacturer's, for those who may read the organisation; the secretariat's (every
  member buyer and manufacturer) for the secretariat; the industry and certification one for the Ministry of
  Industry, IMANOR and the secretariat; the health one for the Ministry of Health / DMP and the secretariat.
  The ministries' dashboards show aggregates per EMDN group, never one buyer's figures.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tawrid.core import permissions
from tawrid.core.permissions import Actor

REPORT_READER_KINDS = ("cluster", "ministry_industry", "ministry_health")
DASHBOARD_KINDS = {
    "cluster": ("cluster",),
    "industry": ("cluster", "ministry_industry", "imanor"),
    "health": ("cluster", "ministry_health"),
}


def can_manage(actor: Actor) -> bool:
    return actor.is_superuser or bool(actor.org_ids_of_kind("cluster", writable=True))


def can_read_quarterly_reports(actor: Actor) -> bool:
    return actor.is_superuser or actor.has_kind(*REPORT_READER_KINDS)


def can_open_dashboard(actor: Actor, dashboard: str) -> bool:
    """The national dashboards: "cluster", "industry" or "health" (see the module's rules)."""
    return actor.is_superuser or actor.has_kind(*DASHBOARD_KINDS.get(dashboard, ()))


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


def _organisation_figures(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    return queryset.filter(organisation_id__in=actor.readable_org_ids)


def _nobody_changes(actor: Actor, obj: Any) -> bool:
    return False


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
        OrganisationFigures,
        OrganisationYearFigures,
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
    organisation_figures = permissions.Custom(_organisation_figures, _nobody_changes)
    permissions.register(OrganisationFigures, organisation_figures)
    permissions.register(OrganisationYearFigures, organisation_figures)
