"""Pages of what a bidder sees after submitting: the receipt of its offer (printable, or downloaded as text), its
request for review of an award, and the buyer's answer to it. The offer page itself (tawrid.sourcing.views)
takes its result, receipt and own lines from `offer_page_context` here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tawrid.core.errors import DomainError
from tawrid.core.permissions import Actor, actor_for
from tawrid.sourcing import receipts, results, reviews, selectors
from tawrid.sourcing.models import Offer
from tawrid.sourcing.services import MAX_TEXT


class ReviewRequestForm(forms.Form):
    text = forms.CharField(
        label=_("Your grounds"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "data-testid": "review-text"}),
        help_text=_("Why the award should be reviewed: the buyer answers in writing."),
    )


class ReviewAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))


def offer_page_context(actor: Actor, offer: Offer | None) -> dict[str, Any]:
    """The offer page's result, receipts and — once opened — the offer's own lines and documents."""
    if offer is None:
        return {}
    lines = list(selectors.offer_lines_of(actor, offer))  # none before the opening, for anybody
    return {
        "result": results.offer_result(actor, offer),
        "receipts": list(receipts.receipts_of(actor, offer)),
        "own_lines": lines,
        "review_form": ReviewRequestForm(),
    }


@login_required
@require_GET
def offer_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipts of an offer: a printable page, or (?download=1) a text file."""
    actor = actor_for(request.user)
    offer = selectors.offer_detail(actor, pk)
    context = {"offer": offer, "receipts": list(receipts.receipts_of(actor, offer))}
    if request.GET.get("download"):
        text = render_to_string("sourcing/offer_receipt.txt", context, request=request)
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="receipt-offer-{offer.pk}-v{offer.version}.txt"'
        return response
    return render(request, "sourcing/offer_receipt.html", context)


def _back_to_offer(offer: Offer) -> HttpResponse:
    return redirect("sourcing:offer_page", pk=offer.consultation_id, lot_pk=offer.lot_id)


@login_required
@require_POST
def review_request(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    offer = selectors.offer_detail(actor, pk)
    form = ReviewRequestForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else request.POST.get("text", "")
    try:
        reviews.review_request(actor=actor, offer=offer, text=text, user=request.user)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your request for review is sent to the buyer, who answers it in writing."))
    return _back_to_offer(offer)


@login_required
@require_POST
def review_answer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    review = reviews.review_detail(actor, pk)
    form = ReviewAnswerForm(request.POST)
    answer = form.cleaned_data["answer"] if form.is_valid() else request.POST.get("answer", "")
    try:
        reviews.review_answer(actor=actor, review=review, answer=answer, user=request.user)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Answer sent to the bidder."))
    return redirect("sourcing:evaluation_report", pk=review.offer.consultation_id)
