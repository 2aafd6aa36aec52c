"""Reading yearly trade-flow CSV files (UN Comtrade, CEPII BACI) and converting HS codes to HS 2022.

This module is pure: no ORM, no database, no network. It is the parsing layer under the trade-data import service.

Reading
-------
``open_trade_file(path)`` sniffs the encoding, the delimiter and the layout from the header and returns a
:class:`TradeFile`; ``TradeFile.rows()`` streams :class:`TradeRecord` (a valid bilateral flow) and :class:`TradeProblem`
(a line that cannot be used, with a message for people). Lines that are valid but must not be counted (aggregates,
re-exports, breakdowns…) are neither: they are counted in ``TradeFile.skipped`` by reason.

Decisions:

* World rows (Comtrade partner code 0 / ``W00``) are kept as records with the partner ``"WLD"``. They are totals:
  callers must not add them to the bilateral rows of the same file.
* Re-exports (RX, legacy flow 3) and re-imports (RM, legacy flow 4) are skipped and counted ("re-export",
  "re-import"); other Comtrade flows (domestic exports DX, processing flows…) overlap M/X and are skipped as
  "other-flow".
* Comtrade rows broken down by customs procedure, mode of transport or second partner are skipped ("breakdown"):
  only the totals (C00, 0, 0) are read, otherwise values would be counted twice.
* Comtrade partner areas that are not countries ("Bunkers", "Free zones", "Areas, nes"…) are skipped
  ("unspecified-partner"). Any other unknown country code is a problem.
* Aggregates (Comtrade ``aggrLevel`` below 6, ``TOTAL``, codes of 4 digits or fewer) are skipped ("aggregate").
  A 5-digit code is an HS6 code whose leading zero was lost (``90183`` would be ``090183``): it is padded.
* Monthly files are refused as a whole; a monthly line inside an annual file is a problem.

Converting
----------
:class:`HsConverter` chains the UN Comtrade correlation tables (HS 1992 → 1996 → … → 2022), see its docstring for how
values are shared when a code was split.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import pycountry
from charset_normalizer import from_bytes
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

__all__ = [
    "HS_REVISIONS",
    "LAYOUTS",
    "ConcordanceRow",
    "HsConverter",
    "Layout",
    "TradeFile",
    "TradeFileError",
    "TradeProblem",
    "TradeRecord",
    "country_alpha3",
    "open_trade_file",
    "read_concordance_csv",
    "revision_from_comtrade",
    "revision_from_filename",
]

HS_REVISIONS = ("HS1992", "HS1996", "HS2002", "HS2007", "HS2012", "HS2017", "HS2022")

MIN_YEAR = 1988
MAX_YEAR = 2100

WORLD = "WLD"


class TradeFileError(Exception):
    """The whole file is refused (unknown layout, monthly data, unreadable encoding, empty file, no rows)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Layout:
    """A file layout. ``label`` is English, marked for translation: show it with ``gettext(layout.label)``."""

    key: str
    label: str
    source: str
    hs_revision: str | None


@dataclass(frozen=True)
class TradeRecord:
    line: int
    year: int
    exporter: str
    importer: str
    reported_by: str
    hs_revision: str
    hs6_original: str
    value_usd: Decimal
    quantity: Decimal | None
    quantity_unit: str


@dataclass(frozen=True)
class TradeProblem:
    line: int
    column: str
    value: str
    message: str


COMTRADE = Layout("comtrade", gettext_noop("UN Comtrade (CSV)"), "comtrade", None)
COMTRADE_LEGACY = Layout("comtrade_legacy", gettext_noop("UN Comtrade, legacy layout (CSV)"), "comtrade", None)
BACI = Layout("baci", gettext_noop("CEPII BACI (CSV)"), "baci", None)
LAYOUTS = (COMTRADE, COMTRADE_LEGACY, BACI)

