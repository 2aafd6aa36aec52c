"""Allocating the demand to the products that can supply it, by linear programming (HiGHS through highspy).

Variables: x_k ≥ 0, the base units of offer k (one eligible (line, product variant) candidate) allocated.
Constraints: for each line i, Σ_{k of i} x_k ≤ q_i (its quantity); for each capacity group g (a variant with
its own yearly capacity, else its product), Σ_{k in g} x_k ≤ C_g, shared by every line that offer draws on
it. Offers without a known capacity are unlimited. x = 0 is feasible, so the LP is never infeasible, and it
is bounded by the line quantities.

Objective, lexicographic: first the covered quantity Σ x_k is maximal; then, among the allocations covering
that much, the one with the least cost Σ c_k x_k where c_k ∈ [0, 1]: 0 for a proposal the buyer confirmed,
else mostly a worse score (weight 0.9), then a higher price relative to the line's estimated price (0.07) and
a longer lead time (0.03). Price and lead time together weigh at most 0.1, so they only decide between
candidates within 11 points of score of each other: a 61 % candidate never takes a line from a 98 % one
because it is cheaper.

Two ways are implemented, and give the same coverage:

* `method="single"` (default): one solve of max Σ (M − c_k) x_k. With costs in [0, 1] and M > the number of
  capacity groups + 1, no allocation short of the maximum coverage can be optimal: if x covers less than the
  maximum flow, the flow network (source → line → capacity group → sink) has an augmenting path from x. A
  shortest one alternates forward and backward offer edges, with one more forward than backward (b + 1
  forward), and its groups are distinct and all but the last are saturated finite-capacity groups, so
  b + 1 ≤ G_finite + 1. Pushing δ along it changes the objective by δ(M − Σ_fwd c + Σ_bwd c) ≥
  δ(M − (b + 1)) > 0: x was not optimal. M = min(G_finite + 1, lines) + 1 is therefore provably dominating,
  while staying small enough (thousands against costs of order 1) for the solver's tolerances.
* `method="two_stage"`: maximise Σ x_k; then add the row Σ x_k ≥ z*(1 − 1e-9) and minimise Σ c_k x_k,
  warm-started from the first basis. No weight to argue about, but one dense row and a second solve.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .types import Candidate, DemandLine, Id, ProductDoc, Verdict

# Weights of the secondary cost (each term in [0, 1], so c_k ∈ [0, 1]). The score dominates: with 0.6 / 0.3 /
# 0.1 a candidate at a third of the price and a short lead time outweighed 37 points of score (the demo gave a
# 1,200-unit Foley line to a 61 % catheter beside three 98 % ones); price and lead time now only break
# near-ties (score differences under (PRICE_WEIGHT + LEAD_WEIGHT) / FIT_WEIGHT ≈ 0.11).
FIT_WEIGHT = 0.9
PRICE_WEIGHT = 0.07
LEAD_WEIGHT = 0.03
PRICE_CAP = 3.0  # offer price / line price above this costs as much as this
LEAD_CAP_DAYS = 365.0
UNKNOWN_LEAD_DAYS = 90.0  # a lead time not stated costs as much as a quarter's wait
DUST = 1e-7  # allocated amounts below this share of their line's quantity are dropped
COVERAGE_SLACK = 1e-9  # two_stage: the second stage keeps coverage ≥ optimum × (1 − slack)


@dataclass(frozen=True, slots=True)
class Offer:
    """One eligible (line, product variant) candidate."""

    line_id: Id
    product_id: Id
    variant_id: Id | None
    score: float
    unit_price: float | None
    lead_time_days: int | None
    confirmed: bool = False  # the buyer confirmed this proposal: allocated before any other of its line


@dataclass(frozen=True, slots=True)
class Allocation:
    quantities: dict[tuple[Id, Id, Id | None], float]  # (line, product, variant) -> allocated base units (> 0)
    covered: dict[Id, float]  # line -> covered quantity (lines with some allocation)
    demand: float  # total quantity of the lines
    covered_total: float
    value: float  # Σ quantity × line unit price (lines without a price count 0)
    covered_value: float
    status: str
    seconds: float
    variables: int
    constraints: int

    @property
    def covered_share(self) -> float:
        return self.covered_total / self.demand if self.demand else 0.0

    @property
    def covered_value_share(self) -> float:
        return self.covered_value / self.value if self.value else 0.0


def capacity_key(product: ProductDoc, variant_id: Id | None) -> object:
    """The capacity an offer draws on: its variant's when the variant states one, else its product's.
    `offers_from` puts only stated (finite) capacities in its mapping: a key missing there is unlimited."""
    if variant_id is not None:
        for variant in product.variants:
            if variant.id == variant_id:
                if variant.capacity_per_year is not None:
                    return ("variant", product.id, variant_id)
                break
    return ("product", product.id)


def _offer_capacity_key(offer: Offer, capacities: Mapping[object, float]) -> object | None:
    """The key of `capacities` an offer draws on, or None (unlimited): the variant's key first."""
    if offer.variant_id is not None:
        key: object = ("variant", offer.product_id, offer.variant_id)
        if key in capacities:
            return key
    key = ("product", offer.product_id)
    return key if key in capacities else None


