"""Units: UN/CEFACT Recommendation 20 codes mapped to pint units, and a French/English number parser.

One module-level pint `UnitRegistry` does the dimensional analysis; conversion factors between two codes
are computed by pint once and cached (every unit used here is multiplicative), so converting in a loop of
50,000 designations costs a dictionary look-up, not a pint expression evaluation.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import pint

UREG = pint.UnitRegistry()


@dataclass(frozen=True, slots=True)
class UnitDef:
    code: str  # UN/CEFACT Rec 20 common code
    symbol: str  # how it is shown (French and English alike)
    pint_unit: str  # expression pint understands
    aliases: tuple[str, ...] = ()  # other spellings users type (matched case-insensitively unless listed in _CASED)


UNITS: dict[str, UnitDef] = {
    u.code: u
    for u in (
        # length
        UnitDef("4H", "µm", "micrometer", ("um", "µ", "micron", "microns", "micrometre", "micromètre")),
        UnitDef("MMT", "mm", "millimeter", ("millimetre", "millimètre", "millimetres", "millimètres")),
        UnitDef("CMT", "cm", "centimeter", ("centimetre", "centimètre", "centimetres", "centimètres")),
        UnitDef("DMT", "dm", "decimeter", ("decimetre", "décimètre")),
        UnitDef("MTR", "m", "meter", ("metre", "mètre", "metres", "mètres", "mt", "mtr")),
        UnitDef("INH", "in", "inch", ("inch", "inches", "pouce", "pouces", '"', "″")),
        # volume
        UnitDef("4G", "µl", "microliter", ("ul", "µL", "microlitre")),
        UnitDef("MLT", "ml", "milliliter", ("mL", "cc", "cm3", "cm³", "millilitre", "millilitres")),
        UnitDef("CLT", "cl", "centiliter", ("cL", "centilitre")),
        UnitDef("DLT", "dl", "deciliter", ("dL", "décilitre", "decilitre")),
        UnitDef("LTR", "l", "liter", ("L", "lt", "litre", "litres", "liter", "liters", "dm3", "dm³")),
        UnitDef("MTQ", "m³", "meter ** 3", ("m3",)),
        # mass
        UnitDef("MC", "µg", "microgram", ("ug", "mcg", "microgramme")),
        UnitDef("MGM", "mg", "milligram", ("milligramme", "milligrammes")),
        UnitDef("GRM", "g", "gram", ("gr", "grs", "gramme", "grammes", "gram", "grams")),
        UnitDef("KGM", "kg", "kilogram", ("kilo", "kilos", "kilogramme", "kilogrammes")),
    )
}

# Symbol or alias (case-folded) → code. Rec 20 codes themselves are accepted in any case.
_LOOKUP: dict[str, str] = {}
for _unit in UNITS.values():
    for _name in (_unit.code, _unit.symbol, *_unit.aliases):
        _LOOKUP.setdefault(_name.casefold(), _unit.code)
_LOOKUP["μm"] = "4H"  # Greek mu (U+03BC) as well as the micro sign (U+00B5)
_LOOKUP["μl"] = "4G"
_LOOKUP["μg"] = "MC"


def unit_code(text: str) -> str | None:
    """The Rec 20 code for a code, symbol or common spelling (`"MMT"`, `"mm"`, `"cc"`, `"µm"`), or None."""
    key = text.strip().rstrip(".").casefold()
    return _LOOKUP.get(key)


def dimensionality(code: str) -> str:
    """pint's dimensionality of a unit code, as a string such as `"[length]"` or `"[length] ** 3"`."""
    return str(UREG.Unit(UNITS[code].pint_unit).dimensionality)


@lru_cache(maxsize=512)
def normalise_dimension(dimension: str) -> str:
    """`"[volume]"` and `"[length]**3"` name the same thing: return pint's spelling."""
    if dimension == "[volume]":
        dimension = "[length] ** 3"
    return str(UREG.get_dimensionality(dimension))


@lru_cache(maxsize=512)
def factor(from_code: str, to_code: str) -> float:
    """Multiply a magnitude in `from_code` by this to get it in `to_code` (pint does the work, once)."""
    return float(UREG.Quantity(1.0, UNITS[from_code].pint_unit).to(UNITS[to_code].pint_unit).magnitude)


def convert(value: float, from_code: str, to_code: str) -> float:
    if from_code == to_code:
        return value
    return clean_float(value * factor(from_code, to_code))


def clean_float(value: float) -> float:
    """Drop binary noise from conversions (2.5 cm → 25.000000000000004 mm → 25.0)."""
    return float(f"{value:.12g}")


# --- numbers -------------------------------------------------------------------------------------------------

_SPACES = "\u00a0\u202f\u2009 '’"  # thousands separators: spaces (incl. no-break and narrow), apostrophes
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*(?:[.,]\d*)?|[.,]\d+)")
_FRACTION = re.compile(r"^(?:(\d+)\s+)?(\d+)\s*/\s*(\d+)$")


def parse_number(text: str) -> float:
    """Parse a number written the French or the English way; raise ValueError when it is not one.

    `0,8` and `0.8`; `1 234,50`, `1.234,50`, `1,234.50`, `1234.5`; `1 234` (space-grouped thousands);
    `1.234.567`; fractions `8/10` and mixed numbers `1 1/2` (inches on needles). A single separator
    followed by exactly three digits (`1.234`, `1,234`) is read as a decimal: in specifications a
    decimal is far more likely than a thousands group without thousands (and French uses the comma).
    """
    s = text.strip()
    if not s:
        raise ValueError("empty")
    fraction = _FRACTION.match(s)
    if fraction:
        whole, num, den = fraction.groups()
        if int(den) == 0:
            raise ValueError("division by zero")
        return (int(whole) if whole else 0) + int(num) / int(den)
    sign = 1.0
    if s[0] in "+-":
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:].lstrip()
    # Space-like thousands separators are only accepted between groups of exactly three digits.
    if any(ch in s for ch in _SPACES):
        groups = re.split(f"[{_SPACES}]+", s)
        if not re.fullmatch(r"\d{1,3}", groups[0]) or not all(
            re.fullmatch(r"\d{3}(?:[.,]\d*)?", g) for g in groups[1:]
        ):
            raise ValueError(f"not a number: {text!r}")
        if any(re.search(r"[.,]", g) for g in groups[:-1]):
            raise ValueError(f"not a number: {text!r}")
        s = "".join(groups)
    if not re.fullmatch(r"(?:\d+(?:[.,]\d+)*(?:[.,]\d*)?|[.,]\d+)", s):
        raise ValueError(f"not a number: {text!r}")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        integer, _, frac = s.rpartition(decimal)
        if thousands in frac or not _grouped(integer, thousands):
            raise ValueError(f"not a number: {text!r}")
        s = integer.replace(thousands, "") + "." + frac
    elif dots > 1 or commas > 1:
        sep = "." if dots else ","
        if not _grouped(s, sep):
            raise ValueError(f"not a number: {text!r}")
        s = s.replace(sep, "")
    else:
        s = s.replace(",", ".")
    return sign * float(s)


def _grouped(integer: str, sep: str) -> bool:
    parts = integer.split(sep)
    return bool(re.fullmatch(r"\d{1,3}", parts[0])) and all(re.fullmatch(r"\d{3}", p) for p in parts[1:])


def format_number(value: float, decimal: str = ",", max_decimals: int = 3) -> str:
    """`0.8` → `0,8`; `25.0` → `25`; `1234.5` → `1234,5` (no thousands grouping: sizes stay readable)."""
    text = f"{value:.{max_decimals}f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", decimal)
