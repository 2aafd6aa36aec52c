"""Cell parsers: turn what people write in spreadsheets into Python values (pure functions, no ORM).

Each parser takes one cell value as a reader gives it (None, str, int, float, Decimal, bool, date or
datetime) and returns `Parsed(value, warnings)`, or raises `ParseError` with a message for the user.
An empty cell gives `Parsed(None)`: whether a value is required is the row form's business.

Numbers are read the French way and the English way: `1 234,50`, `1.234,50`, `1,234.50`, `1234.5`,
`12 %`, with ordinary, non-breaking or narrow non-breaking spaces. A lone comma is a decimal comma
(`2,5` is two and a half, as written in Morocco and France); a lone dot is a decimal point. Thousands
groups must have three digits, so `1.23.4` is refused rather than guessed.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from tawrid.core.text import fold


class ParseError(ValueError):
    """A cell that cannot be read as the column expects; `message` is for the user (translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Parsed:
    value: Any
    warnings: tuple[str, ...] = ()


# Text ------------------------------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u200b\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any) -> str:
    """Text as written, trimmed, with every run of spaces (non-breaking ones and line breaks too) made one
    space and control characters removed. Formulas stay text: the import never evaluates anything."""
    if value is None:
        return ""
    text = _cell_to_text(value)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _cell_to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))  # a reference typed as 12345 comes back from Excel as 12345.0
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ") if value.time() != datetime.time() else value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def parse_text(value: Any) -> Parsed:
    return Parsed(clean_text(value) or None)


def parse_multiline_text(value: Any) -> Parsed:
    """Like `parse_text` but keeps line breaks (descriptions, specifications)."""
    if value is None:
        return Parsed(None)
    lines = [_SPACES.sub(" ", _CONTROL.sub("", line)).strip() for line in _cell_to_text(value).splitlines()]
    text = "\n".join(lines).strip()
    return Parsed(text or None)


# Numbers ---------------------------------------------------------------------------------------------------

_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f\u2007']+")
_DIGITS = re.compile(r"^\d+$")
_CURRENCY = re.compile(
    r"(?:\bmad\b|\bdhs?\b|\bdirhams?\b|د\.?\s?م\.?|درهم)",
    re.IGNORECASE,
)
_FOREIGN_CURRENCY = re.compile(r"(?:€|\$|£|\beur(?:os?)?\b|\busd\b|\bgbp\b)", re.IGNORECASE)


def number_from_text(text: str) -> tuple[Decimal, bool]:
    """The number written in `text` and whether it was a percentage (`12 %` → (12, True)).

    Raises ParseError when the text is not one number written in a known way."""
    raw = text
    text = _NUMBER_SPACES.sub(" ", text).strip()
    percent = text.endswith("%")
    if percent:
        text = text[:-1].strip()
    negative = False
    if text[:1] in "+-−" and text:
        negative = text[0] != "+"
        text = text[1:].strip()
    elif text.startswith("(") and text.endswith(")"):  # accountants' negative numbers
        negative = True
        text = text[1:-1].strip()
    if not text or not re.fullmatch(r"[\d., ]+", text) or not any(c.isdigit() for c in text):
        raise ParseError(_("“%(value)s” is not a number.") % {"value": raw.strip()})
    integer, fraction = _split_number(text, raw)
    try:
        number = Decimal(f"{integer}.{fraction}" if fraction else integer)
    except InvalidOperation:
        raise ParseError(_("“%(value)s” is not a number.") % {"value": raw.strip()}) from None
    return (-number if negative else number), percent


