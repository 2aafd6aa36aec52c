"""API of the insights (/api/v1/insights/): the indicator snapshot, the figures per year and per EMDN group,
the ranked opportunities and one group's detail, imports by origin and HS code, the HS ↔ EMDN crosswalk and
the trade data sets, and the dashboards (an organisation's, the secretariat's, the ministries').

The same selectors, services and rules as the pages (tawrid.insights.policies): every signed-in person reads
the figures, the crosswalk and the loaded data sets; only the cluster secretariat's writers (and the operator)
upload or delete a data set, edit the crosswalk or ask for a new computation (403 otherwise). Money is given
as decimal strings (like the other apps); ratios as decimal strings rounded to 4 places; the opportunity
score and its components, which are computed as floats, as numbers. A buyer whose plan does not disclose it
is never named (unless the caller may read the buyer's own data)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from tawrid.core.api_schemas import Id, Limit1000, Limit5000, Offset, Year
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import Actor, actor_for
from tawrid.insights import dashboards, definitions, opportunities, policies, selectors, services
from tawrid.insights.models import GroupFigures, GroupYearFigures, IndicatorSnapshot, TradeDataset

router = Router(tags=["insights"])

RATIO = Decimal("0.0001")
AUDIT_ACTIONS = {0: "create", 1: "update", 2: "delete", 3: "access"}


class Unprocessable(DomainError):
    """A parameter the API understood but cannot use (a weight out of range, a year without figures)."""

    status = 422


# Schemas ---------------------------------------------------------------------------------------------------------


class DatasetRefOut(Schema):
    id: int
    name: str
    illustrative: bool
    source: str


class SnapshotOut(Schema):
    id: int
    status: str
    created_at: datetime
    finished_at: datetime | None
    trade_years: list[int]
    demand_years: list[int]
    illustrative: bool = Field(..., description="True when illustrative (made-up) trade data was used.")
    datasets: list[DatasetRefOut]
    complexity_countries: int
    complexity_year: int | None
    notes: list[str]
    pending_snapshot_id: int | None = Field(..., description="A computation queued or running, if any.")


class SnapshotQueuedOut(Schema):
    snapshot_id: int
    job_id: int | None
    status: str


class MarketFactOut(Schema):
    figure: str
    quote: str
    source: str
    published: str


class DefinitionsOut(Schema):
    indicators: dict[str, str]
    market_context: list[MarketFactOut]
    opportunity_components: dict[str, str]
    default_weights: dict[str, int]
    opportunity_score: str = Field(..., description="How the opportunity score is computed.")


class YearTotalsOut(Schema):
    year: int
    imports_usd: Decimal
    imports_mad: Decimal | None = Field(..., description="Null when a group of the year has no exchange rate.")
    demand_mad: Decimal = Field(
        ..., description="Declared demand, all lines of the plans in force (with a category: its EMDN-coded lines)."
    )
    demand_coded_mad: Decimal = Field(..., description="The part of the declared demand whose lines are EMDN-coded.")
    buyers: int | None = Field(..., description="Buyers with a plan line in force (null per EMDN category).")
    covered_mad: Decimal
    ordered_mad: Decimal
    ordered_local_mad: Decimal
    coverage: Decimal | None = Field(..., description="Covered ÷ declared demand.")
    local_rate: Decimal | None = Field(..., description="Ordered locally ÷ ordered.")
    local_rate_of_plan: Decimal | None = Field(..., description="Ordered locally ÷ declared demand.")


class HsShareOut(Schema):
    hs6: str
    share_percent: Decimal


class GroupFiguresOut(Schema):
    label: str
    manufacturers: int
    products: int
    eligible_products: int
    capacity_units: int
    risk_class: str
    risk_class_from_products: bool
    hs_codes: list[HsShareOut]
    rca: float | None
    density: float | None
    pci: float | None
    cog: float | None
    category_makers: int
    certified_products: int = Field(..., description="Published local products with ISO 13485 verified by IMANOR.")
    registered_products: int = Field(..., description="Published local products with a valid DMP registration.")
    labelled_products: int = Field(..., description="Published local products with the Made in Morocco label.")
    registrations_pending: int = Field(..., description="Products whose DMP registration is under review.")
    certificates_expiring: int = Field(..., description="Products whose ISO 13485 certificate lapses within 90 days.")
    registrations_expiring: int = Field(..., description="Products whose DMP registration lapses within 90 days.")


class GroupYearOut(Schema):
    group: str
    label: str
    year: int
    imports_usd: Decimal
    imports_mad: Decimal | None
    import_origins: int
    exports_usd: Decimal
    demand_mad: Decimal
    demand_lines: int
    demand_buyers: int
    covered_mad: Decimal
    ordered_mad: Decimal
    ordered_local_mad: Decimal
    coverage: Decimal | None
    local_rate: Decimal | None
    figures: GroupFiguresOut | None = Field(..., description="Local supply and complexity of the group.")


class ComponentsOut(Schema):
    imports: float
    demand: float
    gap: float
    regulatory: float
    closeness: float


class WeightsOut(Schema):
    imports: int
    demand: int
    gap: int
    regulatory: int
    closeness: int


class OpportunityInputsOut(Schema):
    imports: Decimal = Field(..., description="In MAD when the trade year has a rate, else in USD.")
    demand: Decimal
    buyers: int
    covered: Decimal
    eligible_products: int
    manufacturers: int
    risk_class: str
    density: float | None
    category_makers: int


class OpportunityOut(Schema):
    rank: int
    group: str
    label: str
    score: float = Field(..., description="0 to 100.")
    components: ComponentsOut
    inputs: OpportunityInputsOut
    coverage: float | None = Field(..., description="Share of the declared demand covered locally.")
    closeness_from_density: bool


class OpportunityListOut(Schema):
    snapshot_id: int
    trade_year: int | None
    demand_year: int | None
    imports_currency: str = Field(..., description="MAD or USD.")
    category: str
    weights: WeightsOut
    default_weights: bool
    results: list[OpportunityOut]


class OriginOut(Schema):
    country: str
    name: str
    value_usd: Decimal
    share: Decimal | None


class QuantityOut(Schema):
    unit: str
    quantity: Decimal


class HsImportsOut(Schema):
    hs6: str
    description: str
    share_percent: Decimal
    value_usd: Decimal = Field(..., description="Imports of the whole HS code.")
    group_value_usd: Decimal = Field(..., description="The part counted for the group (value × share).")
    quantities: list[QuantityOut]


class ImportsOut(Schema):
    group: str
    label: str
    year: int
    by_origin: list[OriginOut]
    by_hs: list[HsImportsOut]


class BuyerDemandOut(Schema):
    named: bool
    name: str | None = Field(..., description="Null for a buyer whose plan does not disclose it.")
    kind: str
    region: str
    lines: int
    quantity: Decimal
    value: Decimal


class SupplierOut(Schema):
    organisation_id: int
    name: str
    slug: str
    products: int
    eligible: int
    capacity: int | None = Field(..., description="Null for those who may not see capacities.")
    missing: dict[str, int] = Field(
        ...,
        description="What the products not eligible lack (ISO 13485 verified by IMANOR, DMP registration), counted.",
    )
    reasons: dict[str, int] = Field(
        ..., description="The detailed reasons, for those the catalogue shows them to (empty otherwise)."
    )


class OpportunityDetailOut(Schema):
    group: str
    label: str
    snapshot_id: int
    trade_year: int | None
    demand_year: int | None
    weights: WeightsOut
    opportunity: OpportunityOut
    figures: GroupFiguresOut | None
    years: list[GroupYearOut]
    imports_by_origin: list[OriginOut]
    imports_by_hs: list[HsImportsOut]
    demand: list[BuyerDemandOut]
    suppliers: list[SupplierOut]


class LinkOut(Schema):
    group: str
    term: str
    share_percent: Decimal
    note: str


class CrosswalkRowOut(Schema):
    hs6: str
    description: str
    links: list[LinkOut]


class HistoryOut(Schema):
    timestamp: datetime
    actor: str | None
    action: str
    object: str
    changes: dict[str, Any]


class CrosswalkCodeOut(CrosswalkRowOut):
    history: list[HistoryOut]


class LinkIn(Schema):
    group: str = Field(..., description="An EMDN group: a letter and two digits, e.g. A02.")
    share_percent: Decimal = Field(..., description="Above 0, at most 100; the shares of a code add up to 100.")
    note: str = ""


class CrosswalkIn(Schema):
    links: list[LinkIn]


class DatasetOut(Schema):
    id: int
    name: str
    source: str
    layout: str
    hs_revision: str
    illustrative: bool
    status: str
    years: list[int]
    countries: list[str]
    flow_count: int
    total_value_usd: Decimal
    created_at: datetime
    loaded_at: datetime | None
    original_filename: str | None = Field(None, description="For the secretariat only (as every field below).")
    file_size: int | None = None
    rows_read: int | None = None
    skipped: dict[str, int] | None = None
    problem_count: int | None = None
    error: str | None = None
    uploaded_by: str | None = None
    job_id: int | None = None


class ProblemOut(Schema):
    line: int | None = None
    column: str = ""
    value: str = ""
    message: str


class DatasetDetailOut(DatasetOut):
    problems: list[ProblemOut] | None = Field(None, description="The first problems found (secretariat only).")


class OrganisationRefOut(Schema):
    id: int
    name: str
    kind: str
    region: str


class PurchaseFiguresOut(Schema):
    demand_mad: Decimal = Field(..., description="Declared demand: plans in force of the year.")
    covered_mad: Decimal = Field(..., description="The part eligible local products can cover.")
    coverage: Decimal | None
    ordered_mad: Decimal
    ordered_local_mad: Decimal = Field(..., description="Ordered from manufacturers established in Morocco.")
    local_rate: Decimal | None


class BuyerGroupOut(PurchaseFiguresOut):
    group: str
    label: str
    lines: int


class BuyerTotalsOut(PurchaseFiguresOut):
    local_rate_of_plan: Decimal | None


class ManufacturerGroupOut(Schema):
    group: str
    label: str
    products: int
    eligible_products: int
    ordered_mad: Decimal = Field(..., description="Value ordered from the manufacturer (all years).")
    national_demand_mad: Decimal
    buyers: int
    covered_mad: Decimal
    coverage: Decimal | None


class MissingOut(Schema):
    requirement: str
    products: int


class OrganisationDashboardOut(Schema):
    organisation: OrganisationRefOut
    role: str = Field(..., description="buyer or manufacturer")
    year: int | None = Field(..., description="The plans' year (buyer) or the national demand's year (manufacturer).")
    years: list[int]
    buyer_groups: list[BuyerGroupOut]
    buyer_totals: BuyerTotalsOut | None
    manufacturer_groups: list[ManufacturerGroupOut]
    missing: list[MissingOut]
    opportunities: list[OpportunityOut]


class ClusterBuyerOut(BuyerTotalsOut):
    organisation: OrganisationRefOut
    lines: int


class ClusterSupplierOut(Schema):
    organisation: OrganisationRefOut
    groups: int
    products: int
    eligible_products: int
    certified_products: int
    registered_products: int
    labelled_products: int
    capacity_units: int
    allocated_mad: Decimal = Field(..., description="Declared demand allocated to its products (national run).")
    sold_mad: Decimal = Field(..., description="Value ordered from it that year.")


class ClusterDashboardOut(Schema):
    snapshot_id: int
    year: int | None
    years: list[int]
    buyers: list[ClusterBuyerOut]
    suppliers: list[ClusterSupplierOut]
    totals: BuyerTotalsOut


class RegulatoryRowOut(Schema):
    code: str = Field(..., description="EMDN category (one letter), or EMDN group when a category is asked for.")
    label: str
    imports_usd: Decimal
    imports_mad: Decimal | None
    demand_mad: Decimal
    covered_mad: Decimal
    coverage: Decimal | None
    manufacturers: int
    products: int
    eligible_products: int
    certified_products: int
    registered_products: int
    labelled_products: int
    registrations_pending: int
    certificates_expiring: int
    registrations_expiring: int
    certified_not_registered: int
    registered_not_certified: int
    neither: int
    capacity_units: int


class RegulatoryDashboardOut(Schema):
    snapshot_id: int
    category: str
    trade_year: int | None
    demand_year: int | None
    rows: list[RegulatoryRowOut]
    manufacturers: int
    review_queues: dict[str, int] = Field(
        ..., description="Decisions waiting for the caller's own authority (IMANOR, DMP); empty for others."
    )


class OpportunityQuery(Schema):
    category: str = Field("", description="An EMDN category (one letter).")
    trade_year: Year | None = Field(None, description="Year of the imports (default: the latest loaded).")
    demand_year: Year | None = Field(None, description="Year of the plans (default: the latest).")
    w_imports: int = opportunities.DEFAULT_WEIGHTS["imports"]
    w_demand: int = opportunities.DEFAULT_WEIGHTS["demand"]
    w_gap: int = opportunities.DEFAULT_WEIGHTS["gap"]
    w_regulatory: int = opportunities.DEFAULT_WEIGHTS["regulatory"]
    w_closeness: int = opportunities.DEFAULT_WEIGHTS["closeness"]


# Helpers ---------------------------------------------------------------------------------------------------------


def _snapshot() -> IndicatorSnapshot:
    snapshot = selectors.latest_snapshot()
    if snapshot is None:
        raise NotFound(_("No indicators have been computed yet."))
    return snapshot


def _ratio(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(RATIO)


def _category(text: str) -> str:
    category = (text or "").strip().upper()
    if category and not (len(category) == 1 and category.isalpha()):
        raise Unprocessable(_("An EMDN category is one letter, e.g. A."), code="invalid_category")
    return category


def _year(value: int | None, allowed: list[int], default: int | None) -> int | None:
    if value is None:
        return default
    if value not in allowed:
        # A well-formed year the data does not cover: a rule of the data, not of the document (400, not 422).
        message = _("No figures for %(year)s (years: %(years)s).") % {
            "year": value,
            "years": ", ".join(str(y) for y in sorted(allowed)) or "—",
        }
        raise DomainError(message, code="no_figures", details={"year": [message]})
    return value


def _group(text: str) -> tuple[str, str]:
    group = (text or "").strip().upper()
    terms = selectors.group_terms([group])
    if group not in terms:
        raise NotFound(_("No such EMDN group."))
    return group, terms[group]


def _weights(query: OpportunityQuery) -> opportunities.Weights:
    try:
        return opportunities.Weights(
            imports=query.w_imports,
            demand=query.w_demand,
            gap=query.w_gap,
            regulatory=query.w_regulatory,
            closeness=query.w_closeness,
        )
    except DomainError as error:
        raise Unprocessable(error.message, code=error.code) from error


def _figures(figure: GroupFigures | None) -> dict[str, Any] | None:
    if figure is None:
        return None
    return {
        "label": figure.label,
        "manufacturers": figure.manufacturers,
        "products": figure.products,
        "eligible_products": figure.eligible_products,
        "capacity_units": figure.capacity_units,
        "risk_class": figure.risk_class,
        "risk_class_from_products": figure.risk_class_from_products,
        # The snapshot keeps shares as text, possibly in exponent form ("1E+2"): given as percentages to 2 places.
        "hs_codes": [
            {"hs6": hs6, "share_percent": Decimal(share).quantize(Decimal("0.01"))} for hs6, share in figure.hs_codes
        ],
        "rca": figure.rca,
        "density": figure.density,
        "pci": figure.pci,
        "cog": figure.cog,
        "category_makers": figure.category_makers,
        "certified_products": figure.certified_products,
        "registered_products": figure.registered_products,
        "labelled_products": figure.labelled_products,
        "registrations_pending": figure.registrations_pending,
        "certificates_expiring": figure.certificates_expiring,
        "registrations_expiring": figure.registrations_expiring,
    }


def _group_year(row: GroupYearFigures, figure: GroupFigures | None, label: str) -> dict[str, Any]:
    return {
        "group": row.group,
        "label": label,
        "year": row.year,
        "imports_usd": row.imports_usd,
        "imports_mad": row.imports_mad,
        "import_origins": row.import_origins,
        "exports_usd": row.exports_usd,
        "demand_mad": row.demand_mad,
        "demand_lines": row.demand_lines,
        "demand_buyers": row.demand_buyers,
        "covered_mad": row.covered_mad,
        "ordered_mad": row.ordered_mad,
        "ordered_local_mad": row.ordered_local_mad,
        "coverage": _ratio(row.covered_mad / row.demand_mad) if row.demand_mad else None,
        "local_rate": _ratio(row.ordered_local_mad / row.ordered_mad) if row.ordered_mad else None,
        "figures": _figures(figure),
    }


def _opportunity(item: opportunities.Opportunity) -> dict[str, Any]:
    inputs = item.inputs
    return {
        "rank": item.rank,
        "group": item.group,
        "label": inputs.label,
        "score": item.score,
        "components": {name: round(item.components[name], 6) for name in opportunities.COMPONENTS},
        "inputs": {
            "imports": inputs.imports,
            "demand": inputs.demand,
            "buyers": inputs.buyers,
            "covered": inputs.covered,
            "eligible_products": inputs.eligible_products,
            "manufacturers": inputs.manufacturers,
            "risk_class": inputs.risk_class,
            "density": inputs.density,
            "category_makers": inputs.category_makers,
        },
        "coverage": item.coverage,
        "closeness_from_density": item.closeness_from_density,
    }


def _years_of(snapshot: IndicatorSnapshot, query: OpportunityQuery) -> tuple[int | None, int | None]:
    defaults = selectors.default_years(snapshot)
    trade_year = _year(query.trade_year, list(snapshot.trade_years), defaults.trade_year)
    demand_year = _year(query.demand_year, list(snapshot.demand_years), defaults.demand_year)
    return trade_year, demand_year


def _imports_currency(snapshot: IndicatorSnapshot, trade_year: int | None) -> str:
    """The currency `selectors.opportunity_list` compares imports in: MAD when the year had a rate."""
    if trade_year is None:
        return "USD"
    with_rate = GroupYearFigures.objects.filter(snapshot=snapshot, year=trade_year, imports_mad__isnull=False)
    return "MAD" if with_rate.exists() else "USD"


def _origins(group: str, year: int) -> list[dict[str, Any]]:
    return [
        {**row, "share": _ratio(row["share"])}
        for row in selectors.imports_by_origin(group, year, language=get_language() or "fr")
    ]


def _by_hs(group: str, year: int) -> list[dict[str, Any]]:
    return [
        {**row, "quantities": [{"unit": unit, "quantity": qty} for unit, qty in row["quantities"]]}
        for row in selectors.imports_by_hs(group, year)
    ]


def _demand(actor: Actor, group: str, year: int) -> list[dict[str, Any]]:
    """Buyers' demand as `selectors.group_demand` allows: the name only of a named buyer."""
    return [
        {**row, "name": row["name"] if row["named"] else None} for row in selectors.group_demand(actor, group, year)
    ]