# Column names per Comtrade layout, by role. Matching is case-insensitive.
_COMTRADE_COLUMNS: dict[str, str] = {
    "freq": "freqCode",
    "year": "refYear",
    "period": "period",
    "flow": "flowCode",
    "classification": "classificationCode",
    "aggregate_level": "aggrLevel",
    "code": "cmdCode",
    "reporter_code": "reporterCode",
    "reporter_iso": "reporterISO",
    "partner_code": "partnerCode",
    "partner_iso": "partnerISO",
    "partner2_code": "partner2Code",
    "customs_code": "customsCode",
    "transport_code": "motCode",
    "value": "primaryValue",
    "qty": "qty",
    "qty_unit": "qtyUnitAbbr",
}
_LEGACY_COLUMNS: dict[str, str] = {
    "year": "Year",
    "period": "Period",
    "flow": "Trade Flow Code",
    "classification": "Classification",
    "aggregate_level": "Aggregate Level",
    "code": "Commodity Code",
    "reporter_code": "Reporter Code",
    "reporter_iso": "Reporter ISO",
    "partner_code": "Partner Code",
    "partner_iso": "Partner ISO",
    "partner2_code": "2nd Partner Code",
    "customs_code": "Customs Proc. Code",
    "transport_code": "Mode of Transport Code",
    "value": "Trade Value (US$)",
    "qty": "Qty",
    "qty_unit": "Qty Unit",
}
_BACI_COLUMNS: dict[str, str] = {"year": "t", "exporter": "i", "importer": "j", "code": "k", "value": "v", "qty": "q"}

_REQUIRED_ROLES: dict[str, tuple[str, ...]] = {
    "comtrade": ("year", "flow", "classification", "code", "reporter_code", "partner_code", "value"),
    "comtrade_legacy": ("year", "flow", "classification", "code", "reporter_code", "partner_code", "value"),
    "baci": ("year", "exporter", "importer", "code", "value", "qty"),
}
_COLUMNS_BY_LAYOUT: dict[str, dict[str, str]] = {
    "comtrade": _COMTRADE_COLUMNS,
    "comtrade_legacy": _LEGACY_COLUMNS,
    "baci": _BACI_COLUMNS,
}

_LEGACY_FLOWS = {"1": "M", "2": "X", "3": "RX", "4": "RM"}
_SKIPPED_FLOWS = {"RX": "re-export", "RM": "re-import"}

# Comtrade / CEPII numeric codes that are not (or no longer) ISO 3166-1 numeric codes.
_SPECIAL_COUNTRIES: dict[int, str] = {
    0: WORLD,  # World
    251: "FRA",  # France (Comtrade/CEPII code, incl. Monaco)
    381: "ITA",  # Italy (Comtrade code, incl. San Marino and the Holy See)
    490: "TWN",  # "Other Asia, nes": Taiwan in practice
    579: "NOR",  # Norway (incl. Svalbard and Jan Mayen)
    699: "IND",  # India (Comtrade/CEPII code)
    757: "CHE",  # Switzerland (incl. Liechtenstein)
    842: "USA",  # USA (incl. Puerto Rico and US Virgin Islands)
}
# Comtrade partner areas that are not countries: the flows are skipped, not errors.
_UNSPECIFIED_PARTNERS = frozenset({527, 568, 577, 636, 837, 838, 839, 899})

_QUANTITY_UNITS = {
    "kg": "kg",
    "weight in kilograms": "kg",
    "u": "u",
    "number of items": "u",
    "n/a": "",
    "no quantity": "",
    "-1": "",
}

_BOM_UTF8 = codecs.BOM_UTF8
_ZIP_MAGIC = b"PK\x03\x04"
_SAMPLE_BYTES = 256 * 1024
_CHUNK_BYTES = 1024 * 1024


# ---------------------------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------------------------


def revision_from_comtrade(code: str) -> str:
    """``H0`` → ``HS1992`` … ``H6`` → ``HS2022``. Raises ``ValueError`` for anything else (``HS``, ``S4``, ``EB``…)."""
    normalised = code.strip().upper()
    if len(normalised) == 2 and normalised[0] == "H" and normalised[1] in "0123456":
        return HS_REVISIONS[int(normalised[1])]
    raise ValueError(code)


_FILENAME_REVISION = re.compile(r"(?<![A-Za-z])HS(?:19|20)?(92|96|02|07|12|17|22)(?!\d)", re.IGNORECASE)


