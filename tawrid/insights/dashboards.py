"""The dashboards' figures (reads only; `tables.py` lays them out for the pages and their xlsx exports).

* An organisation's, for the people who may read it: a buyer's (its declared demand per EMDN group, what eligible
  local products can cover, what it bought, locally and in all) and a manufacturer's (the national demand in its
  groups, its products and what they miss, what was ordered from it, the opportunities of its EMDN categories).
  Both are read live: they are bounded by one organisation's plans, orders and products.
* The secretariat's: every member buyer and local manufacturer in one year, from the indicator snapshot.
* The ministries': local products per EMDN category or group and their regulatory state, beside imports and
  declared demand, from the snapshot; aggregates only, no buyer or product named.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tawrid.accounts.models import BUYER_KINDS, SUPPLIER_KINDS, Organisation
from tawrid.catalog import policies as catalog_policies
from tawrid.core import permissions
from tawrid.core.errors import NotFound
from tawrid.core.permissions import Actor
from tawrid.insights import policies, selectors, services
from tawrid.insights.models import IndicatorSnapshot, OrganisationFigures, OrganisationYearFigures

ZERO = Decimal(0)
CENT = Decimal("0.01")
MONEY = ("demand", "covered", "ordered", "ordered_local")
OPPORTUNITIES_SHOWN = 10


DASHBOARD_ORGANISATION_KINDS = [k.value for k in BUYER_KINDS | SUPPLIER_KINDS]


def own_organisations(actor: Actor) -> list[Organisation]:
    """The buyers and manufacturers the person belongs to (their dashboards are the person's own)."""
    return list(
        Organisation.objects.filter(kind__in=DASHBOARD_ORGANISATION_KINDS, pk__in=actor.org_ids).order_by("name", "pk")
    )


def dashboard_organisation(actor: Actor, organisation_id: Any) -> Organisation:
    """A buyer or manufacturer whose dashboard the person may open: its own, one the secretariat oversees, any
    for the operator; NotFound otherwise (another organisation's dashboard does not exist for them)."""
    try:
        wanted = int(organisation_id)
    except (TypeError, ValueError) as error:
        raise NotFound() from error
    if not actor.can_read_org(wanted):
        raise NotFound()
    organisation = Organisation.objects.filter(kind__in=DASHBOARD_ORGANISATION_KINDS, pk=wanted).first()
    if organisation is None:
        raise NotFound()
    return organisation


def buyer_years(organisation: Organisation) -> list[int]:
    from tawrid.demand.services import counted_plans

    return sorted(set(counted_plans().filter(buyer=organisation).values_list("year", flat=True)), reverse=True)


def buyer_dashboard(organisation: Organisation, year: int) -> dict[str, Any]:
    """Per EMDN group of the buyer's plans in force for `year`: declared value and lines, the value that eligible
    local products can cover (the year's national run, as in the indicators; else the latest run of each of its
    plans), and what was ordered that year (Casablanca time), locally and in all."""
    from tawrid.demand.models import PlanLine
    from tawrid.demand.services import counted_plans
    from tawrid.matching.models import LineResult
    from tawrid.sourcing.models import OrderLine

    plans = list(counted_plans().filter(buyer=organisation, year=year))
    groups: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"demand": ZERO, "lines": 0, "covered": ZERO, "ordered": ZERO, "ordered_local": ZERO}
    )
    # Lines without an EMDN code count too (group ""): a plan nobody coded yet is still a plan in force.
    for code, lines, value in (
        PlanLine.objects.filter(plan__in=plans)
        .values_list("emdn__code")
        .annotate(n=Count("pk"), v=Sum("estimated_value"))
        .order_by()
    ):
        groups[(code or "")[:3]]["demand"] += value or ZERO
        groups[(code or "")[:3]]["lines"] += lines
    runs, _national = services.coverage_runs(year, buyer=organisation)
    for run in runs:
        for code, value, quantity, covered in LineResult.objects.filter(
            run=run, line__plan__in=plans, covered_quantity__gt=0
        ).values_list("line__emdn__code", "line__estimated_value", "quantity", "covered_quantity"):
            if value and quantity:
                groups[(code or "")[:3]]["covered"] += value * min(covered, quantity) / quantity
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    for code, local, value in (
        OrderLine.objects.filter(order__buyer=organisation, order__ordered_at__gte=start, order__ordered_at__lt=end)
        .values_list("emdn_code", "local_supplier")
        .annotate(v=Sum("value"))
        .order_by()
    ):
        cell = groups[(code or "")[:3]]
        cell["ordered"] += value or ZERO
        if local:
            cell["ordered_local"] += value or ZERO
    terms = selectors.group_terms(groups)
    rows = [
        {
            "group": group,
            "label": terms.get(group, "") if group else _("Without an EMDN code"),
            **cell,
            **{name: cell[name].quantize(CENT) for name in MONEY},
            "coverage": cell["covered"] / cell["demand"] if cell["demand"] else None,
            "local_rate": cell["ordered_local"] / cell["ordered"] if cell["ordered"] else None,
        }
        for group, cell in groups.items()
    ]
    rows.sort(key=lambda r: (-r["demand"], r["group"]))
    totals = purchase_totals(rows)
    return {"rows": rows, "totals": totals, "plans": plans}


