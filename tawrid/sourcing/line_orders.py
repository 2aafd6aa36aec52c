"""Orders under awards per line (a consultation evaluated per line, `tawrid.sourcing.evaluation_lines`).

Each line of a lot has its own award, possibly to different suppliers. Once a line's standstill has passed, the
buyer orders from one supplier the lines of a lot awarded to it, in one order: at the offer's unit price of each
line, up to the line's quantity over all the orders under that line's award (the per-lot rules of
`services.order_create_from_award`, line by line). A line whose award is cancelled, still in its standstill, or
awarded to another supplier is refused, with its line named. The order's lines keep plan line, lot line,
variant, EMDN code and local supplier as per-lot orders do, so the local-purchase rates count them, and each
line's award (`OrderLine.award`); the order's `award` is its first line's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tawrid.accounts.models import Organisation
from tawrid.core.errors import DomainError
from tawrid.core.permissions import Actor
from tawrid.sourcing import evaluation as ev
from tawrid.sourcing import services
from tawrid.sourcing.models import Award, EvaluationBasis, Lot, LotLine, OfferLine, Order, OrderLine
from tawrid.sourcing.selectors import award_is_final


def ordered_by_award(award_ids: Sequence[int]) -> dict[int, Decimal]:
    """What all the orders under each award asked (per line awards: the quantity of its line)."""
    rows = (
        OrderLine.objects.filter(award_id__in=award_ids)
        .values("award_id")
        .annotate(total=Sum("quantity", default=Decimal(0)))
        .values_list("award_id", "total")
    )
    return dict(rows)


def _label(lot_line: LotLine) -> str:
    return ev.line_label(lot_line.position, lot_line.designation)


def _line_refusal(lot_line: LotLine, supplier: Organisation, awards: Sequence[Award]) -> tuple[str, str] | None:
    """Why `lot_line` cannot be ordered from `supplier` now (code, sentence), or None. `awards`: the line's awards,
    newest first."""
    current = next((award for award in awards if award.cancelled_at is None), None)
    label = _label(lot_line)
    if current is None:
        if any(award.supplier_id == supplier.pk for award in awards):
            text = _("Line %(line)s: its award to %(supplier)s was cancelled; it cannot be ordered.")
            return "award_cancelled", text % {"line": label, "supplier": supplier.name}
        return "not_awarded", _("Line %(line)s is not awarded.") % {"line": label}
    if current.supplier_id != supplier.pk and any(award.supplier_id == supplier.pk for award in awards):
        text = _("Line %(line)s: its award to %(supplier)s was cancelled; it is now awarded to %(other)s.")
        return "award_cancelled", text % {"line": label, "supplier": supplier.name, "other": current.supplier.name}
    if current.supplier_id != supplier.pk:
        return "awarded_to_another", _("Line %(line)s is awarded to %(other)s, not to %(supplier)s.") % {
            "line": label,
            "other": current.supplier.name,
            "supplier": supplier.name,
        }
    if not award_is_final(current):
        return "standstill_running", _(
            "Line %(line)s: the standstill period runs until %(date)s (Casablanca time); order it after that."
        ) % {"line": label, "date": services._when(current.standstill_until)}
    return None


@transaction.atomic
def order_create_from_line_awards(
    *, actor: Actor, lot: Lot, supplier: Organisation, lines: Sequence[Mapping[str, Any]]
) -> Order:
    """One order to `supplier` of lines of `lot` awarded to it (each past its standstill).

    `lines`: [{"lot_line": id, "quantity": "150"}, …]; what all orders under a line's award ask never exceeds
    the line's quantity. Nothing is written unless every line is right."""
    consultation = lot.consultation
    services._require_edit(actor, consultation)
    consultation = services._lock(consultation)
    if consultation.evaluation_basis != EvaluationBasis.LINE:
        raise DomainError(
            _("This consultation is evaluated per lot: order under the lot's award."), code="award_per_lot"
        )
    if not lines:
        raise DomainError(_("Order at least one line."), code="no_lines")
    lot_lines = {line.pk: line for line in lot.lines.select_related("plan_line", "plan_line__emdn")}
    # Locked: a cancellation racing this order waits for it, then finds its orders and is refused.
    awards_of: defaultdict[int, list[Award]] = defaultdict(list)
    for award in (
        Award.objects.select_for_update(of=("self",))
        .filter(lot_line_id__in=list(lot_lines))
        .select_related("supplier")
        .order_by("-decided_at", "-pk")
    ):
        awards_of[award.lot_line_id].append(award)  # type: ignore[index]
    errors: dict[str, list[str]] = defaultdict(list)
    refusals: list[tuple[str, str]] = []
    wanted: list[tuple[LotLine, Award, Decimal]] = []
    seen: set[int] = set()
    entries: list[tuple[int, LotLine, Mapping[str, Any]]] = []
    for index, entry in enumerate(lines):
        raw = entry.get("lot_line")
        try:
            line_id = int(getattr(raw, "pk", raw))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            line_id = 0
        if line_id not in lot_lines or line_id in seen:
            errors[f"lines.{index}.lot_line"].append(_("Not a line of this lot, or given twice."))
            continue
        seen.add(line_id)
        refusal = _line_refusal(lot_lines[line_id], supplier, awards_of[line_id])
        if refusal is not None:
            refusals.append(refusal)
            errors[f"lines.{index}.lot_line"].append(refusal[1])
            continue
        entries.append((index, lot_lines[line_id], entry))
    current = {line.pk: next(a for a in awards_of[line.pk] if a.cancelled_at is None) for _i, line, _e in entries}
    ordered = ordered_by_award([award.pk for award in current.values()])
    for index, lot_line, entry in entries:
        award = current[lot_line.pk]
        quantity, problem = services._quantity(entry.get("quantity"))
        if quantity is None:
            errors[f"lines.{index}.quantity"].append(problem or "")
            continue
        left = lot_line.quantity - ordered.get(award.pk, Decimal(0))
        if quantity > left:
            errors[f"lines.{index}.quantity"].append(
                _("At most %(left)s can still be ordered under this award.") % {"left": formats.number_format(left)}
            )
            continue
        wanted.append((lot_line, award, quantity))
    if refusals:
        # The award's state is what stops the order: say it first, line by line.
        raise DomainError(" ".join(text for _code, text in refusals), code=refusals[0][0], details=dict(errors))
    if errors:
        raise DomainError(_("The order needs correcting."), code="invalid_order", details=dict(errors))
    wanted.sort(key=lambda item: item[0].position)
    prices = {
        (line.offer_id, line.lot_line_id): line
        for line in OfferLine.objects.filter(offer_id__in={award.offer_id for _l, award, _q in wanted})
    }
    order = Order.objects.create(
        buyer_id=consultation.buyer_id,
        supplier=supplier,
        award=wanted[0][1],
        ordered_at=timezone.now(),
        created_by_id=actor.user_id,
    )
    local = services._is_local(supplier)
    for position, (lot_line, award, quantity) in enumerate(wanted, start=1):
        offer_line = prices[(award.offer_id, lot_line.pk)]
        plan_line = lot_line.plan_line
        emdn = plan_line.emdn.code if plan_line is not None and plan_line.emdn_id else ""
        if not emdn and lot.emdn_id:
            emdn = lot.emdn.code  # type: ignore[union-attr]
        OrderLine.objects.create(
            order=order,
            position=position,
            plan_line=plan_line,
            lot_line=lot_line,
            award=award,
            variant_id=offer_line.variant_id,
            designation=lot_line.designation,
            quantity=quantity,
            unit_price=offer_line.unit_price,
            value=services._value(quantity, offer_line.unit_price),
            emdn_code=emdn,
            local_supplier=local,
        )
    return order