def _split_number(text: str, raw: str) -> tuple[str, str]:
    """Integer digits and fraction digits of a number without sign, checking thousands groups."""
    not_a_number = ParseError(_("“%(value)s” is not a number.") % {"value": raw.strip()})
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        if text.count(decimal_sep) != 1:
            raise not_a_number
        head, fraction = text.split(decimal_sep)
        groups_sep: str | None = thousands
    elif commas > 1 or dots > 1:
        groups_sep = "," if commas else "."
        head, fraction = text, ""
    elif commas == 1 or dots == 1:
        decimal_sep = "," if commas else "."
        head, fraction = text.split(decimal_sep)
        groups_sep = None
    else:
        head, fraction, groups_sep = text, "", None
    if " " in fraction or (fraction and not _DIGITS.match(fraction)):
        raise not_a_number
    separators = [s for s in (groups_sep, " ") if s]
    groups = re.split("|".join(re.escape(s) for s in separators), head) if separators else [head]
    if len(groups) > 1 and (not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:])):
        raise not_a_number
    integer = "".join(groups)
    if not integer:
        integer = "0"  # ",5" and ".5"
        if not fraction:
            raise not_a_number
    if not _DIGITS.match(integer):
        raise not_a_number
    return integer, fraction


def _to_decimal(value: Any) -> tuple[Decimal | None, bool]:
    if value is None:
        return None, False
    if isinstance(value, bool):
        raise ParseError(_("“%(value)s” is not a number.") % {"value": _cell_to_text(value)})
    if isinstance(value, int):
        return Decimal(value), False
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ParseError(_("“%(value)s” is not a number.") % {"value": value})
        return Decimal(repr(value)), False
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ParseError(_("“%(value)s” is not a number.") % {"value": value})
        return value, False
    if isinstance(value, datetime.date):
        raise ParseError(_("A date was found where a number was expected."))
    text = clean_text(value)
    if not text:
        return None, False
    return number_from_text(text)


def parse_decimal(value: Any) -> Parsed:
    """Any number, negative ones included (`12 %` gives 12)."""
    number, _percent = _to_decimal(value)
    return Parsed(number)


def parse_quantity(value: Any) -> Parsed:
    """A quantity: a number that is not negative (`-5` and `beaucoup` are refused)."""
    try:
        number, percent = _to_decimal(value)
    except ParseError:
        raise ParseError(
            _("“%(value)s” is not a quantity: write a number, for example 1 200.") % {"value": clean_text(value)}
        ) from None
    if number is None:
        return Parsed(None)
    if percent:
        raise ParseError(_("A quantity cannot be a percentage."))
    if number < 0:
        raise ParseError(_("A quantity cannot be negative (%(value)s).") % {"value": clean_text(value)})
    return Parsed(number)


def parse_integer(value: Any) -> Parsed:
    """A whole number that is not negative (a count, a number of units per box, a lead time in days)."""
    parsed = parse_quantity(value)
    if parsed.value is None:
        return parsed
    if parsed.value != parsed.value.to_integral_value():
        raise ParseError(_("“%(value)s” is not a whole number.") % {"value": clean_text(value)})
    return Parsed(int(parsed.value))


def parse_percent(value: Any) -> Parsed:
    """A share in percent, 0 to 100: `12 %`, `12`, `12,5 %`; a spreadsheet's 0.12 shown as 12 % is read
    as 12 when the cell holds a fraction (a number between 0 and 1 exclusive that is not a whole one)."""
    number, percent = _to_decimal(value)
    if number is None:
        return Parsed(None)
    if not percent and not isinstance(value, str) and 0 < number < 1:
        number = number * 100
    if number < 0 or number > 100:
        raise ParseError(_("A percentage must be between 0 and 100 (%(value)s).") % {"value": clean_text(value)})
    return Parsed(number.normalize() if number == number.to_integral_value() else number)


def parse_price(value: Any) -> Parsed:
    """A price in dirhams (MAD). A currency sign (`MAD`, `DH`, `Dhs`, `د.م.`) is removed with a warning; a
    foreign currency or a negative price is refused."""
    warnings: tuple[str, ...] = ()
    if isinstance(value, str):
        text = clean_text(value)
        if _FOREIGN_CURRENCY.search(text):
            raise ParseError(_("Prices are in dirhams (MAD): “%(value)s” is in another currency.") % {"value": text})
        stripped = _CURRENCY.sub(" ", text).strip()
        if stripped != text:
            warnings = (_("The currency sign was removed from “%(value)s”.") % {"value": text},)
        value = stripped
    try:
        number, percent = _to_decimal(value)
    except ParseError:
        raise ParseError(
            _("“%(value)s” is not a price: write an amount in dirhams, for example 1 234,50.")
            % {"value": clean_text(value)}
        ) from None
    if number is None:
        return Parsed(None, warnings)
    if percent:
        raise ParseError(_("A price cannot be a percentage."))
    if number < 0:
        raise ParseError(_("A price cannot be negative (%(value)s).") % {"value": clean_text(value)})
    return Parsed(number, warnings)