def purchase_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Declared demand, coverage and orders added up over rows (EMDN groups, buyers), with their rates."""
    totals: dict[str, Any] = {name: sum((r[name] for r in rows), ZERO).quantize(CENT) for name in MONEY}
    totals["coverage"] = totals["covered"] / totals["demand"] if totals["demand"] else None
    totals["local_rate"] = totals["ordered_local"] / totals["ordered"] if totals["ordered"] else None
    totals["local_rate_of_plan"] = totals["ordered_local"] / totals["demand"] if totals["demand"] else None
    return totals


def manufacturer_dashboard(
    actor: Actor, organisation: Organisation, snapshot: IndicatorSnapshot | None
) -> dict[str, Any]:
    """The manufacturer's EMDN groups (those of its published products): the national declared demand and local
    coverage there (latest snapshot), its products, eligible ones and what the others miss, the value ordered
    from it; and the first opportunities of its EMDN categories."""
    from tawrid.catalog.models import Product, ProductStatus
    from tawrid.catalog.selectors import eligible_products_on
    from tawrid.sourcing.models import OrderLine

    products = Product.objects.filter(manufacturer=organisation, status=ProductStatus.PUBLISHED)
    eligible = set(eligible_products_on(timezone.localdate(), products).values_list("pk", flat=True))
    groups: dict[str, dict[str, Any]] = defaultdict(lambda: {"products": 0, "eligible": 0, "ordered": ZERO})
    for pk, code in products.values_list("pk", "emdn__code"):
        groups[code[:3]]["products"] += 1
        groups[code[:3]]["eligible"] += pk in eligible
    for code, value in (
        OrderLine.objects.filter(order__supplier=organisation).values_list("emdn_code").annotate(v=Sum("value"))
    ):
        if code:
            groups[code[:3]]["ordered"] += value or ZERO
    national: dict[str, Any] = {}
    demand_year = None
    if snapshot is not None:
        demand_year = selectors.default_years(snapshot).demand_year
        national = {
            row.group: row
            for row in selectors.group_year_rows(snapshot, year=demand_year).filter(group__in=list(groups))
        }
    terms = selectors.group_terms(groups)
    missing: dict[str, int] = defaultdict(int)
    for group in groups:
        for entry in selectors.group_suppliers(actor, group):
            if entry["organisation"].pk == organisation.pk:
                for label, count in entry["missing"].items():
                    missing[label] += count
    rows = []
    for group, cell in sorted(groups.items()):
        figures = national.get(group)
        rows.append(
            {
                "group": group,
                "label": terms.get(group, ""),
                **cell,
                "ordered": cell["ordered"].quantize(CENT),
                "demand": figures.demand_mad if figures else ZERO,
                "buyers": figures.demand_buyers if figures else 0,
                "covered": figures.covered_mad if figures else ZERO,
                "coverage": figures.covered_mad / figures.demand_mad if figures and figures.demand_mad else None,
            }
        )
    categories = sorted({group[:1] for group in groups})
    opportunities = []
    if snapshot is not None:
        opportunities = [o for o in selectors.opportunity_list(snapshot) if o.group[:1] in categories][
            :OPPORTUNITIES_SHOWN
        ]
    return {
        "rows": rows,
        "demand_year": demand_year,
        "opportunities": opportunities,
        "missing": dict(missing),
        "categories": categories,
    }


# ------------------------------------------------------------------------------------------ national dashboards


def national_dashboards(actor: Actor) -> list[str]:
    """The national dashboards the person may open, in the order of the menu."""
    return [name for name in ("cluster", "industry", "health") if policies.can_open_dashboard(actor, name)]


def figure_years(snapshot: IndicatorSnapshot) -> list[int]:
    """The years of the organisations' figures in the snapshot, newest first."""
    return sorted(
        set(OrganisationYearFigures.objects.filter(snapshot=snapshot).values_list("year", flat=True).distinct()),
        reverse=True,
    )


