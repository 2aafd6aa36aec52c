"""evaluate_lot(): compliance, national preference (worked examples, exact Decimals), ranking, ties, award gate."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tawrid.core.errors import DomainError
from tawrid.sourcing import evaluation as ev
from tawrid.sourcing.evaluation import (
    ComplianceFacts,
    EvaluationMethod,
    LineCapacity,
    Lot,
    LotLine,
    Method,
    OfferLine,
    OfferUnderEvaluation,
    Reason,
    ReasonKey,
    SpecificationConflict,
    check_award,
    check_preference_rate,
    compared_amount,
    evaluate_lot,
    offer_amount,
    price_score,
    reason_text,
    weighted_score,
)

CASABLANCA = ZoneInfo("Africa/Casablanca")
T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=CASABLANCA)
DELIVERY = dt.date(2027, 6, 1)
LOT = Lot("lot-1", (LotLine("l1", Decimal("1000")),))
LOWEST = EvaluationMethod.lowest_price()
COMPLIANT = ComplianceFacts(
    delivery_date=DELIVERY,
    required_certificates=("iso13485",),
    certificates_valid_at_delivery=frozenset({"iso13485"}),
    registration_valid_at_delivery=True,
)


def offer(offer_id, unit_price, *, local=True, minutes=0, technical=None, compliance=COMPLIANT, lines=None):
    """An offer for LOT's 1,000 units at `unit_price` MAD (so the amount is 1,000 × unit_price)."""
    return OfferUnderEvaluation(
        offer_id=offer_id,
        supplier_id=f"s-{offer_id}",
        established_in_morocco=local,
        submitted_at=T0 + dt.timedelta(minutes=minutes),
        lines=lines or (OfferLine("l1", Decimal("1000"), Decimal(unit_price), 30),),
        compliance=compliance,
        technical_score=None if technical is None else Decimal(technical),
    )


def ids(result):
    return [ranked.offer_id for ranked in result.ranking]


# --- the arithmetic ------------------------------------------------------------------------------------------------


def test_offer_amount_sums_lines_and_rounds_the_total_half_up():
    lines = (
        OfferLine("a", Decimal("3"), Decimal("0.335"), 10),  # 1.005
        OfferLine("b", Decimal("2"), Decimal("10.00"), 10),  # 20.00
    )
    # 21.005 → 21.01 (ROUND_HALF_UP; banker's rounding would give 21.00)
    assert offer_amount(lines) == Decimal("21.01")
    assert offer_amount(()) == Decimal("0.00")


def test_compared_amount_raises_only_a_foreign_supplier():
    amount = Decimal("100000.00")
    assert compared_amount(amount, established_in_morocco=False, rate=Decimal("0.15")) == Decimal("115000.00")
    assert compared_amount(amount, established_in_morocco=False, rate=Decimal("0.10")) == Decimal("110000.00")
    assert compared_amount(amount, established_in_morocco=False, rate=Decimal("0")) == Decimal("100000.00")
    assert compared_amount(amount, established_in_morocco=True, rate=Decimal("0.15")) == Decimal("100000.00")


def test_compared_amount_rounds_to_the_centime_half_up():
    # 0.10 × 1.15 = 0.115 → 0.12; 100,000.01 × 1.15 = 115,000.0115 → 115,000.01
    assert compared_amount(Decimal("0.10"), established_in_morocco=False, rate=Decimal("0.15")) == Decimal("0.12")
    assert compared_amount(Decimal("100000.01"), established_in_morocco=False, rate=Decimal("0.15")) == Decimal(
        "115000.01"
    )


@pytest.mark.parametrize("rate", ["0", "0.05", "0.15", "0.150"])
def test_preference_rates_from_zero_to_fifteen_percent_are_accepted(rate):
    assert check_preference_rate(Decimal(rate)) == Decimal(rate)


