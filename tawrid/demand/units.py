"""Purchase units as hospitals write them, normalised to a number of base units.

A plan line is bought in a *purchase unit* (`U`, `B/100`, `BTE/50`, `FL/1L`, `RLX`, `PQT/10`, `CRT`…);
what is compared and added up across buyers is the quantity in *base units* (pieces, or the pack itself
when the unit says nothing about its content). `normalise_unit` is pure: it reads the unit, says which
packaging it is and how many base units one purchase unit holds.

    >>> normalise_unit("B/100")
    PurchaseUnit(raw='B/100', packaging='box', units_per_purchase_unit=Decimal('100'), content='')
    >>> normalise_unit("FL/1L").content
    '1 L'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import overload

from tawrid.core.text import fold

# Packaging words (folded) → packaging code.
PACKAGINGS: dict[str, str] = {
    "u": "unit",
    "un": "unit",
    "unite": "unit",
    "unites": "unit",
    "pce": "unit",
    "pc": "unit",
    "piece": "unit",
    "pieces": "unit",
    "nbre": "unit",
    "nb": "unit",
    "b": "box",
    "bt": "box",
    "bte": "box",
    "boite": "box",
    "boites": "box",
    "box": "box",
    "fl": "bottle",
    "flacon": "bottle",
    "flacons": "bottle",
    "rlx": "roll",
    "rl": "roll",
    "rouleau": "roll",
    "rouleaux": "roll",
    "pqt": "packet",
    "paquet": "packet",
    "paquets": "packet",
    "pq": "packet",
    "sachet": "sachet",
    "sach": "sachet",
    "crt": "carton",
    "carton": "carton",
    "cartons": "carton",
    "ctn": "carton",
    "kit": "kit",
    "jeu": "set",
    "set": "set",
    "paire": "pair",
    "paires": "pair",
    "pr": "pair",
    "bidon": "can",
    "bid": "can",
    "tube": "tube",
    "amp": "ampoule",
    "ampoule": "ampoule",
    "poche": "bag",
    "l": "litre",
    "litre": "litre",
    "kg": "kilogram",
    "m": "metre",
    "metre": "metre",
}

# A content written after the packaging that is a volume, a mass or a length, not a count.
_MEASURE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(ml|cl|l|g|kg|m|cm|mm)$")
_COUNT = re.compile(r"^(?:x\s*)?(\d{1,6})(?:\s*(?:u|un|pcs?|pieces?|unites?))?$")


@dataclass(frozen=True)
class PurchaseUnit:
    raw: str
    packaging: str  # a code of PACKAGINGS' values, or "" when the unit is not understood
    units_per_purchase_unit: Decimal  # base units in one purchase unit (1 when unknown)
    content: str = ""  # a measure the pack holds ("1 L", "500 ml"), when it is not a count

    @property
    def understood(self) -> bool:
        return bool(self.packaging)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def normalise_unit(raw: str | None) -> PurchaseUnit:
    """Read a purchase unit. Never raises: an unknown unit counts as one base unit per purchase unit."""
    text = (raw or "").strip()
    folded = fold(text).replace(" ", "") if text else ""
    if not folded:
        return PurchaseUnit(raw=text, packaging="unit", units_per_purchase_unit=Decimal(1))
    # "B/100", "BTE/50", "FL/1L", "PQT/10", "BOITE DE 100", "B100", "CRT"
    match = re.match(r"^([a-z]+)\.?(.*)$", folded)
    if match is None:
        return PurchaseUnit(raw=text, packaging="", units_per_purchase_unit=Decimal(1))
    word, rest = match.group(1), match.group(2)
    if word not in PACKAGINGS:  # "boitede100", "bx100": a joining word glued to the packaging
        for joint in ("de", "x"):
            if word.endswith(joint) and word[: -len(joint)] in PACKAGINGS:
                word = word[: -len(joint)]
                break
    rest = rest.lstrip("/-x.")
    packaging = PACKAGINGS.get(word, "")
    if not packaging:
        return PurchaseUnit(raw=text, packaging="", units_per_purchase_unit=Decimal(1))
    if not rest:
        return PurchaseUnit(raw=text, packaging=packaging, units_per_purchase_unit=Decimal(1))
    measure = _MEASURE.match(rest)
    if measure:
        number = _decimal(measure.group(1))
        if number is not None and number > 0:
            unit = {"l": "L"}.get(measure.group(2), measure.group(2))
            shown = format(number.normalize(), "f").replace(".", ",")
            return PurchaseUnit(
                raw=text, packaging=packaging, units_per_purchase_unit=Decimal(1), content=f"{shown} {unit}"
            )
    count = _COUNT.match(rest)
    if count:
        number = Decimal(count.group(1))
        if number > 0:
            return PurchaseUnit(raw=text, packaging=packaging, units_per_purchase_unit=number)
    return PurchaseUnit(raw=text, packaging="", units_per_purchase_unit=Decimal(1))


def base_quantity(quantity: Decimal, unit: PurchaseUnit) -> Decimal:
    return quantity * unit.units_per_purchase_unit


# Packagings measured rather than counted: a quantity of litres, kilograms or metres may have decimals.
MEASURED_PACKAGINGS = frozenset({"litre", "kilogram", "metre"})


def is_counted(unit: PurchaseUnit) -> bool:
    """Whether the purchase unit is counted (boxes, pieces, packs…), so its quantity must be a whole number.
    A unit Tawrid does not understand is not judged: its quantity keeps its decimals."""
    return unit.understood and unit.packaging not in MEASURED_PACKAGINGS


def is_fractional_count(quantity: Decimal, raw_unit: str | None) -> bool:
    """True when `quantity` has decimals although `raw_unit` is counted (e.g. 600.5 boxes "B/100")."""
    return quantity != quantity.to_integral_value() and is_counted(normalise_unit(raw_unit))


@overload
def plain_quantity(quantity: Decimal) -> Decimal: ...
@overload
def plain_quantity(quantity: None) -> None: ...
def plain_quantity(quantity: Decimal | None) -> Decimal | None:
    """The quantity without the zeros its 3 stored decimals add: 600.000 → 600, 1200.500 → 1200.5."""
    if quantity is None:
        return None
    if quantity == quantity.to_integral_value():
        return quantity.quantize(Decimal(1))
    return quantity.normalize()
