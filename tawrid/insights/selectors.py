"""Reads of the insights: the latest indicator snapshot, its figures per EMDN group and year, the opportunities,
one group's detail (imports by origin and HS code, buyers' demand as the buyers allow, local suppliers and what
they miss), trade data sets and the crosswalk with its history.

Figures come from the latest ready snapshot (computed by a job). The only live reads of trade flows are those of
one EMDN group (its few HS codes, one importing country, one year), served by the flows' (importer, year, hs6)
index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tawrid.core.errors import NotFound
from tawrid.core.permissions import Actor
from tawrid.insights import countries, opportunities
from tawrid.insights.models import (
    DatasetStatus,
    ExchangeRate,
    GroupFigures,
    GroupYearFigures,
    HsEmdnLink,
    IndicatorSnapshot,
    OrganisationYearFigures,
    ReportedBy,
    SnapshotStatus,
    TradeDataset,
    TradeFlow,
)
from tawrid.insights.services import REPORTER, can_manage_insights
from tawrid.nomenclature.models import EmdnCode, HsCode

ZERO = Decimal(0)


def latest_snapshot() -> IndicatorSnapshot | None:
    return IndicatorSnapshot.objects.filter(status=SnapshotStatus.READY).order_by("-created_at", "-pk").first()


def snapshot_pending() -> IndicatorSnapshot | None:
    """A computation queued or running (pages say the figures are being refreshed)."""
    return IndicatorSnapshot.objects.filter(status=SnapshotStatus.COMPUTING).select_related("job").first()


def emdn_categories() -> list[tuple[str, str]]:
    return list(EmdnCode.objects.filter(level=1).order_by("code").values_list("code", "term"))


def group_terms(groups: Iterable[str]) -> dict[str, str]:
    return dict(EmdnCode.objects.filter(level=2, code__in=list(groups)).values_list("code", "term"))


# ------------------------------------------------------------------------------------------ national figures


@dataclass(frozen=True)
class YearTotals:
    """The national figures of one year, the single source of every page, export, API answer and PDF that shows
    them (the indicators, the secretariat's dashboard, the quarterly report).

    `demand_mad` is the declared demand of every line of the plans in force ("all lines"), `demand_coded_mad` the
    part of it whose lines carry an EMDN code (the only part that can be split per EMDN group). Local coverage and
    orders likewise count every line and order, so that coverage = covered ÷ all declared demand. With an EMDN
    category asked for, only coded lines belong to it: both demands are then that category's coded demand."""

    year: int
    imports_usd: Decimal
    imports_mad: Decimal | None
    demand_mad: Decimal
    covered_mad: Decimal
    ordered_mad: Decimal
    ordered_local_mad: Decimal
    demand_coded_mad: Decimal = ZERO
    buyers: int | None = None  # buyers with a plan line in force; None per category (not split per group)

    @property
    def coverage(self) -> Decimal | None:
        return self.covered_mad / self.demand_mad if self.demand_mad else None

    @property
    def local_rate(self) -> Decimal | None:
        return self.ordered_local_mad / self.ordered_mad if self.ordered_mad else None

    @property
    def local_rate_of_plan(self) -> Decimal | None:
        return self.ordered_local_mad / self.demand_mad if self.demand_mad else None


def year_totals(snapshot: IndicatorSnapshot, *, category: str = "") -> list[YearTotals]:
    """National figures per year (optionally one EMDN category), newest first (see YearTotals for what each
    counts). A year's imports in MAD are given only when every group of that year has a rate (the rate is per
    year, so it is all or none). Without a category, demand, coverage and orders add up the per-buyer figures of
    the snapshot (every line and order, coded or not); the per-group figures give imports and the coded part."""
    rows = GroupYearFigures.objects.filter(snapshot=snapshot)
    if category:
        rows = rows.filter(group__startswith=category)
    sums: dict[int, Mapping[str, Any]] = {
        row["year"]: row
        for row in rows.values("year")
        .annotate(
            usd=Sum("imports_usd"),
            mad=Sum("imports_mad"),
            missing_rate=Count("pk", filter=Q(imports_mad__isnull=True, imports_usd__gt=0)),
            demand=Sum("demand_mad"),
            covered=Sum("covered_mad"),
            ordered=Sum("ordered_mad"),
            ordered_local=Sum("ordered_local_mad"),
        )
        .order_by()
    }
    national: dict[int, Mapping[str, Any]] = {}
    if not category:
        national = {
            row["year"]: row
            for row in OrganisationYearFigures.objects.filter(snapshot=snapshot)
            .values("year")
            .annotate(
                demand=Sum("demand_mad"),
                covered=Sum("covered_mad"),
                ordered=Sum("ordered_mad"),
                ordered_local=Sum("ordered_local_mad"),
                buyers=Count("pk", filter=Q(demand_lines__gt=0)),
            )
            .order_by()
        }
    totals = []
    for year in sorted(set(sums) | set(national), reverse=True):
        group = sums.get(year) or {}
        whole = national.get(year) if not category else group
        whole = whole or {}
        totals.append(
            YearTotals(
                year=year,
                imports_usd=group.get("usd") or ZERO,
                imports_mad=None if group.get("missing_rate") else (group.get("mad") or ZERO),
                demand_mad=_cents(whole.get("demand")),
                covered_mad=_cents(whole.get("covered")),
                ordered_mad=_cents(whole.get("ordered")),
                ordered_local_mad=_cents(whole.get("ordered_local")),
                demand_coded_mad=_cents(group.get("demand")),
                buyers=None if category else (whole.get("buyers") or 0),
            )
        )
    return totals


def _cents(value: Decimal | None) -> Decimal:
    """A sum of amounts in MAD to the centime (databases differ in the scale they return a sum with)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def national_year(snapshot: IndicatorSnapshot, year: int | None) -> YearTotals | None:
    """One year's national figures (all EMDN categories), None when the snapshot has none for it."""
    return next((t for t in year_totals(snapshot) if t.year == year), None)


def group_year_rows(
    snapshot: IndicatorSnapshot, *, year: int | None = None, category: str = "", group: str = ""
) -> QuerySet[GroupYearFigures]:
    rows = GroupYearFigures.objects.filter(snapshot=snapshot)
    if year is not None:
        rows = rows.filter(year=year)
    if category:
        rows = rows.filter(group__startswith=category)
    if group:
        rows = rows.filter(group=group)
    return rows.order_by("-year", "group")


def group_rows(snapshot: IndicatorSnapshot, *, category: str = "") -> QuerySet[GroupFigures]:
    rows = GroupFigures.objects.filter(snapshot=snapshot)
    if category:
        rows = rows.filter(group__startswith=category)
    return rows.order_by("group")


def rates_by_year() -> dict[int, ExchangeRate]:
    return {rate.year: rate for rate in ExchangeRate.objects.filter(currency="USD")}


# ------------------------------------------------------------------------------------------- opportunities


@dataclass(frozen=True)
class OpportunityYears:
    trade_year: int | None
    demand_year: int | None


def default_years(snapshot: IndicatorSnapshot) -> OpportunityYears:
    trade = max(snapshot.trade_years) if snapshot.trade_years else None
    demand = max(snapshot.demand_years) if snapshot.demand_years else None
    return OpportunityYears(trade, demand)


def opportunity_list(
    snapshot: IndicatorSnapshot,
    *,
    weights: opportunities.Weights | None = None,
    trade_year: int | None = None,
    demand_year: int | None = None,
    category: str = "",
) -> list[opportunities.Opportunity]:
    """The EMDN groups ranked by opportunity score: imports of `trade_year`, declared demand of `demand_year`
    (each the latest by default: trade statistics come a year or two after the plans). Imports are compared in
    MAD when that year has a rate, else in USD (the same currency for every group, so the ranking holds)."""
    years = default_years(snapshot)
    trade_year = trade_year or years.trade_year
    demand_year = demand_year or years.demand_year
    figures = {row.group: row for row in group_rows(snapshot)}
    trade = {row.group: row for row in GroupYearFigures.objects.filter(snapshot=snapshot, year=trade_year or 0)}
    demand = {row.group: row for row in GroupYearFigures.objects.filter(snapshot=snapshot, year=demand_year or 0)}
    candidates = (
        set(figures) | {g for g, r in trade.items() if r.imports_usd} | {g for g, r in demand.items() if r.demand_mad}
    )
    inputs = []
    for group in sorted(candidates):
        figure = figures.get(group)
        imported = trade.get(group)
        declared = demand.get(group)
        if not (imported and imported.imports_usd) and not (declared and declared.demand_mad):
            continue  # nothing bought, abroad or at home: no opportunity to speak of
        imports_value = ZERO
        if imported is not None:
            imports_value = imported.imports_mad if imported.imports_mad is not None else imported.imports_usd
        inputs.append(
            opportunities.GroupInputs(
                group=group,
                label=figure.label if figure else "",
                imports=imports_value,
                demand=declared.demand_mad if declared else ZERO,
                buyers=declared.demand_buyers if declared else 0,
                covered=declared.covered_mad if declared else ZERO,
                eligible_products=figure.eligible_products if figure else 0,
                manufacturers=figure.manufacturers if figure else 0,
                risk_class=figure.risk_class if figure else "",
                density=figure.density if figure else None,
                category_makers=figure.category_makers if figure else 0,
            )
        )
    ranked = opportunities.rank_opportunities(inputs, weights)
    if category:
        ranked = [o for o in ranked if o.group.startswith(category)]
    return ranked


def opportunity_get(
    snapshot: IndicatorSnapshot, *, group: str, weights: opportunities.Weights | None = None
) -> opportunities.Opportunity:
    for item in opportunity_list(snapshot, weights=weights):
        if item.group == group:
            return item
    raise NotFound(_("No opportunity for this EMDN group."))


# ------------------------------------------------------------------------------------------------ one group


def group_hs_codes(group: str) -> list[tuple[str, Decimal, str]]:
    """The group's HS codes with the share of each code's trade attributed to it, and the HS description."""
    links = HsEmdnLink.objects.filter(emdn_group__code=group).order_by("hs6")
    descriptions = dict(HsCode.objects.filter(code__in=[link.hs6 for link in links]).values_list("code", "description"))
    return [(link.hs6, link.share_percent, descriptions.get(link.hs6, "")) for link in links]


def _group_imports(group: str, year: int) -> QuerySet[TradeFlow]:
    codes = [code for code, _share, _description in group_hs_codes(group)]
    return TradeFlow.objects.filter(
        dataset__status=DatasetStatus.READY,
        importer=REPORTER,
        reported_by__in=[ReportedBy.IMPORTER, ReportedBy.RECONCILED],
        year=year,
        hs6__in=codes,
    )


def imports_by_origin(group: str, year: int, *, language: str = "fr") -> list[dict[str, Any]]:
    """The group's imports of one year per country of origin (USD, each HS code's value × its share in the
    group), largest first."""
    shares = {code: share / 100 for code, share, _description in group_hs_codes(group)}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for exporter, hs6, value in (
        _group_imports(group, year).values_list("exporter", "hs6").annotate(v=Sum("value_usd")).order_by()
    ):
        totals[exporter] += value * shares[hs6]
    grand = sum(totals.values(), ZERO)
    return [
        {
            "country": code,
            "name": countries.name(code, language=language),
            "value_usd": value.quantize(Decimal("0.01")),
            "share": value / grand if grand else None,
        }
        for code, value in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    ]


def imports_by_hs(group: str, year: int) -> list[dict[str, Any]]:
    codes = group_hs_codes(group)
    values = dict(_group_imports(group, year).values_list("hs6").annotate(v=Sum("value_usd")).order_by())
    quantities = {
        (hs6, unit): qty
        for hs6, unit, qty in _group_imports(group, year)
        .values_list("hs6", "quantity_unit")
        .annotate(q=Sum("quantity"))
        .order_by()
    }
    rows: list[dict[str, Any]] = []
    for code, share, description in codes:
        value = values.get(code, ZERO)
        rows.append(
            {
                "hs6": code,
                "description": description,
                "share_percent": share,
                "value_usd": value,
                "group_value_usd": (value * share / 100).quantize(Decimal("0.01")),
                "quantities": sorted(
                    ((unit, qty) for (hs6, unit), qty in quantities.items() if hs6 == code and qty), key=str
                ),
            }
        )
    return rows


def group_demand(actor: Actor, group: str, year: int) -> list[dict[str, Any]]:
    """The group's declared demand of one year per buyer, from the plans in force. A buyer is named only when
    its plan says so (“show our name”) or the person may read the buyer's own data; otherwise it appears as an
    unnamed buyer of its kind and region, so its demand counts without revealing who it is."""
    from tawrid.demand.models import PlanLine
    from tawrid.demand.services import counted_plans

    rows = (
        PlanLine.objects.filter(plan__in=counted_plans().filter(year=year), emdn__code__startswith=group)
        .values(
            "plan__buyer_id",
            "plan__buyer__name",
            "plan__buyer__kind",
            "plan__buyer__region",
            "plan__disclose_buyer",
        )
        .annotate(lines=Count("pk"), value=Sum("estimated_value"), quantity=Sum("base_quantity"))
        .order_by("-value", "plan__buyer_id")
    )
    from tawrid.accounts.models import OrganisationKind

    kinds = dict(OrganisationKind.choices)
    merged: dict[int, dict[str, Any]] = {}
    for row in rows:
        buyer = row["plan__buyer_id"]
        named = row["plan__disclose_buyer"] or actor.can_read_org(buyer)
        entry = merged.setdefault(
            buyer,
            {
                "named": False,
                "name": "",
                "kind": str(kinds.get(row["plan__buyer__kind"], row["plan__buyer__kind"])),
                "region": row["plan__buyer__region"],
                "lines": 0,
                "value": ZERO,
                "quantity": ZERO,
            },
        )
        if named:
            entry["named"], entry["name"] = True, row["plan__buyer__name"]
        entry["lines"] += row["lines"]
        entry["value"] += row["value"] or ZERO
        entry["quantity"] += row["quantity"] or ZERO
    return sorted(merged.values(), key=lambda e: (-e["value"], e["name"]))


def group_suppliers(actor: Actor, group: str) -> list[dict[str, Any]]:
    """Local manufacturers with products in the group that the person may see (the catalogue's rule): how many
    products, how many eligible today, and what the others miss — ISO 13485 verified by IMANOR, or a valid DMP
    registration — for everyone; the detailed reasons (which certificate is suspended…) and the capacities only
    for those the catalogue shows them to."""
    from tawrid.catalog import policies as catalog_policies
    from tawrid.catalog.eligibility import CERTIFICATE_NAMES, DEFAULT_REQUIRED_CERTIFICATES
    from tawrid.catalog.models import Product, ProductStatus
    from tawrid.catalog.selectors import eligibilities

    products = list(
        catalog_policies.product_scope(
            actor,
            Product.objects.filter(
                status=ProductStatus.PUBLISHED, emdn__code__startswith=group, manufacturer__country="MA"
            ),
        )
        .select_related("manufacturer", "emdn")
        .order_by("manufacturer__name", "name_fr", "pk")
    )
    verdicts = eligibilities(products, timezone.localdate())
    suppliers: dict[int, dict[str, Any]] = {}
    for product in products:
        verdict = verdicts.get(product.pk)
        entry = suppliers.setdefault(
            product.manufacturer_id,
            {"organisation": product.manufacturer, "products": 0, "eligible": 0, "capacity": None, "missing": {},
             "reasons": {}},
        )  # fmt: skip
        entry["products"] += 1
        if catalog_policies.can_see_commercial(actor, product) and product.capacity_per_year:
            entry["capacity"] = (entry["capacity"] or 0) + product.capacity_per_year
        if verdict is None or verdict.eligible:
            entry["eligible"] += verdict is not None
            continue
        held = {certificate.kind for certificate in verdict.valid_certificates}
        for kind in DEFAULT_REQUIRED_CERTIFICATES:
            if kind not in held:
                label = _("%(certificate)s verified by IMANOR") % {"certificate": CERTIFICATE_NAMES.get(kind, kind)}
                entry["missing"][label] = entry["missing"].get(label, 0) + 1
        if verdict.registration is None:
            label = _("DMP registration")
            entry["missing"][label] = entry["missing"].get(label, 0) + 1
        if catalog_policies.can_see_regulatory_reasons(actor, product):
            for reason in verdict.reasons:
                entry["reasons"][reason] = entry["reasons"].get(reason, 0) + 1
    return list(suppliers.values())


# ------------------------------------------------------------------------------------ data sets, crosswalk


def trade_datasets(actor: Actor) -> QuerySet[TradeDataset]:
    rows = TradeDataset.objects.select_related("uploaded_by", "job").order_by("-created_at", "-pk")
    return rows if can_manage_insights(actor) else rows.filter(status=DatasetStatus.READY)


def trade_dataset_get(actor: Actor, dataset_id: Any) -> TradeDataset:
    try:
        return trade_datasets(actor).get(pk=int(dataset_id))
    except (TradeDataset.DoesNotExist, TypeError, ValueError) as error:
        raise NotFound() from error


def illustrative_in_use() -> bool:
    return TradeDataset.objects.filter(status=DatasetStatus.READY, illustrative=True).exists()


def crosswalk(*, q: str = "", chapter: str = "", group: str = "") -> list[dict[str, Any]]:
    """The crosswalk per HS code: its description and its EMDN groups with their shares."""
    links = HsEmdnLink.objects.select_related("emdn_group").order_by("hs6", "emdn_group__code")
    if chapter:
        links = links.filter(hs6__startswith=chapter)
    if group:
        codes = HsEmdnLink.objects.filter(emdn_group__code__startswith=group).values("hs6")
        links = links.filter(hs6__in=codes)
    by_code: dict[str, list[HsEmdnLink]] = defaultdict(list)
    for link in links:
        by_code[link.hs6].append(link)
    descriptions = dict(HsCode.objects.filter(code__in=list(by_code)).values_list("code", "description"))
    rows: list[dict[str, Any]] = [
        {"hs6": code, "description": descriptions.get(code, ""), "links": items} for code, items in by_code.items()
    ]
    if q:
        needle = q.strip().lower()
        rows = [
            row
            for row in rows
            if needle in row["hs6"]
            or needle in row["description"].lower()
            or any(
                needle in link.emdn_group.term.lower() or needle in link.emdn_group.code.lower()
                for link in row["links"]
            )
        ]
    return rows


def crosswalk_code(hs6: str) -> tuple[HsCode, list[HsEmdnLink]]:
    code = HsCode.objects.filter(code=hs6, level=6).first()
    if code is None:
        raise NotFound(_("No such HS 2022 subheading."))
    return code, list(HsEmdnLink.objects.filter(hs6=hs6).select_related("emdn_group").order_by("emdn_group__code"))


def crosswalk_history(hs6: str, *, limit: int = 100) -> QuerySet[LogEntry]:
    """The audit trail of the code's links (created, changed, removed), newest first."""
    content_type = ContentType.objects.get_for_model(HsEmdnLink)
    return (
        LogEntry.objects.filter(content_type=content_type, object_repr__startswith=f"{hs6} ")
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:limit]
    )


def emdn_group_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} — {term}") for code, term in EmdnCode.objects.filter(level=2).values_list("code", "term")]
