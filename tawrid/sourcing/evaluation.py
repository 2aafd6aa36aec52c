"""Evaluation of the offers of one lot: compliance, national preference, ranking, winner (pure; no database).

Services build these dataclasses from the opened offers through selectors, call `evaluate_lot` and store the
result; `check_award` is the one gate an award goes through. Nothing here reads or writes the database, so
the arithmetic can be tested on worked examples and replayed from an evaluation report.

The rule (docs/sourcing.md, "National preference and evaluation"):

* `offer_amount` = Σ quantity × unit price over the offer's lines, rounded to the centime (ROUND_HALF_UP).
* `compared_amount` = offer amount × (1 + rate), rounded to the centime (ROUND_HALF_UP), for a supplier NOT
  established in Morocco; the offer amount itself for a supplier established in Morocco. The rate is at
  most 15 % (Moroccan public procurement's national preference). The compared amount serves the comparison
  only: the price awarded and paid is always the offer amount.
* An offer is compliant when it prices every line of the lot at the requested quantity, within the lot's
  delivery time, without specification conflict, with every required certificate and the registration
  valid at the delivery date and with a yearly capacity (when known) at least the quantity. Otherwise it is
  excluded with its reasons (keys with parameters, turned into sentences by `reason_text`).
* Lowest compliant price: compliant offers ranked by compared amount, lowest first.
* Weighted: with a price weight w (percent, 0..100), price score P = 100 × lowest compared amount ÷ compared
  amount, technical score T (0..100, given by the committee), score = (w × P + (100 − w) × T) ÷ 100,
  P and the score rounded to 4 decimals (ROUND_HALF_UP); ranked by score, highest first.
* Ties: earlier `submitted_at` first, then the smaller offer id (integer ids before text ids), so a ranking
  never depends on the order the offers were given in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from tawrid.catalog.eligibility import CERTIFICATE_NAMES
from tawrid.core.errors import DomainError

Id = int | str
ParamValue = str | int | Decimal | dt.date

CENTIME = Decimal("0.01")
SCORE_QUANTUM = Decimal("0.0001")
HUNDRED = Decimal(100)
MAX_PREFERENCE_RATE = Decimal("0.15")


# ---------------------------------------------------------------------------------------------------------------
# Inputs


class Method(StrEnum):
    LOWEST_PRICE = "lowest_price"  # lowest compliant (compared) price
    WEIGHTED = "weighted"  # price and technical score, weighted


@dataclass(frozen=True, slots=True)
class EvaluationMethod:
    """How a lot's compliant offers are ranked. `price_weight` is a percentage (0..100), weighted method only."""

    method: Method
    price_weight: Decimal | None = None

    def __post_init__(self) -> None:
        if self.method == Method.WEIGHTED:
            weight = self.price_weight
            if not _is_finite_decimal(weight) or not Decimal(0) <= weight <= HUNDRED:  # type: ignore[operator]
                raise DomainError(
                    _("The price weight must be a number between 0 and 100."),
                    code="invalid_price_weight",
                    details={"price_weight": [_("Between 0 and 100.")]},
                )
        elif self.price_weight is not None:
            raise DomainError(
                _("A price weight only applies to the weighted price and technical method."),
                code="invalid_price_weight",
                details={"price_weight": [_("Leave empty for the lowest-price method.")]},
            )

    @classmethod
    def lowest_price(cls) -> EvaluationMethod:
        return cls(Method.LOWEST_PRICE)

    @classmethod
    def weighted(cls, price_weight: Decimal) -> EvaluationMethod:
        return cls(Method.WEIGHTED, price_weight)


@dataclass(frozen=True, slots=True)
class LotLine:
    line_id: Id
    quantity: Decimal  # as requested by the buyer, in the line's unit

    def __post_init__(self) -> None:
        _check_quantity(self.quantity)


@dataclass(frozen=True, slots=True)
class Lot:
    id: Id
    lines: tuple[LotLine, ...]
    max_delivery_days: int | None = None  # None: the consultation sets no delivery time

    def __post_init__(self) -> None:
        ids = [line.line_id for line in self.lines]
        if not ids:
            raise DomainError(_("A lot needs at least one line."), code="empty_lot")
        if len(set(ids)) != len(ids):
            raise DomainError(_("A lot cannot hold the same line twice."), code="duplicate_line")


