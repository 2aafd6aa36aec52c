"""Requests for review of an award (recours gracieux): a bidder not retained asks the buyer, before the standstill
period of the award ends, to review it, giving its grounds; the buyer answers in writing. One request per offer.

Writes here (services), reads too (selectors): the module is small and its rows are read by the same pages.
Both sides are told by e-mail, queued after the commit (tawrid.core.mail).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tawrid.core import permissions
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import Actor
from tawrid.sourcing import policies, results
from tawrid.sourcing.models import Consultation, Offer
from tawrid.sourcing.results_models import ReviewRequest
from tawrid.sourcing.services import MAX_TEXT, _notify, _when


def review_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The bidder's own requests; every request on the buyer's consultations for the buyer's side."""
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    return queryset.filter(
        Q(offer__supplier__in=policies.supplier_orgs(actor)) | policies.buyer_q(actor, "offer__consultation__")
    )


def reviews_of(actor: Actor, consultation: Consultation) -> QuerySet[ReviewRequest]:
    return (
        permissions.visible(actor, ReviewRequest.objects.filter(offer__consultation=consultation))
        .select_related("offer__supplier", "offer__lot", "award", "requested_by", "answered_by")
        .order_by("requested_at", "pk")
    )


def review_detail(actor: Actor, pk: Any) -> ReviewRequest:
    return permissions.get_visible_or_404(
        actor,
        ReviewRequest.objects.select_related("offer__consultation__buyer", "offer__lot", "offer__supplier"),
        pk=pk,
    )


def _clean_text(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise DomainError(
            _("Write the text (at most %(max)s characters).") % {"max": MAX_TEXT},
            code="text_required",
            details={field: [_("This field is required.")]},
        )
    return text


@transaction.atomic
def review_request(*, actor: Actor, offer: Offer, text: str, user: Any = None) -> ReviewRequest:
    """A bidder not retained asks for a review of the award of its lot, before the award's standstill ends."""
    if not permissions.visible(actor, Offer.objects.filter(pk=offer.pk)).exists():
        raise NotFound()
    if not policies.can_act_for_supplier(actor, offer.supplier_id):
        raise Forbidden(_("Only the supplier's administrators and members request a review."))
    locked = Offer.objects.select_for_update().select_related("consultation__buyer", "lot").get(pk=offer.pk)
    existing = ReviewRequest.objects.filter(offer=locked).first()
    if existing is not None:
        raise DomainError(
            _("You already requested a review of this award, on %(date)s.") % {"date": _when(existing.requested_at)},
            code="review_exists",
        )
    result = results.offer_result(actor, locked)
    award = result.contestable_award
    if award is None:
        raise DomainError(
            _("Only a bidder whose offer was not retained can request a review of the award."),
            code="review_not_contestable",
        )
    if timezone.now() >= award.standstill_until:
        raise DomainError(
            _(
                "The standstill period ended on %(date)s: the award is final and a review can no longer be "
                "requested here."
            )
            % {"date": _when(award.standstill_until)},
            code="standstill_over",
        )
    text = _clean_text(text, "text")
    review = ReviewRequest(
        offer=locked,
        award=award,
        text=text,
        requested_at=timezone.now(),
        requested_by=user if getattr(user, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # a second submission that got past the check at the same moment
        raise DomainError(_("You already requested a review of this award."), code="review_exists") from None
    consultation, lot = locked.consultation, locked.lot

    def compose() -> tuple[str, str]:
        subject = _("Consultation %(reference)s, lot %(number)s: request for review") % {
            "reference": consultation.reference,
            "number": lot.number,
        }
        body = "\n\n".join(
            [
                _("%(supplier)s requests a review of the award of lot %(number)s (%(title)s). Its grounds:")
                % {"supplier": locked.supplier.name, "number": lot.number, "title": lot.title},
                text,
                _("Answer it on the evaluation report: %(site)s") % {"site": settings.SITE_URL},
            ]
        )
        return subject, body + "\n"

    _notify([consultation.buyer_id], compose)
    return review


@transaction.atomic
def review_answer(*, actor: Actor, review: ReviewRequest, answer: str, user: Any = None) -> ReviewRequest:
    """The buyer answers a request for review, once; the bidder is told the answer."""
    consultation = review.offer.consultation
    if not policies.can_edit_consultation(actor, consultation):
        if not permissions.visible(actor, ReviewRequest.objects.filter(pk=review.pk)).exists():
            raise NotFound()
        raise Forbidden(_("Only the buyer's administrators and members answer requests for review."))
    review = (
        ReviewRequest.objects.select_for_update().select_related("offer__lot", "offer__consultation").get(pk=review.pk)
    )
    if review.answered_at is not None:
        raise DomainError(
            _("This request was already answered on %(date)s.") % {"date": _when(review.answered_at)},
            code="review_answered",
        )
    review.answer = _clean_text(answer, "answer")
    review.answered_at = timezone.now()
    review.answered_by = user if getattr(user, "pk", None) else None
    review.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    lot = review.offer.lot

    def compose() -> tuple[str, str]:
        subject = _("Consultation %(reference)s, lot %(number)s: answer to your request for review") % {
            "reference": consultation.reference,
            "number": lot.number,
        }
        return subject, review.answer + "\n"

    _notify([review.offer.supplier_id], compose)
    return review
