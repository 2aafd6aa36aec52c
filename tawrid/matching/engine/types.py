"""The engine's inputs and outputs: plain frozen dataclasses (and numpy arrays), no Django models.

Services build these from the database through selectors; the command line builds them from CSV files; the
benchmark builds them from the evaluation data. Ids are opaque to the engine (database ids or CSV ids)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tawrid.specs import FitResult, SpecValue

Id = int | str


@dataclass(frozen=True, slots=True)
class VariantDoc:
    """One orderable variant of a product with its typed specifications (canonical units)."""

    id: Id
    label: str = ""
    specifications: tuple[SpecValue, ...] = ()
    capacity_per_year: float | None = None  # base units; None: the product's capacity applies
    unit_price: float | None = None  # MAD per base unit; None: the product's price applies


@dataclass(frozen=True, slots=True)
class ProductDoc:
    """A catalogue product as the engine sees it. `texts` holds whatever text the manufacturer wrote, in any
    language (names and descriptions in French, English, Arabic); `emdn`/`cpv` are codes or ""."""

    id: Id
    texts: tuple[str, ...]
    manufacturer_id: Id = ""
    manufacturer: str = ""
    emdn: str = ""
    cpv: str = ""
    variants: tuple[VariantDoc, ...] = ()
    specifications: tuple[SpecValue, ...] = ()  # product-level (sterile, single use, latex free…)
    eligible: bool = True
    missing: tuple[str, ...] = ()  # what stands between the product and eligibility (translated reasons)
    unit_price: float | None = None  # MAD per base unit
    lead_time_days: int | None = None
    capacity_per_year: float | None = None  # base units

    @property
    def text(self) -> str:
        return " ".join(t for t in self.texts if t)

    def price_of(self, variant_id: Id | None) -> float | None:
        """What one of its variants costs: the variant's own price when it has one, else the product's."""
        for variant in self.variants:
            if variant.id == variant_id and variant.unit_price is not None:
                return variant.unit_price
        return self.unit_price


@dataclass(frozen=True, slots=True)
class DemandLine:
    """A plan line: the designation as written (plus specification text), the attributes read from it or
    corrected by the buyer, the code when known, the quantity in base units and the estimated unit price."""

    id: Id
    text: str
    attributes: tuple[SpecValue, ...] = ()
    emdn: str = ""
    cpv: str = ""
    quantity: float = 0.0  # base units
    unit_price: float | None = None  # MAD per base unit


@dataclass(frozen=True, slots=True)
class CodeSuggestion:
    code: str
    score: float


class Verdict(StrEnum):
    """How a candidate stands, from the buyer's point of view."""

    GOOD = "good"  # eligible, no specification conflict
    CONFLICT = "conflict"  # at least one specification conflicts
    NOT_ELIGIBLE = "not_eligible"  # could become eligible: see ProductDoc.missing


@dataclass(frozen=True, slots=True)
class Explanation:
    """What a buyer reads in one glance: the words in common, the code relation, each specification's fit,
    the certificate status."""

    matched_words: tuple[str, ...] = ()
    code_relation: str = ""  # "same_code", "same_type", "same_group", "different", "" (unknown): see retrieve
    fits: tuple[FitResult, ...] = ()
    eligible: bool = True
    missing: tuple[str, ...] = ()

    def summary(self) -> str:
        parts = []
        if self.matched_words:
            parts.append("words: " + ", ".join(self.matched_words))
        if self.code_relation:
            parts.append(self.code_relation)
        parts.extend(f.explanation for f in self.fits)
        parts.append("eligible" if self.eligible else "not eligible: " + "; ".join(self.missing))
        return " | ".join(parts)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One (line, product variant) proposal with its calibrated score in [0, 1] and the parts behind it."""

    line_id: Id
    product_id: Id
    variant_id: Id | None
    score: float
    verdict: Verdict
    lexical: float = 0.0
    dense: float = 0.0
    code: float = 0.0
    specification: float = 0.0
    explanation: Explanation = field(default_factory=Explanation)