@dataclass(frozen=True, slots=True)
class OfferLine:
    """One priced line of an offer."""

    line_id: Id
    quantity: Decimal
    unit_price: Decimal  # MAD, excluding nothing: the price the buyer would pay per unit
    delivery_days: int

    def __post_init__(self) -> None:
        _check_quantity(self.quantity)
        if not _is_finite_decimal(self.unit_price) or self.unit_price < 0:
            raise DomainError(
                _("A unit price must be a number of MAD, zero or more."),
                code="invalid_price",
                details={"unit_price": [_("Enter a number, zero or more.")]},
            )
        if isinstance(self.delivery_days, bool) or not isinstance(self.delivery_days, int) or self.delivery_days < 0:
            raise DomainError(
                _("A delivery time must be a whole number of days, zero or more."),
                code="invalid_delivery_days",
                details={"delivery_days": [_("Enter a whole number of days.")]},
            )


@dataclass(frozen=True, slots=True)
class SpecificationConflict:
    """A specification asked for a line that the offered variant does not meet (as `tawrid.specs` compares)."""

    line_id: Id
    attribute: str
    required: str  # the asked value as written, e.g. "21 G"
    offered: str  # the offered value as written, "" when the variant does not state it


@dataclass(frozen=True, slots=True)
class LineCapacity:
    line_id: Id
    yearly_capacity: Decimal | None  # of the offered variant (else product), in the line's unit; None: unknown


@dataclass(frozen=True, slots=True)
class ComplianceFacts:
    """What the selectors established about an offer; the rule deciding compliance is `compliance_reasons`."""

    delivery_date: dt.date
    required_certificates: tuple[str, ...] = ()  # certificate kinds the consultation requires
    certificates_valid_at_delivery: frozenset[str] = frozenset()  # kinds valid for the offered products then
    registration_required: bool = True
    registration_valid_at_delivery: bool = False
    specification_conflicts: tuple[SpecificationConflict, ...] = ()
    capacities: tuple[LineCapacity, ...] = ()
    # Lines offered without naming a variant: the supplier's organisation-wide certificates still count for them,
    # but no DMP registration (which is per product) can be checked.
    unnamed_lines: tuple[Id, ...] = ()
    # Certificate kinds valid when evaluated but expiring before the delivery date, with their expiry.
    expiring_certificates: tuple[tuple[str, dt.date], ...] = ()


@dataclass(frozen=True, slots=True)
class OfferUnderEvaluation:
    offer_id: Id
    supplier_id: Id
    established_in_morocco: bool
    submitted_at: dt.datetime  # recorded by the server
    lines: tuple[OfferLine, ...]
    compliance: ComplianceFacts
    technical_score: Decimal | None = None  # 0..100, given by the committee; weighted method only

    def __post_init__(self) -> None:
        ids = [line.line_id for line in self.lines]
        if len(set(ids)) != len(ids):
            raise DomainError(_("An offer cannot price the same line twice."), code="duplicate_line")
        if self.technical_score is not None and (
            not _is_finite_decimal(self.technical_score) or not Decimal(0) <= self.technical_score <= HUNDRED
        ):
            raise DomainError(
                _("A technical score must be a number between 0 and 100."),
                code="invalid_technical_score",
                details={"technical_score": [_("Between 0 and 100.")]},
            )
        if self.submitted_at.tzinfo is None:
            # Naive and aware times cannot be compared: tie-breaking needs them all aware.
            raise ValueError("submitted_at must be timezone-aware")


# ---------------------------------------------------------------------------------------------------------------
# Reasons