def revision_from_filename(name: str) -> str | None:
    """The HS revision written in a file name (``BACI_HS17_Y2022_V202401.csv`` → ``HS2017``), or None."""
    match = _FILENAME_REVISION.search(Path(name).name)
    if match is None:
        return None
    short = match.group(1)
    return f"HS{'19' if short in ('92', '96') else '20'}{short}"


@lru_cache(maxsize=1024)
def country_alpha3(code: str) -> str | None:
    """ISO alpha-3 for a numeric Comtrade/CEPII country code (``"251"`` → ``"FRA"``, ``"0"`` → ``"WLD"``), or None."""
    text = code.strip()
    if text.endswith(".0"):  # re-saved by a spreadsheet
        text = text[:-2]
    if not text.isdigit():
        return None
    number = int(text)
    if number in _SPECIAL_COUNTRIES:
        return _SPECIAL_COUNTRIES[number]
    country = pycountry.countries.get(numeric=f"{number:03d}")
    return None if country is None else str(country.alpha_3)


def _parse_decimal(text: str) -> Decimal | None:
    """A number as written by Comtrade, BACI or a spreadsheet (``1234.5``, ``1 234,5``, ``1.2E+07``); None if not."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in cleaned and "." in cleaned:
        # The last separator is the decimal one, the other groups thousands.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    elif cleaned.count(",") > 1:
        cleaned = cleaned.replace(",", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return number


# ---------------------------------------------------------------------------------------------------------------------
# Opening a file: encoding, delimiter, layout
# ---------------------------------------------------------------------------------------------------------------------


def _decodes_entirely(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes with ``encoding``, reading it chunk by chunk."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(_CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    if not sample.strip():
        raise TradeFileError(_("The file is empty."))
    if sample.startswith(_ZIP_MAGIC):
        raise TradeFileError(
            _(
                "This file is an Excel workbook or a ZIP archive, not a CSV file. Download the CSV version of the "
                "data, or open the file in a spreadsheet and save it as “CSV (comma delimited)”."
            )
        )
    if sample.startswith(_BOM_UTF8):
        encoding = "utf-8-sig"
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in sample:
        raise TradeFileError(_("This file is not a text (CSV) file. Download the CSV version of the data."))
    elif _decodes_entirely(path, "utf-8"):
        return "utf-8"
    else:
        best = from_bytes(sample, cp_isolation=["cp1252", "latin_1"]).best()
        encoding = codecs.lookup(best.encoding).name if best is not None else "cp1252"
        if encoding == "iso8859-1":
            encoding = "latin-1"
    if _decodes_entirely(path, encoding):
        return encoding
    if encoding == "cp1252":  # a byte cp1252 leaves undefined: latin-1 decodes everything
        return "latin-1"
    raise TradeFileError(
        _(
            "The characters of this file could not be read (encoding %(encoding)s expected). Save the file again as "
            "CSV UTF-8."
        )
        % {"encoding": encoding}
    )


def _detect_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter])


def _read_start(path: Path, encoding: str) -> tuple[str, list[str], list[str] | None]:
    """Delimiter, header fields and the first non-blank data row (None when the file has no data)."""
    with path.open(encoding=encoding, newline="") as fh:
        first_line = fh.readline()
        delimiter = _detect_delimiter(first_line)
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader, [])
            first_row = next((fields for fields in reader if any(field.strip() for field in fields)), None)
        except csv.Error as exc:
            raise TradeFileError(
                _("The file could not be read as CSV near line %(line)d (%(error)s).")
                % {"line": reader.line_num, "error": exc}
            ) from exc
    return delimiter, [name.strip().lstrip("\ufeff") for name in header], first_row


def _detect_layout(header: list[str]) -> Layout:
    present = {name.lower() for name in header}
    best: tuple[int, Layout, list[str]] | None = None
    for layout in LAYOUTS:
        columns = _COLUMNS_BY_LAYOUT[layout.key]
        required = [columns[role] for role in _REQUIRED_ROLES[layout.key]]
        missing = [name for name in required if name.lower() not in present]
        if not missing:
            return layout
        found = len(required) - len(missing)
        if layout.key != "baci" and found * 2 >= len(required) and (best is None or found > best[0]):
            best = (found, layout, missing)
    if best is not None:
        layout, missing = best[1], best[2]
        raise TradeFileError(
            _(
                "This file looks like a %(layout)s file, but these columns are missing: %(columns)s. Download the "
                "file again with all the columns."
            )
            % {"layout": _(layout.label), "columns": ", ".join(missing)}
        )
    shown = ", ".join(header[:8]) + (", …" if len(header) > 8 else "")
    raise TradeFileError(
        _(
            "The columns of this file were not recognised. Expected a UN Comtrade CSV export (columns such as refYear, "
            "flowCode, cmdCode and primaryValue) or a CEPII BACI file (columns t, i, j, k, v, q). The first line of "
            "the file contains: %(columns)s."
        )
        % {"columns": shown or _("(nothing)")}
    )


def _check_annual(layout: Layout, header: list[str], first_row: list[str]) -> None:
    if layout.source != "comtrade":
        return
    index = {name.lower(): position for position, name in enumerate(header)}
    columns = _COLUMNS_BY_LAYOUT[layout.key]

    def value(role: str) -> str:
        name = columns.get(role)
        position = index.get(name.lower()) if name else None
        return first_row[position].strip() if position is not None and position < len(first_row) else ""

    freq = value("freq").upper()
    period = value("period")
    if (freq and freq != "A") or (not freq and len(period) == 6 and period.isdigit()):
        raise TradeFileError(
            _(
                "This file contains monthly data (period %(period)s). Only annual data can be imported: download the "
                "annual version of the data (frequency “A”, annual)."
            )
            % {"period": period or freq}
        )


def _normalise_revision(revision: str) -> str:
    if revision not in HS_REVISIONS:
        raise ValueError(f"unknown HS revision {revision!r}; expected one of {', '.join(HS_REVISIONS)}")
    return revision


def open_trade_file(path: Path, *, filename: str | None = None, hs_revision: str | None = None) -> TradeFile:
    """Open a trade-flow CSV file: detect its encoding, delimiter and layout. Raises :class:`TradeFileError`.

    ``filename`` is the name the file was uploaded under (``path`` may be a temporary file); it is where the HS revision
    of a BACI file is read. ``hs_revision`` (one of :data:`HS_REVISIONS`) is the revision chosen by the user: required
    for a BACI file whose name does not say it, and used for Comtrade lines classified as "HS" (as reported).
    """
    path = Path(path)
    if hs_revision is not None:
        hs_revision = _normalise_revision(hs_revision)
    if not path.is_file():
        raise TradeFileError(_("The file could not be found."))
    encoding = _detect_encoding(path)
    delimiter, header, first_row = _read_start(path, encoding)
    layout = _detect_layout(header)
    if first_row is None:
        raise TradeFileError(_("The file contains a header line but no data."))
    _check_annual(layout, header, first_row)
    if layout.key == "baci":
        name = filename or path.name
        from_name = revision_from_filename(name)
        if from_name is not None and hs_revision is not None and from_name != hs_revision:
            raise TradeFileError(
                _(
                    "The file name %(name)s says the products are coded in %(file_revision)s, but %(chosen)s was "
                    "chosen. Check the HS edition of the file."
                )
                % {"name": name, "file_revision": from_name, "chosen": hs_revision}
            )
        revision = from_name or hs_revision
        if revision is None:
            raise TradeFileError(
                _(
                    "The HS edition of this BACI file cannot be read from its name (%(name)s). Choose the HS edition "
                    "(for example HS2017) when importing the file, or keep the original file name, such as "
                    "BACI_HS17_Y2022_V202401.csv."
                )
                % {"name": name}
            )
        layout = Layout(BACI.key, BACI.label, BACI.source, revision)
    return TradeFile(path, layout, encoding, delimiter, header, hs_revision)


# ---------------------------------------------------------------------------------------------------------------------
# Reading rows
# ---------------------------------------------------------------------------------------------------------------------


class _Skip(Exception):
    """A valid line that is not counted (aggregate, re-export…)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Invalid(Exception):
    def __init__(self, problem: TradeProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _Row:
    """One CSV line, accessed by role; builds problems that name the line, the column and the value."""

    def __init__(self, line: int, fields: list[str], index: Mapping[str, int], columns: Mapping[str, str]) -> None:
        self.line = line
        self.fields = fields
        self.index = index
        self.columns = columns

    def column(self, role: str) -> str:
        return self.columns.get(role, role)

    def get(self, role: str) -> str:
        name = self.columns.get(role)
        position = self.index.get(name.lower()) if name else None
        if position is None or position >= len(self.fields):
            return ""
        return self.fields[position].strip()

    def invalid(self, role: str, value: str, detail: str) -> _Invalid:
        column = self.column(role)
        message = _("Line %(line)d, column “%(column)s”: %(detail)s") % {
            "line": self.line,
            "column": column,
            "detail": detail,
        }
        return _Invalid(TradeProblem(self.line, column, value, message))


def _year(row: _Row, role: str = "year") -> int:
    text = row.get(role)
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise row.invalid(
            role,
            text,
            _("“%(value)s” is not a valid year. Expected a year between %(min)d and %(max)d, for example 2022.")
            % {"value": text, "min": MIN_YEAR, "max": MAX_YEAR}
            if text
            else _("the year is empty. Expected a year between %(min)d and %(max)d, for example 2022.")
            % {"min": MIN_YEAR, "max": MAX_YEAR},
        )
    return int(text)


def _hs6(row: _Row) -> str:
    text = row.get("code")
    code = text[:-2] if text.endswith(".0") else text
    if code.upper() == "TOTAL" or (code.isdigit() and len(code) <= 4):
        raise _Skip("aggregate")
    if not code.isdigit() or len(code) > 6:
        detail = (
            _(
                "“%(value)s” is longer than an HS product code: it looks like a national tariff line. Expected the "
                "6-digit HS code, for example 901831."
            )
            if code.isdigit()
            else _("“%(value)s” is not an HS product code. Expected 6 digits, for example 901831.")
            if code
            else _("the product code is empty. Expected 6 digits, for example 901831.")
        )
        raise row.invalid("code", text, detail % {"value": text} if code else detail)
    return code.zfill(6)


def _country(row: _Row, role: str, *, skip_areas: bool) -> str:
    text = row.get(role)
    alpha3 = country_alpha3(text)
    if alpha3 is not None:
        return alpha3
    number = text[:-2] if text.endswith(".0") else text
    if skip_areas and number.isdigit() and int(number) in _UNSPECIFIED_PARTNERS:
        raise _Skip("unspecified-partner")
    iso_role = role.replace("_code", "_iso")
    iso = row.get(iso_role).upper() if iso_role != role else ""
    if len(iso) == 3 and pycountry.countries.get(alpha_3=iso) is not None:
        return iso
    raise row.invalid(
        role,
        text,
        _(
            "“%(value)s” is not a known country code. Expected a numeric country code (ISO 3166), for example 504 "
            "for Morocco or 251 for France."
        )
        % {"value": text}
        if text
        else _("the country code is empty. Expected a numeric country code (ISO 3166), for example 504 for Morocco."),
    )


def _value(row: _Row, *, thousands: bool = False) -> Decimal:
    text = row.get("value")
    number = _parse_decimal(text) if text else None
    if number is None:
        hint = (
            _("an amount in thousands of US dollars, for example 12.345")
            if thousands
            else _("an amount in US dollars, for example 12345.67")
        )
        detail = (
            _("“%(value)s” is not a number. Expected %(hint)s.") % {"value": text, "hint": hint}
            if text
            else _("the trade value is empty. Expected %(hint)s.") % {"hint": hint}
        )
        raise row.invalid("value", text, detail)
    if number < 0:
        raise row.invalid(
            "value",
            text,
            _("“%(value)s” is a negative value. A trade value must be zero or more.") % {"value": text},
        )
    return number


def _quantity(row: _Row) -> Decimal | None:
    text = row.get("qty")
    if not text or text.upper() in ("NA", "N/A"):
        return None
    number = _parse_decimal(text)
    if number is None:
        raise row.invalid(
            "qty",
            text,
            _("“%(value)s” is not a number. Expected a quantity, or an empty cell when it is not known.")
            % {"value": text},
        )
    if number < 0:
        raise row.invalid(
            "qty",
            text,
            _("“%(value)s” is a negative quantity. A quantity must be zero or more.") % {"value": text},
        )
    return number


class TradeFile:
    """An opened trade file. ``rows()`` streams it; ``skipped`` counts the lines skipped by the last iteration."""

    def __init__(
        self,
        path: Path,
        layout: Layout,
        encoding: str,
        delimiter: str,
        header: list[str],
        hs_revision: str | None = None,
    ) -> None:
        self.path = path
        self.layout = layout
        self.encoding = encoding
        self.delimiter = delimiter
        self.header = header
        self.hs_revision = hs_revision
        self.skipped: dict[str, int] = {}
        self._columns = _COLUMNS_BY_LAYOUT[layout.key]
        self._index = {name.lower(): position for position, name in enumerate(header)}

    def __repr__(self) -> str:
        return f"<TradeFile {self.path.name} {self.layout.key} {self.encoding}>"

    def rows(self) -> Iterator[TradeRecord | TradeProblem]:
        """Valid records and problems, in file order. Each call reads the file again and resets ``skipped``."""
        self.skipped = {}
        parse = self._parse_baci if self.layout.key == "baci" else self._parse_comtrade
        width = len(self.header)
        with self.path.open(encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            next(reader, None)
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    line = reader.line_num
                    yield TradeProblem(
                        line,
                        "",
                        "",
                        _("Line %(line)d: the file cannot be read further as CSV (%(error)s). The rest is ignored.")
                        % {"line": line, "error": exc},
                    )
                    return
                if not any(field.strip() for field in fields):
                    continue
                line = reader.line_num
                if len(fields) < width or any(field.strip() for field in fields[width:]):
                    yield TradeProblem(
                        line,
                        "",
                        "",
                        _(
                            "Line %(line)d has %(found)d values but the header has %(expected)d columns. The line may "
                            "be cut or contain an extra separator."
                        )
                        % {"line": line, "found": len(fields), "expected": width},
                    )
                    continue
                row = _Row(line, fields, self._index, self._columns)
                try:
                    yield parse(row)
                except _Skip as skip:
                    self.skipped[skip.reason] = self.skipped.get(skip.reason, 0) + 1
                except _Invalid as invalid:
                    yield invalid.problem

    def _parse_comtrade(self, row: _Row) -> TradeRecord:
        freq = row.get("freq")
        if freq and freq.upper() != "A":
            raise row.invalid(
                "freq",
                freq,
                _("“%(value)s”: only annual data (frequency “A”) can be imported; this line holds monthly data.")
                % {"value": freq},
            )
        flow_text = row.get("flow")
        flow = flow_text.upper()
        if self.layout.key == "comtrade_legacy":
            flow = _LEGACY_FLOWS.get(flow[:-2] if flow.endswith(".0") else flow, flow)
        if not flow:
            raise row.invalid("flow", flow_text, _("the trade flow is empty. Expected M (import) or X (export)."))
        if flow in _SKIPPED_FLOWS:
            raise _Skip(_SKIPPED_FLOWS[flow])
        if flow not in ("M", "X"):
            raise _Skip("other-flow")
        if row.get("customs_code").upper() not in ("", "C00") or row.get("transport_code") not in ("", "0"):
            raise _Skip("breakdown")
        if row.get("partner2_code") not in ("", "0"):
            raise _Skip("breakdown")
        level = row.get("aggregate_level")
        if level.isdigit() and int(level) < 6:
            raise _Skip("aggregate")
        code = _hs6(row)
        revision = self._comtrade_revision(row)
        year = _year(row)
        reporter = _country(row, "reporter_code", skip_areas=False)
        partner = _country(row, "partner_code", skip_areas=True)
        value = _value(row)
        unit_text = row.get("qty_unit")
        unit = _QUANTITY_UNITS.get(unit_text.lower(), unit_text)
        quantity = _quantity(row) if unit else None
        is_import = flow == "M"
        return TradeRecord(
            line=row.line,
            year=year,
            exporter=partner if is_import else reporter,
            importer=reporter if is_import else partner,
            reported_by="importer" if is_import else "exporter",
            hs_revision=revision,
            hs6_original=code,
            value_usd=value,
            quantity=quantity,
            quantity_unit=unit,
        )

    def _comtrade_revision(self, row: _Row) -> str:
        text = row.get("classification")
        try:
            return revision_from_comtrade(text)
        except ValueError:
            pass
        if text.upper() == "HS" and self.hs_revision is not None:
            return self.hs_revision
        if text.upper() == "HS":
            detail = _(
                "the classification “HS” (as reported) does not say which HS edition the product codes use. Choose "
                "the HS edition when importing the file, or download the data in a given edition (H0 to H6)."
            )
        elif text:
            detail = _(
                "“%(value)s” is not a Harmonized System classification. Expected H0 (HS 1992) to H6 (HS 2022)."
            ) % {"value": text}
        else:
            detail = _("the classification is empty. Expected H0 (HS 1992) to H6 (HS 2022).")
        raise row.invalid("classification", text, detail)

    def _parse_baci(self, row: _Row) -> TradeRecord:
        code = _hs6(row)
        year = _year(row)
        exporter = _country(row, "exporter", skip_areas=False)
        importer = _country(row, "importer", skip_areas=False)
        value = _value(row, thousands=True)
        quantity = _quantity(row)
        assert self.layout.hs_revision is not None  # set by open_trade_file
        return TradeRecord(
            line=row.line,
            year=year,
            exporter=exporter,
            importer=importer,
            reported_by="reconciled",
            hs_revision=self.layout.hs_revision,
            hs6_original=code,
            value_usd=value * 1000,
            quantity=quantity,
            quantity_unit="t",
        )


# ---------------------------------------------------------------------------------------------------------------------
# HS revision conversion
# ---------------------------------------------------------------------------------------------------------------------

# (older revision, newer revision, adjustment label of the correlation table between them)
_STEPS: tuple[tuple[str, str, str], ...] = (
    ("HS1992", "HS1996", "1996 to 1992"),
    ("HS1996", "HS2002", "2002 to 1996"),
    ("HS2002", "HS2007", "2007 to 2002"),
    ("HS2007", "HS2012", "2012 to 2007"),
    ("HS2012", "HS2017", "2017 to 2012"),
    ("HS2017", "HS2022", "2022 to 2017"),
)
HS_ADJUSTMENTS = tuple(adjustment for _older, _newer, adjustment in _STEPS)


@dataclass(frozen=True)
class ConcordanceRow:
    """One link of a correlation table: ``code_before`` (older revision) corresponds to ``code_after`` (newer)."""

    code_after: str
    code_before: str
    relationship: str
    adjustment: str


def _pad_code(text: str) -> str | None:
    code = text.strip()
    if code.endswith(".0"):
        code = code[:-2]
    if not code.isdigit() or len(code) > 6:
        return None
    return code.zfill(6)


def read_concordance_csv(path: Path) -> list[ConcordanceRow]:
    """The HS rows of a consolidated Comtrade concordance CSV (``code.after,code.before,Relationship,adjustment``).

    Codes are re-padded to 6 digits. Rows of other tables (SITC revisions) and rows whose codes are not numeric are
    left out.
    """
    rows: list[ConcordanceRow] = []
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        for record in csv.DictReader(fh):
            adjustment = (record.get("adjustment") or "").strip()
            if adjustment not in HS_ADJUSTMENTS:
                continue
            after = _pad_code(record.get("code.after") or "")
            before = _pad_code(record.get("code.before") or "")
            if after is None or before is None:
                continue
            rows.append(ConcordanceRow(after, before, (record.get("Relationship") or "").strip(), adjustment))
    return rows


class HsConverter:
    """Converts HS6 codes of any revision from HS 1992 to HS 2022, chaining the UN correlation tables.

    How the value of an older code is shared among newer codes, at each step (an approximation: the correlation tables
    say which codes correspond, not how much trade moved):

    * 1:1 and merges (several older codes into one newer code): the whole value goes to the newer code.
    * Splits: the value is shared equally among the *primary successors* of the older code, that is the newer codes
      that come from that older code only, plus the code itself when it keeps its number in the newer revision. Links
      to newer codes that also collect from other older codes are treated as marginal and get nothing, as long as a
      primary successor exists. Without this rule every HS 2017 code of chapter 90 would lose 13/14 of its value:
      HS 2022 created catch-all headings (8524 display modules, 8549 electrical and electronic waste) linked to
      hundreds of HS 2017 codes, 901831 (syringes) included.
    * An older code without primary successor is shared equally among its successors in the same heading (same first
      four digits), or, if none, among all its successors.

    The shares of each step are multiplied along the chain (e.g. HS 2012 → HS 2017 → HS 2022). If an intermediate code
    has no successor in the next table (a gap in the data), its share is dropped and the others are scaled back to a
    total of 1. :meth:`to_hs2022` returns an empty list for a code that does not exist in the given revision: the
    caller reports it.
    """

    def __init__(self, rows: Iterable[ConcordanceRow], hs2022_codes: Iterable[str]) -> None:
        self._hs2022 = frozenset(code for code in (_pad_code(text) for text in hs2022_codes) if code is not None)
        successors: dict[str, dict[str, set[str]]] = {adjustment: defaultdict(set) for adjustment in HS_ADJUSTMENTS}
        sources: dict[str, dict[str, set[str]]] = {adjustment: defaultdict(set) for adjustment in HS_ADJUSTMENTS}
        for row in rows:
            if row.adjustment not in successors:
                continue
            after, before = _pad_code(row.code_after), _pad_code(row.code_before)
            if after is None or before is None:
                continue
            successors[row.adjustment][before].add(after)
            sources[row.adjustment][after].add(before)
        self._successors = {adjustment: dict(links) for adjustment, links in successors.items()}
        self._sources = {adjustment: dict(links) for adjustment, links in sources.items()}
        self._step_cache: dict[tuple[str, str], tuple[tuple[str, Fraction], ...]] = {}

    def is_valid(self, code: str, revision: str) -> bool:
        """Whether ``code`` (6 digits, a 5-digit code is padded) exists in ``revision``."""
        revision = _normalise_revision(revision)
        padded = _pad_code(code)
        if padded is None:
            return False
        if revision == "HS2022":
            return padded in self._hs2022
        adjustment = next(adjustment for older, _newer, adjustment in _STEPS if older == revision)
        return padded in self._successors[adjustment]

    def step(self, code: str, adjustment: str) -> tuple[tuple[str, Fraction], ...]:
        """Successors of ``code`` in one correlation table, with exact shares (see the class docstring)."""
        key = (adjustment, code)
        cached = self._step_cache.get(key)
        if cached is not None:
            return cached
        targets = self._successors[adjustment].get(code, set())
        sources = self._sources[adjustment]
        primary = {target for target in targets if target == code or sources.get(target) == {code}}
        same_heading = {target for target in targets if target[:4] == code[:4]}
        chosen = sorted(primary or same_heading or targets)
        shares = tuple((target, Fraction(1, len(chosen))) for target in chosen)
        self._step_cache[key] = shares
        return shares

    def to_hs2022(self, code: str, revision: str) -> list[tuple[str, Decimal]]:
        """HS 2022 codes for ``code`` written in ``revision``, with the share of the value going to each.

        Sorted by code; the shares are Decimals that add up to exactly 1. Empty list when ``code`` is not a valid code
        of ``revision``. Raises ``ValueError`` for an unknown revision.
        """
        revision = _normalise_revision(revision)
        if not self.is_valid(code, revision):
            return []
        padded = _pad_code(code)
        assert padded is not None
        current: dict[str, Fraction] = {padded: Fraction(1)}
        start = HS_REVISIONS.index(revision)
        for _older, _newer, adjustment in _STEPS[start:]:
            following: dict[str, Fraction] = defaultdict(Fraction)
            for source, weight in current.items():
                for target, part in self.step(source, adjustment):
                    following[target] += weight * part
            current = dict(following)
        total = sum(current.values(), Fraction(0))
        if not total:
            return []
        codes = sorted(current)
        result: list[tuple[str, Decimal]] = []
        allotted = Decimal(0)
        for position, target in enumerate(codes):
            fraction = current[target] / total
            if position == len(codes) - 1:
                share = Decimal(1) - allotted
            else:
                share = Decimal(fraction.numerator) / Decimal(fraction.denominator)
                allotted += share
            result.append((target, share))
        return result