def _suppliers(actor: Actor, group: str) -> list[dict[str, Any]]:
    """Local suppliers as the catalogue's rules allow (see `selectors.group_suppliers`)."""
    return [
        {
            "organisation_id": entry["organisation"].pk,
            "name": entry["organisation"].name,
            "slug": entry["organisation"].slug,
            "products": entry["products"],
            "eligible": entry["eligible"],
            "capacity": entry["capacity"],
            "missing": {str(k): v for k, v in entry["missing"].items()},
            "reasons": {str(k): v for k, v in entry["reasons"].items()},
        }
        for entry in selectors.group_suppliers(actor, group)
    ]


def _links(links: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "group": link.emdn_group.code,
            "term": link.emdn_group.term,
            "share_percent": link.share_percent,
            "note": link.note,
        }
        for link in links
    ]


def _crosswalk_code(hs6: str) -> dict[str, Any]:
    code, links = selectors.crosswalk_code(hs6)
    return {
        "hs6": code.code,
        "description": code.description,
        "links": _links(links),
        "history": [
            {
                "timestamp": entry.timestamp,
                "actor": entry.actor.email if entry.actor else None,
                "action": AUDIT_ACTIONS.get(entry.action, str(entry.action)),
                "object": entry.object_repr,
                "changes": entry.changes_dict,
            }
            for entry in selectors.crosswalk_history(code.code)
        ],
    }