class ReasonKey(StrEnum):
    LINE_NOT_OFFERED = "line_not_offered"  # line_id
    QUANTITY_NOT_AS_REQUESTED = "quantity_not_as_requested"  # line_id, requested, offered
    DELIVERY_TOO_LATE = "delivery_too_late"  # line_id, offered_days, max_days
    SPECIFICATION_CONFLICT = "specification_conflict"  # line_id, attribute, required, offered
    CERTIFICATE_NOT_VALID = "certificate_not_valid_at_delivery"  # kind, delivery_date
    REGISTRATION_NOT_VALID = "registration_not_valid_at_delivery"  # delivery_date
    CAPACITY_INSUFFICIENT = "capacity_insufficient"  # line_id, quantity, yearly_capacity
    CERTIFICATE_EXPIRES = "certificate_expires_before_delivery"  # kind, expires_on, delivery_date
    VARIANT_NOT_NAMED = "variant_not_named"  # line_id
    RANKED_BELOW_WINNER = "ranked_below_winner"  # rank, winning_compared_amount (compliant offers that lost)


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason as data: a key and its parameters (in a fixed order), stored and turned into a sentence late."""

    key: ReasonKey
    params: tuple[tuple[str, ParamValue], ...] = ()

    @classmethod
    def of(cls, key: ReasonKey, **params: ParamValue) -> Reason:
        return cls(key, tuple(params.items()))

    @property
    def parameters(self) -> dict[str, ParamValue]:
        return dict(self.params)


_REASON_TEXTS = {
    ReasonKey.LINE_NOT_OFFERED: _(
        "Line %(line_id)s is not priced: the lot is evaluated as a whole, so only offers pricing every line are "
        "compared."
    ),
    ReasonKey.CERTIFICATE_EXPIRES: _(
        "The %(kind)s certificate expires on %(expires_on)s, before the delivery date (%(delivery_date)s)."
    ),
    ReasonKey.VARIANT_NOT_NAMED: _(
        "Line %(line_id)s: no product variant named, so its DMP registration cannot be checked."
    ),
    ReasonKey.QUANTITY_NOT_AS_REQUESTED: _("Line %(line_id)s: %(offered)s offered instead of %(requested)s requested."),
    ReasonKey.DELIVERY_TOO_LATE: _("Line %(line_id)s: delivery in %(offered_days)s days, at most %(max_days)s asked."),
    ReasonKey.SPECIFICATION_CONFLICT: _(
        "Line %(line_id)s: %(attribute)s offered %(offered)s does not meet the specification %(required)s."
    ),
    ReasonKey.CERTIFICATE_NOT_VALID: _("No valid %(kind)s certificate on the delivery date (%(delivery_date)s)."),
    ReasonKey.REGISTRATION_NOT_VALID: _("No valid DMP registration on the delivery date (%(delivery_date)s)."),
    ReasonKey.CAPACITY_INSUFFICIENT: _(
        "Line %(line_id)s: yearly capacity %(yearly_capacity)s is less than the quantity %(quantity)s."
    ),
    ReasonKey.RANKED_BELOW_WINNER: _(
        "Ranked %(rank)s; the winning offer's compared amount is %(winning_compared_amount)s MAD."
    ),
}


def reason_text(reason: Reason, *, line_labels: Mapping[Any, str] | None = None) -> str:
    """The reason as a sentence in the active language (notifications, evaluation report). `line_labels` names
    the lines as the bidders know them (their number in the consultation); otherwise their ids are shown."""
    values: dict[str, str] = {}
    for name, value in reason.params:
        if name == "line_id" and line_labels is not None and value in line_labels:
            values[name] = line_labels[value]
        elif name == "kind":
            values[name] = CERTIFICATE_NAMES.get(str(value), str(value))
        elif isinstance(value, Decimal):
            values[name] = _number(value, money=name.endswith("amount"))
        elif isinstance(value, dt.date):
            values[name] = formats.date_format(value, "SHORT_DATE_FORMAT")
        else:
            values[name] = str(value)
    return str(_REASON_TEXTS[reason.key]) % values


def _number(value: Decimal, *, money: bool = False) -> str:
    """A number as people read it in the active language: amounts with their centimes, quantities without the
    trailing zeros of their storage (5000.000 → "5 000", 2.500 → "2,5")."""
    if money:
        return formats.number_format(value, decimal_pos=2, force_grouping=True)
    if value == value.to_integral_value():
        return formats.number_format(value.quantize(Decimal(1)), decimal_pos=0, force_grouping=True)
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    return formats.number_format(value, decimal_pos=places, force_grouping=True)


def line_label(position: int, designation: str, *, lot_number: int | None = None) -> str:
    """A lot line as bidders and buyers know it: its number in the lot and the start of its designation."""
    text = " ".join(designation.split())
    short = text if len(text) <= 40 else text[:39].rstrip() + "…"
    number = f"{lot_number}.{position}" if lot_number is not None else str(position)
    return f"{number} ({short})" if short else number


# ---------------------------------------------------------------------------------------------------------------
# Arithmetic


def check_preference_rate(rate: Decimal) -> Decimal:
    """The national preference rate as a fraction (0.15 = 15 %): a Decimal from 0 to 0.15 inclusive."""
    if not _is_finite_decimal(rate) or not Decimal(0) <= rate <= MAX_PREFERENCE_RATE:
        raise DomainError(
            _("The national preference rate must be a fraction between 0 and 0.15 (15 percent at most)."),
            code="invalid_preference_rate",
            details={"preference_rate": [_("Between 0 and 0.15.")]},
        )
    return rate


def offer_amount(lines: Sequence[OfferLine]) -> Decimal:
    """Σ quantity × unit price, rounded to the centime (ROUND_HALF_UP) once, on the total."""
    return sum((line.quantity * line.unit_price for line in lines), Decimal(0)).quantize(CENTIME, ROUND_HALF_UP)


def compared_amount(amount: Decimal, *, established_in_morocco: bool, rate: Decimal) -> Decimal:
    """The amount the comparison uses: raised by the rate for a supplier not established in Morocco.

    Never the price paid: awards and orders carry the offer amount."""
    check_preference_rate(rate)
    if established_in_morocco:
        return amount
    return (amount * (1 + rate)).quantize(CENTIME, ROUND_HALF_UP)


def price_score(compared: Decimal, lowest: Decimal) -> Decimal:
    """100 × lowest ÷ compared, rounded to 4 decimals; a free offer (0) scores 100 and makes every priced one 0."""
    if compared == 0:
        return HUNDRED.quantize(SCORE_QUANTUM)
    return (HUNDRED * lowest / compared).quantize(SCORE_QUANTUM, ROUND_HALF_UP)


def weighted_score(price: Decimal, technical: Decimal, price_weight: Decimal) -> Decimal:
    """(w × P + (100 − w) × T) ÷ 100, rounded to 4 decimals (ROUND_HALF_UP)."""
    return ((price_weight * price + (HUNDRED - price_weight) * technical) / HUNDRED).quantize(
        SCORE_QUANTUM, ROUND_HALF_UP
    )


def compliance_reasons(offer: OfferUnderEvaluation, lot: Lot) -> tuple[Reason, ...]:
    """Every reason the offer cannot be awarded, in a fixed order (lines, then the regulatory facts)."""
    facts = offer.compliance
    offered = {line.line_id: line for line in offer.lines}
    unknown = [line_id for line_id in offered if line_id not in {line.line_id for line in lot.lines}]
    if unknown:
        raise DomainError(_("The offer prices a line that is not in this lot."), code="offer_line_not_in_lot")
    reasons: list[Reason] = []
    for lot_line in lot.lines:
        line = offered.get(lot_line.line_id)
        if line is None:
            reasons.append(Reason.of(ReasonKey.LINE_NOT_OFFERED, line_id=lot_line.line_id))
            continue
        if line.quantity != lot_line.quantity:
            reasons.append(
                Reason.of(
                    ReasonKey.QUANTITY_NOT_AS_REQUESTED,
                    line_id=lot_line.line_id,
                    requested=lot_line.quantity,
                    offered=line.quantity,
                )
            )
        if lot.max_delivery_days is not None and line.delivery_days > lot.max_delivery_days:
            reasons.append(
                Reason.of(
                    ReasonKey.DELIVERY_TOO_LATE,
                    line_id=lot_line.line_id,
                    offered_days=line.delivery_days,
                    max_days=lot.max_delivery_days,
                )
            )
    for conflict in facts.specification_conflicts:
        reasons.append(
            Reason.of(
                ReasonKey.SPECIFICATION_CONFLICT,
                line_id=conflict.line_id,
                attribute=conflict.attribute,
                required=conflict.required,
                offered=conflict.offered,
            )
        )
    expiring = dict(facts.expiring_certificates)
    for kind in facts.required_certificates:
        if kind in facts.certificates_valid_at_delivery:
            continue
        if kind in expiring:
            reasons.append(
                Reason.of(
                    ReasonKey.CERTIFICATE_EXPIRES,
                    kind=kind,
                    expires_on=expiring[kind],
                    delivery_date=facts.delivery_date,
                )
            )
        else:
            reasons.append(Reason.of(ReasonKey.CERTIFICATE_NOT_VALID, kind=kind, delivery_date=facts.delivery_date))
    for line_id in facts.unnamed_lines:
        reasons.append(Reason.of(ReasonKey.VARIANT_NOT_NAMED, line_id=line_id))
    if facts.registration_required and not facts.registration_valid_at_delivery:
        reasons.append(Reason.of(ReasonKey.REGISTRATION_NOT_VALID, delivery_date=facts.delivery_date))
    for capacity in facts.capacities:
        line = offered.get(capacity.line_id)
        if line is not None and capacity.yearly_capacity is not None and capacity.yearly_capacity < line.quantity:
            reasons.append(
                Reason.of(
                    ReasonKey.CAPACITY_INSUFFICIENT,
                    line_id=capacity.line_id,
                    quantity=line.quantity,
                    yearly_capacity=capacity.yearly_capacity,
                )
            )
    return tuple(reasons)


# ---------------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class RankedOffer:
    """A compliant offer in the ranking (rank 1 wins)."""

    rank: int
    offer_id: Id
    supplier_id: Id
    established_in_morocco: bool
    submitted_at: dt.datetime
    amount: Decimal  # what the buyer would pay
    compared_amount: Decimal  # what the comparison used
    price_score: Decimal | None = None  # weighted method only
    technical_score: Decimal | None = None
    score: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ExcludedOffer:
    offer_id: Id
    supplier_id: Id
    established_in_morocco: bool
    submitted_at: dt.datetime
    amount: Decimal
    compared_amount: Decimal
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class BidderNotice:
    """What the notification to one bidder states: its standing, its amounts, the winning figures, the reasons."""

    offer_id: Id
    supplier_id: Id
    compliant: bool
    winner: bool
    rank: int | None  # None: excluded
    amount: Decimal
    compared_amount: Decimal
    preference_rate_applied: Decimal  # the rate its amount was raised by (0 for a supplier established in Morocco)
    winning_compared_amount: Decimal | None  # None: no compliant offer in the lot
    score: Decimal | None
    winning_score: Decimal | None
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class LotEvaluation:
    lot_id: Id
    method: EvaluationMethod
    preference_rate: Decimal
    ranking: tuple[RankedOffer, ...]  # compliant offers, best first
    excluded: tuple[ExcludedOffer, ...]  # in submission order
    notices: tuple[BidderNotice, ...]  # one per offer: the ranking's order, then the excluded

    @property
    def winner(self) -> RankedOffer | None:
        return self.ranking[0] if self.ranking else None

    def notice_for(self, offer_id: Id) -> BidderNotice:
        for notice in self.notices:
            if notice.offer_id == offer_id:
                return notice
        raise KeyError(offer_id)


def evaluate_lot(
    lot: Lot,
    offers: Sequence[OfferUnderEvaluation],
    *,
    method: EvaluationMethod,
    preference_rate: Decimal,
) -> LotEvaluation:
    """Compliance, national preference, ranking and notices of one lot's opened offers."""
    check_preference_rate(preference_rate)
    ids = [offer.offer_id for offer in offers]
    if len(set(ids)) != len(ids):
        raise DomainError(_("The same offer is evaluated twice."), code="duplicate_offer")

    compliant: list[tuple[OfferUnderEvaluation, Decimal, Decimal]] = []
    excluded: list[ExcludedOffer] = []
    for offer in sorted(offers, key=_tie_key):
        amount = offer_amount(offer.lines)
        compared = compared_amount(amount, established_in_morocco=offer.established_in_morocco, rate=preference_rate)
        reasons = compliance_reasons(offer, lot)
        if reasons:
            excluded.append(
                ExcludedOffer(
                    offer.offer_id,
                    offer.supplier_id,
                    offer.established_in_morocco,
                    offer.submitted_at,
                    amount,
                    compared,
                    reasons,
                )
            )
        else:
            compliant.append((offer, amount, compared))

    ranking = _rank(compliant, method)
    notices = _notices(ranking, excluded, preference_rate)
    return LotEvaluation(lot.id, method, preference_rate, ranking, tuple(excluded), notices)


