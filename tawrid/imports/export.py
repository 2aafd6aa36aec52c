"""Write spreadsheets for download (xlsx with openpyxl in write-only mode, csv), safe to open in Excel.

No cell may start a formula. In xlsx every text is an explicit text cell (formulas live elsewhere in the
file), and a text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return also gets Excel's quote
prefix (the hidden apostrophe of a cell typed `'=...`), so it stays text even when someone edits it; in
csv such a text is written after an apostrophe. A designation such as `=HYPERLINK(...)` typed into
Tawrid thus comes back as text. Numbers are written as numbers with a thousands format, dates as dates
shown `dd/mm/yyyy`; csv files use `;`, the decimal comma and a UTF-8 BOM, as French Excel expects.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"


def neutralise(text: str) -> str:
    """A text that cannot be taken for a formula by a spreadsheet."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text_cell(ws: Any, value: Any) -> Any:
    """An explicit text cell (never a formula), without the control characters a workbook cannot hold. A
    text that looks like a formula gets Excel's "quote prefix" style: shown and kept as text even when
    someone edits the cell, and read back exactly as written."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def _xlsx_cell(ws: Any, value: Any, number_format: str | None = None) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        cell = WriteOnlyCell(ws, value=value)
        is_whole = isinstance(value, int) or (value == int(value))
        cell.number_format = number_format or (INTEGER_FORMAT if is_whole else DECIMAL_FORMAT)
        return cell
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(ws, value=value.replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return _text_cell(ws, value)


PERCENT_FORMAT = "0.0%"  # a ratio (0.236) read as 23.6 %, the number kept for computing
WIDTH_SAMPLE_ROWS = 200  # column widths fit the header and the first rows (the rest is streamed)
MIN_WIDTH, MAX_WIDTH = 8, 60


def _shown_length(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return len(f"{value:,.2f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_xlsx(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Export",
    *,
    number_formats: Sequence[str | None] = (),
) -> bytes:
    """An xlsx workbook of one sheet: a bold header row (frozen, so it stays in view when scrolling), then the
    rows, streamed. `number_formats` gives a column's number format by position (PERCENT_FORMAT for a ratio),
    None for the default; each column is as wide as its header and its first rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=_sheet_title(sheet_title))
    ws.freeze_panes = "A2"
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    for index, header in enumerate(headers):
        longest = max([_shown_length(header), *(_shown_length(row[index]) for row in sample if index < len(row))])
        ws.column_dimensions[get_column_letter(index + 1)].width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
    header_cells = []
    for header in headers:
        cell = _text_cell(ws, header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    formats = list(number_formats)
    for row in itertools.chain(sample, rows):
        ws.append([_xlsx_cell(ws, value, formats[i] if i < len(formats) else None) for i, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title)).strip("'") or "Export"
    return cleaned[:31]


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return format(value, "f").replace(".", ",")  # French decimal comma, like the ; separator
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))


def write_csv(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A csv file as French Excel opens it directly: UTF-8 with a BOM, `;` between fields, decimal comma."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