def _dataset(actor: Actor, dataset: TradeDataset, *, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": dataset.pk,
        "name": dataset.name,
        "source": dataset.source,
        "layout": dataset.layout,
        "hs_revision": dataset.hs_revision,
        "illustrative": dataset.illustrative,
        "status": dataset.status,
        "years": dataset.years,
        "countries": dataset.countries,
        "flow_count": dataset.flow_count,
        "total_value_usd": dataset.total_value_usd,
        "created_at": dataset.created_at,
        "loaded_at": dataset.loaded_at,
    }
    if policies.can_manage(actor):
        data.update(
            original_filename=dataset.original_filename,
            file_size=dataset.file_size,
            rows_read=dataset.rows_read,
            skipped=dataset.skipped,
            problem_count=dataset.problem_count,
            error=dataset.error,
            uploaded_by=dataset.uploaded_by.email if dataset.uploaded_by else None,
            job_id=dataset.job_id,
        )
        if detail:
            data["problems"] = [
                {
                    "line": problem.get("line"),
                    "column": str(problem.get("column") or ""),
                    "value": str(problem.get("value") or ""),
                    "message": str(problem.get("message") or ""),
                }
                for problem in dataset.problems
            ]
    return data


def _require_manager(actor: Actor) -> None:
    if not policies.can_manage(actor):
        raise Forbidden(_("Only the cluster secretariat may do this."))