@pytest.mark.parametrize("rate", [Decimal("0.16"), Decimal("0.1501"), Decimal("-0.01"), Decimal("NaN"), 0.1, "0.1"])
def test_other_preference_rates_are_refused(rate):
    with pytest.raises(DomainError) as error:
        check_preference_rate(rate)
    assert error.value.code == "invalid_preference_rate"
    assert "0.15" in error.value.message or "0,15" in error.value.message  # English or French decimal mark
    with pytest.raises(DomainError):
        evaluate_lot(LOT, [offer(1, "100")], method=LOWEST, preference_rate=rate)
    with pytest.raises(DomainError):
        compared_amount(Decimal("1.00"), established_in_morocco=True, rate=rate)


def test_price_and_weighted_scores():
    assert price_score(Decimal("120000.00"), Decimal("100000.00")) == Decimal("83.3333")
    assert price_score(Decimal("100000.00"), Decimal("100000.00")) == Decimal("100.0000")
    assert price_score(Decimal("0.00"), Decimal("0.00")) == Decimal("100.0000")
    assert price_score(Decimal("5.00"), Decimal("0.00")) == Decimal("0.0000")
    # (70 × 96.6184 + 30 × 90) ÷ 100 = 94.63288 → 94.6329
    assert weighted_score(Decimal("96.6184"), Decimal("90"), Decimal("70")) == Decimal("94.6329")
    assert weighted_score(Decimal("80"), Decimal("60"), Decimal("100")) == Decimal("80.0000")
    assert weighted_score(Decimal("80"), Decimal("60"), Decimal("0")) == Decimal("60.0000")


# --- national preference, worked examples (docs/sourcing.md) ------------------------------------------------------


def test_at_fifteen_percent_a_local_offer_112000_beats_a_foreign_100000():
    foreign, local = offer("F", "100.00", local=False), offer("L", "112.00", minutes=5)
    result = evaluate_lot(LOT, [foreign, local], method=LOWEST, preference_rate=Decimal("0.15"))

    assert ids(result) == ["L", "F"]
    assert result.winner.offer_id == "L"
    assert result.winner.amount == Decimal("112000.00")
    f = result.ranking[1]
    assert (f.amount, f.compared_amount) == (Decimal("100000.00"), Decimal("115000.00"))

    loser = result.notice_for("F")
    assert loser.compliant and not loser.winner
    assert loser.rank == 2
    assert loser.amount == Decimal("100000.00")  # the price it would be paid is never raised
    assert loser.compared_amount == Decimal("115000.00")
    assert loser.winning_compared_amount == Decimal("112000.00")
    assert loser.preference_rate_applied == Decimal("0.15")
    assert loser.reasons == (
        Reason.of(ReasonKey.RANKED_BELOW_WINNER, rank=2, winning_compared_amount=Decimal("112000.00")),
    )
    winner = result.notice_for("L")
    assert winner.winner and winner.rank == 1 and winner.reasons == ()
    assert winner.preference_rate_applied == Decimal("0")
    assert winner.compared_amount == winner.amount == Decimal("112000.00")


def test_at_ten_percent_the_foreign_offer_wins_at_its_own_price():
    foreign, local = offer("F", "100.00", local=False), offer("L", "112.00", minutes=5)
    result = evaluate_lot(LOT, [local, foreign], method=LOWEST, preference_rate=Decimal("0.10"))

    assert ids(result) == ["F", "L"]
    assert result.winner.compared_amount == Decimal("110000.00")
    assert result.winner.amount == Decimal("100000.00")
    assert check_award(result, "F").amount == Decimal("100000.00")


@pytest.mark.parametrize(("foreign_minutes", "local_minutes", "expected"), [(0, 5, "F"), (5, 0, "L")])
def test_equal_compared_amounts_go_to_the_earlier_submission(foreign_minutes, local_minutes, expected):
    # 100,000.00 × 1.12 = 112,000.00: a tie with the local offer
    foreign = offer("F", "100.00", local=False, minutes=foreign_minutes)
    local = offer("L", "112.00", minutes=local_minutes)
    result = evaluate_lot(LOT, [foreign, local], method=LOWEST, preference_rate=Decimal("0.12"))
    assert [r.compared_amount for r in result.ranking] == [Decimal("112000.00")] * 2
    assert result.winner.offer_id == expected