# Dates -----------------------------------------------------------------------------------------------------

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 is 1900-01-01 once Excel's 29 February 1900 is skipped
MAX_EXCEL_SERIAL = 2958465  # 9999-12-31

_FRENCH_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fev": 2,
    "fevr": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_WORDS = re.compile(r"^(\d{1,2})(?:er)? ([a-z]+)\.? (\d{4})$")


def excel_serial_to_date(serial: float) -> datetime.date:
    """The date of an Excel serial number (1900 date system, as in every workbook made on Windows)."""
    if not 1 <= serial <= MAX_EXCEL_SERIAL:
        raise ParseError(_("%(value)s is not a date.") % {"value": _cell_to_text(serial)})
    whole = int(serial)
    if whole < 61:
        whole += 1  # before Excel's phantom 29 February 1900
    return EXCEL_EPOCH + datetime.timedelta(days=whole)


def _date(year: int, month: int, day: int, raw: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ParseError(_("“%(value)s” is not a valid date.") % {"value": raw}) from None


def parse_date(value: Any) -> Parsed:
    """A date: a date cell, an Excel serial number, `31/12/2026`, `31-12-26`, `2026-12-31`, `31 décembre 2026`.

    Day comes before month (`03/04/2026` is 3 April); a date that can only be month-first (`12/31/2026`)
    is read so with a warning."""
    if value is None:
        return Parsed(None)
    if isinstance(value, datetime.datetime):
        return Parsed(value.date())
    if isinstance(value, datetime.date):
        return Parsed(value)
    if isinstance(value, bool):
        raise ParseError(_("“%(value)s” is not a date.") % {"value": _cell_to_text(value)})
    if isinstance(value, int | float | Decimal):
        return Parsed(excel_serial_to_date(float(value)))
    raw = clean_text(value)
    if not raw:
        return Parsed(None)
    if match := _ISO.match(raw):
        year, month, day = (int(g) for g in match.groups())
        return Parsed(_date(year, month, day, raw))
    if match := _DMY.match(raw):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if year < 70 else 1900
        if month > 12 and day <= 12:
            return Parsed(
                _date(year, day, month, raw),
                (_("“%(value)s” was read as month/day/year.") % {"value": raw},),
            )
        return Parsed(_date(year, month, day, raw))
    if match := _WORDS.match(fold(raw)):
        month_number = _FRENCH_MONTHS.get(match.group(2))
        if month_number:
            return Parsed(_date(int(match.group(3)), month_number, int(match.group(1)), raw))
    raise ParseError(_("“%(value)s” is not a date: write it as 31/12/2026.") % {"value": raw})


# Booleans --------------------------------------------------------------------------------------------------

TRUE_WORDS = frozenset({"oui", "o", "x", "yes", "y", "1", "true", "vrai", "v", "✓", "✔", "نعم", "ok"})
FALSE_WORDS = frozenset({"non", "n", "no", "0", "false", "faux", "f", "لا", "-"})


def parse_bool(value: Any) -> Parsed:
    """Yes or no: oui/non, x (ticked), yes/no, 1/0, vrai/faux, نعم/لا. An empty cell gives None."""
    if value is None:
        return Parsed(None)
    if isinstance(value, bool):
        return Parsed(value)
    if isinstance(value, int | float | Decimal) and value in (0, 1):
        return Parsed(bool(value))
    word = fold(clean_text(value))
    if not word:
        return Parsed(None)
    if word in TRUE_WORDS:
        return Parsed(True)
    if word in FALSE_WORDS:
        return Parsed(False)
    raise ParseError(_("“%(value)s” is neither yes nor no: write oui or non.") % {"value": clean_text(value)})