# Snapshot, definitions -------------------------------------------------------------------------------------------


@router.get("/snapshot", response=SnapshotOut, summary="The latest computed indicators (404 before the first)")
def get_snapshot(request: HttpRequest) -> dict[str, Any]:
    snapshot = _snapshot()
    pending = selectors.snapshot_pending()
    return {
        "id": snapshot.pk,
        "status": snapshot.status,
        "created_at": snapshot.created_at,
        "finished_at": snapshot.finished_at,
        "trade_years": snapshot.trade_years,
        "demand_years": snapshot.demand_years,
        "illustrative": snapshot.illustrative,
        "datasets": snapshot.datasets,
        "complexity_countries": snapshot.complexity_countries,
        "complexity_year": snapshot.complexity_year,
        "notes": [str(note) for note in snapshot.notes],
        "pending_snapshot_id": pending.pk if pending else None,
    }


@router.post(
    "/snapshot/refresh", response={202: SnapshotQueuedOut}, summary="Compute the indicators again (secretariat)"
)
def refresh_snapshot(request: HttpRequest) -> Status[dict[str, Any]]:
    actor = actor_for(request.user)
    snapshot = services.snapshot_request(actor=actor, user=request.user)
    return Status(202, {"snapshot_id": snapshot.pk, "job_id": snapshot.job_id, "status": snapshot.status})