def test_without_preference_foreign_and_local_compare_on_their_amounts():
    foreign, local = offer("F", "100.00", local=False), offer("L", "100.01")
    result = evaluate_lot(LOT, [local, foreign], method=LOWEST, preference_rate=Decimal("0"))
    assert ids(result) == ["F", "L"]
    assert result.notice_for("F").compared_amount == Decimal("100000.00")


# --- ties ------------------------------------------------------------------------------------------------------


def test_ties_break_on_submission_time_then_offer_id_whatever_the_input_order():
    offers = [offer(7, "50.00", minutes=1), offer(3, "50.00", minutes=1), offer(9, "50.00", minutes=0)]
    forward = evaluate_lot(LOT, offers, method=LOWEST, preference_rate=Decimal("0.15"))
    backward = evaluate_lot(LOT, offers[::-1], method=LOWEST, preference_rate=Decimal("0.15"))
    assert ids(forward) == ids(backward) == [9, 3, 7]
    assert [r.rank for r in forward.ranking] == [1, 2, 3]


def test_mixed_id_types_still_order():
    offers = [offer("b", "50.00"), offer(2, "50.00"), offer("a", "50.00")]
    assert ids(evaluate_lot(LOT, offers, method=LOWEST, preference_rate=Decimal("0"))) == [2, "a", "b"]


# --- weighted method -----------------------------------------------------------------------------------------------


def test_weighted_method_hand_computed():
    # price weight 70; lowest compared amount 100,000.00 (A)
    # A local 100,000.00, T 60: P = 100,        score = (70 × 100 + 30 × 60) ÷ 100          = 88.0000
    # B foreign 90,000.00 → 103,500.00, T 90: P = 96.6184, score = (70 × 96.6184 + 30 × 90) ÷ 100 = 94.6329
    # C local 120,000.00, T 95: P = 83.3333, score = (70 × 83.3333 + 30 × 95) ÷ 100     = 86.8333
    offers = [
        offer("A", "100.00", technical="60"),
        offer("B", "90.00", local=False, technical="90"),
        offer("C", "120.00", technical="95"),
    ]
    result = evaluate_lot(LOT, offers, method=EvaluationMethod.weighted(Decimal("70")), preference_rate=Decimal("0.15"))

    assert ids(result) == ["B", "A", "C"]
    scores = {r.offer_id: (r.compared_amount, r.price_score, r.score) for r in result.ranking}
    assert scores == {
        "A": (Decimal("100000.00"), Decimal("100.0000"), Decimal("88.0000")),
        "B": (Decimal("103500.00"), Decimal("96.6184"), Decimal("94.6329")),
        "C": (Decimal("120000.00"), Decimal("83.3333"), Decimal("86.8333")),
    }
    assert result.notice_for("C").winning_score == Decimal("94.6329")
    # On price alone, the preference makes the local A win.
    assert evaluate_lot(LOT, offers, method=LOWEST, preference_rate=Decimal("0.15")).winner.offer_id == "A"


def test_weighted_preference_can_reorder_two_foreign_offers():
    # Documented behaviour: the rate scales both foreign prices, so the price gap between them weighs less
    # against their technical scores. Local L (80,000.00, T 0) stays the lowest price; weight 50.
    offers = [
        offer("L", "80.00", technical="0"),
        offer("F", "100.00", local=False, technical="60"),
        offer("G", "90.00", local=False, technical="52"),
    ]
    weighted = EvaluationMethod.weighted(Decimal("50"))
    at_zero = evaluate_lot(LOT, offers, method=weighted, preference_rate=Decimal("0"))
    at_max = evaluate_lot(LOT, offers, method=weighted, preference_rate=Decimal("0.15"))
    # r = 0: G (44.44445 + 26 → 70.4445) before F (40 + 30 = 70); r = 0.15: F 64.7826 before G 64.6474
    assert [(r.offer_id, r.score) for r in at_zero.ranking] == [
        ("G", Decimal("70.4445")),
        ("F", Decimal("70.0000")),
        ("L", Decimal("50.0000")),
    ]
    assert [(r.offer_id, r.score) for r in at_max.ranking] == [
        ("F", Decimal("64.7826")),
        ("G", Decimal("64.6474")),
        ("L", Decimal("50.0000")),
    ]


