"""What a bidder is told about its own offer, from submission to award (offer page, home page, API).

The status follows the lifecycle: submitted (sealed) → opened → evaluated (award pending) → awarded / not
retained / not compliant (or withdrawn; or the consultation cancelled). The evaluation (rank, amounts, reasons)
is told once the lot's award is decided — as the award notice tells it — not while the buyer may still
re-evaluate. Each bidder reads only its own result: the offers are those the offer policy lets the actor see
(its own organisations'), and of the other offers only what the award notice discloses: the winner's name,
its amount and its compared amount (after the national preference). Reasons are stored as keys with their
parameters and turned into sentences here, in the language of the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tawrid.core.permissions import Actor
from tawrid.sourcing import evaluation as ev
from tawrid.sourcing import policies, selectors
from tawrid.sourcing.models import (
    OPENED_STATUSES,
    Award,
    Consultation,
    ConsultationStatus,
    EvaluatedOffer,
    LotEvaluation,
    Offer,
    OfferStatus,
)
from tawrid.sourcing.results_models import ReviewRequest


class ResultStatus:
    SUBMITTED = "submitted"
    OPENED = "opened"
    EVALUATED = "evaluated"
    AWARDED = "awarded"
    NOT_RETAINED = "not_retained"
    NON_COMPLIANT = "non_compliant"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


STATUS_LABELS: dict[str, StrOrPromise] = {
    ResultStatus.SUBMITTED: _("Submitted, sealed until the opening"),
    ResultStatus.OPENED: _("Opened, being evaluated"),
    ResultStatus.EVALUATED: _("Evaluated, award pending"),
    ResultStatus.AWARDED: _("Awarded to your offer"),
    ResultStatus.NOT_RETAINED: _("Not retained"),
    ResultStatus.NON_COMPLIANT: _("Not compliant"),
    ResultStatus.WITHDRAWN: _("Withdrawn"),
    ResultStatus.CANCELLED: _("Consultation cancelled"),
}
# The statuses in which the bidder has its answer (the home page's "results received").
DECIDED = frozenset(
    {
        ResultStatus.AWARDED,
        ResultStatus.NOT_RETAINED,
        ResultStatus.NON_COMPLIANT,
        ResultStatus.WITHDRAWN,
        ResultStatus.CANCELLED,
    }
)
CONTESTABLE = frozenset({ResultStatus.NOT_RETAINED, ResultStatus.NON_COMPLIANT})


@dataclass(frozen=True)
class LineResult:
    """One line of an offer in a lot evaluated and awarded line by line."""

    position: int
    designation: str
    compliant: bool
    rank: int | None
    amount: Decimal
    compared_amount: Decimal
    reasons: tuple[str, ...]
    awarded_to_me: bool
    award: Award | None
    winner_name: str = ""
    winner_compared_amount: Decimal | None = None


@dataclass(frozen=True)
class OfferResult:
    offer: Offer
    status: str
    announced: bool = False  # the award of the lot is decided: rank, amounts and reasons are told
    rank: int | None = None
    compliant_count: int | None = None
    amount: Decimal | None = None
    compared_amount: Decimal | None = None
    preference_rate: Decimal | None = None
    reason_keys: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # sentences, in the active language
    award: Award | None = None
    winner_name: str = ""
    winner_amount: Decimal | None = None
    winner_compared_amount: Decimal | None = None
    award_cancelled_for_me: bool = False
    review: ReviewRequest | None = None
    can_request_review: bool = False
    review_closed: bool = False  # not retained, but the standstill period is over
    contestable_award: Award | None = None  # the award a request for review would contest
    lines: tuple[LineResult, ...] = ()  # per line, when the lot is evaluated and awarded line by line

    @property
    def label(self) -> StrOrPromise:
        return STATUS_LABELS[self.status]

    @property
    def standstill_until(self) -> datetime | None:
        return self.award.standstill_until if self.award else None

    @property
    def decided(self) -> bool:
        return self.status in DECIDED

    @property
    def preference_percent(self) -> Decimal | None:
        return self.preference_rate * 100 if self.preference_rate is not None else None


def _whole_lot_rows(rows: QuerySet[Any]) -> QuerySet[Any]:
    """The rows about the whole lot (a lot evaluated line by line stores its rows with their `lot_line`)."""
    return rows.filter(lot_line__isnull=True)


def _active_award(offer: Offer) -> Award | None:
    awards = _whole_lot_rows(Award.objects.filter(lot_id=offer.lot_id, cancelled_at__isnull=True))
    return awards.select_related("supplier").order_by("-decided_at", "-pk").first()


def _consultation_of(offer: Offer) -> Consultation:
    """The offer's consultation, without its wrapped key when it is to be read here (no page needs it)."""
    if Offer.consultation.is_cached(offer):
        return offer.consultation
    consultation = Consultation.objects.defer(*selectors.SEALED_CONSULTATION_FIELDS).get(pk=offer.consultation_id)
    offer.consultation = consultation
    return consultation