@router.get("/definitions", response=DefinitionsOut, summary="What each indicator means, and the market context")
def get_definitions(request: HttpRequest) -> dict[str, Any]:
    return {
        "indicators": {key: str(text) for key, text in definitions.INDICATORS.items()},
        "market_context": [
            {"figure": str(fact.figure), "quote": fact.quote, "source": fact.source, "published": fact.published}
            for fact in definitions.MARKET_CONTEXT
        ],
        "opportunity_components": {
            name: str(opportunities.COMPONENT_LABELS[name]) for name in opportunities.COMPONENTS
        },
        "default_weights": dict(opportunities.DEFAULT_WEIGHTS),
        "opportunity_score": (opportunities.__doc__ or "").strip(),
    }


# Indicators ------------------------------------------------------------------------------------------------------


@router.get("/indicators/years", response=list[YearTotalsOut], summary="National figures per year, newest first")
def indicator_years(request: HttpRequest, category: str = "") -> list[dict[str, Any]]:
    snapshot = _snapshot()
    return [
        {
            "year": totals.year,
            "imports_usd": totals.imports_usd,
            "imports_mad": totals.imports_mad,
            "demand_mad": totals.demand_mad,
            "demand_coded_mad": totals.demand_coded_mad,
            "buyers": totals.buyers,
            "covered_mad": totals.covered_mad,
            "ordered_mad": totals.ordered_mad,
            "ordered_local_mad": totals.ordered_local_mad,
            "coverage": _ratio(totals.coverage),
            "local_rate": _ratio(totals.local_rate),
            "local_rate_of_plan": _ratio(totals.local_rate_of_plan),
        }
        for totals in selectors.year_totals(snapshot, category=_category(category))
    ]