def offers_from(
    candidates: Sequence[Candidate],
    products: Mapping[Id, ProductDoc],
    *,
    confirmed: Collection[tuple[Id, Id]] = frozenset(),
) -> tuple[list[Offer], dict[object, float]]:
    """The candidates that may be allocated, as offers, and the yearly capacities they draw on.

    Only GOOD candidates (eligible, no specification conflict) are allocated: a conflicting size (23 G for
    21 G) does not supply the need, and a product that is not eligible cannot be bought yet — both remain
    shown to the buyer, but counting them as covered demand would overstate what local industry supplies.
    Capacities: variant capacity when stated, else the product's; None is unlimited (left out). `confirmed`
    holds the (line, product) pairs the buyer confirmed: their offers cost nothing (see `offer_costs`)."""
    offers: list[Offer] = []
    capacities: dict[object, float] = {}
    for candidate in candidates:
        if candidate.verdict is not Verdict.GOOD:
            continue
        product = products.get(candidate.product_id)
        if product is None or not product.eligible:
            continue
        offers.append(
            Offer(
                line_id=candidate.line_id,
                product_id=candidate.product_id,
                variant_id=candidate.variant_id,
                score=candidate.score,
                unit_price=product.price_of(candidate.variant_id),
                lead_time_days=product.lead_time_days,
                confirmed=(candidate.line_id, candidate.product_id) in confirmed,
            )
        )
        key = capacity_key(product, candidate.variant_id)
        if key not in capacities:
            variant = next((v for v in product.variants if v.id == candidate.variant_id), None)
            if variant is not None and variant.capacity_per_year is not None:
                capacities[key] = max(0.0, float(variant.capacity_per_year))
            elif product.capacity_per_year is not None:
                capacities[key] = max(0.0, float(product.capacity_per_year))
    return offers, capacities


def offer_costs(lines: Mapping[Id, DemandLine], offers: Sequence[Offer]) -> np.ndarray:
    """c_k ∈ [0, 1] per offer: worse fit, dearer (relative to the line's price, else to the median offer
    price of the line), longer lead time cost more. Unknown price: as dear as the line's price (neutral).
    A confirmed offer costs 0: the buyer's choice comes before the engine's preferences."""
    n = len(offers)
    score = np.fromiter((o.score for o in offers), dtype=float, count=n)
    price = np.fromiter((np.nan if o.unit_price is None else o.unit_price for o in offers), dtype=float, count=n)
    lead = np.fromiter(
        (UNKNOWN_LEAD_DAYS if o.lead_time_days is None else o.lead_time_days for o in offers), dtype=float, count=n
    )
    reference = np.fromiter(
        (np.nan if (p := lines[o.line_id].unit_price) is None or p <= 0 else p for o in offers), dtype=float, count=n
    )
    missing = np.isnan(reference) & ~np.isnan(price)
    if missing.any():  # no line price: the median price of the line's offers is the reference
        medians: dict[Id, float] = {}
        by_line: dict[Id, list[float]] = {}
        for k in np.flatnonzero(missing).tolist():
            by_line.setdefault(offers[k].line_id, []).append(price[k])
        for line_id, prices in by_line.items():
            medians[line_id] = float(np.median(prices))
        for k in np.flatnonzero(missing).tolist():
            reference[k] = medians[offers[k].line_id]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isnan(price) | np.isnan(reference) | (reference <= 0), 1.0, price / reference)
    ratio = np.clip(np.nan_to_num(ratio, nan=1.0, posinf=PRICE_CAP), 0.0, PRICE_CAP) / PRICE_CAP
    fit = 1.0 - np.clip(np.nan_to_num(score, nan=0.0), 0.0, 1.0)
    wait = np.clip(lead, 0.0, LEAD_CAP_DAYS) / LEAD_CAP_DAYS
    cost = FIT_WEIGHT * fit + PRICE_WEIGHT * ratio + LEAD_WEIGHT * wait
    confirmed = np.fromiter((o.confirmed for o in offers), dtype=bool, count=n)
    return np.where(confirmed, 0.0, cost)


def _empty(lines: Sequence[DemandLine], started: float, status: str) -> Allocation:
    demand = sum(max(0.0, line.quantity) for line in lines)
    value = sum(max(0.0, line.quantity) * (line.unit_price or 0.0) for line in lines)
    return Allocation({}, {}, demand, 0.0, value, 0.0, status, time.perf_counter() - started, 0, 0)


