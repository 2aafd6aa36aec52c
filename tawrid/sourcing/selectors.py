"""Reads of consultations, questions and offers, always through the permission policies (tawrid.sourcing.policies).

No selector loads a sealed column: the consultation's wrapped key and an offer's sealed contents and nonce
are deferred in every queryset given out, so no page, API answer or export built on these can carry them.
Only the opening service (tawrid.sourcing.services.consultation_open) reads them, to unseal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from tawrid.core.errors import DomainError
from tawrid.core.permissions import Actor, get_visible_or_404, visible
from tawrid.demand.models import PlanLine, PlanStatus
from tawrid.sourcing import evaluation as ev
from tawrid.sourcing import policies, purchase_rate
from tawrid.sourcing.models import (
    Award,
    Consultation,
    ConsultationStatus,
    Delivery,
    EvaluatedOffer,
    EvaluationMethod,
    Invitation,
    Lot,
    LotEvaluation,
    LotLine,
    Offer,
    OfferLine,
    Order,
    OrderLine,
    Question,
)

SEALED_CONSULTATION_FIELDS = ("sealing_key",)
SEALED_OFFER_FIELDS = ("sealed_payload", "nonce")


def _consultations() -> QuerySet[Consultation]:
    return Consultation.objects.defer(*SEALED_CONSULTATION_FIELDS).select_related("buyer", "plan")


def _offers() -> QuerySet[Offer]:
    return Offer.objects.defer(*SEALED_OFFER_FIELDS).select_related("lot", "supplier")


def consultations_for(actor: Actor, *, status: str | None = None) -> QuerySet[Consultation]:
    consultations = visible(actor, _consultations())
    if status:
        consultations = consultations.filter(status=status)
    return consultations.order_by("-created_at", "-pk")


def consultation_detail(actor: Actor, pk: Any) -> Consultation:
    return get_visible_or_404(actor, _consultations(), pk=pk)


def lots_of(actor: Actor, consultation: Consultation) -> QuerySet[Lot]:
    lines = Prefetch("lines", queryset=LotLine.objects.select_related("plan_line").order_by("position"))
    return (
        visible(actor, Lot.objects.filter(consultation=consultation))
        .select_related("emdn")
        .prefetch_related(lines)
        .order_by("number")
    )


def invitations_of(actor: Actor, consultation: Consultation) -> QuerySet[Invitation]:
    return (
        visible(actor, Invitation.objects.filter(consultation=consultation))
        .select_related("supplier")
        .prefetch_related("lots")
        .order_by("supplier__name")
    )


def my_invitations(actor: Actor) -> QuerySet[Invitation]:
    """The published consultations the actor's supplier organisations are invited to, soonest deadline first
    (a supplier's home page)."""
    return (
        Invitation.objects.filter(
            supplier__in=policies.supplier_orgs(actor), consultation__status=ConsultationStatus.PUBLISHED
        )
        .select_related("supplier", "consultation", "consultation__buyer")
        .defer(*(f"consultation__{field}" for field in SEALED_CONSULTATION_FIELDS))
        .order_by("consultation__submission_deadline", "pk")
    )


def admitted_lots(actor: Actor, consultation: Consultation, supplier_id: int) -> QuerySet[Lot]:
    """The lots a supplier (one of the actor's organisations) may make offers for."""
    if supplier_id not in policies.supplier_orgs(actor):
        return Lot.objects.none()
    return lots_of(actor, consultation).filter(invitations__supplier_id=supplier_id)


def questions_of(actor: Actor, consultation: Consultation) -> QuerySet[Question]:
    return visible(actor, Question.objects.filter(consultation=consultation)).order_by("created_at", "pk")


def offers_of(
    actor: Actor, *, consultation: Consultation | None = None, supplier_id: int | None = None
) -> QuerySet[Offer]:
    offers = visible(actor, _offers())
    if consultation is not None:
        offers = offers.filter(consultation=consultation)
    if supplier_id is not None:
        offers = offers.filter(supplier_id=supplier_id)
    return offers.order_by("lot__number", "supplier__name", "pk")


def offer_detail(actor: Actor, pk: Any) -> Offer:
    return get_visible_or_404(actor, _offers(), pk=pk)


def offer_lines_of(actor: Actor, offer: Offer) -> QuerySet[OfferLine]:
    """An offer's prices and terms: none before the opening, for anybody."""
    return (
        visible(actor, OfferLine.objects.filter(offer=offer))
        .select_related("lot_line", "variant", "variant__product")
        .order_by("lot_line__position")
    )


# Evaluation, awards, orders --------------------------------------------------------------------------------------


def evaluations_of(actor: Actor, consultation: Consultation) -> QuerySet[LotEvaluation]:
    return (
        visible(actor, LotEvaluation.objects.filter(lot__consultation=consultation))
        .select_related("lot")
        .order_by("lot__number")
    )


def evaluated_offers_of(actor: Actor, evaluation: LotEvaluation) -> QuerySet[EvaluatedOffer]:
    """The evaluation report of a lot: ranked offers first (best first), then the excluded ones."""
    return (
        visible(actor, EvaluatedOffer.objects.filter(evaluation=evaluation))
        .select_related("offer__supplier")
        .defer(*(f"offer__{field}" for field in SEALED_OFFER_FIELDS))
        .order_by("-compliant", "rank", "offer__submitted_at", "pk")
    )


def awards_of(actor: Actor, *, consultation: Consultation | None = None, lot: Lot | None = None) -> QuerySet[Award]:
    awards = visible(actor, Award.objects.all()).select_related("lot", "supplier")
    if consultation is not None:
        awards = awards.filter(lot__consultation=consultation)
    if lot is not None:
        awards = awards.filter(lot=lot)
    return awards.order_by("lot__number", "-decided_at", "-pk")


def award_detail(actor: Actor, pk: Any) -> Award:
    return get_visible_or_404(actor, Award.objects.select_related("lot", "lot__consultation", "supplier"), pk=pk)


def award_is_final(award: Award, *, at: Any = None) -> bool:
    """Final: not cancelled, and its standstill period has passed (it can be ordered, no longer cancelled).
    Also reachable as `services.award_is_final`."""
    return award.cancelled_at is None and (at or timezone.now()) >= award.standstill_until


def orders_for(actor: Actor, *, buyer_id: int | None = None, supplier_id: int | None = None) -> QuerySet[Order]:
    orders = visible(actor, Order.objects.select_related("buyer", "supplier", "award"))
    if buyer_id is not None:
        orders = orders.filter(buyer_id=buyer_id)
    if supplier_id is not None:
        orders = orders.filter(supplier_id=supplier_id)
    return orders.order_by("-ordered_at", "-pk")


def order_detail(actor: Actor, pk: Any) -> Order:
    return get_visible_or_404(actor, Order.objects.select_related("buyer", "supplier", "award"), pk=pk)


def order_lines_of(actor: Actor, order: Order) -> QuerySet[OrderLine]:
    """An order's lines, each with `received` (the quantity delivered so far)."""
    return (
        visible(actor, OrderLine.objects.filter(order=order))
        .select_related("variant", "plan_line", "lot_line")
        .annotate(received=Sum("deliveries__quantity", default=Decimal(0)))
        .order_by("position")
    )


def deliveries_of(actor: Actor, order: Order) -> QuerySet[Delivery]:
    return (
        visible(actor, Delivery.objects.filter(order=order))
        .prefetch_related("lines__order_line")
        .order_by("received_at", "pk")
    )


def _year(moment: Any) -> int:
    return timezone.localtime(moment).year


def local_purchase_rates(actor: Actor, year: int | None = None) -> purchase_rate.PurchaseRates:
    """The local-purchase rate (tawrid.sourcing.purchase_rate) from order lines (value bought; year of the
    order, Casablanca time) and plan lines (value planned; published and closed plans, year of the plan).

    What enters: every buyer's orders and plans for those who may see aggregates over all buyers (buyers'
    people, the cluster secretariat, the operator: `policies.can_see_all_purchase_rates`), only their own
    organisations' otherwise. Per-buyer rates are kept only for the buyers the actor may read (its own; those
    the secretariat oversees; all for the operator)."""
    if actor.is_anonymous:
        return purchase_rate.purchase_rates((), ())
    lines = OrderLine.objects.all()
    plan_lines = PlanLine.objects.filter(
        plan__status__in=[PlanStatus.PUBLISHED, PlanStatus.CLOSED], estimated_value__isnull=False
    )
    if not (actor.is_superuser or policies.can_see_all_purchase_rates(actor)):
        lines = lines.filter(order__buyer__in=actor.readable_org_ids)
        plan_lines = plan_lines.filter(plan__buyer__in=actor.readable_org_ids)
    if year is not None:
        plan_lines = plan_lines.filter(plan__year=year)
    orders = [
        purchase_rate.OrderLineValue(value, local, buyer_id, emdn, _year(ordered_at))
        for value, local, buyer_id, emdn, ordered_at in lines.values_list(
            "value", "local_supplier", "order__buyer_id", "emdn_code", "order__ordered_at"
        )
    ]
    if year is not None:
        orders = [order for order in orders if order.year == year]
    plans = [
        purchase_rate.PlanValue(value, buyer_id, emdn or "", plan_year)
        for value, buyer_id, emdn, plan_year in plan_lines.values_list(
            "estimated_value", "plan__buyer_id", "emdn__code", "plan__year"
        )
        if value is not None
    ]
    rates = purchase_rate.purchase_rates(orders, plans)
    if actor.is_superuser:
        return rates
    readable = actor.readable_org_ids
    return purchase_rate.PurchaseRates(
        national=rates.national,
        by_year=rates.by_year,
        by_buyer=_only(rates.by_buyer, readable, lambda key: key),
        by_buyer_year=_only(rates.by_buyer_year, readable, lambda key: key[0]),
        by_category=rates.by_category,
        by_category_year=rates.by_category_year,
        by_group=rates.by_group,
        by_group_year=rates.by_group_year,
    )


def _only(rates: dict[Any, purchase_rate.PurchaseRate], buyers: Iterable[int], buyer_of: Any) -> dict[Any, Any]:
    allowed = set(buyers)
    return {key: rate for key, rate in rates.items() if buyer_of(key) in allowed}


# The evaluation report (pages and API) ---------------------------------------------------------------------------


def evaluation_method(method: str, price_weight: Any) -> ev.EvaluationMethod:
    """A consultation's (or a stored evaluation's) method as the pure evaluation takes it."""
    if method == EvaluationMethod.WEIGHTED:
        return ev.EvaluationMethod.weighted(Decimal(price_weight))
    return ev.EvaluationMethod.lowest_price()


def _param_value(kind: str, text: str) -> ev.ParamValue:
    if kind == "decimal":
        return Decimal(text)
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "int":
        return int(text)
    return text


def reasons_from_json(stored: Iterable[Mapping[str, Any]]) -> tuple[ev.Reason, ...]:
    return tuple(
        ev.Reason(
            ev.ReasonKey(item["key"]),
            tuple((name, _param_value(kind, text)) for name, kind, text in item.get("params", [])),
        )
        for item in stored
    )


def stored_result(evaluation: LotEvaluation) -> ev.LotEvaluation:
    """A stored evaluation as `evaluation.evaluate_lot` returned it (ranking and exclusions; the notices are
    not needed to check an award)."""
    rows = list(evaluation.offers.select_related("offer").order_by("rank", "offer__submitted_at", "offer_id"))
    method = evaluation_method(evaluation.method, evaluation.price_weight)
    ranking = tuple(
        ev.RankedOffer(
            row.rank or 0,
            row.offer_id,
            row.offer.supplier_id,
            row.offer.established_in_morocco,
            row.offer.submitted_at,
            row.amount,
            row.compared_amount,
            price_score=row.price_score,
            technical_score=row.technical_score,
            score=row.score,
        )
        for row in rows
        if row.compliant
    )
    excluded = tuple(
        ev.ExcludedOffer(
            row.offer_id,
            row.offer.supplier_id,
            row.offer.established_in_morocco,
            row.offer.submitted_at,
            row.amount,
            row.compared_amount,
            reasons_from_json(row.reasons),
        )
        for row in rows
        if not row.compliant
    )
    return ev.LotEvaluation(
        evaluation.lot_id, method, Decimal(evaluation.preference_rate), ranking, excluded, notices=()
    )


def _awardable(result: ev.LotEvaluation, set_aside: set[int]) -> int | None:
    """The offer the award gate allows in a lot, if any."""
    candidates = [ranked.offer_id for ranked in result.ranking if ranked.offer_id not in set_aside]
    if not candidates:
        return None
    try:
        return int(ev.check_award(result, candidates[0], set_aside=set_aside).offer_id)
    except DomainError:
        return None


def lot_report(actor: Actor, lot_evaluation: LotEvaluation, editable: bool) -> dict[str, Any]:
    """One lot of the evaluation report (shared with the API): the evaluated offers best first with the reasons
    of the excluded ones in the person's language, the offer the award gate allows (for those who award), the
    current award and the cancelled ones."""
    awards = list(awards_of(actor, lot=lot_evaluation.lot))
    current = next((award for award in awards if award.cancelled_at is None), None)
    set_aside = {award.offer_id for award in awards}
    allowed = None
    if editable and current is None:
        allowed = _awardable(stored_result(lot_evaluation), set_aside)
    rows = [
        {
            "row": row,
            "reasons": [ev.reason_text(reason) for reason in reasons_from_json(row.reasons)],
            "awardable": row.offer_id == allowed,
        }
        for row in evaluated_offers_of(actor, lot_evaluation)
    ]
    now = timezone.now()
    return {
        "evaluation": lot_evaluation,
        "rows": rows,
        "current": current,
        "can_cancel": editable
        and current is not None
        and not award_is_final(current, at=now)
        and not current.orders.exists(),
        "cancelled": [award for award in awards if award.cancelled_at is not None],
        "final": editable and current is not None and award_is_final(current, at=now),
        "orders": list(orders_for(actor).filter(award=current)) if current is not None else [],
    }


def evaluation_report_visible(actor: Actor, consultation: Consultation) -> bool:
    """The report (amounts included) exists after the opening, for the buyer's side only: those who manage the
    consultation, and those who may read its evaluation (the secretariat overseeing the buyer, the operator)."""
    if consultation.opened_at is None:
        return False
    return (
        policies.can_edit_consultation(actor, consultation)
        or actor.is_superuser
        or evaluations_of(actor, consultation).exists()
    )