def cluster_dashboard(actor: Actor, snapshot: IndicatorSnapshot, year: int | None) -> dict[str, Any]:
    """The secretariat's dashboard for one year: every buyer it may read (declared demand, what eligible local
    products can cover, orders and the local-purchase rate) and every local manufacturer (catalogue, regulatory
    state, the demand allocated to its products, what was ordered from it). From the snapshot only."""
    rows = permissions.visible(
        actor, OrganisationYearFigures.objects.filter(snapshot=snapshot, year=year or 0)
    ).select_related("organisation")
    catalogue = {
        figure.organisation_id: figure
        for figure in permissions.visible(actor, OrganisationFigures.objects.filter(snapshot=snapshot))
        .select_related("organisation")
        .order_by()
    }
    buyers: list[dict[str, Any]] = []
    suppliers: dict[int, dict[str, Any]] = {}
    for row in rows:
        kind = row.organisation.kind
        if kind in BUYER_KINDS and (row.demand_mad or row.ordered_mad or row.demand_lines):
            buyers.append(
                {
                    "organisation": row.organisation,
                    "demand": row.demand_mad,
                    "lines": row.demand_lines,
                    "covered": row.covered_mad,
                    "coverage": row.covered_mad / row.demand_mad if row.demand_mad else None,
                    "ordered": row.ordered_mad,
                    "ordered_local": row.ordered_local_mad,
                    "local_rate": row.ordered_local_mad / row.ordered_mad if row.ordered_mad else None,
                    "local_rate_of_plan": row.ordered_local_mad / row.demand_mad if row.demand_mad else None,
                }
            )
        if kind in SUPPLIER_KINDS and row.organisation.country == "MA":
            suppliers[row.organisation_id] = {"organisation": row.organisation, "allocated": row.allocated_mad,
                                              "sold": row.sold_mad}  # fmt: skip
    for organisation_id, figure in catalogue.items():
        entry = suppliers.setdefault(
            organisation_id, {"organisation": figure.organisation, "allocated": ZERO, "sold": ZERO}
        )
        entry["catalogue"] = figure
    buyers.sort(key=lambda r: (-r["demand"], r["organisation"].name))
    supplier_rows = sorted(suppliers.values(), key=lambda r: (-r["allocated"], -r["sold"], r["organisation"].name))
    # The headline figures are the national ones, from the selector the indicators read too (one figure for one
    # thing); the table below lists the buyers the person may read, whose own total is `listed`.
    national = selectors.national_year(snapshot, year)
    totals: dict[str, Any] = {
        "demand": national.demand_mad if national else ZERO,
        "demand_coded": national.demand_coded_mad if national else ZERO,
        "covered": national.covered_mad if national else ZERO,
        "coverage": national.coverage if national else None,
        "ordered": national.ordered_mad if national else ZERO,
        "ordered_local": national.ordered_local_mad if national else ZERO,
        "local_rate": national.local_rate if national else None,
        "local_rate_of_plan": national.local_rate_of_plan if national else None,
        "buyers": national.buyers or 0 if national else 0,
        "suppliers": len(supplier_rows),
    }
    return {"buyers": buyers, "suppliers": supplier_rows, "totals": totals, "listed": purchase_totals(buyers)}


REGULATORY_FIELDS = (
    "products", "eligible_products", "certified_products", "registered_products", "labelled_products",
    "registrations_pending", "certificates_expiring", "registrations_expiring", "capacity_units",
)  # fmt: skip