def offer_result(actor: Actor, offer: Offer, *, at: datetime | None = None) -> OfferResult:
    """The result of one of the actor's organisations' offers (the offer comes from an offer selector, so the
    policy already said the actor may see it)."""
    now = at or timezone.now()
    consultation = _consultation_of(offer)
    review = ReviewRequest.objects.filter(offer=offer).first()
    if offer.status == OfferStatus.WITHDRAWN:
        return OfferResult(offer, ResultStatus.WITHDRAWN)
    if consultation.status == ConsultationStatus.CANCELLED:
        return OfferResult(offer, ResultStatus.CANCELLED)
    if consultation.status not in OPENED_STATUSES or consultation.opened_at is None:
        return OfferResult(offer, ResultStatus.SUBMITTED)
    evaluation = LotEvaluation.objects.filter(lot_id=offer.lot_id).first()
    row = (
        _whole_lot_rows(EvaluatedOffer.objects.filter(evaluation=evaluation, offer=offer)).first()
        if evaluation
        else None
    )
    if row is None:
        line_rows = list(
            EvaluatedOffer.objects.filter(evaluation=evaluation, offer=offer, lot_line__isnull=False).select_related(
                "lot_line"
            )
        )
        if line_rows:
            return _per_line_result(actor, offer, consultation, line_rows, review, now)
        return OfferResult(offer, ResultStatus.OPENED, review=review)
    award = _active_award(offer)
    set_aside = set(
        Award.objects.filter(lot_id=offer.lot_id, cancelled_at__isnull=False).values_list("offer_id", flat=True)
    )
    # Decided: an award stands, or the lot is closed without one (no compliant offer left to award).
    announced = award is not None or consultation.status == ConsultationStatus.AWARDED
    if not announced:
        return OfferResult(offer, ResultStatus.EVALUATED, review=review)
    if award is not None and award.offer_id == offer.pk:
        status = ResultStatus.AWARDED
    elif not row.compliant:
        status = ResultStatus.NON_COMPLIANT
    else:
        status = ResultStatus.NOT_RETAINED
    winner = (
        _whole_lot_rows(EvaluatedOffer.objects.filter(evaluation=evaluation, offer_id=award.offer_id)).first()
        if award is not None
        else None
    )
    labels = {line.pk: str(line.position) for line in offer.lot.lines.all()}
    reasons = list(selectors.reasons_from_json(row.reasons))
    if status == ResultStatus.NOT_RETAINED and offer.pk not in set_aside and winner is not None:
        reasons.append(
            ev.Reason.of(
                ev.ReasonKey.RANKED_BELOW_WINNER, rank=row.rank or 0, winning_compared_amount=winner.compared_amount
            )
        )
    open_for_review = award is not None and now < award.standstill_until
    contestable = status in CONTESTABLE and award is not None
    return OfferResult(
        offer,
        status,
        announced=True,
        rank=row.rank,
        compliant_count=_whole_lot_rows(EvaluatedOffer.objects.filter(evaluation=evaluation, compliant=True)).count(),
        amount=row.amount,
        compared_amount=row.compared_amount,
        preference_rate=row.preference_rate_applied,
        reason_keys=tuple(str(reason.key) for reason in reasons),
        reasons=tuple(ev.reason_text(reason, line_labels=labels) for reason in reasons),
        award=award,
        winner_name=award.supplier.name if award else "",
        winner_amount=award.amount if award else None,
        winner_compared_amount=winner.compared_amount if winner else None,
        award_cancelled_for_me=offer.pk in set_aside,
        review=review,
        can_request_review=contestable
        and open_for_review
        and review is None
        and policies.can_act_for_supplier(actor, offer.supplier_id),
        review_closed=contestable and not open_for_review and review is None,
        contestable_award=award if contestable else None,
    )


