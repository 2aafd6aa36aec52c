"""The PDF reports: what goes into them (read through the selectors) and their layout (templates extending
insights/report_base.html, laid out by WeasyPrint through `pdf.render_pdf`).

* The quarterly cluster report, for the ministries: national figures per year, the largest imports per EMDN
  group, local production and its regulatory state per EMDN category (certification, registration, label), the
  first opportunities, the data used, the definitions and the market context.
* The opportunity report, for investors: one EMDN group's score, imports (per year, origin and HS code), the
  buyers' demand, the local suppliers and what they miss.

Reports are written in the language asked for (French, Arabic right to left, or English) whatever the
language of the person who asked. Buyers are named in a report only when their plan discloses them: a report
is passed on, so it follows the rule of the least entitled reader."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tawrid.core.permissions import ANONYMOUS
from tawrid.insights import charts, dashboards, definitions, opportunities, pdf, selectors, visuals
from tawrid.insights.models import IndicatorSnapshot, Report, ReportKind

TOP_GROUPS = 15
TOP_OPPORTUNITIES = 15


def _rtl(language: str) -> bool:
    return language.startswith("ar")


def _common(snapshot: IndicatorSnapshot, language: str) -> dict[str, Any]:
    return {
        "snapshot": snapshot,
        "generated_at": timezone.localtime(),
        "definitions": definitions.INDICATORS,
        "market": definitions.MARKET_CONTEXT,
        "illustrative": snapshot.illustrative,
        "rtl": _rtl(language),
    }


def quarterly_context(snapshot: IndicatorSnapshot, *, period: str, language: str) -> dict[str, Any]:
    totals = selectors.year_totals(snapshot)
    years = selectors.default_years(snapshot)
    groups = list(selectors.group_year_rows(snapshot, year=years.trade_year)) if years.trade_year else []
    labels = {row.group: row.label for row in selectors.group_rows(snapshot)}
    largest = sorted(groups, key=lambda r: (-r.imports_usd, r.group))[:TOP_GROUPS]
    ranked = selectors.opportunity_list(snapshot)[:TOP_OPPORTUNITIES]
    regulatory = dashboards.regulatory_dashboard(ANONYMOUS, snapshot)
    return {
        **_common(snapshot, language),
        "period": period,
        "totals": totals,
        "largest": [(row, labels.get(row.group, "")) for row in largest],
        "opportunities": ranked,
        "trade_year": years.trade_year,
        "demand_year": years.demand_year,
        "chart_years": charts.printable(visuals.years_chart(totals, rtl=_rtl(language))),
        "chart_groups": charts.printable(
            visuals.largest_groups_chart(
                [(row, labels.get(row.group, "")) for row in largest], year=years.trade_year, rtl=_rtl(language)
            )
        ),
        "regulatory": regulatory["rows"],
        "regulatory_totals": regulatory["totals"],
        "chart_regulatory": charts.printable(
            visuals.regulatory_chart(regulatory["rows"], per_group=False, rtl=_rtl(language))
        ),
    }


def opportunity_context(snapshot: IndicatorSnapshot, *, group: str, language: str) -> dict[str, Any]:
    label = selectors.group_terms([group]).get(group, "")
    weights = opportunities.Weights()
    ranked = {o.group: o for o in selectors.opportunity_list(snapshot, weights=weights)}
    opportunity = ranked.get(group)
    years = selectors.default_years(snapshot)
    per_year = sorted(selectors.group_year_rows(snapshot, group=group), key=lambda r: r.year)
    origins = selectors.imports_by_origin(group, years.trade_year, language=language) if years.trade_year else []
    return {
        **_common(snapshot, language),
        "group": group,
        "label": label,
        "opportunity": opportunity,
        "components": [
            (
                opportunities.COMPONENT_LABELS[name],
                opportunity.components[name] if opportunity else None,
                weights.as_dict()[name],
            )
            for name in opportunities.COMPONENTS
        ],  # fmt: skip
        "figures": selectors.group_rows(snapshot).filter(group=group).first(),
        "per_year": per_year,
        "origins": origins,
        "by_hs": selectors.imports_by_hs(group, years.trade_year) if years.trade_year else [],
        "demand": selectors.group_demand(ANONYMOUS, group, years.demand_year) if years.demand_year else [],
        "suppliers": selectors.group_suppliers(ANONYMOUS, group),
        "trade_year": years.trade_year,
        "demand_year": years.demand_year,
        "chart_years": charts.printable(visuals.group_years_chart(per_year, rtl=_rtl(language))),
        "chart_origins": charts.printable(visuals.origins_chart(origins, year=years.trade_year, rtl=_rtl(language))),
    }


def report_title(*, kind: str, language: str, period: str = "", group: str = "") -> str:
    with translation.override(language):
        if kind == ReportKind.QUARTERLY:
            return _("Cluster report %(period)s") % {"period": period}
        label = selectors.group_terms([group]).get(group, "")
        return _("Opportunity %(group)s %(label)s") % {"group": group, "label": label.capitalize()}


def render_report(report: Report) -> bytes:
    """The report's PDF, laid out in its own language from its snapshot."""
    assert report.snapshot is not None
    with translation.override(report.language):
        if report.kind == ReportKind.QUARTERLY:
            context = quarterly_context(report.snapshot, period=report.period, language=report.language)
            template = "insights/report_quarterly.html"
        else:
            context = opportunity_context(report.snapshot, group=report.group, language=report.language)
            template = "insights/report_opportunity.html"
        context["title"] = report.title
        html = render_to_string(template, context)
    return pdf.render_pdf(html=html)
