"""Typed product specifications with units (UN/CEFACT Rec 20 codes, converted with pint).

Shared by the catalogue (a variant's specifications), the demand importer (attributes read from a plan
line's designation) and the matching engine (asked versus offered). Pure code, no models.

    >>> v = parse_value("outer_diameter", "0,8 mm")
    >>> v.value, v.unit, v.display
    (0.8, 'MMT', '0,8 mm')
"""

from .attributes import (
    ATTRIBUTES,
    GAUGE_OUTER_DIAMETER_MM,
    AttributeDef,
    AttributeKind,
    Choice,
    Tolerance,
    french_to_mm,
    gauge_nominal_diameter,
    gauge_outer_diameter,
)
from .compare import Fit, FitResult, compare
from .designation import parse_designation
from .units import UNITS, parse_number, unit_code
from .values import SpecError, SpecValue, format_value, parse_value, unit_choices

__all__ = [
    "ATTRIBUTES",
    "GAUGE_OUTER_DIAMETER_MM",
    "UNITS",
    "AttributeDef",
    "AttributeKind",
    "Choice",
    "Fit",
    "FitResult",
    "SpecError",
    "SpecValue",
    "Tolerance",
    "compare",
    "format_value",
    "french_to_mm",
    "gauge_nominal_diameter",
    "gauge_outer_diameter",
    "parse_designation",
    "parse_number",
    "parse_value",
    "unit_choices",
    "unit_code",
]