def _per_line_result(
    actor: Actor,
    offer: Offer,
    consultation: Consultation,
    rows: list[EvaluatedOffer],
    review: ReviewRequest | None,
    now: datetime,
) -> OfferResult:
    """A lot evaluated line by line: each line the offer priced has its own rank, amounts, reasons and award.
    Told once every such line is decided (awarded, or the consultation closed)."""
    awards = {
        award.lot_line_id: award
        for award in Award.objects.filter(
            lot_id=offer.lot_id, lot_line__isnull=False, cancelled_at__isnull=True
        ).select_related("supplier")
    }
    if not (all(row.lot_line_id in awards for row in rows) or consultation.status == ConsultationStatus.AWARDED):
        return OfferResult(offer, ResultStatus.EVALUATED, review=review)
    # The winners' compared amounts per line: what the award notice discloses.
    winners = {
        (row.lot_line_id, row.offer_id): row.compared_amount
        for row in EvaluatedOffer.objects.filter(
            evaluation_id=rows[0].evaluation_id,
            lot_line_id__in=list(awards),
            offer_id__in=[award.offer_id for award in awards.values()],
        )
    }
    labels = {row.lot_line_id: str(row.lot_line.position) for row in rows}
    lines = []
    for row in sorted(rows, key=lambda row: row.lot_line.position):
        award = awards.get(row.lot_line_id)
        mine = award is not None and award.offer_id == offer.pk
        winning = winners.get((row.lot_line_id, award.offer_id)) if award is not None else None
        reasons = list(selectors.reasons_from_json(row.reasons))
        if row.compliant and not mine and winning is not None:
            reasons.append(
                ev.Reason.of(ev.ReasonKey.RANKED_BELOW_WINNER, rank=row.rank or 0, winning_compared_amount=winning)
            )
        lines.append(
            LineResult(
                position=row.lot_line.position,
                designation=row.lot_line.designation,
                compliant=row.compliant,
                rank=row.rank,
                amount=row.amount,
                compared_amount=row.compared_amount,
                reasons=tuple(ev.reason_text(reason, line_labels=labels) for reason in reasons),
                awarded_to_me=mine,
                award=award,
                winner_name=award.supplier.name if award is not None else "",
                winner_compared_amount=winning,
            )
        )
    if any(line.awarded_to_me for line in lines):
        status = ResultStatus.AWARDED
    elif any(line.compliant for line in lines):
        status = ResultStatus.NOT_RETAINED
    else:
        status = ResultStatus.NON_COMPLIANT
    # A line lost to another offer can be contested: the one whose standstill ends last stands for them all.
    lost = [line.award for line in lines if line.award is not None and not line.awarded_to_me]
    contested = max(lost, key=lambda award: award.standstill_until) if lost else None
    open_for_review = contested is not None and now < contested.standstill_until
    return OfferResult(
        offer,
        status,
        announced=True,
        amount=sum((line.amount for line in lines), Decimal(0)),
        compared_amount=sum((line.compared_amount for line in lines), Decimal(0)),
        preference_rate=rows[0].preference_rate_applied,
        award=contested or next((line.award for line in lines if line.award is not None), None),
        review=review,
        can_request_review=open_for_review
        and review is None
        and policies.can_act_for_supplier(actor, offer.supplier_id),
        review_closed=contested is not None and not open_for_review and review is None,
        contestable_award=contested,
        lines=tuple(lines),
    )


HOME_LIMIT = 10


@dataclass(frozen=True)
class HomeResults:
    awaiting: list[OfferResult]
    received: list[OfferResult]

    def __bool__(self) -> bool:
        return bool(self.awaiting or self.received)