def supplier_lines(actor: Actor, lot: Lot, supplier_id: int, *, at: Any = None) -> list[dict[str, Any]]:
    """The lines of `lot` actively awarded to a supplier, in order: each with its award, unit price, whether it
    may be ordered now (standstill passed) and the quantity left to order."""
    from tawrid.sourcing.selectors import awards_of

    now = at or timezone.now()
    awards = list(
        awards_of(actor, lot=lot)
        .filter(lot_line__isnull=False, cancelled_at__isnull=True, supplier_id=supplier_id)
        .select_related("lot_line")
    )
    ordered = ordered_by_award([award.pk for award in awards])
    # Keyed by (offer, lot line); an award's lot_line_id is typed optional (its query keeps only those with one).
    prices: dict[tuple[int, int | None], Decimal] = {
        (line.offer_id, line.lot_line_id): line.unit_price
        for line in OfferLine.objects.filter(offer_id__in={award.offer_id for award in awards})
    }
    rows = []
    for award in sorted(awards, key=lambda award: award.lot_line.position):  # type: ignore[union-attr]
        lot_line = award.lot_line
        rows.append(
            {
                "award": award,
                "line": lot_line,
                "label": _label(lot_line),  # type: ignore[arg-type]
                "unit_price": prices.get((award.offer_id, award.lot_line_id)),
                "final": award_is_final(award, at=now),
                "left": lot_line.quantity - ordered.get(award.pk, Decimal(0)),  # type: ignore[union-attr]
            }
        )
    return rows


def supplier_summaries(actor: Actor, lot: Lot, editable: bool) -> list[dict[str, Any]]:
    """Per supplier holding line awards in `lot` (for the evaluation report): its lines, how many may be ordered
    now, the latest standstill end, and its orders under them."""
    from tawrid.sourcing.selectors import orders_for

    supplier_ids = sorted(
        set(
            Award.objects.filter(lot=lot, lot_line__isnull=False, cancelled_at__isnull=True).values_list(
                "supplier_id", flat=True
            )
        )
    )
    summaries = []
    for supplier_id in supplier_ids:
        rows = supplier_lines(actor, lot, supplier_id)
        if not rows:
            continue
        award_ids = [row["award"].pk for row in rows]
        summaries.append(
            {
                "supplier": rows[0]["award"].supplier,
                "lines": rows,
                "can_order": editable and any(row["final"] and row["left"] > 0 for row in rows),
                "pending_until": max((row["award"].standstill_until for row in rows if not row["final"]), default=None),
                "orders": list(orders_for(actor).filter(lines__award_id__in=award_ids).distinct()),
            }
        )
    return summaries