def test_weighted_method_needs_every_compliant_offer_scored():
    offers = [offer("A", "100.00", technical="60"), offer("B", "90.00")]
    with pytest.raises(DomainError) as error:
        evaluate_lot(LOT, offers, method=EvaluationMethod.weighted(Decimal("70")), preference_rate=Decimal("0"))
    assert error.value.code == "technical_score_missing"
    assert any("B" in message for message in error.value.details["technical_score"])
    # an excluded offer needs no score
    excluded = offer("B", "90.00", compliance=ComplianceFacts(delivery_date=DELIVERY))
    result = evaluate_lot(
        LOT, [offers[0], excluded], method=EvaluationMethod.weighted(Decimal("70")), preference_rate=Decimal("0")
    )
    assert ids(result) == ["A"]


@pytest.mark.parametrize(
    ("method", "weight"),
    [(Method.WEIGHTED, Decimal("101")), (Method.WEIGHTED, Decimal("-1")), (Method.WEIGHTED, None)]
    + [(Method.WEIGHTED, 70), (Method.LOWEST_PRICE, Decimal("70"))],
)
def test_invalid_price_weights_are_refused(method, weight):
    with pytest.raises(DomainError) as error:
        EvaluationMethod(method, weight)
    assert error.value.code == "invalid_price_weight"


# --- compliance ----------------------------------------------------------------------------------------------------


def test_non_compliant_offers_are_excluded_with_their_reasons_and_the_next_one_wins():
    cheap_but_uncertified = offer(
        "X",
        "10.00",
        local=True,
        compliance=ComplianceFacts(
            delivery_date=DELIVERY,
            required_certificates=("iso13485", "nm"),
            certificates_valid_at_delivery=frozenset({"nm"}),
            registration_valid_at_delivery=False,
            specification_conflicts=(SpecificationConflict("l1", "gauge", "21 G", "23 G"),),
            capacities=(LineCapacity("l1", Decimal("500")),),
        ),
    )
    result = evaluate_lot(LOT, [cheap_but_uncertified, offer("Y", "99.00")], method=LOWEST, preference_rate=Decimal(0))

    assert ids(result) == ["Y"]
    [excluded] = result.excluded
    assert excluded.offer_id == "X"
    assert excluded.amount == Decimal("10000.00")
    assert [(r.key, r.parameters) for r in excluded.reasons] == [
        (
            ReasonKey.SPECIFICATION_CONFLICT,
            {"line_id": "l1", "attribute": "gauge", "required": "21 G", "offered": "23 G"},
        ),
        (ReasonKey.CERTIFICATE_NOT_VALID, {"kind": "iso13485", "delivery_date": DELIVERY}),
        (ReasonKey.REGISTRATION_NOT_VALID, {"delivery_date": DELIVERY}),
        (
            ReasonKey.CAPACITY_INSUFFICIENT,
            {"line_id": "l1", "quantity": Decimal("1000"), "yearly_capacity": Decimal("500")},
        ),
    ]
    notice = result.notice_for("X")
    assert not notice.compliant and not notice.winner and notice.rank is None
    assert notice.reasons == excluded.reasons
    assert notice.winning_compared_amount == Decimal("99000.00")


def test_capacity_equal_to_quantity_or_unknown_is_enough_and_registration_can_be_waived():
    facts = ComplianceFacts(
        delivery_date=DELIVERY,
        registration_required=False,
        capacities=(LineCapacity("l1", Decimal("1000")),),
    )
    unknown = ComplianceFacts(
        delivery_date=DELIVERY, registration_required=False, capacities=(LineCapacity("l1", None),)
    )
    result = evaluate_lot(
        LOT,
        [offer("A", "1.00", compliance=facts), offer("B", "2.00", compliance=unknown)],
        method=LOWEST,
        preference_rate=Decimal("0"),
    )
    assert ids(result) == ["A", "B"] and result.excluded == ()


