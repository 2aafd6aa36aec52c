"""The insights' charts, one builder per figure, shared by the pages and the PDF reports (so that a report shows
the very chart of the page). Each returns the SVG markup of `tawrid.insights.charts` (escaped, no script)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tawrid.insights import charts
from tawrid.insights.selectors import YearTotals

LARGEST_LABEL = 40
# “Imports” alone is also the spreadsheet imports' menu entry (another app's catalogue, which wins): the
# trade figure carries its own context, or French and Arabic charts would read the other word.
TRADE = "international trade"
ORIGINS_SHOWN = 10


def years_chart(totals: Sequence[YearTotals], *, rtl: bool) -> str:
    """Imports (MAD where the year has a rate, else USD), declared demand and local coverage per year."""
    chronological = sorted(totals, key=lambda t: t.year)
    return charts.bar_chart(
        title=_("Imports and declared demand per year (MAD, or USD where no rate is loaded)"),
        labels=[str(t.year) for t in chronological],
        series=[
            (pgettext(TRADE, "Imports"), [float(t.imports_mad if t.imports_mad is not None else t.imports_usd) or None
                            for t in chronological]),
            (_("Declared demand (MAD)"), [float(t.demand_mad) or None for t in chronological]),
            (_("Covered locally (MAD)"), [float(t.covered_mad) or None for t in chronological]),
        ],
        rtl=rtl,
        value_format="number",
        no_data_text=_("No figures yet."),
    )  # fmt: skip


def largest_groups_chart(
    rows: Sequence[tuple[Any, str]], *, year: int | None, rtl: bool, links: Sequence[str | None] | None = None
) -> str:
    """The EMDN groups with the largest imports of a year: (GroupYearFigures, term) pairs, largest first."""
    return charts.horizontal_bar_chart(
        title=_("Largest imports of %(year)s per EMDN group (USD)") % {"year": year},
        labels=[f"{row.group} {label[:LARGEST_LABEL]}" for row, label in rows],
        series=[(_("Imports (USD)"), [float(row.imports_usd) or None for row, _label in rows])],
        links=links,
        rtl=rtl,
        value_format="number",
        no_data_text=_("No imports loaded for this year."),
    )


def group_years_chart(per_year: Sequence[Any], *, rtl: bool) -> str:
    chronological = sorted(per_year, key=lambda r: r.year)
    return charts.bar_chart(
        title=_("Imports per year (USD)"),
        labels=[str(r.year) for r in chronological],
        series=[(_("Imports (USD)"), [float(r.imports_usd) or None for r in chronological])],
        rtl=rtl,
        value_format="number",
        no_data_text=_("No imports loaded for this group."),
    )


def origins_chart(origins: Sequence[dict[str, Any]], *, year: int | None, rtl: bool) -> str:
    shown = origins[:ORIGINS_SHOWN]
    return charts.horizontal_bar_chart(
        title=_("Imports of %(year)s per country of origin (USD)") % {"year": year},
        labels=[o["name"] for o in shown],
        series=[(_("Imports (USD)"), [float(o["value_usd"]) or None for o in shown])],
        rtl=rtl,
        value_format="number",
        no_data_text=_("No imports loaded for this year."),
    )


def demand_coverage_chart(
    rows: Sequence[dict[str, Any]], *, title: str, labels: Sequence[str], links: Sequence[str], no_data: str, rtl: bool
) -> str:
    """Declared demand beside the part eligible local products can cover, one pair of bars per row (dashboards:
    per EMDN group of a buyer's plans, per group of a manufacturer, per buyer of the cluster)."""
    return charts.horizontal_bar_chart(
        title=title,
        labels=labels,
        series=[
            (_("Declared demand (MAD)"), [float(r["demand"]) or None for r in rows]),
            (_("Covered locally (MAD)"), [float(r["covered"]) or None for r in rows]),
        ],
        links=links,
        rtl=rtl,
        value_format="money",
        no_data_text=no_data,
    )


def regulatory_chart(
    rows: Sequence[dict[str, Any]], *, per_group: bool, rtl: bool, links: Sequence[str | None] | None = None
) -> str:
    """Local products per EMDN category (or group) stacked by regulatory state: eligible, ISO 13485 verified but
    not registered, registered but not verified, neither (rows of `dashboards.regulatory_dashboard`)."""
    return charts.bar_chart(
        title=_("Local products by regulatory state, per EMDN group")
        if per_group
        else _("Local products by regulatory state, per EMDN category"),
        labels=[r["code"] for r in rows],
        series=[
            (_("Eligible (certified and registered)"), [r["eligible_products"] or None for r in rows]),
            (_("ISO 13485 verified, not registered"), [r["certified_only"] or None for r in rows]),
            (_("Registered, ISO 13485 not verified"), [r["registered_only"] or None for r in rows]),
            (_("Neither certified nor registered"), [r["neither"] or None for r in rows]),
        ],
        links=links,
        rtl=rtl,
        stacked=True,
        no_data_text=_("No published local product yet."),
    )
