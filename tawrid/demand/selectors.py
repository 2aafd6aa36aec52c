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
