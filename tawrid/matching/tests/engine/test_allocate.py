"""allocate(): the LP covers as much demand as the capacities allow, then prefers fit, price, lead time."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from tawrid.matching.engine.allocate import Offer, allocate, capacity_key, offer_costs, offers_from
from tawrid.matching.engine.types import Candidate, DemandLine, ProductDoc, VariantDoc, Verdict

METHODS = ["single", "two_stage"]


def line(id, quantity, price=None):
    return DemandLine(id=id, text="", quantity=quantity, unit_price=price)


def offer(line_id, product, variant=None, score=0.8, price=None, lead=None):
    return Offer(line_id, product, variant, score, price, lead)


def cap(product, amount, variant=None):
    return {("product", product) if variant is None else ("variant", product, variant): amount}


@pytest.mark.parametrize("method", METHODS)
def test_capacity_shared_between_lines(method):
    # P (capacity 12) serves a and b; Q (unlimited) only a: a should take Q so that b gets P.
    lines = [line("a", 10), line("b", 10)]
    offers = [offer("a", "P", score=0.9), offer("b", "P", score=0.9), offer("a", "Q", score=0.5)]
    result = allocate(lines, offers, cap("P", 12), method=method)
    assert result.covered_total == pytest.approx(20)
    assert result.covered == pytest.approx({"a": 10, "b": 10})
    assert result.quantities[("b", "P", None)] == pytest.approx(10)
    # what P has left (2) goes to a, whose better-scored offer it is
    assert result.quantities[("a", "P", None)] == pytest.approx(2)
    assert result.quantities[("a", "Q", None)] == pytest.approx(8)
    assert result.status == "Optimal"
    assert result.variables == 3


@pytest.mark.parametrize("method", METHODS)
def test_coverage_comes_before_fit(method):
    # The greedy choice (a's best offer is P) would leave b uncovered; the LP does not.
    lines = [line("a", 5), line("b", 5)]
    offers = [offer("a", "P", score=1.0), offer("a", "Q", score=0.1), offer("b", "P", score=0.1)]
    result = allocate(lines, offers, cap("P", 5) | cap("Q", 5), method=method)
    assert result.covered_total == pytest.approx(10)
    assert result.quantities == pytest.approx({("a", "Q", None): 5, ("b", "P", None): 5})


@pytest.mark.parametrize("method", METHODS)
def test_better_fit_preferred_when_coverage_is_equal(method):
    result = allocate([line("a", 5)], [offer("a", "P", score=0.6), offer("a", "Q", score=0.9)], {}, method=method)
    assert result.quantities == pytest.approx({("a", "Q", None): 5})


@pytest.mark.parametrize("method", METHODS)
def test_lower_price_preferred(method):
    offers = [offer("a", "P", price=12.0), offer("a", "Q", price=8.0)]
    result = allocate([line("a", 5, price=10.0)], offers, {}, method=method)
    assert result.quantities == pytest.approx({("a", "Q", None): 5})
    # without a line price the offers are compared with each other
    result = allocate([line("a", 5)], offers, {}, method=method)
    assert result.quantities == pytest.approx({("a", "Q", None): 5})


@pytest.mark.parametrize("method", METHODS)
def test_lead_time_breaks_ties(method):
    offers = [offer("a", "P", price=10.0, lead=60), offer("a", "Q", price=10.0, lead=14), offer("a", "R", price=10.0)]
    result = allocate([line("a", 7, price=10.0)], offers, cap("Q", 4), method=method)
    # Q (14 days) up to its capacity, then P (60 days) before R (unknown, counted as 90 days)
    assert result.quantities == pytest.approx({("a", "Q", None): 4, ("a", "P", None): 3})


@pytest.mark.parametrize("method", METHODS)
def test_unlimited_capacity(method):
    result = allocate([line("a", 1e6), line("b", 3)], [offer("a", "P"), offer("b", "P")], {}, method=method)
    assert result.covered_total == pytest.approx(1e6 + 3)
    assert result.covered_share == pytest.approx(1.0)


@pytest.mark.parametrize("method", METHODS)
def test_variant_capacity_and_product_capacity(method):
    lines = [line("a", 10), line("b", 10)]
    offers = [offer("a", "P", "v1"), offer("b", "P", "v2")]
    capacities = cap("P", 3, "v1") | cap("P", 100)  # v1 has its own; v2 draws on the product's
    result = allocate(lines, offers, capacities, method=method)
    assert result.covered == pytest.approx({"a": 3, "b": 10})


def test_no_offers_and_zero_quantities():
    lines = [line("a", 4, price=2.5), line("b", 0, price=1.0), line("c", 6)]
    result = allocate(lines, [], {})
    assert (result.covered_total, result.demand, result.value, result.covered_value) == (0.0, 10.0, 10.0, 0.0)
    assert result.quantities == {} and result.covered == {}
    assert result.status == "no offers"
    assert result.covered_share == 0.0
    # offers on zero-quantity lines or unknown lines are ignored
    result = allocate(lines, [offer("b", "P"), offer("zz", "P")], {})
    assert result.status == "no offers"
    assert allocate([], [], {}).demand == 0.0


def test_zero_capacity_covers_nothing():
    result = allocate([line("a", 4)], [offer("a", "P")], cap("P", 0))
    assert result.covered_total == 0.0 and result.quantities == {}


@pytest.mark.parametrize("method", METHODS)
def test_value_coverage(method):
    lines = [line("a", 10, price=5.0), line("b", 10, price=1.0), line("c", 10)]
    offers = [offer("a", "P"), offer("b", "Q"), offer("c", "R")]
    result = allocate(lines, offers, cap("P", 4) | cap("Q", 10) | cap("R", 10), method=method)
    assert result.value == pytest.approx(60.0)
    assert result.covered_value == pytest.approx(4 * 5.0 + 10 * 1.0)
    assert result.covered_value_share == pytest.approx(30 / 60)
    assert result.covered_share == pytest.approx(24 / 30)


def test_duplicate_offers_are_merged():
    result = allocate([line("a", 5)], [offer("a", "P", score=0.2), offer("a", "P", score=0.9)], cap("P", 3))
    assert result.quantities == pytest.approx({("a", "P", None): 3})
    assert result.variables == 1


@pytest.mark.parametrize("method", METHODS)
def test_a_much_better_fit_wins_over_a_cheaper_faster_candidate(method):
    # The demo's Foley CH 16 line: 1,200 units at 4 MAD; three 98 % Foley catheters at 12 MAD delivered in 45
    # days, and a 61 % catheter (wrong kind) at 1.5 MAD in 7 days, all with room to supply the line. With price
    # and lead time weighing 0.4 the cheap 61 % took all 1,200 units; the fit now decides.
    lines = [line("foley", 1200, price=4.0)]
    offers = [offer("foley", p, score=0.98, price=12.0, lead=45) for p in ("A", "B", "C")]
    offers.append(offer("foley", "WRONG", score=0.61, price=1.5, lead=7))
    result = allocate(
        lines, offers, cap("A", 1500) | cap("B", 1500) | cap("C", 1500) | cap("WRONG", 1500), method=method
    )
    assert result.covered_total == pytest.approx(1200)
    assert ("foley", "WRONG", None) not in result.quantities
    assert sum(result.quantities.values()) == pytest.approx(1200)


@pytest.mark.parametrize("method", METHODS)
def test_price_and_lead_time_still_decide_between_close_scores(method):
    lines = [line("a", 100, price=4.0)]
    offers = [offer("a", "DEAR", score=0.95, price=12.0, lead=45), offer("a", "CHEAP", score=0.9, price=2.0, lead=7)]
    result = allocate(lines, offers, {}, method=method)
    assert result.quantities == pytest.approx({("a", "CHEAP", None): 100})


@pytest.mark.parametrize("method", METHODS)
def test_a_confirmed_proposal_comes_first(method):
    lines = [line("a", 100, price=4.0)]
    confirmed = Offer("a", "MINE", None, 0.7, 12.0, 45, confirmed=True)
    result = allocate(lines, [offer("a", "BEST", score=0.99, price=1.0, lead=1), confirmed], {}, method=method)
    assert result.quantities == pytest.approx({("a", "MINE", None): 100})
    # within its capacity only: the rest goes to the others
    result = allocate(lines, [offer("a", "BEST", score=0.99), confirmed], cap("MINE", 30), method=method)
    assert result.quantities == pytest.approx({("a", "MINE", None): 30, ("a", "BEST", None): 70})


def test_costs_are_in_the_unit_interval():
    lines = {"a": line("a", 1, price=10.0), "b": line("b", 1, price=0.0)}
    offers = [offer("a", "P", score=1.5, price=1e9, lead=10_000), offer("a", "Q", score=-1, price=0.0, lead=0),
              offer("b", "P", score=float("nan"), price=None, lead=None), offer("b", "Q", price=3.0)]  # fmt: skip
    costs = offer_costs(lines, offers)
    assert np.all((costs >= 0) & (costs <= 1))


def test_unknown_method():
    with pytest.raises(ValueError, match="method"):
        allocate([line("a", 1)], [offer("a", "P")], {}, method="magic")


# --- offers_from and capacity_key ---------------------------------------------------------------------------------


def test_offers_from_keeps_good_candidates_with_their_capacities():
    products = {
        "P": ProductDoc("P", ("p",), variants=(VariantDoc("v1", capacity_per_year=50), VariantDoc("v2")),
                        unit_price=3.0, lead_time_days=20, capacity_per_year=500),
        "Q": ProductDoc("Q", ("q",)),  # no capacity: unlimited
        "R": ProductDoc("R", ("r",), eligible=False, capacity_per_year=10),
    }  # fmt: skip
    candidates = [
        Candidate("a", "P", "v1", 0.9, Verdict.GOOD),
        Candidate("a", "P", "v2", 0.8, Verdict.GOOD),
        Candidate("b", "Q", None, 0.7, Verdict.GOOD),
        Candidate("b", "P", "v1", 0.6, Verdict.CONFLICT),
        Candidate("c", "R", None, 0.9, Verdict.NOT_ELIGIBLE),
        Candidate("c", "missing", None, 0.9, Verdict.GOOD),
    ]
    offers, capacities = offers_from(candidates, products)
    assert [(o.line_id, o.product_id, o.variant_id) for o in offers] == [
        ("a", "P", "v1"),
        ("a", "P", "v2"),
        ("b", "Q", None),
    ]
    assert offers[0].unit_price == 3.0 and offers[0].lead_time_days == 20
    assert capacities == {("variant", "P", "v1"): 50.0, ("product", "P"): 500.0}
    offers, _capacities = offers_from(candidates, products, confirmed={("b", "Q")})
    assert [o.confirmed for o in offers] == [False, False, True]
    assert capacity_key(products["P"], "v1") == ("variant", "P", "v1")
    assert capacity_key(products["P"], "v2") == ("product", "P")
    assert capacity_key(products["Q"], None) == ("product", "Q")
    result = allocate([line("a", 600), line("b", 5)], offers, capacities)
    # v1 draws on its own capacity (50), v2 on the product's (500): a variant's capacity replaces the product's
    assert result.covered == pytest.approx({"a": 550, "b": 5})


# --- properties: never above a bound, coverage equal to the maximum flow -----------------------------------------


@st.composite
def cases(draw):
    n_lines = draw(st.integers(1, 5))
    n_products = draw(st.integers(1, 4))
    quantities = draw(st.lists(st.integers(0, 20), min_size=n_lines, max_size=n_lines))
    capacities = {}
    for p in range(n_products):
        amount = draw(st.none() | st.integers(0, 25))
        if amount is not None:
            capacities[("product", p)] = float(amount)
    pairs = draw(st.lists(st.tuples(st.integers(0, n_lines - 1), st.integers(0, n_products - 1)), max_size=12))
    offers = [
        Offer(i, p, None, draw(st.floats(0, 1)), draw(st.none() | st.floats(0.1, 100)),
              draw(st.none() | st.integers(0, 400)))
        for i, p in pairs
    ]  # fmt: skip
    lines = [DemandLine(i, "", quantity=float(q), unit_price=float(q % 7) or None) for i, q in enumerate(quantities)]
    return lines, offers, capacities, n_products


def reference_max_flow(lines, offers, capacities, n_products):
    """Integer max flow: source → line (quantity) → product (∞) → sink (capacity, or ∞)."""
    n_lines = len(lines)
    source, sink = 0, 1 + n_lines + n_products
    big = int(sum(line.quantity for line in lines)) + 1
    edges = {}
    for i, line_ in enumerate(lines):
        edges[(source, 1 + i)] = int(line_.quantity)
    for o in offers:
        edges[(1 + o.line_id, 1 + n_lines + o.product_id)] = big
    for p in range(n_products):
        edges[(1 + n_lines + p, sink)] = int(capacities.get(("product", p), big))
    rows, cols = zip(*edges, strict=True)
    graph = csr_matrix((np.array(list(edges.values()), dtype=np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
    return maximum_flow(graph, source, sink).flow_value


@settings(max_examples=150, deadline=None)
@given(case=cases(), method=st.sampled_from(METHODS))
def test_allocation_is_feasible_and_covers_the_maximum_flow(case, method):
    lines, offers, capacities, n_products = case
    result = allocate(lines, offers, capacities, method=method)
    tolerance = 1e-6
    for line_ in lines:
        assert result.covered.get(line_.id, 0.0) <= line_.quantity + tolerance
    used: dict[object, float] = {}
    for (_line, product, _variant), amount in result.quantities.items():
        assert amount > 0
        used[("product", product)] = used.get(("product", product), 0.0) + amount
    for key, amount in used.items():
        assert amount <= capacities.get(key, float("inf")) + tolerance
    assert sum(result.quantities.values()) == pytest.approx(result.covered_total, abs=tolerance)
    assert result.covered_total == pytest.approx(reference_max_flow(lines, offers, capacities, n_products), abs=1e-5)


@settings(max_examples=80, deadline=None)
@given(case=cases())
def test_single_solve_and_two_stages_agree(case):
    lines, offers, capacities, _ = case
    single = allocate(lines, offers, capacities, method="single")
    staged = allocate(lines, offers, capacities, method="two_stage")
    assert single.covered_total == pytest.approx(staged.covered_total, abs=1e-5)
    by_id = {line_.id: line_ for line_ in lines}
    kept = {}
    for o in offers:  # as allocate does: the best score per (line, product, variant)
        if by_id[o.line_id].quantity > 0:
            key = (o.line_id, o.product_id, o.variant_id)
            if key not in kept or o.score > kept[key].score:
                kept[key] = o
    costs = dict(zip(kept, offer_costs(by_id, list(kept.values())), strict=True))

    def cost(result):
        return sum(costs[key] * amount for key, amount in result.quantities.items())

    assert cost(single) == pytest.approx(cost(staged), abs=1e-4)
