"""API of what a bidder sees after submitting (mounted under /api/v1/sourcing/ by tawrid.sourcing.api): the receipts
of its offer, its result once the award is decided, its request for review of the award; the buyer's list of the
requests on a consultation and its answer. Same rules and refusals as the pages (tawrid.sourcing.results_views)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from tawrid.core.api_schemas import Id
from tawrid.core.permissions import Actor, actor_for
from tawrid.sourcing import receipts, results, reviews, selectors
from tawrid.sourcing.models import Offer
from tawrid.sourcing.results_models import OfferReceipt, ReviewRequest

router = Router(tags=["sourcing"])


class ReceiptOut(Schema):
    offer_id: int
    version: int
    submitted_at: datetime
    fingerprint: str  # SHA-256 of the sealed bytes stored, hex


class ReviewOut(Schema):
    id: int
    offer_id: int
    award_id: int
    supplier_name: str
    text: str
    requested_at: datetime
    answer: str
    answered_at: datetime | None

    @staticmethod
    def resolve_supplier_name(obj: ReviewRequest) -> str:
        return obj.offer.supplier.name


class ReasonOut(Schema):
    key: str
    text: str


class OfferResultOut(Schema):
    offer_id: int
    status: str  # submitted, opened, evaluated, awarded, not_retained, non_compliant, withdrawn, cancelled
    status_label: str
    announced: bool
    rank: int | None
    compliant_offers: int | None
    amount: Decimal | None
    compared_amount: Decimal | None
    preference_rate: Decimal | None
    reasons: list[ReasonOut]
    award_id: int | None
    awarded_to: str
    awarded_amount: Decimal | None
    awarded_compared_amount: Decimal | None
    decided_at: datetime | None
    standstill_until: datetime | None
    can_request_review: bool
    review: ReviewOut | None


class ReviewIn(Schema):
    text: str


class ReviewAnswerIn(Schema):
    answer: str


def current_receipt(actor: Actor, offer: Offer) -> OfferReceipt | None:
    """The receipt of the offer's current version (none for a withdrawal), for the supplier's own people only."""
    return receipts.receipts_of(actor, offer).filter(version=offer.version).first()


def _result(result: results.OfferResult) -> dict:
    award = result.award
    return {
        "offer_id": result.offer.pk,
        "status": result.status,
        "status_label": str(result.label),
        "announced": result.announced,
        "rank": result.rank,
        "compliant_offers": result.compliant_count,
        "amount": result.amount,
        "compared_amount": result.compared_amount,
        "preference_rate": result.preference_rate,
        "reasons": [{"key": key, "text": text} for key, text in zip(result.reason_keys, result.reasons, strict=True)],
        "award_id": award.pk if award else None,
        "awarded_to": result.winner_name,
        "awarded_amount": result.winner_amount,
        "awarded_compared_amount": result.winner_compared_amount,
        "decided_at": award.decided_at if award else None,
        "standstill_until": result.standstill_until,
        "can_request_review": result.can_request_review,
        "review": result.review,
    }


@router.get("/offers/{offer_id}/receipts", response=list[ReceiptOut], summary="The receipts of my offer's versions")
def offer_receipts(request: HttpRequest, offer_id: Id) -> list:
    actor = actor_for(request.user)
    return list(receipts.receipts_of(actor, selectors.offer_detail(actor, offer_id)))


@router.get("/offers/{offer_id}/result", response=OfferResultOut, summary="My offer's status and result")
def offer_result(request: HttpRequest, offer_id: Id) -> dict:
    actor = actor_for(request.user)
    offer = selectors.offer_detail(actor, offer_id)
    return _result(results.offer_result(actor, offer))


@router.post(
    "/offers/{offer_id}/review",
    response={201: ReviewOut},
    summary="Request a review of the award (offer not retained, before the standstill period ends)",
)
def request_review(request: HttpRequest, offer_id: Id, payload: ReviewIn) -> Status[ReviewRequest]:
    actor = actor_for(request.user)
    offer = selectors.offer_detail(actor, offer_id)
    return Status(201, reviews.review_request(actor=actor, offer=offer, text=payload.text, user=request.user))


@router.get(
    "/consultations/{consultation_id}/reviews",
    response=list[ReviewOut],
    summary="Requests for review of a consultation's awards (the buyer's side; a bidder sees its own)",
)
def list_reviews(request: HttpRequest, consultation_id: Id) -> list:
    actor = actor_for(request.user)
    return list(reviews.reviews_of(actor, selectors.consultation_detail(actor, consultation_id)))


@router.post("/reviews/{review_id}/answer", response=ReviewOut, summary="Answer a request for review (the buyer)")
def answer_review(request: HttpRequest, review_id: Id, payload: ReviewAnswerIn) -> ReviewRequest:
    actor = actor_for(request.user)
    review = reviews.review_detail(actor, review_id)
    return reviews.review_answer(actor=actor, review=review, answer=payload.answer, user=request.user)
