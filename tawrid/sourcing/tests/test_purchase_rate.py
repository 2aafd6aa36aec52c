"""The local-purchase rate: value bought locally ÷ value bought, and ÷ plan value, in every grouping."""

from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tawrid.core.errors import DomainError
from tawrid.sourcing.purchase_rate import (
    OrderLineValue,
    PlanValue,
    PurchaseRate,
    by_buyer,
    emdn_category,
    emdn_group,
    purchase_rates,
    rates_by,
    ratio,
)

D = Decimal
ORDERS = [
    OrderLineValue(D("600.00"), True, 1, "A0101", 2026),
    OrderLineValue(D("400.00"), False, 1, "A0102", 2026),
    OrderLineValue(D("100.00"), True, 1, "T0201", 2027),
    OrderLineValue(D("500.00"), False, 2, "A0301", 2026),
    OrderLineValue(D("50.00"), True, 2, "", 2026),  # unclassified
]
PLANS = [
    PlanValue(D("2000.00"), 1, "a0101 ", 2026),  # codes as typed: case and spaces do not matter
    PlanValue(D("0.00"), 1, "T0201", 2027),  # planned without a price
    PlanValue(D("300.00"), 3, "Z1201", 2026),  # buyer 3 planned and bought nothing
]


def rates(mapping):
    return {key: (rate.of_purchases, rate.of_plan) for key, rate in mapping.items()}


@pytest.fixture
def result():
    return purchase_rates(ORDERS, PLANS)


def test_national(result):
    assert result.national == PurchaseRate(D("750.00"), D("1650.00"), D("2300.00"))
    assert result.national.of_purchases == D("0.4545")  # 750 / 1650 = 0.454545…
    assert result.national.of_plan == D("0.3261")  # 750 / 2300 = 0.326086…


def test_per_year(result):
    assert rates(result.by_year) == {
        2026: (D("0.4194"), D("0.2826")),  # 650 / 1550, 650 / 2300
        2027: (D("1.0000"), None),  # plan value 0: no rate of plan
    }


def test_per_buyer_and_per_buyer_and_year(result):
    assert rates(result.by_buyer) == {
        1: (D("0.6364"), D("0.3500")),  # 700 / 1100, 700 / 2000
        2: (D("0.0909"), None),  # 50 / 550; no plan
        3: (None, D("0.0000")),  # bought nothing: no rate of purchases; 0 of its plan
    }
    assert rates(result.by_buyer_year) == {
        (1, 2026): (D("0.6000"), D("0.3000")),
        (1, 2027): (D("1.0000"), None),
        (2, 2026): (D("0.0909"), None),
        (3, 2026): (None, D("0.0000")),
    }


def test_per_emdn_category_and_group(result):
    assert rates(result.by_category) == {
        "A": (D("0.4000"), D("0.3000")),  # 600 / 1500, 600 / 2000
        "T": (D("1.0000"), None),
        "Z": (None, D("0.0000")),
        "": (D("1.0000"), None),
    }
    assert rates(result.by_group) == {
        "A01": (D("0.6000"), D("0.3000")),
        "A03": (D("0.0000"), None),
        "T02": (D("1.0000"), None),
        "Z12": (None, D("0.0000")),
        "": (D("1.0000"), None),
    }
    assert rates(result.by_category_year) == {
        ("A", 2026): (D("0.4000"), D("0.3000")),
        ("T", 2027): (D("1.0000"), None),
        ("Z", 2026): (None, D("0.0000")),
        ("", 2026): (D("1.0000"), None),
    }
    assert result.by_group_year[("A01", 2026)].of_purchases == D("0.6000")


def test_nothing_at_all_gives_no_rate():
    empty = purchase_rates([], [])
    assert empty.national == PurchaseRate()
    assert empty.national.of_purchases is None and empty.national.of_plan is None
    assert empty.by_buyer == {} and empty.by_year == {}


def test_ratio_rounds_half_up_to_four_decimals_and_none_on_zero():
    assert ratio(D("2"), D("3")) == D("0.6667")
    assert ratio(D("0.00005"), D("1")) == D("0.0001")
    assert ratio(D("1"), D("0")) is None
    assert ratio(D("0"), D("0.00")) is None
    assert ratio(D("0"), D("5")) == D("0.0000")


def test_emdn_keys():
    assert (emdn_category("A010101"), emdn_group("A010101")) == ("A", "A01")
    assert (emdn_category(" t02 "), emdn_group(" t02 ")) == ("T", "T02")
    assert (emdn_category(""), emdn_group("")) == ("", "")
    assert (emdn_category("A"), emdn_group("A")) == ("A", "")


@pytest.mark.parametrize("value", [D("-0.01"), D("NaN"), D("Infinity"), 1.5, "10"])
def test_values_must_be_amounts(value):
    with pytest.raises(DomainError) as error:
        OrderLineValue(value, True, 1, "A01", 2026)
    assert error.value.code == "invalid_value"
    with pytest.raises(DomainError):
        PlanValue(value, 1, "A01", 2026)


orders = st.lists(
    st.builds(
        OrderLineValue,
        st.integers(min_value=0, max_value=10**9).map(lambda n: D(n).scaleb(-2)),
        st.booleans(),
        st.integers(min_value=1, max_value=4),
        st.sampled_from(["", "A01", "A0201", "T02", "Z1201"]),
        st.integers(min_value=2025, max_value=2027),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(orders)
def test_groups_add_up_to_the_nation_and_rates_stay_between_zero_and_one(lines):
    result = purchase_rates(lines)
    for grouping in (result.by_buyer, result.by_year, result.by_category, result.by_group, result.by_buyer_year):
        assert reduce(PurchaseRate.__add__, grouping.values(), PurchaseRate()) == result.national
        for rate in grouping.values():
            assert rate.of_purchases is None or D(0) <= rate.of_purchases <= D(1)
    assert rates_by(by_buyer, lines) == result.by_buyer
    local = sum((line.value for line in lines if line.local), D(0))
    total = sum((line.value for line in lines), D(0))
    assert result.national.of_purchases == (
        None if total == 0 else (local / total).quantize(D("0.0001"), ROUND_HALF_UP)
    )
