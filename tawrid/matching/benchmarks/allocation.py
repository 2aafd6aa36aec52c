"""Benchmark of the demand allocation LP (run by `tawrid bench`): a deterministic synthetic national case —
50,000 plan lines, 3,000 products with yearly capacities, 8 offers per line — allocated by the HiGHS linear
program (single solve and two-stage), beside a greedy allocation measured in the same run (lines by
descending quantity, each line's best offer first, within the capacity left)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tawrid.core.bench import Figure, benchmark, stopwatch
from tawrid.matching.engine.allocate import Allocation, Offer, allocate
from tawrid.matching.engine.types import DemandLine, Id

NAME = "matching allocation"
LINES = 50_000
PRODUCTS = 3_000
OFFERS_PER_LINE = 8
CATEGORY_SIZE = 30  # products competing for the same lines


def national_case(
    lines: int = LINES, products: int = PRODUCTS, per_line: int = OFFERS_PER_LINE, seed: int = 2026
) -> tuple[list[DemandLine], list[Offer], dict[object, float]]:
    """Lines fall in categories of `CATEGORY_SIZE` products; each line is offered `per_line` of its category's
    products at random. A product's capacity is 30-150 % of its share of the category's demand (1/30), 2 % of the
    products state none (unlimited); a fifth of the capacitated products state it per variant (two variants)."""
    rng = np.random.default_rng(seed)
    categories = max(1, products // CATEGORY_SIZE)
    category = rng.integers(0, categories, size=lines)
    quantity = np.maximum(1, np.round(rng.lognormal(4.0, 1.3, size=lines)))
    line_price = np.round(rng.uniform(0.5, 500.0, size=lines), 2)
    priced = rng.random(lines) < 0.9
    demand_lines = [
        DemandLine(id=i, text="", quantity=float(quantity[i]), unit_price=float(line_price[i]) if priced[i] else None)
        for i in range(lines)
    ]
    demand_by_category = np.bincount(category, weights=quantity, minlength=categories)
    size = min(CATEGORY_SIZE, products)
    per_line = min(per_line, size)
    capacities: dict[object, float] = {}
    unlimited = rng.random(products) < 0.02
    by_variant = rng.random(products) < 0.2
    share = rng.uniform(0.3, 1.5, size=products)
    for p in range(products):
        if unlimited[p]:
            continue
        expected = demand_by_category[min(p // size, categories - 1)] / size  # its share of the category
        if by_variant[p]:
            for v in (0, 1):
                capacities[("variant", p, v)] = float(np.round(expected * share[p] / 2))
        else:
            capacities[("product", p)] = float(np.round(expected * share[p]))
    offers: list[Offer] = []
    scores = rng.uniform(0.3, 1.0, size=(lines, per_line))
    prices = rng.uniform(0.6, 1.6, size=(lines, per_line))
    leads = rng.integers(7, 120, size=(lines, per_line))
    for i in range(lines):
        chosen = rng.choice(size, size=per_line, replace=False) + category[i] * size
        for j, p in enumerate(chosen):
            p = int(min(p, products - 1))
            variant = int(rng.integers(0, 2)) if by_variant[p] else None
            offers.append(
                Offer(i, p, variant, float(scores[i, j]), float(line_price[i] * prices[i, j]), int(leads[i, j]))
            )
    return demand_lines, offers, capacities


def greedy(lines: Sequence[DemandLine], offers: Sequence[Offer], capacities: dict[object, float]) -> Allocation:
    """The baseline: lines by descending quantity; within a line, offers by descending score, each taking what
    its capacity has left."""
    by_line: dict[Id, list[Offer]] = {}
    for offer in offers:
        by_line.setdefault(offer.line_id, []).append(offer)
    left = dict(capacities)
    quantities: dict[tuple, float] = {}
    covered: dict[Id, float] = {}
    for line in sorted(lines, key=lambda line: -line.quantity):
        need = line.quantity
        for offer in sorted(by_line.get(line.id, ()), key=lambda o: -o.score):
            if need <= 0:
                break
            key: object = ("variant", offer.product_id, offer.variant_id)
            if offer.variant_id is None or key not in left:
                key = ("product", offer.product_id)
            room = left.get(key, float("inf"))
            take = min(need, room)
            if take <= 0:
                continue
            if key in left:
                left[key] = room - take
            quantities[(line.id, offer.product_id, offer.variant_id)] = take
            covered[line.id] = covered.get(line.id, 0.0) + take
            need -= take
    demand = sum(line.quantity for line in lines)
    value = sum(line.quantity * (line.unit_price or 0.0) for line in lines)
    line_prices: dict[Id, float] = {line.id: line.unit_price or 0.0 for line in lines}
    return Allocation(
        quantities=quantities,
        covered=covered,
        demand=demand,
        covered_total=sum(covered.values()),
        value=value,
        covered_value=sum(amount * line_prices[line_id] for line_id, amount in covered.items()),
        status="greedy",
        seconds=0.0,
        variables=len(offers),
        constraints=0,
    )


def run() -> dict[str, float]:
    """The figures, without the Figure wrapping (also used by `python -m tawrid.matching.benchmarks.allocation`)."""
    with stopwatch() as building:
        lines, offers, capacities = national_case()
    with stopwatch() as greedy_time:
        baseline = greedy(lines, offers, capacities)
    with stopwatch() as two_stage_time:
        two_stage = allocate(lines, offers, capacities, method="two_stage")
    with stopwatch() as single_time:
        single = allocate(lines, offers, capacities, method="single")
    if two_stage.covered_total < baseline.covered_total * (1 - 1e-6):
        raise RuntimeError("the LP covers less than the greedy allocation")
    if abs(single.covered_total - two_stage.covered_total) > 1e-6 * max(1.0, two_stage.covered_total):
        raise RuntimeError("single-solve and two-stage coverage differ")
    return {
        "build": building[0],
        "offers": float(len(offers)),
        "capacities": float(len(capacities)),
        "greedy_s": greedy_time[0],
        "two_stage_s": two_stage_time[0],
        "single_s": single_time[0],
        "greedy_share": 100 * baseline.covered_share,
        "lp_share": 100 * two_stage.covered_share,
        "single_share": 100 * single.covered_share,
        "greedy_value_share": 100 * baseline.covered_value_share,
        "lp_value_share": 100 * two_stage.covered_value_share,
        "variables": float(two_stage.variables),
        "constraints": float(two_stage.constraints),
    }


@benchmark(NAME)
def allocation_benchmarks() -> list[Figure]:
    r = run()
    size = f"{LINES:,} lines × {OFFERS_PER_LINE} offers, {PRODUCTS:,} products"
    return [
        Figure(NAME, f"LP allocation, two-stage HiGHS ({size})", r["two_stage_s"], r["greedy_s"], "s",
               "greedy allocation"),
        Figure(NAME, "LP allocation, single solve with dominating weights", r["single_s"], r["greedy_s"], "s",
               "greedy allocation"),
        Figure(NAME, "demand quantity covered", r["lp_share"], r["greedy_share"], "%", "greedy allocation"),
        Figure(NAME, "demand value covered", r["lp_value_share"], r["greedy_value_share"], "%",
               "greedy allocation"),
    ]  # fmt: skip


if __name__ == "__main__":  # pragma: no cover
    for name, figure in run().items():
        print(f"{name}: {figure:.4g}")