def _rank(
    compliant: Sequence[tuple[OfferUnderEvaluation, Decimal, Decimal]], method: EvaluationMethod
) -> tuple[RankedOffer, ...]:
    if method.method == Method.LOWEST_PRICE:
        ordered = sorted(compliant, key=lambda item: (item[2], *_tie_key(item[0])))
        return tuple(
            RankedOffer(
                rank,
                offer.offer_id,
                offer.supplier_id,
                offer.established_in_morocco,
                offer.submitted_at,
                amount,
                compared,
            )
            for rank, (offer, amount, compared) in enumerate(ordered, start=1)
        )

    missing = [offer.offer_id for offer, _amount, _compared in compliant if offer.technical_score is None]
    if missing:
        raise DomainError(
            _("Every compliant offer needs a technical score before a weighted evaluation."),
            code="technical_score_missing",
            details={"technical_score": [_("Missing for offer %(id)s.") % {"id": offer_id} for offer_id in missing]},
        )
    assert method.price_weight is not None  # EvaluationMethod guarantees it for the weighted method
    lowest = min((compared for _offer, _amount, compared in compliant), default=Decimal(0))
    scored = []
    for offer, amount, compared in compliant:
        technical = offer.technical_score
        assert technical is not None
        price = price_score(compared, lowest)
        scored.append((weighted_score(price, technical, method.price_weight), price, offer, amount, compared))
    scored.sort(key=lambda item: (-item[0], *_tie_key(item[2])))
    return tuple(
        RankedOffer(
            rank,
            offer.offer_id,
            offer.supplier_id,
            offer.established_in_morocco,
            offer.submitted_at,
            amount,
            compared,
            price_score=price,
            technical_score=offer.technical_score,
            score=score,
        )
        for rank, (score, price, offer, amount, compared) in enumerate(scored, start=1)
    )


