"""Find where the table is in a spreadsheet: the sheet, the header row, and which column is which.

Real files have titles and merged cells above the header, several sheets, empty rows and subtotal rows.
The header is the row, within the first `HEADER_SCAN_ROWS` of each sheet, whose cells best match the
import kind's column names and synonyms (compared after `tawrid.core.text.fold`). The user may give the
sheet and header row instead. Pure functions on a `readers.Workbook`; no ORM.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError
from tawrid.core.text import fold
from tawrid.imports.parsing import clean_text
from tawrid.imports.readers import Workbook
from tawrid.imports.registry import ImportKind

HEADER_SCAN_ROWS = 30
_SUBTOTAL = re.compile(r"^(?:sous[- ]?total|sub[- ]?total|total|grand total|montant total|totaux|المجموع)\b")


@dataclass
class Structure:
    sheet: str
    header_row: int  # 1-based, as in the spreadsheet
    headers: list[str]  # the header cells as written, "" for an empty one
    mapping: dict[str, str | None] = field(default_factory=dict)  # header as written → column key (or None)
    score: float = 0.0


def header_key(header: str) -> str:
    return fold(header)


class HeaderIndex:
    """The kind's folded header names, built once: each header of a file is then folded once and matched by
    dictionary look-ups, instead of folding every name of every column again for each header (a file of
    16,384 columns took a minute that way)."""

    def __init__(self, kind: ImportKind) -> None:
        self.columns = list(kind.columns)
        self.exact: dict[str, list[int]] = {}
        self.partial: dict[str, list[int]] = {}  # names of 3 characters or more: a header may start with them
        for position, column in enumerate(self.columns):
            for name in column.header_names():
                self.exact.setdefault(name, []).append(position)
                if len(name) >= 3:
                    self.partial.setdefault(name, []).append(position)
        self.longest = max(map(len, self.partial), default=0)

    def matches(self, text: str) -> dict[int, bool]:
        """Position of each column the folded header `text` may be → whether it is an exact name of it. A
        partial match is a name of 3 characters or more that starts the header or is one of its words."""
        found: dict[int, bool] = dict.fromkeys(self.exact.get(text, ()), True)
        words = set(text.split(" "))
        prefixes = {text[:end] for end in range(3, min(len(text), self.longest) + 1)}
        for name in words | prefixes:
            for position in self.partial.get(name, ()):
                found.setdefault(position, False)
        return found

    def first_free(self, text: str, used: set[str], *, exact: bool = False) -> tuple[str, bool] | None:
        """The first column, in the kind's order, that `text` matches and that is not `used` yet, with whether
        the match is exact; with `exact`, partial matches are not taken."""
        for position, is_exact in sorted(self.matches(text).items()):
            key = self.columns[position].key
            if key not in used and (is_exact or not exact):
                return key, is_exact
        return None


def _score(
    row: list[Any],
    kind: ImportKind,
    remembered: Mapping[str, str | None] | None = None,
    index: HeaderIndex | None = None,
) -> float:
    index = index or HeaderIndex(kind)
    required = set(kind.required_keys)
    score = 0.0
    used: set[str] = set()
    for cell in row:
        text = fold(clean_text(cell)) if isinstance(cell, str) else ""
        if not text:
            continue
        known = (remembered or {}).get(text)
        if known and known not in used:
            score += 2  # a header this organisation mapped last time
            used.add(known)
            continue
        hit = index.first_free(text, used)
        if hit is not None:
            key, exact = hit
            score += (2 if key in required else 1.5) if exact else 0.75
            used.add(key)
    return score


def propose_mapping(
    headers: list[str],
    kind: ImportKind,
    remembered: Mapping[str, str | None] | None = None,
    index: HeaderIndex | None = None,
) -> dict[str, str | None]:
    """For each header of the file, the kind's column it most likely is: what this organisation chose last
    time first (`remembered`: folded header → key), then exact names and synonyms, then partial ones."""
    index = index or HeaderIndex(kind)
    remembered = remembered or {}
    mapping: dict[str, str | None] = {}
    used: set[str] = set()
    keys = set(kind.column_keys)
    pending: list[tuple[str, str]] = []  # (header as written, folded once)
    for header in headers:
        if not header or header in mapping:
            continue
        folded = header_key(header)
        key = remembered.get(folded)
        if key in keys and key not in used:
            mapping[header] = key
            used.add(key)
        elif folded in remembered and not remembered[folded]:
            mapping[header] = None  # deliberately ignored last time
        else:
            mapping[header] = None
            pending.append((header, folded))
    for exact in (True, False):
        still: list[tuple[str, str]] = []
        for header, folded in pending:
            hit = index.first_free(folded, used, exact=exact)
            if hit is None:
                still.append((header, folded))
            else:
                mapping[header] = hit[0]
                used.add(hit[0])
        pending = still
    return mapping


def headers_of(row: list[Any]) -> list[str]:
    """The header cells as text; a repeated header gets a number so that each one can be mapped."""
    seen: dict[str, int] = {}
    headers: list[str] = []
    for cell in row:
        text = clean_text(cell)
        if text:
            seen[text] = seen.get(text, 0) + 1
            if seen[text] > 1:
                text = f"{text} ({seen[text]})"
        headers.append(text)
    return headers


def detect_structure(
    workbook: Workbook,
    kind: ImportKind,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    remembered: Mapping[str, str | None] | None = None,
) -> Structure:
    """The sheet and header row (detected unless given) and a proposed mapping of the headers."""
    sheets = [sheet] if sheet else workbook.sheet_names
    index = HeaderIndex(kind)
    best: Structure | None = None
    for name in sheets:
        for number, row in enumerate(workbook.rows(name, limit=max(HEADER_SCAN_ROWS, header_row or 0)), start=1):
            if header_row is not None and number != header_row:
                continue
            score = _score(row, kind, remembered, index)
            if best is None or score > best.score:
                best = Structure(sheet=name, header_row=number, headers=headers_of(row), score=score)
    if best is None or (header_row is None and best.score < 1):
        raise DomainError(
            _(
                "No header row was found in the first %(rows)s rows of the file: the columns expected are %(columns)s. "
                "Choose the sheet and the header row yourself."
            )
            % {"rows": HEADER_SCAN_ROWS, "columns": ", ".join(str(c.label) for c in kind.columns)},
            code="no_header",
        )
    if not any(best.headers):
        raise DomainError(
            _("Row %(row)s of sheet “%(sheet)s” is empty: it cannot be the header.")
            % {"row": best.header_row, "sheet": best.sheet},
            code="no_header",
        )
    best.mapping = propose_mapping(best.headers, kind, remembered, index)
    return best


def is_subtotal(row: list[Any]) -> bool:
    """A subtotal or total line ("TOTAL", "Sous-total chirurgie"): its first non-empty cell says so."""
    for cell in row:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        return isinstance(cell, str) and bool(_SUBTOTAL.match(fold(cell[:40])))
    return False


def data_rows(
    workbook: Workbook, structure: Structure, mapping: Mapping[str, str | None]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number in the file, {column key: raw cell value}) for each data row under the header, skipping
    empty rows, subtotal rows and repeated header rows. Columns mapped to nothing are left out."""
    columns: list[tuple[int, str]] = []
    for index, header in enumerate(structure.headers):
        key = mapping.get(header) if header else None
        if key:
            columns.append((index, key))
    header_folded = [fold(h) for h in structure.headers]
    first_header = next((h.casefold() for h in structure.headers if h), None)
    for number, row in enumerate(workbook.rows(structure.sheet), start=1):
        if number <= structure.header_row:
            continue
        first = next((c for c in row if c is not None and (not isinstance(c, str) or c.strip())), None)
        if first is None:
            continue  # an empty row
        if isinstance(first, str) and is_subtotal(row):
            continue
        if (
            isinstance(first, str)
            and first.strip().casefold() == first_header
            and [fold(clean_text(c)) for c in row] == header_folded[: len(row)]
        ):
            continue  # the header printed again on each page
        yield number, {key: (row[index] if index < len(row) else None) for index, key in columns}
