"""API of a draft's lots and of the evaluation per line (mounted under /api/v1/sourcing/ by tawrid.sourcing.api):
regroup the lots before publication (rename, move lines, merge, split: tawrid.sourcing.lotting), read a lot's
ranking per line and award a line (tawrid.sourcing.evaluation_lines), order from a supplier the lines awarded to it
(tawrid.sourcing.line_orders). Same rules and refusals as the pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from tawrid.accounts.models import Organisation
from tawrid.core import permissions
from tawrid.core.api_schemas import Id
from tawrid.core.errors import NotFound
from tawrid.core.idempotency import idempotent
from tawrid.core.permissions import actor_for
from tawrid.sourcing import evaluation_lines, line_orders, lotting, policies, selectors
from tawrid.sourcing.models import Lot, LotEvaluation, LotLine

router = Router(tags=["sourcing"])


class RegroupIn(Schema):
    action: Literal["rename", "move", "merge", "split"] = Field(
        ...,
        description='"rename" (lot, title), "move" (lines, to_lot), "merge" (lot, into), "split" (lines, title).',
    )
    lot: int | None = Field(None, description="rename, merge: the lot renamed, or merged into another.")
    into: int | None = Field(None, description="merge: the lot receiving the lines.")
    to_lot: int | None = Field(None, description="move: the lot receiving the lines.")
    lines: list[int] = Field([], description="move, split: ids of lot lines of this consultation.")
    title: str = ""


class RegroupedLineOut(Schema):
    id: int
    position: int
    designation: str


class RegroupedLotOut(Schema):
    id: int
    number: int
    title: str
    emdn: str | None
    lines: list[RegroupedLineOut]


@router.post(
    "/consultations/{consultation_id}/lots/regroup",
    response=list[RegroupedLotOut],
    summary="Regroup a draft's lots (rename, move lines, merge, split); returns every lot after the change",
)
def regroup_lots(request: HttpRequest, consultation_id: Id, payload: RegroupIn) -> list[dict]:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    lotting.regroup(actor=actor, consultation=consultation, action=payload.action, data=payload.dict())
    return [
        {
            "id": lot.pk,
            "number": lot.number,
            "title": lot.title,
            "emdn": lot.emdn.code if lot.emdn else None,
            "lines": list(lot.lines.order_by("position")),
        }
        for lot in selectors.lots_of(actor, consultation)
    ]


class LineRankOut(Schema):
    offer_id: int
    supplier_name: str
    compliant: bool
    rank: int | None
    amount: Decimal
    compared_amount: Decimal
    reasons: list[str]
    awardable: bool


class LineEvaluationOut(Schema):
    lot_line_id: int
    label: str
    offers: list[LineRankOut]
    awarded_offer_id: int | None
    award_id: int | None = Field(None, description="The line's active award (cancel it: POST /awards/{id}/cancel).")
    standstill_until: datetime | None = None


@router.get(
    "/lots/{lot_id}/line-evaluation",
    response=list[LineEvaluationOut],
    summary="A lot evaluated per line: each line's ranked offers, with the reasons of the excluded ones",
)
def line_evaluation(request: HttpRequest, lot_id: Id) -> list[dict]:
    actor = actor_for(request.user)
    lot_evaluation = get_object_or_404(
        permissions.visible(actor, LotEvaluation.objects.select_related("lot__consultation")), lot_id=lot_id
    )
    editable = policies.can_edit_consultation(actor, lot_evaluation.lot.consultation)
    return [
        {
            "lot_line_id": report["line"].pk,
            "label": report["label"],
            "offers": [
                {
                    "offer_id": item["row"].offer_id,
                    "supplier_name": item["row"].offer.supplier.name,
                    "compliant": item["row"].compliant,
                    "rank": item["row"].rank,
                    "amount": item["row"].amount,
                    "compared_amount": item["row"].compared_amount,
                    "reasons": item["reasons"],
                    "awardable": item["awardable"],
                }
                for item in report["rows"]
            ],
            "awarded_offer_id": report["current"].offer_id if report["current"] else None,
            "award_id": report["current"].pk if report["current"] else None,
            "standstill_until": report["current"].standstill_until if report["current"] else None,
        }
        for report in evaluation_lines.line_reports(actor, lot_evaluation, editable)
    ]


class LineAwardIn(Schema):
    offer_id: int


class LineAwardOut(Schema):
    id: int
    lot_id: int
    lot_line_id: int
    offer_id: int
    supplier_id: int
    amount: Decimal


@router.post(
    "/lot-lines/{lot_line_id}/award",
    response={201: LineAwardOut},
    summary="Award one line of a lot evaluated per line to the offer the award gate allows",
)
def award_line(request: HttpRequest, lot_line_id: Id, payload: LineAwardIn) -> Status[dict]:
    actor = actor_for(request.user)
    lot_line = get_object_or_404(LotLine.objects.select_related("lot__consultation"), pk=lot_line_id)
    evaluations = permissions.visible(actor, LotEvaluation.objects.select_related("lot__consultation")).filter(
        lot_id=lot_line.lot_id
    )
    if not evaluations.exists():
        raise NotFound()  # never evaluated, or not the caller's to see
    offer = lot_line.lot.offers.filter(pk=payload.offer_id).first()
    if offer is None:
        raise NotFound()
    award = evaluation_lines.award_line_make(actor=actor, lot_line=lot_line, offer=offer)
    return Status(
        201,
        {
            "id": award.pk,
            "lot_id": award.lot_id,
            "lot_line_id": award.lot_line_id,
            "offer_id": award.offer_id,
            "supplier_id": award.supplier_id,
            "amount": award.amount,
        },
    )


class LineOrderLineIn(Schema):
    lot_line: int
    quantity: Decimal | str


class LineOrderIn(Schema):
    supplier_id: int
    lines: list[LineOrderLineIn]


class LineOrderLineOut(Schema):
    id: int
    position: int
    lot_line_id: int | None
    award_id: int | None
    designation: str
    quantity: Decimal
    unit_price: Decimal
    value: Decimal
    emdn_code: str
    local_supplier: bool


class LineOrderOut(Schema):
    id: int
    buyer_id: int
    supplier_id: int
    award_id: int | None = Field(..., description="The award of the order's first line; each line names its own.")
    ordered_at: datetime
    lines: list[LineOrderLineOut]


@router.post(
    "/lots/{lot_id}/line-orders",
    response={201: LineOrderOut},
    summary="Order from one supplier lines of a lot awarded to it per line (after each line's standstill)",
)
@idempotent
def order_lines(request: HttpRequest, lot_id: Id, payload: LineOrderIn) -> Status[dict]:
    actor = actor_for(request.user)
    lot = get_object_or_404(permissions.visible(actor, Lot.objects.select_related("consultation")), pk=lot_id)
    supplier = get_object_or_404(Organisation.objects.filter(awards__lot=lot).distinct(), pk=payload.supplier_id)
    order = line_orders.order_create_from_line_awards(
        actor=actor, lot=lot, supplier=supplier, lines=[line.dict() for line in payload.lines]
    )
    order = selectors.order_detail(actor, order.pk)
    return Status(
        201,
        {
            "id": order.pk,
            "buyer_id": order.buyer_id,
            "supplier_id": order.supplier_id,
            "award_id": order.award_id,
            "ordered_at": order.ordered_at,
            "lines": list(selectors.order_lines_of(actor, order)),
        },
    )