def _notices(
    ranking: Sequence[RankedOffer], excluded: Sequence[ExcludedOffer], rate: Decimal
) -> tuple[BidderNotice, ...]:
    winner = ranking[0] if ranking else None
    winning_compared = winner.compared_amount if winner else None
    winning_score = winner.score if winner else None
    notices = []
    for ranked in ranking:
        won = ranked.rank == 1
        reasons = (
            ()
            if won
            else (
                Reason.of(
                    ReasonKey.RANKED_BELOW_WINNER,
                    rank=ranked.rank,
                    winning_compared_amount=ranking[0].compared_amount,
                ),
            )
        )
        notices.append(
            BidderNotice(
                ranked.offer_id,
                ranked.supplier_id,
                compliant=True,
                winner=won,
                rank=ranked.rank,
                amount=ranked.amount,
                compared_amount=ranked.compared_amount,
                preference_rate_applied=Decimal(0) if ranked.established_in_morocco else rate,
                winning_compared_amount=winning_compared,
                score=ranked.score,
                winning_score=winning_score,
                reasons=reasons,
            )
        )
    for offer in excluded:
        notices.append(
            BidderNotice(
                offer.offer_id,
                offer.supplier_id,
                compliant=False,
                winner=False,
                rank=None,
                amount=offer.amount,
                compared_amount=offer.compared_amount,
                preference_rate_applied=Decimal(0) if offer.established_in_morocco else rate,
                winning_compared_amount=winning_compared,
                score=None,
                winning_score=winning_score,
                reasons=offer.reasons,
            )
        )
    return tuple(notices)


