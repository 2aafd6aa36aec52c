"""Reads of purchase plans, always through the permission policies (pages, API and exports alike)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from tawrid.core.permissions import Actor, get_visible_or_404, visible
from tawrid.core.text import fold
from tawrid.demand import policies
from tawrid.demand.models import PlanLine, PlanStatus, PurchasePlan

# What the manufacturers' list of published lines never shows: prices and (unless disclosed) the buyer.
PRIVATE_LINE_FIELDS = ("unit_price", "estimated_value")


def plans_for(actor: Actor) -> QuerySet[PurchasePlan]:
    return visible(actor, PurchasePlan.objects.select_related("buyer", "site")).annotate(
        line_count=Count("lines"), base_total=Sum("lines__base_quantity"), value_total=Sum("lines__estimated_value")
    )


def own_plans(actor: Actor) -> QuerySet[PurchasePlan]:
    """The plans of the buyers this person belongs to or oversees (the buyer's page of plans)."""
    orgs = actor.readable_org_ids
    qs = PurchasePlan.objects.select_related("buyer", "site")
    if not actor.is_superuser:
        qs = qs.filter(Q(buyer__in=orgs) | Q(site__in=orgs))
    return qs.annotate(line_count=Count("lines")).order_by("-year", "buyer__name", "site__name", "-version")


def plan_detail(actor: Actor, pk: Any) -> PurchasePlan:
    return get_visible_or_404(actor, PurchasePlan.objects.select_related("buyer", "site", "previous_version"), pk=pk)


def line_detail(actor: Actor, pk: Any) -> PlanLine:
    return get_visible_or_404(actor, PlanLine.objects.select_related("plan", "plan__buyer", "emdn", "cpv"), pk=pk)


def plan_lines(plan: PurchasePlan, *, q: str = "", certificate: str = "", packaging: str = "") -> QuerySet[PlanLine]:
    lines = plan.lines.select_related("emdn", "cpv", "delivery_site").order_by("line_number")
    for word in fold(q).split():
        lines = lines.filter(search_text__contains=word)
    if certificate:
        lines = lines.filter(required_certificates__icontains=certificate)
    if packaging:
        lines = lines.filter(packaging=packaging)
    return lines


@dataclass(frozen=True)
class Totals:
    lines: int
    base_quantity: Decimal
    estimated_value: Decimal


def plan_totals(lines: QuerySet[PlanLine]) -> Totals:
    figures = lines.aggregate(n=Count("pk"), q=Sum("base_quantity"), v=Sum("estimated_value"))
    return Totals(figures["n"] or 0, figures["q"] or Decimal(0), figures["v"] or Decimal(0))


def published_lines(actor: Actor, *, q: str = "", year: int | None = None, emdn: str = "") -> QuerySet[PlanLine]:
    """Lines of published plans the actor may see (manufacturers: every published plan)."""
    lines = visible(actor, PlanLine.objects.filter(plan__status=PlanStatus.PUBLISHED)).select_related(
        "plan", "plan__buyer", "plan__site", "emdn", "cpv"
    )
    for word in fold(q).split():
        lines = lines.filter(search_text__contains=word)
    if year:
        lines = lines.filter(plan__year=year)
    if emdn:
        lines = lines.filter(emdn__code__startswith=emdn.strip().upper())
    return lines.order_by("-plan__year", "plan_id", "line_number")


def buyer_label(actor: Actor, plan: PurchasePlan) -> str:
    """The buyer's name when the actor may know it, else its kind only."""
    if policies.can_see_buyer(actor, plan):
        return plan.site.name if plan.site_id and plan.site else plan.buyer.name
    return _("A hospital group") if plan.buyer.kind == "hospital_group" else _("A hospital")


# Versions -----------------------------------------------------------------------------------------------------

COMPARED = ("designation", "quantity", "unit", "unit_price", "required_certificates", "specification",
            "delivery_place", "delivery_schedule", "emdn_id", "cpv_id")  # fmt: skip


def _diff_key(line: PlanLine) -> str:
    if line.buyer_reference.strip():
        return "ref:" + fold(line.buyer_reference)
    return "des:" + " ".join(fold(line.designation).split())


@dataclass
class LineChange:
    old: PlanLine
    new: PlanLine
    fields: list[str] = field(default_factory=list)


@dataclass
class PlanDiff:
    added: list[PlanLine]
    removed: list[PlanLine]
    changed: list[LineChange]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def plan_diff(old: PurchasePlan, new: PurchasePlan) -> PlanDiff:
    """Lines added, removed and changed from `old` to `new`, matched on the buyer's reference, or else on
    the designation (folded)."""
    before = {_diff_key(line): line for line in old.lines.all().order_by("line_number")}
    after = {_diff_key(line): line for line in new.lines.all().order_by("line_number")}
    added = [line for key, line in after.items() if key not in before]
    removed = [line for key, line in before.items() if key not in after]
    changed = []
    for key, line in after.items():
        if key in before:
            previous = before[key]
            fields = [name for name in COMPARED if getattr(previous, name) != getattr(line, name)]
            if fields:
                changed.append(LineChange(previous, line, fields))
    return PlanDiff(added, removed, changed)


# Export ------------------------------------------------------------------------------------------------------


def export_rows(actor: Actor, plan: PurchasePlan) -> tuple[list[str], list[list[Any]]]:
    private = policies.can_see_private(actor, plan)
    headers = [
        _("Line"), _("Reference"), _("Designation"), _("Quantity"), _("Purchase unit"), _("Base units per unit"),
        _("Quantity in base units"),
    ]  # fmt: skip
    if private:
        headers += [_("Estimated unit price (MAD)"), _("Estimated value (MAD)")]
    headers += [
        _("Required certificates"), _("Technical specification"), _("Delivery schedule"), _("Place of delivery"),
        _("EMDN code"), _("CPV code"), _("Attributes read"),
    ]  # fmt: skip
    from tawrid.demand.forms import format_schedule

    rows = []
    for line in plan_lines(plan):
        row: list[Any] = [
            line.line_number, line.buyer_reference, line.designation, line.quantity, line.unit,
            line.units_per_purchase_unit, line.base_quantity,
        ]  # fmt: skip
        if private:
            row += [line.unit_price, line.estimated_value]
        row += [
            ", ".join(line.required_certificates), line.specification, format_schedule(line.delivery_schedule),
            line.delivery_site.name if line.delivery_site else line.delivery_place,
            line.emdn.code if line.emdn else "", line.cpv.code if line.cpv else "",
            "; ".join(f"{a['attribute']}={a['display']}" for a in line.attributes),
        ]  # fmt: skip
        rows.append(row)
    return headers, rows


def plan_export_xlsx(actor: Actor, plan: PurchasePlan) -> bytes:
    """The plan's lines and the attributes read from them as a workbook (formulas neutralised); prices only
    for those who may see them."""
    from tawrid.imports.export import write_xlsx

    headers, rows = export_rows(actor, plan)
    return write_xlsx(headers, rows, sheet_title=f"Plan {plan.year} v{plan.version}")


# National demand ---------------------------------------------------------------------------------------------

NATIONAL_PAGE_SIZE = 100
CHART_SIZE = 15


@dataclass(frozen=True)
class NationalFilters:
    year: int
    scheme: str = "emdn"
    level: int | None = None
    category: str = ""
    region: str = ""
    buyer_kind: str = ""
    q: str = ""

    def params(self) -> dict[str, str]:
        values = {
            "year": str(self.year), "scheme": self.scheme, "level": str(self.level or "all"), "category": self.category,
            "region": self.region, "buyer_kind": self.buyer_kind, "q": self.q,
        }  # fmt: skip
        return {key: value for key, value in values.items() if value}


def national_years() -> list[int]:
    from tawrid.demand.models import DemandAggregate

    return list(DemandAggregate.objects.values_list("year", flat=True).distinct().order_by("-year"))


def national_filters(data: Any, *, years: list[int] | None = None) -> NationalFilters:
    """Filters read from a query string (page, export and API alike); unknown values are ignored. Without a
    level, EMDN shows the categories (or the groups of the chosen category); `level=all` shows every level."""
    from django.utils import timezone

    from tawrid.accounts.models import BUYER_KINDS
    from tawrid.demand.models import AggregateScheme

    raw_year = str(data.get("year", "")).strip()
    known = years if years is not None else national_years()
    year = int(raw_year) if raw_year.isdigit() else (known[0] if known else timezone.localdate().year)
    scheme = data.get("scheme", "") if data.get("scheme", "") in AggregateScheme.values else AggregateScheme.EMDN
    raw_level = str(data.get("level", "")).strip()
    level = int(raw_level) if raw_level.isdigit() and 1 <= int(raw_level) <= 7 else None
    category = str(data.get("category", "")).strip().upper()[:1]
    category = category if category.isalpha() and scheme == AggregateScheme.EMDN else ""
    if scheme == AggregateScheme.EMDN and level is None and raw_level != "all":
        level = 2 if category else 1  # the categories first, or the groups of the chosen category
    kind = data.get("buyer_kind", "")
    kind = kind if kind in {str(k) for k in BUYER_KINDS} else ""
    return NationalFilters(year=year, scheme=scheme, level=level, category=category,
                           region=str(data.get("region", "")).strip()[:100], buyer_kind=kind,
                           q=str(data.get("q", "")).strip()[:100])  # fmt: skip


def national_rows(filters: NationalFilters) -> QuerySet[Any]:
    """Aggregate rows matching the filters, the largest quantities first (read from the refreshed table only)."""
    from tawrid.demand.models import DemandAggregate

    rows = DemandAggregate.objects.filter(
        year=filters.year, scheme=filters.scheme, region=filters.region, buyer_kind=filters.buyer_kind
    )
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.category:
        rows = rows.filter(code__startswith=filters.category)
    for word in filters.q.split():
        rows = rows.filter(Q(label__icontains=word) | Q(code__istartswith=word))
    return rows.order_by("-base_quantity", "code")


def national_regions(year: int) -> list[str]:
    from tawrid.demand.models import DemandAggregate

    return list(
        DemandAggregate.objects.filter(year=year).exclude(region="").values_list("region", flat=True).distinct()
        .order_by("region")
    )  # fmt: skip


def national_refreshed_at(year: int) -> Any:
    """When the year's figures were last computed (None if never), even when the year has no demand at all."""
    from tawrid.demand.models import DemandRefresh

    return DemandRefresh.objects.filter(year=year).values_list("refreshed_at", flat=True).first()


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    amount: Decimal
    y: int
    width: int


def national_chart(rows: list[Any], *, by_value: bool, width: int = 480, bar: int = 18, gap: int = 6) -> list[Bar]:
    """The top codes as horizontal bars for a server-side SVG (sizes in SVG attributes, no script, no style)."""

    def amount(row: Any) -> Decimal:
        return Decimal(row.estimated_value if by_value else row.base_quantity)

    top = sorted(rows, key=lambda row: (-amount(row), row.code))[:CHART_SIZE]
    largest = max((amount(row) for row in top), default=Decimal(0))
    return [
        Bar(
            row.code,
            row.label,
            amount(row),
            index * (bar + gap),
            max(1, int(amount(row) / largest * width)) if largest else 1,
        )  # fmt: skip
        for index, row in enumerate(top)
    ]


def national_code(*, year: int, scheme: str, code: str, region: str = "", buyer_kind: str = "") -> Any:
    """One code's aggregate row (404 when the year has no demand for it) and its children's rows."""
    from django.http import Http404

    from tawrid.demand.models import AggregateScheme, DemandAggregate

    row = DemandAggregate.objects.filter(
        year=year, scheme=scheme, code=code, region=region, buyer_kind=buyer_kind
    ).first()
    if row is None:
        raise Http404(_("No demand for this code this year."))
    children = DemandAggregate.objects.none()
    if scheme == AggregateScheme.EMDN:
        children = DemandAggregate.objects.filter(
            year=year, scheme=scheme, region=region, buyer_kind=buyer_kind, level=row.level + 1,
            code__startswith=code,
        ).order_by("-base_quantity", "code")  # fmt: skip
    return row, children


def national_lines(actor: Actor, *, year: int, scheme: str, code: str) -> QuerySet[PlanLine]:
    """The plan lines behind a code that the actor may see: the plans counted in national demand, narrowed by
    the plans' policy (manufacturers: published plans; buyers: their own; the secretariat: those it oversees)."""
    from tawrid.demand.services import counted_plans

    lines = visible(actor, PlanLine.objects.filter(plan__in=counted_plans(), plan__year=year))
    lines = lines.filter(emdn__code__startswith=code) if scheme == "emdn" else lines.filter(cpv__code=code)
    return lines.select_related("plan", "plan__buyer", "plan__site", "emdn", "cpv").order_by(
        "-base_quantity", "plan_id", "line_number"
    )


def national_export_rows(filters: NationalFilters, *, with_value: bool) -> tuple[list[str], list[list[Any]]]:
    headers = [_("Code"), _("Level"), _("Label"), _("Buyers"), _("Lines"), _("Lines coded by the engine")]
    headers.append(_("Quantity in base units"))
    if with_value:
        headers.append(_("Estimated value (MAD)"))
    rows = []
    for row in national_rows(filters):
        values: list[Any] = [row.code, row.level, row.label, row.buyers_count, row.lines_count, row.lines_suggested]
        values.append(row.base_quantity)
        if with_value:
            values.append(row.estimated_value)
        rows.append(values)
    return headers, rows


def national_export_xlsx(filters: NationalFilters, *, with_value: bool) -> bytes:
    from tawrid.imports.export import write_xlsx

    headers, rows = national_export_rows(filters, with_value=with_value)
    return write_xlsx(headers, rows, sheet_title=f"Demand {filters.year} {filters.scheme.upper()}")