def test_lines_must_all_be_offered_at_the_requested_quantity_and_delivery_time():
    lot = Lot("lot-2", (LotLine("l1", Decimal("1000")), LotLine("l2", Decimal("50"))), max_delivery_days=60)
    missing_line = offer("A", "1", lines=(OfferLine("l1", Decimal("1000"), Decimal("1.00"), 30),))
    short = offer(
        "B",
        "1",
        lines=(
            OfferLine("l1", Decimal("900"), Decimal("1.00"), 30),
            OfferLine("l2", Decimal("50.0"), Decimal("2.00"), 61),
        ),
    )
    good = offer(
        "C",
        "1",
        lines=(
            OfferLine("l1", Decimal("1000.00"), Decimal("1.10"), 60),
            OfferLine("l2", Decimal("50"), Decimal("2.00"), 0),
        ),
    )
    result = evaluate_lot(lot, [missing_line, short, good], method=LOWEST, preference_rate=Decimal("0"))

    assert ids(result) == ["C"]
    assert result.winner.amount == Decimal("1200.00")
    reasons = {e.offer_id: [(r.key, r.parameters) for r in e.reasons] for e in result.excluded}
    assert reasons == {
        "A": [(ReasonKey.LINE_NOT_OFFERED, {"line_id": "l2"})],
        "B": [
            (
                ReasonKey.QUANTITY_NOT_AS_REQUESTED,
                {"line_id": "l1", "requested": Decimal("1000"), "offered": Decimal("900")},
            ),
            (ReasonKey.DELIVERY_TOO_LATE, {"line_id": "l2", "offered_days": 61, "max_days": 60}),
        ],
    }


def test_an_offer_for_a_line_outside_the_lot_is_refused():
    stray = offer("A", "1", lines=(OfferLine("other", Decimal("1000"), Decimal("1.00"), 30),))
    with pytest.raises(DomainError) as error:
        evaluate_lot(LOT, [stray], method=LOWEST, preference_rate=Decimal("0"))
    assert error.value.code == "offer_line_not_in_lot"


def test_no_compliant_offer_means_no_winner():
    result = evaluate_lot(
        LOT,
        [offer("A", "1.00", compliance=ComplianceFacts(delivery_date=DELIVERY))],
        method=LOWEST,
        preference_rate=Decimal("0.15"),
    )
    assert result.winner is None and result.ranking == ()
    assert result.notice_for("A").winning_compared_amount is None
    with pytest.raises(DomainError) as error:
        check_award(result, "A")
    assert error.value.code == "award_non_compliant"


# --- the award gate ------------------------------------------------------------------------------------------------


def test_check_award_only_lets_the_best_compliant_offer_through():
    offers = [
        offer("bad", "1.00", compliance=ComplianceFacts(delivery_date=DELIVERY)),
        offer("first", "2.00"),
        offer("second", "3.00"),
    ]
    result = evaluate_lot(LOT, offers, method=LOWEST, preference_rate=Decimal("0.15"))

    assert check_award(result, "first").offer_id == "first"
    with pytest.raises(DomainError) as error:
        check_award(result, "bad")
    assert error.value.code == "award_non_compliant"
    assert error.value.details["offer"]  # the reasons, as sentences
    with pytest.raises(DomainError) as error:
        check_award(result, "second")
    assert error.value.code == "award_not_best"
    # the first one's award cancelled: the second may now be awarded, never the excluded one
    assert check_award(result, "second", set_aside={"first"}).offer_id == "second"
    with pytest.raises(DomainError):
        check_award(result, "bad", set_aside={"first", "second"})
    with pytest.raises(DomainError) as error:
        check_award(result, "second", set_aside={"first", "second"})
    assert error.value.code == "no_compliant_offer"
    with pytest.raises(DomainError) as error:
        check_award(result, "never-submitted")
    assert error.value.code == "award_unknown_offer"


# --- input checks and the result's immutability --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "unit_price", "days", "code"),
    [
        ("0", "1", 1, "invalid_quantity"),
        ("-1", "1", 1, "invalid_quantity"),
        ("1", "-0.01", 1, "invalid_price"),
        ("1", "NaN", 1, "invalid_price"),
        ("1", "Infinity", 1, "invalid_price"),
        ("1", "1", -1, "invalid_delivery_days"),
    ],
)
def test_offer_lines_refuse_what_is_not_a_price_quantity_or_delay(quantity, unit_price, days, code):
    with pytest.raises(DomainError) as error:
        OfferLine("l1", Decimal(quantity), Decimal(unit_price), days)
    assert error.value.code == code


