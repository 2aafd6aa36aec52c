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


def _score(row: list[Any], kind: ImportKind, remembered: Mapping[str, str | None] | None = None) -> float:
    names_by_key = {column.key: column.header_names() for column in kind.columns}
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
        for column in kind.columns:
            if column.key in used:
                continue
            names = names_by_key[column.key]
            if text in names:
                score += 2 if column.required else 1.5
                used.add(column.key)
                break
            if any(len(name) >= 3 and (text.startswith(name) or name in text.split(" ")) for name in names):
                score += 0.75
                used.add(column.key)
                break
    return score


def propose_mapping(
    headers: list[str], kind: ImportKind, remembered: Mapping[str, str | None] | None = None
) -> dict[str, str | None]:
    """For each header of the file, the kind's column it most likely is: what this organisation chose last
    time first (`remembered`: folded header → key), then exact names and synonyms, then partial ones."""
    mapping: dict[str, str | None] = {}
    used: set[str] = set()
    keys = set(kind.column_keys)
    pending: list[str] = []
    for header in headers:
        if not header or header in mapping:
            continue
        key = (remembered or {}).get(header_key(header))
        if key in keys and key not in used:
            mapping[header] = key
            used.add(key)
        elif remembered and header_key(header) in remembered and not remembered[header_key(header)]:
            mapping[header] = None  # deliberately ignored last time
        else:
            pending.append(header)
    for exact in (True, False):
        for header in list(pending):
            text = header_key(header)
            for column in kind.columns:
                if column.key in used:
                    continue
                names = column.header_names()
                hit = (
                    text in names
                    if exact
                    else any(len(name) >= 3 and (text.startswith(name) or name in text.split(" ")) for name in names)
                )
                if hit:
                    mapping[header] = column.key
                    used.add(column.key)
                    pending.remove(header)
                    break
    for header in pending:
        mapping[header] = None
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
    best: Structure | None = None
    for name in sheets:
        for number, row in enumerate(workbook.rows(name, limit=max(HEADER_SCAN_ROWS, header_row or 0)), start=1):
            if header_row is not None and number != header_row:
                continue
            score = _score(row, kind, remembered)
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
    best.mapping = propose_mapping(best.headers, kind, remembered)
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