def _light_result(
    actor: Actor, offer: Offer, rows: list[Any], awards: dict[Any, Award], requested: bool, now: datetime
) -> OfferResult:
    """`offer_result`'s status, rank and review window, from rows loaded in bulk (`rows`: the offer's evaluated
    rows, whole lot or per line; `awards`: the lot's active awards by lot line, None for the whole lot)."""
    consultation = offer.consultation
    if consultation.status == ConsultationStatus.CANCELLED:
        return OfferResult(offer, ResultStatus.CANCELLED)
    if consultation.status not in OPENED_STATUSES or consultation.opened_at is None:
        return OfferResult(offer, ResultStatus.SUBMITTED)
    if not rows:
        return OfferResult(offer, ResultStatus.OPENED)
    whole = next((row for row in rows if row.lot_line_id is None), None)
    decisions = [awards.get(None)] if whole is not None else [awards.get(row.lot_line_id) for row in rows]
    if not all(decisions) and consultation.status != ConsultationStatus.AWARDED:
        return OfferResult(offer, ResultStatus.EVALUATED)
    if any(award is not None and award.offer_id == offer.pk for award in decisions):
        status = ResultStatus.AWARDED
    elif any(row.compliant for row in rows):
        status = ResultStatus.NOT_RETAINED
    else:
        status = ResultStatus.NON_COMPLIANT
    lost = [award for award in decisions if award is not None and award.offer_id != offer.pk]
    contested = max(lost, key=lambda award: award.standstill_until) if lost else None
    if whole is not None and status not in CONTESTABLE:
        contested = None
    return OfferResult(
        offer,
        status,
        announced=True,
        rank=whole.rank if whole is not None else None,
        award=contested or next((award for award in decisions if award is not None), None),
        contestable_award=contested,
        can_request_review=contested is not None
        and now < contested.standstill_until
        and not requested
        and policies.can_act_for_supplier(actor, offer.supplier_id),
    )


def home_results(actor: Actor) -> HomeResults:
    """A supplier's offers awaiting their result (submitted, opened, evaluated) and the latest results received,
    at most HOME_LIMIT of each, for its home page: status, rank, standstill end and whether a review may still be
    requested — in a fixed number of queries, whatever the number of offers."""
    if actor.is_anonymous or not policies.supplier_orgs(actor):
        return HomeResults([], [])
    offers = list(
        selectors.offers_of(actor)
        .filter(supplier__in=policies.supplier_orgs(actor), status=OfferStatus.SUBMITTED)
        .exclude(consultation__status=ConsultationStatus.DRAFT)
        .select_related("consultation", "consultation__buyer")
        .defer(*(f"consultation__{name}" for name in selectors.SEALED_CONSULTATION_FIELDS))
        .order_by("-submitted_at", "-pk")[: HOME_LIMIT * 3]
    )
    if not offers:
        return HomeResults([], [])
    ids = [offer.pk for offer in offers]
    rows: dict[int, list[Any]] = {pk: [] for pk in ids}
    for row in EvaluatedOffer.objects.filter(offer_id__in=ids).only("offer_id", "lot_line_id", "compliant", "rank"):
        rows[row.offer_id].append(row)
    awards: dict[int, dict[Any, Award]] = {offer.lot_id: {} for offer in offers}
    active = Award.objects.filter(lot_id__in=list(awards), cancelled_at__isnull=True).order_by("decided_at", "pk")
    for award in active:
        awards[award.lot_id][award.lot_line_id] = award
    requested = set(ReviewRequest.objects.filter(offer_id__in=ids).values_list("offer_id", flat=True))
    now = timezone.now()
    awaiting: list[OfferResult] = []
    received: list[OfferResult] = []
    for offer in offers:
        result = _light_result(actor, offer, rows[offer.pk], awards[offer.lot_id], offer.pk in requested, now)
        target = received if result.decided else awaiting
        if len(target) < HOME_LIMIT:
            target.append(result)
    return HomeResults(awaiting, received)


def offer_page_url(offer: Offer) -> str:
    """The offer's page, as an address to put in an e-mail."""
    path = reverse("sourcing:offer_page", args=[offer.consultation_id, offer.lot_id])
    return f"{str(settings.SITE_URL).rstrip('/')}{path}"
