"""Who sees which consultations, questions and offers (pages, API, exports and the admin site use these rules).

- the buyer's people (the buyer organisation) see all of their consultations; its administrators and
  members change them, through the services; the cluster secretariat overseeing the buyer reads them;
- a manufacturer or start-up sees the published consultations it is invited to, and those open to all
  eligible manufacturers; never a draft;
- questions: the buyer's side sees all; a supplier sees its own questions and, once answered, every answer
  of a consultation it is invited to (answers are published to all invited suppliers);
- offers: a supplier sees its own organisation's offers (never another's). The buyer's side learns who bid
  only at the opening. Offer lines — the amounts — exist only from the opening on, and are visible from then
  on only: to the buyer's side, to the supplier for its own offer, and to the operator. NOBODY reads amounts
  before the opening, not even a superuser: before the opening they exist only sealed (see `sealing`), and
  the selectors never load the sealed columns.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from tawrid.core import permissions
from tawrid.core.permissions import Actor
from tawrid.demand import policies as plan_policies


def buyer_q(actor: Actor, prefix: str = "") -> Q:
    """The consultations (under `prefix`) of buyers the actor belongs to or oversees."""
    return Q(**{f"{prefix}buyer__in": actor.readable_org_ids})


def supplier_orgs(actor: Actor) -> frozenset[int]:
    """The supplier organisations the actor belongs to (any role: read-only people read their invitations)."""
    return actor.org_ids_of_kind(*plan_policies.SUPPLIER_KIND_VALUES)


def consultation_scope(actor: Actor, queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    condition = buyer_q(actor, prefix)
    suppliers = supplier_orgs(actor)
    if suppliers:
        from tawrid.sourcing.models import ConsultationStatus, Invitation

        outer = OuterRef(prefix.removesuffix("__")) if prefix else OuterRef("pk")
        invited = Invitation.objects.filter(consultation=outer, supplier__in=suppliers)
        condition |= ~Q(**{f"{prefix}status": ConsultationStatus.DRAFT}) & (
            Q(Exists(invited)) | Q(**{f"{prefix}open_to_all": True})
        )
    return queryset.filter(condition)


def can_edit_consultation(actor: Actor, consultation: Any) -> bool:
    return actor.can_write_org(consultation.buyer_id)


def can_create_consultation_for(actor: Actor, buyer_id: int | None) -> bool:
    return plan_policies.can_create_plan_for(actor, buyer_id)


def buyers_acted_for(actor: Actor) -> list[int]:
    """The buyers the actor makes consultations and places orders for (its administrators and members)."""
    return sorted(pk for pk in plan_policies.buyer_orgs(actor) if can_create_consultation_for(actor, pk))


def is_invited(actor: Actor, consultation: Any, supplier_id: int | None) -> bool:
    from tawrid.sourcing.models import Invitation

    return (
        supplier_id is not None
        and supplier_id in actor.org_ids
        and Invitation.objects.filter(consultation=consultation, supplier_id=supplier_id).exists()
    )


def can_act_for_supplier(actor: Actor, supplier_id: int | None) -> bool:
    """Submit offers and ask questions on behalf of a supplier: its administrators and members."""
    return actor.can_write_org(supplier_id) and supplier_id in supplier_orgs(actor)


def _lot_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return consultation_scope(actor, queryset, "consultation__")


def _lot_line_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return consultation_scope(actor, queryset, "lot__consultation__")


def _invitation_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    return queryset.filter(buyer_q(actor, "consultation__") | Q(supplier__in=supplier_orgs(actor)))


def _question_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    from tawrid.sourcing.models import Invitation

    suppliers = supplier_orgs(actor)
    invited = Invitation.objects.filter(consultation=OuterRef("consultation"), supplier__in=suppliers)
    return queryset.filter(
        buyer_q(actor, "consultation__")
        | Q(supplier__in=suppliers)
        | (Q(answered_at__isnull=False) & Q(Exists(invited)))
    )


def _offer_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset  # the rows (who, when, which version); their contents are sealed
    if actor.is_anonymous:
        return queryset.none()
    opened_for_buyer = buyer_q(actor, "consultation__") & Q(consultation__opened_at__isnull=False)
    return queryset.filter(Q(supplier__in=supplier_orgs(actor)) | opened_for_buyer)


def _offer_line_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    # Opening writes the lines; the condition still holds everyone, the operator included, to the opening.
    opened = queryset.filter(offer__consultation__opened_at__isnull=False)
    if actor.is_superuser:
        return opened
    if actor.is_anonymous:
        return queryset.none()
    return opened.filter(Q(offer__supplier__in=supplier_orgs(actor)) | buyer_q(actor, "offer__consultation__"))


def _consultation_part_change(actor: Actor, obj: Any) -> bool:
    return can_edit_consultation(actor, obj.consultation)


def _lot_line_change(actor: Actor, line: Any) -> bool:
    return can_edit_consultation(actor, line.lot.consultation)


def _never(actor: Actor, obj: Any) -> bool:
    return False  # written by the services only


def _offer_change(actor: Actor, offer: Any) -> bool:
    return can_act_for_supplier(actor, offer.supplier_id)


def _evaluation_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """A lot's evaluation: the buyer's side (and the secretariat overseeing it), the operator."""
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    return queryset.filter(buyer_q(actor, "lot__consultation__"))


def _evaluated_offer_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The buyer's side sees every evaluated offer; a supplier its own."""
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    return queryset.filter(
        buyer_q(actor, "evaluation__lot__consultation__") | Q(offer__supplier__in=supplier_orgs(actor))
    )