def allocate(
    lines: Sequence[DemandLine],
    offers: Sequence[Offer],
    capacities: Mapping[object, float],
    *,
    method: str = "single",
    time_limit: float | None = None,
) -> Allocation:
    """The allocation covering the most demand, then preferring better fits, lower prices, shorter lead times.

    `capacities` maps capacity keys (see `capacity_key`) to yearly base units; offers whose key is missing
    are unlimited. Offers for unknown lines, or duplicated (line, product, variant) offers (the best score
    is kept) are ignored. `method`: "single" or "two_stage" (see the module's docstring)."""
    import highspy

    if method not in ("single", "two_stage"):
        raise ValueError(f"unknown method {method!r}")
    started = time.perf_counter()
    by_id = {line.id: line for line in lines}
    # Keep the usable offers: a known line with a positive quantity; one per (line, product, variant).
    chosen: dict[tuple[Id, Id, Id | None], Offer] = {}
    for offer in offers:
        line = by_id.get(offer.line_id)
        if line is None or not line.quantity > 0:
            continue
        key = (offer.line_id, offer.product_id, offer.variant_id)
        previous = chosen.get(key)
        if previous is None or offer.score > previous.score:
            chosen[key] = offer
    kept = list(chosen.values())
    if not kept:
        return _empty(lines, started, "no offers")

    n = len(kept)
    # Rows: one per line with offers, then one per finite capacity used.
    line_row: dict[Id, int] = {}
    line_of = np.empty(n, dtype=np.int64)
    group_of = np.full(n, -1, dtype=np.int64)
    group_row: dict[object, int] = {}
    for k, offer in enumerate(kept):
        row = line_row.get(offer.line_id)
        if row is None:
            row = line_row[offer.line_id] = len(line_row)
        line_of[k] = row
        group = _offer_capacity_key(offer, capacities)
        if group is not None:
            g = group_row.get(group)
            if g is None:
                g = group_row[group] = len(group_row)
            group_of[k] = g
    n_lines, n_groups = len(line_row), len(group_row)
    quantity = np.empty(n_lines, dtype=float)
    for line_id, row in line_row.items():
        quantity[row] = float(by_id[line_id].quantity)
    capacity = np.empty(n_groups, dtype=float)
    for group, g in group_row.items():
        capacity[g] = max(0.0, float(capacities[group]))

    # Column-wise matrix: each column has 1 in its line row and, when capacitated, 1 in its group row.
    limited = group_of >= 0
    counts = 1 + limited.astype(np.int64)
    start = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=start[1:])
    nnz = int(start[-1])
    index = np.empty(nnz, dtype=np.int32)
    index[start[:-1]] = line_of
    index[start[:-1][limited] + 1] = n_lines + group_of[limited]
    value = np.ones(nnz, dtype=float)

    cost = offer_costs(by_id, kept)
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = n_lines + n_groups
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = quantity[line_of]  # implied by the line row; helps presolve
    lp.row_lower_ = np.full(n_lines + n_groups, -inf)
    lp.row_upper_ = np.concatenate([quantity, capacity])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = n_lines + n_groups
    if method == "single":
        big_m = float(min(n_groups + 1, n_lines) + 1)
        lp.col_cost_ = big_m - cost
    else:
        lp.col_cost_ = np.ones(n)
    lp.sense_ = highspy.ObjSense.kMaximize

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(lp)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    constraints = n_lines + n_groups
    if method == "two_stage" and h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        optimum = float(np.sum(np.asarray(h.getSolution().col_value)))
        h.addRow(
            optimum * (1.0 - COVERAGE_SLACK) - 1e-9,
            inf,
            n,
            np.arange(n, dtype=np.int32),
            np.ones(n),
        )
        constraints += 1
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        # The dense coverage row makes simplex pivots costly (about ten times the first stage at 400,000
        # columns); the interior point method (with crossover to a vertex) is about three times faster here.
        h.setOptionValue("solver", "ipm")
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
    x = np.asarray(h.getSolution().col_value, dtype=float)
    if x.shape[0] != n:
        x = np.zeros(n)
    # Clean the solver's tolerances: no negative, no amount above its bounds, drop dust (what the two-stage
    # coverage slack lets leak to a better-fitting offer is of order 1e-9 of the demand).
    x = np.clip(x, 0.0, quantity[line_of])
    x[x < DUST * np.maximum(1.0, quantity[line_of])] = 0.0
    covered_rows = np.bincount(line_of, weights=x, minlength=n_lines)

    quantities: dict[tuple[Id, Id, Id | None], float] = {}
    for k in np.flatnonzero(x > 0).tolist():
        offer = kept[k]
        quantities[(offer.line_id, offer.product_id, offer.variant_id)] = float(x[k])
    covered = {line_id: float(covered_rows[row]) for line_id, row in line_row.items() if covered_rows[row] > 0}
    demand = sum(max(0.0, line.quantity) for line in lines)
    total_value = sum(max(0.0, line.quantity) * (line.unit_price or 0.0) for line in lines)
    covered_value = sum(amount * (by_id[line_id].unit_price or 0.0) for line_id, amount in covered.items())
    return Allocation(
        quantities=quantities,
        covered=covered,
        demand=demand,
        covered_total=float(covered_rows.sum()),
        value=total_value,
        covered_value=covered_value,
        status=status,
        seconds=time.perf_counter() - started,
        variables=n,
        constraints=constraints,
    )
