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

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from tawrid.accounts.models import Organisation
from tawrid.catalog.models import ProductStatus, Variant
from tawrid.core.errors import DomainError
from tawrid.core.permissions import Actor, get_visible_or_404, visible
from tawrid.demand.models import PlanLine, PlanStatus, PurchasePlan
from tawrid.demand.policies import SUPPLIER_KIND_VALUES
from tawrid.matching.models import MatchCandidate, RunStatus, Verdict
from tawrid.nomenclature.models import EmdnCode
from tawrid.sourcing import evaluation as ev
from tawrid.sourcing import evaluation_lines, policies, purchase_rate
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
    OfferStatus,
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


def _count(queryset: QuerySet[Any], per: str) -> Coalesce:
    """How many rows of `queryset` (already tied to the outer row through OuterRef), as one subquery: counts
    of several relations annotated together never multiply each other."""
    counted = queryset.order_by().values(per).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def open_invitations_for(actor: Actor) -> QuerySet[Invitation]:
    """The invitations of the actor's own supplier organisations to consultations still taking offers
    (published, deadline for offers in the future), soonest deadline first: the notices of a supplier's home
    page. Each carries `lots_admitted`, `offers_submitted` (the organisation's offers not withdrawn) and
    `questions_answered` (the consultation's answers, published to every invited supplier), annotated so that
    the page costs one query whatever the number of invitations. Nothing for anonymous visitors, nor for a
    person (the operator included) without a supplier organisation."""
    if actor.is_anonymous or not policies.supplier_orgs(actor):
        return Invitation.objects.none()
    offers = Offer.objects.filter(
        consultation=OuterRef("consultation"), supplier=OuterRef("supplier"), status=OfferStatus.SUBMITTED
    )
    answered = Question.objects.filter(consultation=OuterRef("consultation"), answered_at__isnull=False)
    return (
        visible(actor, my_invitations(actor))
        .filter(consultation__submission_deadline__gt=timezone.now())
        .annotate(
            lots_admitted=Count("lots", distinct=True),
            offers_submitted=_count(offers, "consultation"),
            questions_answered=_count(answered, "consultation"),
        )
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


MAX_VARIANT_CHOICES = 200


def _published_variants(supplier_id: int) -> list[Variant]:
    return list(
        Variant.objects.filter(product__manufacturer_id=supplier_id, product__status=ProductStatus.PUBLISHED)
        .select_related("product", "product__emdn")
        .order_by("product__name_fr", "position", "pk")[: MAX_VARIANT_CHOICES * 5]
    )


def _variant_choices(variants: list[Variant], code: str, first: int | None = None) -> list[tuple[int, str]]:
    """`first` (when given), then the variants of products under the EMDN `code`, then the others."""
    ordered = sorted(
        variants,
        key=lambda variant: (variant.pk != first, not (code and variant.product.emdn.code.startswith(code))),
    )
    return [(variant.pk, f"{variant} ({variant.reference})") for variant in ordered[:MAX_VARIANT_CHOICES]]


def offer_variant_choices(supplier_id: int, lot: Lot) -> dict[int, tuple[list[tuple[int, str]], int | None]]:
    """For each line of a lot, the supplier's published variants it may offer, with the one the matching
    proposed for the plan line (if any) to pre-select: that one first, then the variants of products under
    the lot's EMDN code, then the others (at most MAX_VARIANT_CHOICES); the supplier's own catalogue only,
    as the service accepts no other."""
    lines = list(lot.lines.order_by("position"))
    variants = _published_variants(supplier_id)
    code = lot.emdn.code if lot.emdn else ""
    proposed: dict[int, int] = {}
    candidates = (
        MatchCandidate.objects.filter(
            result__line_id__in=[line.plan_line_id for line in lines if line.plan_line_id],
            result__run__status=RunStatus.DONE,
            product__manufacturer_id=supplier_id,
            variant__isnull=False,
        )
        .order_by("-result__run__created_at", "rank")
        .values_list("result__line_id", "variant_id", "verdict")
    )
    # The latest run's best candidate of the supplier, a fitting one before one in conflict.
    for plan_line_id, variant_id, _verdict in sorted(candidates, key=lambda row: row[2] != Verdict.GOOD):
        proposed.setdefault(plan_line_id, variant_id)
    choices: dict[int, tuple[list[tuple[int, str]], int | None]] = {}
    for line in lines:
        wanted = proposed.get(line.plan_line_id) if line.plan_line_id else None
        choices[line.pk] = (_variant_choices(variants, code, wanted), wanted)
    return choices


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
    if actor.is_anonymous and not actor.is_superuser:  # the operator without a user: jobs and commands
        return purchase_rate.purchase_rates((), ())
    lines, plan_lines = _purchase_rate_sources(actor)
    if year is not None:
        # The year of an order in the current time zone (Casablanca), as `_year` reads it.
        lines = lines.filter(order__ordered_at__year=year)
        plan_lines = plan_lines.filter(plan__year=year)
    orders = [
        purchase_rate.OrderLineValue(value, local, buyer_id, emdn, _year(ordered_at))
        for value, local, buyer_id, emdn, ordered_at in lines.values_list(
            "value", "local_supplier", "order__buyer_id", "emdn_code", "order__ordered_at"
        )
    ]
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


def _purchase_rate_sources(actor: Actor) -> tuple[QuerySet[OrderLine], QuerySet[PlanLine]]:
    """The order lines and plan lines the actor's rates are made of (one rule for the rates and their years)."""
    lines = OrderLine.objects.all()
    plan_lines = PlanLine.objects.filter(
        plan__status__in=[PlanStatus.PUBLISHED, PlanStatus.CLOSED], estimated_value__isnull=False
    )
    if not (actor.is_superuser or policies.can_see_all_purchase_rates(actor)):
        lines = lines.filter(order__buyer__in=actor.readable_org_ids)
        plan_lines = plan_lines.filter(plan__buyer__in=actor.readable_org_ids)
    return lines, plan_lines


def purchase_rate_years(actor: Actor) -> list[int]:
    """The years the actor's local-purchase rates have data for (orders, Casablanca time, or plans), most
    recent first: the choices of the rates page's year filter, so that no choice leads to an empty page."""
    if actor.is_anonymous and not actor.is_superuser:
        return []
    lines, plan_lines = _purchase_rate_sources(actor)
    ordered = {_year(moment) for moment in lines.datetimes("order__ordered_at", "year")}
    planned = set(plan_lines.values_list("plan__year", flat=True).distinct())
    return sorted(ordered | planned, reverse=True)


def emdn_category_names(categories: Iterable[str]) -> dict[str, str]:
    """The EMDN terms of categories (the level-1 codes, A … Z), in one query, for the rates per category.
    The unclassified category "" has no term: pages name it themselves."""
    letters = [category for category in categories if category]
    return dict(EmdnCode.objects.filter(level=1, code__in=letters).values_list("code", "term"))


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


def stored_result(evaluation: LotEvaluation, lot_line: Any = None) -> ev.LotEvaluation:
    """A stored evaluation as `evaluation.evaluate_lot` returned it (ranking and exclusions; the notices are
    not needed to check an award): the lot's, or with `lot_line` that line's (evaluation per line)."""
    rows = list(
        evaluation.offers.filter(lot_line=lot_line)
        .select_related("offer")
        .order_by("rank", "offer__submitted_at", "offer_id")
    )
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
    subject = lot_line.pk if lot_line is not None else evaluation.lot_id
    return ev.LotEvaluation(subject, method, Decimal(evaluation.preference_rate), ranking, excluded, notices=())


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
    awards = list(awards_of(actor, lot=lot_evaluation.lot).filter(lot_line__isnull=True))
    current = next((award for award in awards if award.cancelled_at is None), None)
    set_aside = {award.offer_id for award in awards}
    allowed = None
    if editable and current is None:
        allowed = _awardable(stored_result(lot_evaluation), set_aside)
    labels = {line.pk: ev.line_label(line.position, line.designation) for line in lot_evaluation.lot.lines.all()}
    rows = [
        {
            "row": row,
            "reasons": [ev.reason_text(reason, line_labels=labels) for reason in reasons_from_json(row.reasons)],
            "awardable": row.offer_id == allowed,
        }
        for row in evaluated_offers_of(actor, lot_evaluation).filter(lot_line__isnull=True)
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
        # Evaluation per line: each line's ranking and award (tawrid.sourcing.evaluation_lines).
        "lines": evaluation_lines.line_reports(actor, lot_evaluation, editable)
        if lot_evaluation.lot.consultation.evaluation_basis == "line"
        else [],
        # …and, per supplier holding line awards, the order under them (tawrid.sourcing.line_orders).
        "line_orders": _line_orders(actor, lot_evaluation, editable),
    }


def _line_orders(actor: Actor, lot_evaluation: LotEvaluation, editable: bool) -> list[dict[str, Any]]:
    if lot_evaluation.lot.consultation.evaluation_basis != "line":
        return []
    from tawrid.sourcing import line_orders  # it reads these selectors

    return line_orders.supplier_summaries(actor, lot_evaluation.lot, editable)


def technical_scoring(actor: Actor, consultation: Consultation) -> list[dict[str, Any]]:
    """The opened offers of a weighted consultation, per lot, with the technical score of the last
    evaluation (the committee's form starts from it)."""
    scored = dict(
        visible(actor, EvaluatedOffer.objects.filter(evaluation__lot__consultation=consultation)).values_list(
            "offer_id", "technical_score"
        )
    )
    offers = offers_of(actor, consultation=consultation).filter(status=OfferStatus.SUBMITTED)
    lots: dict[int, dict[str, Any]] = {}
    for offer in offers:
        lot = lots.setdefault(offer.lot_id, {"lot": offer.lot, "offers": []})
        lot["offers"].append({"offer": offer, "score": scored.get(offer.pk)})
    return list(lots.values())


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


# Orders: the list, and the choices of a direct order -------------------------------------------------------------


def order_rows(actor: Actor, orders: Iterable[Order]) -> list[dict[str, Any]]:
    """Each order of a list (one page) with what the list shows beside it, for the pages and the API alike.

    - `total_value`: the sum of its lines' values (MAD);
    - `local_supplier`: every line was bought from a manufacturer established in Morocco when ordered (the flag
      the local-purchase rate counts, stored per line at ordering time, not today's state of the supplier);
    - `delivered_share` (0 to 1): what was received of each line at its price, over the order's value — by
      quantity when the order is worth nothing; units of different lines are never added up otherwise;
    - for an order under an award, the consultation (id and reference) and the lot number it came from.

    A few queries for the whole page, never a few per order."""
    orders = list(orders)
    ids = [order.pk for order in orders]
    sums = {pk: dict.fromkeys(("value", "delivered", "quantity", "received"), Decimal(0)) for pk in ids}
    local: dict[int, bool] = {}
    lines = (
        visible(actor, OrderLine.objects.filter(order_id__in=ids))
        .annotate(received=Sum("deliveries__quantity", default=Decimal(0)))
        .values_list("order_id", "quantity", "value", "local_supplier", "received")
    )
    for order_id, quantity, value, is_local, received in lines:
        total = sums[order_id]
        total["value"] += value
        total["quantity"] += quantity
        total["received"] += received
        total["delivered"] += value * received / quantity
        local[order_id] = local.get(order_id, True) and is_local
    award_ids = {order.award_id for order in orders if order.award_id is not None}
    awards = visible(actor, Award.objects.filter(pk__in=award_ids)).values_list(
        "pk", "lot__consultation_id", "lot__consultation__reference", "lot__number"
    )
    origins = {pk: (consultation_id, reference, number) for pk, consultation_id, reference, number in awards}
    rows = []
    for order in orders:
        total = sums[order.pk]
        if total["value"] > 0:
            share: Decimal | None = total["delivered"] / total["value"]
        elif total["quantity"] > 0:
            share = total["received"] / total["quantity"]
        else:
            share = None
        consultation_id, reference, lot_number = origins.get(order.award_id or 0, (None, "", None))
        rows.append(
            {
                "order": order,
                "total_value": total["value"],
                "local_supplier": local.get(order.pk, False),
                "delivered_share": min(share, Decimal(1)).quantize(Decimal("0.0001")) if share is not None else None,
                "consultation_id": consultation_id,
                "consultation_reference": reference,
                "lot_number": lot_number,
            }
        )
    return rows


def orderable_plans(actor: Actor) -> QuerySet[PurchasePlan]:
    """The plans a direct order may be placed against: the published (and closed) plans of the buyers the actor
    orders for — the lines the service accepts, so the page never offers what it would refuse."""
    plans = PurchasePlan.objects.filter(
        buyer__in=policies.buyers_acted_for(actor), status__in=[PlanStatus.PUBLISHED, PlanStatus.CLOSED]
    )
    return visible(actor, plans).select_related("buyer", "site").order_by("buyer__name", "-year", "-version", "pk")


def plan_lines_to_order(actor: Actor, plan: Any) -> QuerySet[PlanLine]:
    """A plan's lines, each with `ordered`: what all orders (direct or under an award) already ask of it, shown
    beside the quantity so that nothing is ordered twice by mistake."""
    return (
        visible(actor, PlanLine.objects.filter(plan=plan))
        .select_related("emdn")
        .annotate(ordered=Sum("order_lines__quantity", default=Decimal(0)))
        .order_by("line_number")
    )


def order_suppliers() -> QuerySet[Organisation]:
    """The suppliers offered for a direct order: manufacturers and start-ups with a published product (the
    variants ordered are chosen from their published catalogue). The service itself takes any supplier."""
    return (
        Organisation.objects.filter(kind__in=SUPPLIER_KIND_VALUES, products__status=ProductStatus.PUBLISHED)
        .distinct()
        .order_by("name", "pk")
    )


def direct_order_variant_choices(supplier_id: int, lines: Iterable[PlanLine]) -> dict[int, list[tuple[int, str]]]:
    """For each plan line, the supplier's published variants: those of products under the line's EMDN code
    first, then the others (at most MAX_VARIANT_CHOICES). Never a draft product: it is the manufacturer's own."""
    variants = _published_variants(supplier_id)
    return {line.pk: _variant_choices(variants, line.emdn.code if line.emdn else "") for line in lines}
