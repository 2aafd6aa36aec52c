"""Comparing an asked specification with an offered one: exact, compatible, conflict or unknown."""

import enum
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from tawrid.core.text import fold

from .attributes import ATTRIBUTES, AttributeKind, Tolerance, french_to_mm, gauge_outer_diameter
from .values import SpecValue, format_value


class Fit(enum.StrEnum):
    EXACT = "exact"
    COMPATIBLE = "compatible"
    CONFLICT = "conflict"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class FitResult:
    fit: Fit
    explanation: str
    asked: SpecValue
    offered: SpecValue | None

    @property
    def attribute(self) -> str:
        return self.asked.attribute


def _language() -> str:
    return (translation.get_language() or "fr").split("-")[0]


def _explain(fit: Fit, asked: SpecValue, offered: SpecValue) -> str:
    language = _language()
    names = {"asked": format_value(asked, language), "offered": format_value(offered, language)}
    if fit is Fit.EXACT:
        return _("%(asked)s asked, %(offered)s offered: exact fit") % names
    if fit is Fit.COMPATIBLE:
        return _("%(asked)s asked, %(offered)s offered: within tolerance") % names
    if fit is Fit.CONFLICT:
        return _("%(asked)s asked, %(offered)s offered") % names
    return _("%(asked)s asked, %(offered)s offered: cannot be compared") % names


def _result(fit: Fit, asked: SpecValue, offered: SpecValue) -> FitResult:
    return FitResult(fit, _explain(fit, asked, offered), asked, offered)


# Attributes that measure the same thing under two names: compare them in the canonical unit.
_SAME_QUANTITY = {frozenset({"length", "needle_length"})}


def compare(asked: SpecValue, offered: SpecValue | None) -> FitResult:
    """How well `offered` (a product's specification) meets `asked` (the buyer's). Unit-aware: both values
    are already in the attribute's canonical unit. Gauge and Charrière sizes are also compared with an
    outer diameter (ISO 9626 table; 1 Ch = 1/3 mm). `offered=None` (the product does not state it) is
    UNKNOWN."""
    if offered is None:
        names = {"asked": format_value(asked, _language())}
        return FitResult(Fit.UNKNOWN, _("%(asked)s asked, not stated for the product") % names, asked, None)
    a_def, o_def = ATTRIBUTES.get(asked.attribute), ATTRIBUTES.get(offered.attribute)
    if a_def is None or o_def is None:
        return _result(Fit.UNKNOWN, asked, offered)
    if asked.attribute != offered.attribute:
        return _compare_across(asked, offered)
    kind = a_def.kind
    if kind is AttributeKind.QUANTITY:
        a, o = float(asked.value), float(offered.value)
        return _result(_quantity_fit(a, o, a_def.tolerance), asked, offered)
    if kind is AttributeKind.BOOLEAN:
        if asked.value == offered.value:
            return _result(Fit.EXACT, asked, offered)
        if a_def.true_covers_false and offered.value is True:
            return _result(Fit.COMPATIBLE, asked, offered)
        return _result(Fit.CONFLICT, asked, offered)
    if kind is AttributeKind.TEXT:
        same = fold(str(asked.value)) == fold(str(offered.value))
        return _result(Fit.EXACT if same else Fit.CONFLICT, asked, offered)
    return _result(Fit.EXACT if asked.value == offered.value else Fit.CONFLICT, asked, offered)


def _quantity_fit(a: float, o: float, tolerance: Tolerance) -> Fit:
    if abs(a - o) <= 1e-9 * max(1.0, abs(a), abs(o)):
        return Fit.EXACT
    if tolerance.allows(a, o):
        return Fit.COMPATIBLE
    return Fit.CONFLICT


def _diameter_span(value: SpecValue) -> tuple[float, float] | None:
    """The outer diameter (mm) a value stands for, as a range."""
    number = float(value.value)
    if value.attribute == "outer_diameter":
        return number, number
    if value.attribute == "gauge":
        return gauge_outer_diameter(number)
    if value.attribute == "french_size":
        mm = french_to_mm(number)
        return mm, mm
    return None


def _compare_across(asked: SpecValue, offered: SpecValue) -> FitResult:
    pair = frozenset({asked.attribute, offered.attribute})
    if pair in _SAME_QUANTITY:
        tolerance = ATTRIBUTES[asked.attribute].tolerance
        return _result(_quantity_fit(float(asked.value), float(offered.value), tolerance), asked, offered)
    if pair <= {"outer_diameter", "gauge", "french_size"}:
        a_span, o_span = _diameter_span(asked), _diameter_span(offered)
        if a_span is None or o_span is None:
            return _result(Fit.UNKNOWN, asked, offered)
        # Different scales never say exactly the same thing: at best the ranges overlap (with the diameter
        # tolerance on the side given in mm).
        slack = ATTRIBUTES["outer_diameter"].tolerance.relative * max(a_span[1], o_span[1])
        overlap = a_span[0] <= o_span[1] + slack + 1e-9 and o_span[0] <= a_span[1] + slack + 1e-9
        return _result(Fit.COMPATIBLE if overlap else Fit.CONFLICT, asked, offered)
    return _result(Fit.UNKNOWN, asked, offered)
