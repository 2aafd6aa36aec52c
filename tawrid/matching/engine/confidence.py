"""The code the engine is confident enough to apply to a line, from the classifier's distribution (pure, no Django).

The classifier gives a probability to every code of the nomenclature (they sum to 1). A code's *subtree mass*
is its own probability plus its descendants': the probability that the line is that code or something under
it. Going down the tree the mass can only shrink, so "the deepest code whose mass reaches the threshold" is
the most precise code the engine is sure of at that level of confidence: two neighbouring needles of the same
family give their family (T0101, 0.8) when neither alone passes (0.45 each). A line whose mass never
reaches the threshold at group level (A01, three characters) or deeper gets no code: a category alone
(A, 26 of them) says too little to count demand or to make lots.

With a threshold above 0.5 the codes that pass form one chain from the category down (two siblings cannot
both hold more than half of the mass), so the answer does not depend on ties.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

# Chosen on the development data (folds by manufacturer, `tawrid.matching.benchmarks.confidence`;
# docs/matching.md "Codes applied by the engine").
THRESHOLD = 0.5
GROUP_LEVEL = 2  # A = 1, A01 = 2, A0101 = 3…
# The deepest level applied. Measured: codes the engine is sure of below the group are mostly wrong (level 4 at
# mass ≥ 0.5: 0 of 105 right on the French split, 0 of 24 on the English one; level 3: 12 % and 28 %), while
# groups are right 46 % and 67 % of the time (67 % and 72 % once capped: docs/matching.md).
MAX_LEVEL = GROUP_LEVEL


@dataclass(frozen=True, slots=True)
class ConfidentCode:
    code: str
    mass: float  # the subtree probability mass in [0, 1]
    level: int


def emdn_level(code: str) -> int:
    """A → 1, A01 → 2, A0101 → 3 (a category letter, then two digits per level)."""
    return 1 if len(code) <= 1 else (len(code) + 1) // 2


def subtree_masses(probabilities: Mapping[str, float], parents: Mapping[str, str]) -> dict[str, float]:
    """Each code's probability plus its descendants', for the codes of `probabilities` and their ancestors
    (through `parents`: a code whose parent is not in the map is a root)."""
    masses: dict[str, float] = {}
    for code, probability in probabilities.items():
        if probability <= 0:
            continue
        seen: set[str] = set()
        node: str | None = code
        while node is not None and node not in seen:
            seen.add(node)
            masses[node] = masses.get(node, 0.0) + float(probability)
            node = parents.get(node)
    return masses


def confident_code(
    probabilities: Mapping[str, float],
    parents: Mapping[str, str],
    *,
    threshold: float = THRESHOLD,
    known: Collection[str] | None = None,
    min_level: int = GROUP_LEVEL,
    max_level: int | None = None,
) -> ConfidentCode | None:
    """The deepest code (of `known`, the nomenclature's codes, when given) between `min_level` and `max_level`
    (None: no limit) whose subtree mass reaches `threshold`; the larger mass among equally deep ones; None when
    there is none."""
    best: ConfidentCode | None = None
    for code, mass in subtree_masses(probabilities, parents).items():
        level = emdn_level(code)
        too_deep = max_level is not None and level > max_level
        if mass + 1e-12 < threshold or level < min_level or too_deep or (known is not None and code not in known):
            continue
        if best is None or (level, mass, best.code) > (best.level, best.mass, code):
            best = ConfidentCode(code, mass, level)
    return best
