"""The opportunity score (pure; no database): where local production of an EMDN group would pay.

Each EMDN group gets five components, each between 0 and 1, and a score between 0 and 100: the weighted mean of
the components, with weights people see and change on the page (defaults below).

* **imports** — ln(1 + imports) ÷ ln(1 + the largest imports of all groups): what the country buys abroad
  (logarithmic, so that one huge group does not flatten all the others);
* **demand** — 0.7 × ln(1 + declared demand) ÷ ln(1 + the largest declared demand) + 0.3 × min(buyers, 5) ÷ 5:
  the value buyers published in their plans, and how many buyers share it (several buyers make a market);
* **gap** — 1 − the share of that demand covered by eligible local products (from the national match run);
  without declared demand: 1 when no eligible local product exists, else 0;
* **regulatory** — how short the path to the market is, from the risk class (I or IVD A: 1, IIa or B: 0.75,
  IIb or C: 0.5, III or D: 0.25, unknown: 0.5);
* **closeness** — how close the group is to what local industry already makes: the density of the group's HS
  codes in the country's export basket (economic complexity, divided by the largest density of all groups)
  when several countries' trade is loaded; otherwise min(local manufacturers of the group's EMDN category, 5)
  ÷ 5.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tawrid.core.errors import DomainError

COMPONENTS: tuple[str, ...] = ("imports", "demand", "gap", "regulatory", "closeness")
COMPONENT_LABELS = {
    "imports": pgettext_lazy("international trade", "Imports"),
    "demand": _("Declared demand"),
    "gap": _("Supply gap"),
    "regulatory": _("Regulatory path"),
    "closeness": _("Closeness to local industry"),
}
DEFAULT_WEIGHTS: dict[str, int] = {"imports": 30, "demand": 25, "gap": 25, "regulatory": 10, "closeness": 10}
RISK_EASE = {"I": 1.0, "IIa": 0.75, "IIb": 0.5, "III": 0.25, "A": 1.0, "B": 0.75, "C": 0.5, "D": 0.25}
UNKNOWN_RISK_EASE = 0.5
BUYERS_FOR_FULL_MARKET = 5
MAKERS_FOR_FULL_CLOSENESS = 5
MAX_WEIGHT = 100


@dataclass(frozen=True, slots=True)
class GroupInputs:
    group: str
    label: str = ""
    imports: Decimal = Decimal(0)  # one currency for every group (MAD when every year has a rate, else USD)
    demand: Decimal = Decimal(0)  # MAD
    buyers: int = 0
    covered: Decimal = Decimal(0)  # MAD of the demand covered by eligible local products
    eligible_products: int = 0
    manufacturers: int = 0
    risk_class: str = ""
    density: float | None = None
    category_makers: int = 0


@dataclass(frozen=True, slots=True)
class Weights:
    imports: int = DEFAULT_WEIGHTS["imports"]
    demand: int = DEFAULT_WEIGHTS["demand"]
    gap: int = DEFAULT_WEIGHTS["gap"]
    regulatory: int = DEFAULT_WEIGHTS["regulatory"]
    closeness: int = DEFAULT_WEIGHTS["closeness"]

    def __post_init__(self) -> None:
        values = self.as_dict()
        if any(not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_WEIGHT for v in values.values()):
            raise DomainError(
                _("Each weight is a whole number between 0 and %(max)s.") % {"max": MAX_WEIGHT},
                code="invalid_weights",
            )
        if not any(values.values()):
            raise DomainError(_("At least one weight must be above zero."), code="invalid_weights")

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COMPONENTS}

    @property
    def is_default(self) -> bool:
        return self.as_dict() == DEFAULT_WEIGHTS


@dataclass(frozen=True, slots=True)
class Opportunity:
    inputs: GroupInputs
    components: Mapping[str, float]
    score: float
    closeness_from_density: bool
    rank: int = 0
    coverage: float | None = field(default=None)

    @property
    def group(self) -> str:
        return self.inputs.group


def _log_share(value: Decimal, largest: Decimal) -> float:
    if largest <= 0 or value <= 0:
        return 0.0
    return math.log1p(float(value)) / math.log1p(float(largest))


def coverage_of(inputs: GroupInputs) -> float | None:
    """Share of the declared demand covered by eligible local products (None without declared demand)."""
    if inputs.demand <= 0:
        return None
    return min(1.0, float(inputs.covered / inputs.demand))


def components_of(
    inputs: GroupInputs, *, largest_imports: Decimal, largest_demand: Decimal, largest_density: float | None
) -> tuple[dict[str, float], bool]:
    demand_size = _log_share(inputs.demand, largest_demand)
    market = min(inputs.buyers, BUYERS_FOR_FULL_MARKET) / BUYERS_FOR_FULL_MARKET
    coverage = coverage_of(inputs)
    # Without declared demand, the gap is whether any eligible local product exists at all.
    gap = (1.0 if inputs.eligible_products == 0 else 0.0) if coverage is None else 1.0 - coverage
    from_density = inputs.density is not None and largest_density is not None and largest_density > 0
    if from_density:
        assert inputs.density is not None and largest_density is not None
        closeness = max(0.0, min(1.0, inputs.density / largest_density))
    else:
        closeness = min(inputs.category_makers, MAKERS_FOR_FULL_CLOSENESS) / MAKERS_FOR_FULL_CLOSENESS
    return (
        {
            "imports": _log_share(inputs.imports, largest_imports),
            "demand": 0.7 * demand_size + 0.3 * market,
            "gap": gap,
            "regulatory": RISK_EASE.get(inputs.risk_class, UNKNOWN_RISK_EASE),
            "closeness": closeness,
        },
        from_density,
    )


def rank_opportunities(groups: Iterable[GroupInputs], weights: Weights | None = None) -> list[Opportunity]:
    """Every group scored and ranked, best first (ties by group code, so the order is stable)."""
    weights = weights or Weights()
    groups = list(groups)
    if not groups:
        return []
    largest_imports = max(g.imports for g in groups)
    largest_demand = max(g.demand for g in groups)
    densities = [g.density for g in groups if g.density is not None]
    largest_density = max(densities) if densities else None
    weight_of = weights.as_dict()
    total_weight = sum(weight_of.values())
    scored = []
    for inputs in groups:
        components, from_density = components_of(
            inputs, largest_imports=largest_imports, largest_demand=largest_demand, largest_density=largest_density
        )
        score = 100 * sum(weight_of[name] * components[name] for name in COMPONENTS) / total_weight
        scored.append(
            Opportunity(
                inputs=inputs,
                components=components,
                score=round(score, 1),
                closeness_from_density=from_density,
                coverage=coverage_of(inputs),
            )
        )
    scored.sort(key=lambda o: (-o.score, o.group))
    return [
        Opportunity(
            inputs=o.inputs,
            components=o.components,
            score=o.score,
            closeness_from_density=o.closeness_from_density,
            rank=position,
            coverage=o.coverage,
        )
        for position, o in enumerate(scored, start=1)
    ]
