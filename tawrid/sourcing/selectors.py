"""Reads of consultations, questions and offers, always through the permission policies (tawrid.sourcing.policies).

No selector loads a sealed column: the consultation's wrapped key and an offer's sealed contents and nonce
are deferred in every queryset given out, so no page, API answer or export built on these can carry them.
Only the opening service (tawrid.sourcing.services.consultation_open) reads them, to unseal.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from tawrid.core.permissions import Actor, get_visible_or_404, visible
from tawrid.sourcing import policies
from tawrid.sourcing.models import (
    Consultation,
    ConsultationStatus,
    Invitation,
    Lot,
    LotLine,
    Offer,
    OfferLine,
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