@router.get(
    "/indicators/groups",
    response=list[GroupYearOut],
    summary="Figures per EMDN group for one year (default: the latest trade year), largest imports first",
)
def indicator_groups(request: HttpRequest, year: Year | None = None, category: str = "") -> list[dict[str, Any]]:
    snapshot = _snapshot()
    category = _category(category)
    years = sorted(set(snapshot.trade_years) | set(snapshot.demand_years))
    default = max(snapshot.trade_years) if snapshot.trade_years else None
    chosen = _year(year, years, default)
    if chosen is None:
        return []
    rows = list(selectors.group_year_rows(snapshot, year=chosen, category=category))
    supply = {figure.group: figure for figure in selectors.group_rows(snapshot, category=category)}
    terms = selectors.group_terms({row.group for row in rows} - set(supply))
    rows.sort(key=lambda r: (-(r.imports_usd or 0), -(r.demand_mad or 0), r.group))
    return [
        _group_year(
            row,
            supply.get(row.group),
            supply[row.group].label if row.group in supply else terms.get(row.group, ""),
        )
        for row in rows
    ]


# Opportunities ---------------------------------------------------------------------------------------------------


@router.get("/opportunities", response=OpportunityListOut, summary="The EMDN groups ranked by opportunity score")
def list_opportunities(request: HttpRequest, query: Query[OpportunityQuery]) -> dict[str, Any]:
    """Weights are whole numbers from 0 to 100 (at least one above 0); the score is the weighted mean of the
    components × 100. See /definitions for how each component is computed."""
    snapshot = _snapshot()
    weights = _weights(query)
    category = _category(query.category)
    trade_year, demand_year = _years_of(snapshot, query)
    ranked = selectors.opportunity_list(
        snapshot, weights=weights, trade_year=trade_year, demand_year=demand_year, category=category
    )
    return {
        "snapshot_id": snapshot.pk,
        "trade_year": trade_year,
        "demand_year": demand_year,
        "imports_currency": _imports_currency(snapshot, trade_year),
        "category": category,
        "weights": weights.as_dict(),
        "default_weights": weights.is_default,
        "results": [_opportunity(item) for item in ranked],
    }


@router.get(
    "/opportunities/{group}",
    response=OpportunityDetailOut,
    summary="One EMDN group: score, figures per year, imports by origin and HS code, buyers' demand, suppliers",
)
def get_opportunity(request: HttpRequest, group: str, query: Query[OpportunityQuery]) -> dict[str, Any]:
    """The score is computed as in the list (same weights and years); imports by origin and HS code are those
    of `trade_year`, the buyers' demand that of `demand_year`. Buyers whose plan does not disclose them are
    given by kind and region only."""
    actor = actor_for(request.user)
    group, label = _group(group)
    snapshot = _snapshot()
    weights = _weights(query)
    trade_year, demand_year = _years_of(snapshot, query)
    ranked = selectors.opportunity_list(snapshot, weights=weights, trade_year=trade_year, demand_year=demand_year)
    opportunity = next((item for item in ranked if item.group == group), None)
    if opportunity is None:
        raise NotFound(_("No opportunity for this EMDN group."))
    figure = selectors.group_rows(snapshot).filter(group=group).first()
    per_year = selectors.group_year_rows(snapshot, group=group)
    return {
        "group": group,
        "label": label,
        "snapshot_id": snapshot.pk,
        "trade_year": trade_year,
        "demand_year": demand_year,
        "weights": weights.as_dict(),
        "opportunity": _opportunity(opportunity),
        "figures": _figures(figure),
        "years": [_group_year(row, figure, label) for row in per_year],
        "imports_by_origin": _origins(group, trade_year) if trade_year else [],
        "imports_by_hs": _by_hs(group, trade_year) if trade_year else [],
        "demand": _demand(actor, group, demand_year) if demand_year else [],
        "suppliers": _suppliers(actor, group),
    }


@router.get(
    "/imports",
    response=ImportsOut,
    summary="One EMDN group's imports of one year by country of origin and by HS code (USD)",
)
def get_imports(request: HttpRequest, group: str, year: Year | None = None) -> dict[str, Any]:
    """Read from the loaded trade flows: each HS code's value × its share in the group. Without `year`, the
    latest trade year of the indicators."""
    group, label = _group(group)
    if year is None:
        snapshot = _snapshot()
        year = selectors.default_years(snapshot).trade_year
        if year is None:
            raise NotFound(_("No trade data loaded yet."))
    return {
        "group": group,
        "label": label,
        "year": year,
        "by_origin": _origins(group, year),
        "by_hs": _by_hs(group, year),
    }


# Crosswalk -------------------------------------------------------------------------------------------------------


@router.get("/crosswalk", response=list[CrosswalkRowOut], summary="The HS ↔ EMDN crosswalk per HS 2022 code")
def list_crosswalk(
    request: HttpRequest,
    q: str = "",
    chapter: Annotated[str, Field(pattern=r"^(\d\d)?$", description="An HS chapter: two digits.")] = "",
    offset: Offset = 0,
    limit: Limit5000 = 1000,
) -> list[dict[str, Any]]:
    q = q.strip()[:100]
    chapter = chapter.strip()[:2]
    if chapter and not chapter.isdigit():
        raise Unprocessable(_("An HS chapter is two digits, e.g. 90."), code="invalid_chapter")
    offset, limit = max(0, offset), max(1, min(limit, 5000))
    rows = selectors.crosswalk(q=q, chapter=chapter)[offset : offset + limit]
    return [{"hs6": row["hs6"], "description": row["description"], "links": _links(row["links"])} for row in rows]