def _award_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Awards: the buyer's side, and every bidder of the lot (the award is notified to all of them)."""
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    from tawrid.sourcing.models import Offer

    bid = Offer.objects.filter(lot=OuterRef("lot"), supplier__in=supplier_orgs(actor))
    return queryset.filter(buyer_q(actor, "lot__consultation__") | Q(Exists(bid)))


def order_scope(actor: Actor, queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    """Orders: the buyer's people (and the secretariat overseeing the buyer), the supplier's people."""
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    return queryset.filter(
        Q(**{f"{prefix}buyer__in": actor.readable_org_ids}) | Q(**{f"{prefix}supplier__in": actor.org_ids})
    )


def can_place_orders_for(actor: Actor, buyer_id: int | None) -> bool:
    return plan_policies.can_create_plan_for(actor, buyer_id)


def can_see_all_purchase_rates(actor: Actor) -> bool:
    """Aggregates over every buyer (national, per year, per EMDN category): as for national demand values —
    buyers' people, the cluster secretariat and the operator. Per-buyer rates stay each buyer's (and the
    secretariat's for the buyers it oversees)."""
    return plan_policies.can_see_national_values(actor)


def register() -> None:
    from tawrid.sourcing.models import (
        Award,
        Consultation,
        Delivery,
        DeliveryLine,
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

    permissions.register(Consultation, permissions.Custom(consultation_scope, can_edit_consultation))
    permissions.register(Lot, permissions.Custom(_lot_scope, _consultation_part_change))
    permissions.register(LotLine, permissions.Custom(_lot_line_scope, _lot_line_change))
    permissions.register(Invitation, permissions.Custom(_invitation_scope, _never))
    permissions.register(Question, permissions.Custom(_question_scope, _consultation_part_change))
    permissions.register(Offer, permissions.Custom(_offer_scope, _offer_change))
    permissions.register(OfferLine, permissions.Custom(_offer_line_scope, _never))
    permissions.register(LotEvaluation, permissions.Custom(_evaluation_scope, _never))
    permissions.register(EvaluatedOffer, permissions.Custom(_evaluated_offer_scope, _never))
    permissions.register(Award, permissions.Custom(_award_scope, _never))
    permissions.register(Order, permissions.Custom(order_scope, _never))
    permissions.register(OrderLine, permissions.Custom(lambda a, q: order_scope(a, q, "order__"), _never))
    permissions.register(Delivery, permissions.Custom(lambda a, q: order_scope(a, q, "order__"), _never))
    permissions.register(DeliveryLine, permissions.Custom(lambda a, q: order_scope(a, q, "delivery__order__"), _never))
