"""Reads of consultations, questions and offers, always through the permission policies (tawrid.sourcing.policies).

No selector loads a sealed column: the consultation's wrapped key and an offer's sealed contents and nonce
are deferred in every queryset given out, so no page, API answer or export built on these can carry them.
Only the opening service (tawrid.sourcing.services.consultation_open) reads them, to unseal.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from tawrid.core.permissions import Actor, get_visible_or_404, visible
from tawrid.demand.models import PlanLine, PlanStatus
from tawrid.sourcing import policies, purchase_rate
from tawrid.sourcing.models import (
    Award,
    Consultation,
    ConsultationStatus,
    Delivery,
    EvaluatedOffer,
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