def test_prices_must_be_decimals_not_floats_or_text():
    for bad in (1.5, "1.50"):
        with pytest.raises(DomainError):
            OfferLine("l1", Decimal("1"), bad, 1)


def test_duplicates_and_bad_scores_are_refused():
    with pytest.raises(DomainError):
        evaluate_lot(LOT, [offer("A", "1"), offer("A", "2")], method=LOWEST, preference_rate=Decimal("0"))
    with pytest.raises(DomainError):
        offer("A", "1", technical="100.01")
    with pytest.raises(DomainError):
        Lot("x", (LotLine("l1", Decimal("1")), LotLine("l1", Decimal("2"))))
    with pytest.raises(DomainError):
        Lot("x", ())
    line = OfferLine("l1", Decimal("1000"), Decimal("1"), 1)
    with pytest.raises(DomainError):
        offer("A", "1", lines=(line, line))


def test_the_result_is_immutable():
    result = evaluate_lot(LOT, [offer("A", "1.00")], method=LOWEST, preference_rate=Decimal("0"))
    with pytest.raises(AttributeError):
        result.ranking = ()
    with pytest.raises(AttributeError):
        result.winner.amount = Decimal("0")


def test_reason_text_names_the_line_and_formats_numbers_and_dates():
    reason = Reason.of(
        ReasonKey.CAPACITY_INSUFFICIENT, line_id=5, quantity=Decimal("1000"), yearly_capacity=Decimal("500")
    )
    with translation.override("en"):
        assert reason_text(reason, line_labels={5: "No. 2"}) == (
            "Line No. 2: yearly capacity 500 is less than the quantity 1,000."
        )
        assert reason_text(Reason.of(ReasonKey.REGISTRATION_NOT_VALID, delivery_date=DELIVERY)) == (
            "No valid DMP registration on the delivery date (06/01/2027)."
        )
        assert reason_text(Reason.of(ReasonKey.CERTIFICATE_NOT_VALID, kind="iso13485", delivery_date=DELIVERY)) == (
            "No valid ISO 13485 certificate on the delivery date (06/01/2027)."
        )
        assert "112,000.00 MAD" in reason_text(
            Reason.of(ReasonKey.RANKED_BELOW_WINNER, rank=2, winning_compared_amount=Decimal("112000.00"))
        )


# --- properties ----------------------------------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=10**10).map(lambda n: Decimal(n).scaleb(-2))
rates = st.integers(min_value=0, max_value=1500).map(lambda n: Decimal(n).scaleb(-4))
bids = st.lists(
    st.tuples(cents, st.booleans(), st.integers(min_value=0, max_value=5), st.integers(min_value=0, max_value=100)),
    min_size=1,
    max_size=8,
)
ONE = Lot("p", (LotLine("l", Decimal("1")),))


def single_line_offers(bids):
    return [
        OfferUnderEvaluation(
            offer_id=index,
            supplier_id=index,
            established_in_morocco=local,
            submitted_at=T0 + dt.timedelta(minutes=minutes),
            lines=(OfferLine("l", Decimal("1"), amount, 10),),
            compliance=COMPLIANT,
            technical_score=Decimal(technical),
        )
        for index, (amount, local, minutes, technical) in enumerate(bids)
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10**6).map(Decimal),
            st.integers(min_value=0, max_value=10**8).map(lambda n: Decimal(n).scaleb(-3)),
        ),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),
    rates,
)
def test_the_preference_never_changes_the_offer_amount(lines, local, rate):
    offer_lines = tuple(OfferLine(f"l{i}", q, p, 5) for i, (q, p) in enumerate(lines))
    lot = Lot("p", tuple(LotLine(line.line_id, line.quantity) for line in offer_lines))
    bid = OfferUnderEvaluation(1, 1, local, T0, offer_lines, COMPLIANT)
    expected = offer_amount(offer_lines)
    result = evaluate_lot(lot, [bid], method=LOWEST, preference_rate=rate)
    assert result.winner.amount == result.notice_for(1).amount == expected
    assert check_award(result, 1).amount == expected
    assert result.winner.compared_amount >= expected


