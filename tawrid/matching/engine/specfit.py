"""How well a product, through its best variant, meets the specifications a demand line asks for.

A variant offers the product-level specifications (sterile, latex-free…) overlaid by its own (gauge,
length…). Each asked attribute is compared (`tawrid.specs.compare`) with the offered value of the same
attribute or, failing that, with a comparable one (a gauge with an outer diameter or a Charrière size, a
length with a needle length); nothing comparable is UNKNOWN. The variant chosen is the one with the fewest
conflicts, then the most exact fits, the most compatible fits, the fewest unknowns, then the first listed.

Speed: the function runs for ~100 candidates × 50,000 lines. `compare()` builds a translated explanation
(~10-15 µs a call), so the variants are ranked on the bare `Fit`, cached per (asked, offered) value pair,
and full `FitResult`s (with explanation, cached per language and displayed unit) are built for the chosen
variant only. Each product's offered maps are cached by identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import translation

from tawrid.specs import Fit, FitResult, SpecValue, compare

from .types import Id, ProductDoc

# Points of each fit in the score; UNKNOWN (not stated) is neutral.
POINTS: dict[Fit, float] = {Fit.EXACT: 1.0, Fit.COMPATIBLE: 0.8, Fit.UNKNOWN: 0.5, Fit.CONFLICT: 0.0}
# Each conflict multiplies the score by this: one conflicting size is enough to push a product down.
CONFLICT_FACTOR = 0.25
NEUTRAL = 0.5  # the score when nothing is asked

# Attributes measuring the same thing under another name, in order of preference (see compare._compare_across).
COMPARABLE: dict[str, tuple[str, ...]] = {
    "gauge": ("outer_diameter", "french_size"),
    "outer_diameter": ("gauge", "french_size"),
    "french_size": ("outer_diameter", "gauge"),
    "length": ("needle_length",),
    "needle_length": ("length",),
}

_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class VariantFit:
    variant_id: Id | None  # the best variant for the asked attributes (None when the product has no variants)
    fits: tuple[FitResult, ...]  # one per asked attribute, in the asked order
    score: float  # 0..1: 1 all exact; unknown/not stated neutral (0.5); conflicts pull it down hard
    conflicts: int


def score_of(fits: Sequence[FitResult] | Sequence[Fit]) -> float:
    """0..1: the mean of the fits' points (exact 1, compatible 0.8, unknown 0.5, conflict 0) times
    `CONFLICT_FACTOR` per conflict; 0.5 (neutral) when nothing is asked."""
    if not fits:
        return NEUTRAL
    kinds = [f if isinstance(f, Fit) else f.fit for f in fits]
    return _score(kinds)


def _score(kinds: Sequence[Fit]) -> float:
    if not kinds:
        return NEUTRAL
    conflicts = 0
    total = 0.0
    for kind in kinds:
        total += POINTS[kind]
        if kind is Fit.CONFLICT:
            conflicts += 1
    return (total / len(kinds)) * (CONFLICT_FACTOR**conflicts)


# --- caches ----------------------------------------------------------------------------------------------------

_fit_cache: dict[tuple[object, ...], Fit] = {}
_result_cache: dict[tuple[object, ...], tuple[Fit, str]] = {}
_offered_cache: dict[int, tuple[ProductDoc, tuple[tuple[Id | None, dict[str, SpecValue]], ...]]] = {}


def clear_caches() -> None:
    _fit_cache.clear()
    _result_cache.clear()
    _offered_cache.clear()


def _fit(asked: SpecValue, offered: SpecValue | None) -> Fit:
    """compare(asked, offered).fit, cached on the values that decide it (attribute and value)."""
    if offered is None:
        return Fit.UNKNOWN
    key = (asked.attribute, asked.value, offered.attribute, offered.value)
    try:
        return _fit_cache[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable value (not produced by the parsers): no cache
        return compare(asked, offered).fit
    if len(_fit_cache) >= _CACHE_LIMIT:
        _fit_cache.clear()
    fit = _fit_cache[key] = compare(asked, offered).fit
    return fit


def _result(asked: SpecValue, offered: SpecValue | None, language: str) -> FitResult:
    """compare(asked, offered) with its explanation, cached per language and displayed units."""
    key: tuple[object, ...] = (language, asked.attribute, asked.value, asked.entered_unit)
    if offered is not None:
        key += (offered.attribute, offered.value, offered.entered_unit)
    try:
        fit, explanation = _result_cache[key]
    except KeyError:
        result = compare(asked, offered)
        if len(_result_cache) >= _CACHE_LIMIT:
            _result_cache.clear()
        _result_cache[key] = (result.fit, result.explanation)
        return result
    except TypeError:
        return compare(asked, offered)
    return FitResult(fit, explanation, asked, offered)


def offered_maps(product: ProductDoc) -> tuple[tuple[Id | None, dict[str, SpecValue]], ...]:
    """(variant id, attribute → offered value) per variant, product-level values overlaid by the variant's;
    one entry with id None when the product has no variants. Cached per product object."""
    entry = _offered_cache.get(id(product))
    if entry is not None and entry[0] is product:
        return entry[1]
    base = {value.attribute: value for value in product.specifications}
    maps: tuple[tuple[Id | None, dict[str, SpecValue]], ...]
    if product.variants:
        maps = tuple((v.id, base | {value.attribute: value for value in v.specifications}) for v in product.variants)
    else:
        maps = ((None, base),)
    if len(_offered_cache) >= _CACHE_LIMIT:
        _offered_cache.clear()
    _offered_cache[id(product)] = (product, maps)
    return maps


def _offered(attribute: str, offered: dict[str, SpecValue]) -> SpecValue | None:
    value = offered.get(attribute)
    if value is not None:
        return value
    for other in COMPARABLE.get(attribute, ()):
        value = offered.get(other)
        if value is not None:
            return value
    return None


def variant_fit(attributes: Sequence[SpecValue], product: ProductDoc) -> VariantFit:
    """The product's best variant for the asked attributes, with one FitResult per attribute (asked order)."""
    maps = offered_maps(product)
    best_index = 0
    best_kinds: list[Fit] = []
    if attributes:
        best_key: tuple[int, int, int, int] | None = None
        for index, (_, offered) in enumerate(maps):
            kinds = [_fit(asked, _offered(asked.attribute, offered)) for asked in attributes]
            conflicts = exact = compatible = unknown = 0
            for kind in kinds:
                if kind is Fit.EXACT:
                    exact += 1
                elif kind is Fit.COMPATIBLE:
                    compatible += 1
                elif kind is Fit.CONFLICT:
                    conflicts += 1
                else:
                    unknown += 1
            key = (conflicts, -exact, -compatible, unknown)
            if best_key is None or key < best_key:
                best_key, best_index, best_kinds = key, index, kinds
                if conflicts == 0 and unknown == 0 and compatible == 0:
                    break  # all exact: nothing can beat it
    variant_id, offered = maps[best_index]
    language = (translation.get_language() or "fr").split("-")[0] if attributes else ""
    fits = tuple(_result(asked, _offered(asked.attribute, offered), language) for asked in attributes)
    return VariantFit(
        variant_id=variant_id,
        fits=fits,
        score=_score(best_kinds),
        conflicts=sum(1 for kind in best_kinds if kind is Fit.CONFLICT),
    )