@router.get("/crosswalk/{hs6}", response=CrosswalkCodeOut, summary="One HS code's EMDN groups and its history")
def get_crosswalk_code(request: HttpRequest, hs6: str) -> dict[str, Any]:
    return _crosswalk_code(hs6.strip())


@router.put(
    "/crosswalk/{hs6}",
    response=CrosswalkCodeOut,
    summary="Replace one HS code's EMDN groups (secretariat); the shares add up to 100",
)
def put_crosswalk_code(request: HttpRequest, hs6: str, payload: CrosswalkIn) -> dict[str, Any]:
    """All or nothing: refused (400, nothing changed) when the code would be left without a group, a group is
    unknown or repeated, or the shares do not add up to 100."""
    actor = actor_for(request.user)
    _require_manager(actor)
    code, _links_now = selectors.crosswalk_code(hs6.strip())
    services.crosswalk_set_links(
        actor=actor,
        hs6=code.code,
        links=[
            services.LinkInput(link.group.strip().upper(), link.share_percent, link.note.strip())
            for link in payload.links
        ],
    )
    return _crosswalk_code(code.code)


# Trade data sets -------------------------------------------------------------------------------------------------


@router.get("/datasets", response=list[DatasetOut], summary="Trade data sets (the loaded ones unless secretariat)")
def list_datasets(request: HttpRequest, offset: Offset = 0, limit: Limit1000 = 200) -> list[dict[str, Any]]:
    actor = actor_for(request.user)
    offset, limit = max(0, offset), max(1, min(limit, 1000))
    return [_dataset(actor, dataset) for dataset in selectors.trade_datasets(actor)[offset : offset + limit]]


@router.post(
    "/datasets",
    response={201: DatasetOut},
    summary="Upload a trade file (multipart; UN Comtrade or CEPII BACI CSV; secretariat)",
)
def upload_dataset(
    request: HttpRequest,
    file: File[UploadedFile],
    name: Form[str] = "",
    hs_revision: Form[str] = "",
    illustrative: Form[bool] = False,
    replace_existing: Form[bool] = False,
) -> Status[dict[str, Any]]:
    """The layout is recognised at once (an unknown layout is refused, nothing kept); the rows are checked and
    loaded by a job (follow `job_id` under /api/v1/jobs/ or poll the data set): nothing is loaded unless every
    row is valid."""
    actor = actor_for(request.user)
    _require_manager(actor)
    dataset = services.trade_dataset_upload(
        actor=actor,
        user=request.user,
        upload=file,
        name=name.strip(),
        hs_revision=hs_revision.strip(),
        illustrative=illustrative,
        replace_existing=replace_existing,
    )
    return Status(201, _dataset(actor, dataset))


@router.get("/datasets/{dataset_id}", response=DatasetDetailOut, summary="A trade data set (with its problems)")
def get_dataset(request: HttpRequest, dataset_id: Id) -> dict[str, Any]:
    actor = actor_for(request.user)
    return _dataset(actor, selectors.trade_dataset_get(actor, dataset_id), detail=True)


@router.delete("/datasets/{dataset_id}", response={204: None}, summary="Remove a trade data set and its flows")
def delete_dataset(request: HttpRequest, dataset_id: Id) -> Status[None]:
    actor = actor_for(request.user)
    dataset = selectors.trade_dataset_get(actor, dataset_id)
    services.trade_dataset_delete(actor=actor, dataset=dataset)
    return Status(204, None)


# Dashboards ------------------------------------------------------------------------------------------------------


def _organisation_ref(organisation: Any) -> dict[str, Any]:
    return {"id": organisation.pk, "name": organisation.name, "kind": organisation.kind, "region": organisation.region}


@router.get(
    "/dashboards/organisations/{organisation_id}",
    response=OrganisationDashboardOut,
    summary="A buyer's or a manufacturer's dashboard (its own people, the secretariat overseeing it)",
)
def get_organisation_dashboard(request: HttpRequest, organisation_id: Id, year: Year | None = None) -> dict[str, Any]:
    """A buyer: its plans in force of `year` (default: its latest) per EMDN group, with what eligible local products
    can cover and what it ordered. A manufacturer: its EMDN groups, the national demand there, what its products
    miss, and the first opportunities of its EMDN categories. 404 for an organisation the caller may not read."""
    from tawrid.accounts.models import BUYER_KINDS

    actor = actor_for(request.user)
    organisation = dashboards.dashboard_organisation(actor, organisation_id)
    out: dict[str, Any] = {
        "organisation": _organisation_ref(organisation),
        "buyer_groups": [],
        "buyer_totals": None,
        "manufacturer_groups": [],
        "missing": [],
        "opportunities": [],
    }
    if organisation.kind in BUYER_KINDS:
        years = dashboards.buyer_years(organisation)
        chosen = _year(year, years, years[0] if years else None)
        data = dashboards.buyer_dashboard(organisation, chosen) if chosen else {"rows": [], "totals": None}
        totals = data["totals"]
        out.update(
            role="buyer",
            year=chosen,
            years=years,
            buyer_groups=[
                {"group": r["group"], "label": r["label"], "lines": r["lines"], **_purchase(r)} for r in data["rows"]
            ],
            buyer_totals=_purchase(totals) if totals else None,
        )
        return out
    snapshot = selectors.latest_snapshot()
    data = dashboards.manufacturer_dashboard(actor, organisation, snapshot)
    out.update(
        role="manufacturer",
        year=data["demand_year"],
        years=list(snapshot.demand_years) if snapshot else [],
        manufacturer_groups=[
            {
                "group": r["group"],
                "label": r["label"],
                "products": r["products"],
                "eligible_products": r["eligible"],
                "ordered_mad": r["ordered"],
                "national_demand_mad": r["demand"],
                "buyers": r["buyers"],
                "covered_mad": r["covered"],
                "coverage": _ratio(r["coverage"]),
            }
            for r in data["rows"]
        ],  # fmt: skip
        missing=[{"requirement": label, "products": count} for label, count in data["missing"].items()],
        opportunities=[_opportunity(o) for o in data["opportunities"]],
    )
    return out