@settings(max_examples=200, deadline=None)
@given(cents, rates)
def test_a_local_offers_compared_amount_is_its_amount(amount, rate):
    assert compared_amount(amount, established_in_morocco=True, rate=rate) == amount


@settings(max_examples=300, deadline=None)
@given(bids, rates, rates)
def test_raising_the_rate_never_ranks_a_foreign_offer_better_on_price(bids, rate_a, rate_b):
    low, high = sorted((rate_a, rate_b))
    offers = single_line_offers(bids)
    before = {r.offer_id: r.rank for r in evaluate_lot(ONE, offers, method=LOWEST, preference_rate=low).ranking}
    after = {r.offer_id: r.rank for r in evaluate_lot(ONE, offers, method=LOWEST, preference_rate=high).ranking}
    for bid in offers:
        if not bid.established_in_morocco:
            assert after[bid.offer_id] >= before[bid.offer_id]


@settings(max_examples=300, deadline=None)
@given(bids, st.integers(min_value=0, max_value=100).map(Decimal), rates, rates)
def test_weighted_raising_the_rate_never_ranks_a_lone_foreign_offer_better(bids, weight, rate_a, rate_b):
    # With one foreign offer, its score can only fall and the local ones' only rise. (Between two foreign
    # offers the order can change: see test_weighted_preference_can_reorder_two_foreign_offers.)
    low, high = sorted((rate_a, rate_b))
    bids = [(amount, True, minutes, technical) for amount, _local, minutes, technical in bids[:-1]] + [
        (bids[-1][0], False, bids[-1][2], bids[-1][3])
    ]
    offers = single_line_offers(bids)
    method = EvaluationMethod.weighted(weight)
    before = {r.offer_id: r for r in evaluate_lot(ONE, offers, method=method, preference_rate=low).ranking}
    after = {r.offer_id: r for r in evaluate_lot(ONE, offers, method=method, preference_rate=high).ranking}
    foreign = offers[-1].offer_id
    assert after[foreign].rank >= before[foreign].rank
    assert after[foreign].score <= before[foreign].score
    for bid in offers[:-1]:
        assert after[bid.offer_id].score >= before[bid.offer_id].score


@settings(max_examples=200, deadline=None)
@given(bids, rates, st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_input_order(bids, rate, random):
    offers = single_line_offers(bids)
    shuffled = offers[:]
    random.shuffle(shuffled)
    first = evaluate_lot(ONE, offers, method=LOWEST, preference_rate=rate)
    assert evaluate_lot(ONE, shuffled, method=LOWEST, preference_rate=rate) == first
    compared = [r.compared_amount for r in first.ranking]
    assert compared == sorted(compared)


def test_reasons_name_lines_and_show_quantities_as_people_read_them():
    """Not "Ligne 25 : capacité 1 500 < 5 000,000": the line by its number and designation, no trailing zeros."""
    reason = ev.Reason.of(
        ev.ReasonKey.CAPACITY_INSUFFICIENT, line_id=25, quantity=Decimal("5000.000"), yearly_capacity=Decimal(1500)
    )
    labels = {25: ev.line_label(3, "AIGUILLE HYPODERMIQUE STERILE U.U. 25 X 8 / 10 G 21 boîte de 100")}
    with translation.override("fr"):
        text = ev.reason_text(reason, line_labels=labels)
    assert text.startswith("Line 3 (AIGUILLE HYPODERMIQUE STERILE U.U. 25 X…)") or "3 (AIGUILLE" in text
    assert "5\u202f000" in text or "5 000" in text or "5\xa0000" in text
    assert "000,000" not in text and ",000" not in text and "25" not in text.split("(")[0]
    assert ev._number(Decimal("2.500")) in ("2,5", "2.5")
    assert ev._number(Decimal("1234.50"), money=True).endswith(("234,50", "234.50"))