def regulatory_dashboard(actor: Actor, snapshot: IndicatorSnapshot, *, category: str = "") -> dict[str, Any]:
    """The authorities' dashboard: per EMDN category (or per group of one category), the local products and their
    regulatory state (ISO 13485 verified by IMANOR, DMP registration, Made in Morocco label, what lapses within
    90 days), local manufacturers and capacity, beside the imports of the latest trade year and the declared
    demand of the latest plan year with its local coverage. Aggregates only: no buyer and no product is named."""
    years = selectors.default_years(snapshot)
    figures = list(selectors.group_rows(snapshot, category=category))
    trade = {
        row.group: row for row in selectors.group_year_rows(snapshot, year=years.trade_year or 0, category=category)
    }
    demand = {
        row.group: row for row in selectors.group_year_rows(snapshot, year=years.demand_year or 0, category=category)
    }
    keyed: dict[str, dict[str, Any]] = {}
    labels = dict(selectors.emdn_categories()) if not category else {f.group: f.label for f in figures}
    for figure in figures:
        key = figure.group if category else figure.group[:1]
        cell = keyed.setdefault(
            key,
            {"code": key, "label": labels.get(key, ""), "imports_usd": ZERO, "imports_mad": ZERO,
             "missing_rate": False, "demand": ZERO, "covered": ZERO,
             "manufacturers": figure.manufacturers if category else figure.category_makers,
             **dict.fromkeys(REGULATORY_FIELDS, 0)},
        )  # fmt: skip
        for name in REGULATORY_FIELDS:
            cell[name] += getattr(figure, name)
        imported, declared = trade.get(figure.group), demand.get(figure.group)
        if imported is not None:
            cell["imports_usd"] += imported.imports_usd
            if imported.imports_mad is None:
                cell["missing_rate"] = cell["missing_rate"] or bool(imported.imports_usd)
            else:
                cell["imports_mad"] += imported.imports_mad
        if declared is not None:
            cell["demand"] += declared.demand_mad
            cell["covered"] += declared.covered_mad
    rows = []
    for cell in keyed.values():
        if not (cell["products"] or cell["imports_usd"] or cell["demand"]):
            continue
        cell["coverage"] = cell["covered"] / cell["demand"] if cell["demand"] else None
        cell["certified_only"] = cell["certified_products"] - cell["eligible_products"]
        cell["registered_only"] = cell["registered_products"] - cell["eligible_products"]
        cell["neither"] = cell["products"] - cell["certified_products"] - cell["registered_only"]
        cell["imports_mad"] = None if cell.pop("missing_rate") else cell["imports_mad"]
        rows.append(cell)
    rows.sort(key=lambda r: r["code"])
    totals = {name: sum(r[name] for r in rows) for name in REGULATORY_FIELDS}
    totals["manufacturers"] = OrganisationFigures.objects.filter(snapshot=snapshot, products__gt=0).count()
    if category:
        totals["manufacturers"] = figures[0].category_makers if figures else 0
    totals["demand"] = sum((r["demand"] for r in rows), ZERO)
    totals["covered"] = sum((r["covered"] for r in rows), ZERO)
    totals["coverage"] = totals["covered"] / totals["demand"] if totals["demand"] else None
    national = None if category else selectors.national_year(snapshot, years.demand_year)
    if national is not None:  # all categories: the national figure (all lines), as on every other page
        totals.update(demand=national.demand_mad, covered=national.covered_mad, coverage=national.coverage)
    totals["imports_usd"] = sum((r["imports_usd"] for r in rows), ZERO)
    totals["certified_only"] = sum(r["certified_only"] for r in rows)
    return {
        "rows": rows,
        "totals": totals,
        "trade_year": years.trade_year,
        "demand_year": years.demand_year,
        "queues": review_queues(actor),
    }


def review_queues(actor: Actor) -> dict[str, int]:
    """The decisions waiting for the person's own authority, counted live (small indexed counts): IMANOR's
    certificates and labels, the DMP's registrations. Empty for the others."""
    from tawrid.catalog import selectors as catalog_selectors

    queues: dict[str, int] = {}
    if actor.is_superuser or catalog_policies.is_imanor(actor):
        queues["certificates"] = catalog_selectors.certificate_review_queue(actor=actor).count()
        queues["labels"] = catalog_selectors.label_review_queue(actor=actor).count()
    if actor.is_superuser or catalog_policies.is_dmp(actor):
        queues["registrations"] = catalog_selectors.registration_review_queue(actor=actor).count()
    return queues