def _purchase(figures: dict[str, Any]) -> dict[str, Any]:
    """PurchaseFiguresOut (and the rate against the plan where there is one) from the dashboards' figures."""
    out = {
        "demand_mad": figures["demand"],
        "covered_mad": figures["covered"],
        "coverage": _ratio(figures["coverage"]),
        "ordered_mad": figures["ordered"],
        "ordered_local_mad": figures["ordered_local"],
        "local_rate": _ratio(figures["local_rate"]),
    }
    if "local_rate_of_plan" in figures:
        out["local_rate_of_plan"] = _ratio(figures["local_rate_of_plan"])
    return out


def _require_dashboard(actor: Actor, name: str) -> None:
    if not policies.can_open_dashboard(actor, name):
        raise Forbidden(_("This dashboard is for the ministries and the cluster secretariat."))


@router.get(
    "/dashboards/cluster",
    response=ClusterDashboardOut,
    summary="The secretariat's dashboard: every member buyer and local manufacturer in one year",
)
def get_cluster_dashboard(request: HttpRequest, year: Year | None = None) -> dict[str, Any]:
    actor = actor_for(request.user)
    if not policies.can_open_dashboard(actor, "cluster"):
        raise Forbidden(_("This dashboard is for the cluster secretariat."))
    snapshot = _snapshot()
    years = dashboards.figure_years(snapshot)
    default = max(snapshot.demand_years) if snapshot.demand_years else (years[0] if years else None)
    chosen = _year(year, years, default)
    data = dashboards.cluster_dashboard(actor, snapshot, chosen)
    suppliers = []
    for entry in data["suppliers"]:
        catalogue = entry.get("catalogue")
        suppliers.append(
            {
                "organisation": _organisation_ref(entry["organisation"]),
                **{name: getattr(catalogue, name) if catalogue else 0 for name in (
                    "groups", "products", "eligible_products", "certified_products", "registered_products",
                    "labelled_products", "capacity_units")},
                "allocated_mad": entry["allocated"],
                "sold_mad": entry["sold"],
            }
        )  # fmt: skip
    return {
        "snapshot_id": snapshot.pk,
        "year": chosen,
        "years": years,
        "buyers": [
            {"organisation": _organisation_ref(b["organisation"]), "lines": b["lines"], **_purchase(b)}
            for b in data["buyers"]
        ],
        "suppliers": suppliers,
        "totals": _purchase(data["totals"]),
    }


def _regulatory(request: HttpRequest, name: str, category: str) -> dict[str, Any]:
    actor = actor_for(request.user)
    _require_dashboard(actor, name)
    snapshot = _snapshot()
    category = _category(category)
    data = dashboards.regulatory_dashboard(actor, snapshot, category=category)
    fields = (*dashboards.REGULATORY_FIELDS, "imports_usd", "imports_mad", "manufacturers", "code", "label")
    return {
        "snapshot_id": snapshot.pk,
        "category": category,
        "trade_year": data["trade_year"],
        "demand_year": data["demand_year"],
        "rows": [
            {
                **{field: row[field] for field in fields},
                "demand_mad": row["demand"],
                "covered_mad": row["covered"],
                "coverage": _ratio(row["coverage"]),
                "certified_not_registered": row["certified_only"],
                "registered_not_certified": row["registered_only"],
                "neither": row["neither"],
            }
            for row in data["rows"]
        ],  # fmt: skip
        "manufacturers": data["totals"]["manufacturers"],
        "review_queues": data["queues"],
    }


@router.get(
    "/dashboards/industry",
    response=RegulatoryDashboardOut,
    summary="Ministry of Industry and IMANOR: local production and certification per EMDN category (or group)",
)
def get_industry_dashboard(request: HttpRequest, category: str = "") -> dict[str, Any]:
    return _regulatory(request, "industry", category)


@router.get(
    "/dashboards/health",
    response=RegulatoryDashboardOut,
    summary="Ministry of Health (DMP): local products and their registrations per EMDN category (or group)",
)
def get_health_dashboard(request: HttpRequest, category: str = "") -> dict[str, Any]:
    return _regulatory(request, "health", category)