def check_award(result: LotEvaluation, offer_id: Id, *, set_aside: Collection[Id] = ()) -> RankedOffer:
    """The ranked offer an award to `offer_id` may go to, or a DomainError.

    Only the best-ranked compliant offer that is not set aside (its supplier declined, its award was cancelled)
    can be awarded; an excluded offer never can."""
    for excluded in result.excluded:
        if excluded.offer_id == offer_id:
            raise DomainError(
                _("This offer is not compliant and cannot be awarded."),
                code="award_non_compliant",
                details={"offer": [reason_text(reason) for reason in excluded.reasons]},
            )
    candidates = [ranked for ranked in result.ranking if ranked.offer_id not in set_aside]
    if not candidates:
        raise DomainError(_("No compliant offer is left to award in this lot."), code="no_compliant_offer")
    best = candidates[0]
    if best.offer_id == offer_id:
        return best
    if any(ranked.offer_id == offer_id for ranked in result.ranking):
        raise DomainError(
            _("Only the best-ranked compliant offer can be awarded."),
            code="award_not_best",
        )
    raise DomainError(_("This offer was not evaluated in this lot."), code="award_unknown_offer")


# ---------------------------------------------------------------------------------------------------------------


def _tie_key(offer: OfferUnderEvaluation) -> tuple[dt.datetime, int, int, str]:
    """Earlier submission first, then the smaller id (integers before text, so mixed ids still order)."""
    offer_id = offer.offer_id
    if isinstance(offer_id, int):
        return (offer.submitted_at, 0, offer_id, "")
    return (offer.submitted_at, 1, 0, offer_id)


def _is_finite_decimal(value: Any) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def _check_quantity(quantity: Any) -> None:
    if not _is_finite_decimal(quantity) or quantity <= 0:
        raise DomainError(
            _("A quantity must be a number greater than zero."),
            code="invalid_quantity",
            details={"quantity": [_("Enter a number greater than zero.")]},
        )
