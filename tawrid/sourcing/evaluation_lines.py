"""Evaluation and award per line: each line of a lot ranked on its own among the offers that priced it, and awarded
line by line, possibly to different suppliers (a consultation with `evaluation_basis` = "line").

The arithmetic is `tawrid.sourcing.evaluation.evaluate_lot` applied to a one-line lot: compliance (of the offered
line: its delivery time, its variant's certificates, registration, specification and capacity), national
preference (the same rate, on the line's amount), ranking and ties. Results are stored as `EvaluatedOffer` rows
with their `lot_line` set, under the lot's `LotEvaluation`; awards as `Award` rows with their `lot_line` set. The
per-lot rows and awards (lot_line empty) are never mixed with them in a lot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError
from tawrid.core.permissions import Actor
from tawrid.sourcing import evaluation as ev
from tawrid.sourcing.models import (
    Award,
    Consultation,
    EvaluatedOffer,
    EvaluationBasis,
    Lot,
    LotEvaluation,
    LotLine,
    Offer,
    OfferLine,
)


def evaluate_lot_lines(
    *,
    actor: Actor,
    consultation: Consultation,
    lot: Lot,
    offers: Sequence[Offer],
    compliance: Callable[[Sequence[OfferLine], int], ev.ComplianceFacts],
    method: ev.EvaluationMethod,
    rate: Decimal,
    scores: Mapping[int, Decimal],
    now: datetime,
) -> LotEvaluation:
    """Rank, for each line of `lot`, the offers that priced it, and store the rows (one per offer and line)."""
    from tawrid.sourcing.services import evaluated_rows_save  # the rows of the lot basis, with their line

    stored = LotEvaluation.objects.create(
        lot=lot,
        evaluated_at=now,
        evaluated_by_id=actor.user_id,
        method=consultation.evaluation_method,
        price_weight=consultation.price_weight,
        preference_rate=rate,
    )
    priced = {offer.pk: {line.lot_line_id: line for line in offer.lines.all()} for offer in offers}
    for lot_line in lot.lines.all():
        quantity = Decimal(lot_line.quantity)
        inputs = []
        for offer in offers:
            line = priced[offer.pk].get(lot_line.pk)
            if line is None:
                continue  # not priced: not a bidder for this line (a partial offer)
            inputs.append(
                ev.OfferUnderEvaluation(
                    offer_id=offer.pk,
                    supplier_id=offer.supplier_id,
                    established_in_morocco=offer.established_in_morocco,
                    submitted_at=offer.submitted_at,
                    lines=(ev.OfferLine(lot_line.pk, quantity, Decimal(line.unit_price), line.delivery_days),),
                    compliance=compliance([line], offer.supplier_id),
                    technical_score=scores.get(offer.pk),
                )
            )
        if not inputs:
            continue
        result = ev.evaluate_lot(
            ev.Lot(id=lot_line.pk, lines=(ev.LotLine(lot_line.pk, quantity),)),
            inputs,
            method=method,
            preference_rate=rate,
        )
        evaluated_rows_save(stored, result, rate=rate, scores=scores, lot_line=lot_line)
    return stored


def stored_line_result(evaluation: LotEvaluation, lot_line: LotLine) -> ev.LotEvaluation:
    """The stored ranking and exclusions of one line (as `evaluate_lot` returned them), to check an award."""
    from tawrid.sourcing.selectors import stored_result

    return stored_result(evaluation, lot_line)


def line_done(lot_line: LotLine) -> bool:
    """Awarded, or without any compliant offer left to award for it."""
    if Award.objects.filter(lot_line=lot_line, cancelled_at__isnull=True).exists():
        return True
    set_aside = Award.objects.filter(lot_line=lot_line).values_list("offer_id", flat=True)
    return not EvaluatedOffer.objects.filter(lot_line=lot_line, compliant=True).exclude(offer__in=set_aside).exists()


@transaction.atomic
def award_line_make(*, actor: Actor, lot_line: LotLine, offer: Offer) -> Award:
    """Award one line of a lot evaluated per line to its best compliant offer not set aside, at the offer's price
    of that line (quantity × unit price). The bidders on the line are told by e-mail."""
    from tawrid.sourcing import services

    lot = lot_line.lot
    consultation = lot.consultation
    services._require_edit(actor, consultation)
    consultation = services._lock(consultation)
    if consultation.evaluation_basis != EvaluationBasis.LINE:
        raise DomainError(_("This consultation is evaluated per lot: award the lot."), code="award_per_lot")
    evaluation, set_aside = services.award_gate(consultation=consultation, lot=lot, offer=offer, lot_line=lot_line)
    ranked = ev.check_award(stored_line_result(evaluation, lot_line), offer.pk, set_aside=set_aside)
    now = timezone.now()
    award = Award(
        lot=lot,
        lot_line=lot_line,
        offer_id=offer.pk,
        supplier_id=offer.supplier_id,
        amount=ranked.amount,
        decided_at=now,
        decided_by_id=actor.user_id,
        standstill_until=now + timedelta(days=services.standstill_days()),
    )
    try:
        with transaction.atomic():
            award.save()
    except IntegrityError:
        raise DomainError(_("This line is already awarded."), code="already_awarded") from None
    label = ev.line_label(lot_line.position, lot_line.designation, lot_number=lot.number)
    bidders = set(evaluation.offers.filter(lot_line=lot_line).values_list("offer__supplier_id", flat=True))

    def compose(supplier_id: int) -> Callable[[], tuple[str, str]]:
        def message() -> tuple[str, str]:
            subject = _("Consultation %(reference)s, line %(line)s: award") % {
                "reference": consultation.reference,
                "line": label,
            }
            if supplier_id == offer.supplier_id:
                body = _("Line %(line)s is awarded to your offer, for %(amount)s MAD.")
            else:
                body = _("Line %(line)s is awarded to another offer, for %(amount)s MAD.")
            return subject, body % {"line": label, "amount": services._money(ranked.amount)} + "\n"

        return message

    for supplier_id in sorted(bidders):
        services._notify([supplier_id], compose(supplier_id))
    services._update_award_status(consultation)
    return award


def line_reports(actor: Actor, lot_evaluation: LotEvaluation, editable: bool) -> list[dict[str, Any]]:
    """Per line of a lot evaluated per line: its evaluated offers best first (reasons in the person's language),
    the offer an award may go to, and the current award."""
    from tawrid.sourcing.selectors import award_is_final, awards_of, evaluated_offers_of, reasons_from_json

    lot = lot_evaluation.lot
    labels = line_labels(lot)
    rows = list(evaluated_offers_of(actor, lot_evaluation).filter(lot_line__isnull=False))
    awards = list(awards_of(actor, lot=lot).filter(lot_line__isnull=False))
    reports = []
    for lot_line in lot.lines.order_by("position"):
        line_rows = [row for row in rows if row.lot_line_id == lot_line.pk]
        line_awards = [award for award in awards if award.lot_line_id == lot_line.pk]
        current = next((award for award in line_awards if award.cancelled_at is None), None)
        allowed = None
        if editable and current is None and line_rows:
            set_aside = {award.offer_id for award in line_awards}
            candidates = [row for row in line_rows if row.compliant and row.offer_id not in set_aside]
            allowed = candidates[0].offer_id if candidates else None
        reports.append(
            {
                "line": lot_line,
                "label": labels[lot_line.pk],
                "rows": [
                    {
                        "row": row,
                        "reasons": [ev.reason_text(r, line_labels=labels) for r in reasons_from_json(row.reasons)],
                        "awardable": row.offer_id == allowed,
                    }
                    for row in line_rows
                ],
                "current": current,
                # During its standstill and before any order, a line's award can be cancelled (only that line's).
                "can_cancel": editable
                and current is not None
                and not award_is_final(current)
                and not current.order_lines.exists(),
                "cancelled": [award for award in line_awards if award.cancelled_at is not None],
            }
        )
    return reports


def line_labels(lot: Lot) -> dict[int, str]:
    """Each line of the lot as people name it: its number and the start of its designation."""
    return {line.pk: ev.line_label(line.position, line.designation) for line in lot.lines.order_by("position")}
