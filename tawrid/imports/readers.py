"""Open an uploaded spreadsheet safely and read its rows (pure functions, no ORM).

`open_workbook(data, filename)` checks the file before any parser touches it and returns a `Workbook`
whose `rows(sheet)` streams lists of cell values (None, str, int, float, bool, datetime, or a `CellError`
for a cell that holds an error or a formula without computed value). Rows are counted as they are read,
so a file of millions of rows is refused at the limit without being held in memory.

Refused with a `DomainError` (nothing is written): a file over `IMPORT_MAX_BYTES`, an empty file, a
file whose content is not what its extension says, a corrupted file, a password-protected workbook, an
xlsx whose uncompressed size or compression ratio looks like a zip bomb, a sheet of more than
`IMPORT_MAX_ROWS` rows (an xlsx's rows are counted from its XML before openpyxl opens it, whatever its
<dimension> says), a row of more than `IMPORT_MAX_COLUMNS` filled columns.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000
DEFAULT_MAX_COLUMNS = 200
DEFAULT_MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
DEFAULT_MAX_COMPRESSION_RATIO = 150
ZIP_MAX_MEMBERS = 2_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA"})
FORMATS = {"xlsx": "xlsx", "xlsm": "xlsx", "xls": "xls", "csv": "csv", "txt": "csv", "tsv": "csv"}


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_columns() -> int:
    return int(getattr(settings, "IMPORT_MAX_COLUMNS", DEFAULT_MAX_COLUMNS))


def _max_uncompressed() -> int:
    return int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES))


def _max_ratio() -> int:
    return int(getattr(settings, "IMPORT_MAX_COMPRESSION_RATIO", DEFAULT_MAX_COMPRESSION_RATIO))


@dataclass(frozen=True)
class CellError:
    """A cell whose value cannot be used: an Excel error (`#DIV/0!`) or a formula never computed."""

    text: str
    reason: str

    def __str__(self) -> str:
        return self.text


class FileRefused(DomainError):
    """An uploaded file refused before reading: `code` says why (too_large, empty, wrong_type…)."""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def too_large_message(size: int) -> str:
    return _("The file is too large (%(size)s MB); the limit is %(max)s MB.") % {
        "size": _megabytes(size),
        "max": _megabytes(max_bytes()),
    }


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


class Workbook:
    """A checked file: its format, its sheets, and a streaming reader of each sheet's rows."""

    format: str = ""

    def __init__(self, data: bytes) -> None:
        self.data = data

    @property
    def sheet_names(self) -> list[str]:
        raise NotImplementedError

    def _raw_rows(self, sheet: str) -> Iterator[list[Any]]:
        raise NotImplementedError

    def rows(self, sheet: str | None = None, *, limit: int | None = None) -> Iterator[list[Any]]:
        """The rows of `sheet` (the first one by default) in file order, row 1 first; empty rows are given
        as empty lists so that positions stay those of the file. Trailing empty cells are removed."""
        name = sheet if sheet is not None else self.sheet_names[0]
        if name not in self.sheet_names:
            raise DomainError(_("The file has no sheet named “%(sheet)s”.") % {"sheet": name}, code="no_sheet")
        ceiling, widest = max_rows(), max_columns()
        for count, row in enumerate(self._raw_rows(name), start=1):
            if count > ceiling:
                raise self._too_many_rows(name)
            if limit is not None and count > limit:
                return
            values = list(row)
            while values and (values[-1] is None or values[-1] == ""):
                values.pop()
            if len(values) > widest:
                # A table this wide is not a list of products or plan lines, and every header would cost a
                # select on the mapping page: refused before anything maps it (16,384 columns took minutes).
                raise FileRefused(
                    _(
                        "Row %(row)s of the sheet “%(sheet)s” has %(count)s columns; at most %(max)s are read. "
                        "Remove the columns that are not needed."
                    )
                    % {"row": count, "sheet": name, "count": len(values), "max": widest},
                    code="too_many_columns",
                )
            yield values

    def close(self) -> None:
        """Free what the reader holds (openpyxl's archive)."""

    def declared_rows(self, sheet: str) -> int | None:
        """How many rows the sheet says it has, without reading them (None when unknown): for progress."""
        return None

    def check_size(self, sheet: str) -> None:
        """Refuse a sheet with too many rows now, at upload, rather than when its rows are read. Formats
        that declare their size (xlsx dimension, xls) are checked from it; csv rows are counted (fast)."""
        for _row in self.rows(sheet):
            pass

    def _too_many_rows(self, sheet: str) -> FileRefused:
        return FileRefused(
            _("The sheet “%(sheet)s” has more than %(max)s rows: split the file into smaller ones.")
            % {"sheet": sheet, "max": f"{max_rows():,}".replace(",", "\u202f")},
            code="too_many_rows",
        )


# xlsx ------------------------------------------------------------------------------------------------------


class XlsxWorkbook(Workbook):
    format = "xlsx"

    def __init__(self, data: bytes) -> None:
        import openpyxl

        super().__init__(data)
        # Before openpyxl opens it: openpyxl reads a whole sheet that has no <dimension> to size it, so a
        # million rows without one took minutes before any limit was checked.
        _check_sheet_rows(data)
        self._formulas_book: Any = None
        try:
            self._values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            # What each sheet's <dimension> claims (None without one), kept before reading resets it.
            self._declared_rows = {ws.title: ws.max_row for ws in self._values.worksheets}
        except Exception as exc:  # noqa: BLE001 — openpyxl raises anything on a broken file
            raise FileRefused(
                _("The workbook cannot be read: it is damaged or not a real Excel file (%(error)s).")
                % {"error": type(exc).__name__},
                code="corrupted",
            ) from exc

    @property
    def sheet_names(self) -> list[str]:
        return [ws.title for ws in self._values.worksheets]

    def _has_formulas(self, sheet: str) -> bool:
        """Whether the sheet's XML holds any formula (a fast scan of the decompressed XML, no parsing): the
        second pass that finds formulas without a computed value is only needed then."""
        path = getattr(self._values[sheet], "_worksheet_path", None)
        if not path:
            return True
        tail = b""
        with zipfile.ZipFile(io.BytesIO(self.data)).open(path.lstrip("/")) as xml:
            while chunk := xml.read(1024 * 1024):
                if b"<f>" in tail + chunk or b"<f " in tail + chunk or b"<x:f" in tail + chunk:
                    return True
                tail = chunk[-8:]
        return False

    def _raw_rows(self, sheet: str) -> Iterator[list[Any]]:
        values_ws = self._values[sheet]
        # The <dimension> is what the writing program claimed: openpyxl would stop at its last row (rows
        # below it silently lost) and pad every row to its last column (16,384 cells a row for a sheet
        # "A1:XFD…"). Without it, every row is read, each as wide as its own cells.
        values_ws.reset_dimensions()
        try:
            value_rows = values_ws.iter_rows(min_row=1, min_col=1, values_only=True)
            if self._has_formulas(sheet):
                formulas_ws = self._formulas()[sheet]
                formulas_ws.reset_dimensions()
                formula_rows: Iterator[tuple[Any, ...]] = formulas_ws.iter_rows(min_row=1, min_col=1, values_only=True)
            else:
                formula_rows = itertools.repeat(())
            for values, formulas in zip(value_rows, formula_rows, strict=False):
                row: list[Any] = []
                for index, value in enumerate(values):
                    formula = formulas[index] if index < len(formulas) else None
                    if value is None and isinstance(formula, str) and formula.startswith("="):
                        row.append(CellError(formula, _("formula without a computed value")))
                    elif isinstance(value, str) and value in EXCEL_ERRORS:
                        row.append(CellError(value, _("the cell holds the error %(error)s") % {"error": value}))
                    elif isinstance(value, datetime.time):
                        row.append(value.isoformat())
                    else:
                        row.append(value)
                yield row
        except DomainError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise FileRefused(
                _("The sheet “%(sheet)s” cannot be read: the file is damaged (%(error)s).")
                % {"sheet": sheet, "error": type(exc).__name__},
                code="corrupted",
            ) from exc

    def _formulas(self) -> Any:
        """The workbook again, with formulas instead of their values: opened only for a sheet with formulas."""
        import openpyxl

        if self._formulas_book is None:
            self._formulas_book = openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=False)
        return self._formulas_book

    def close(self) -> None:
        self._values.close()
        if self._formulas_book is not None:
            self._formulas_book.close()

    def declared_rows(self, sheet: str) -> int | None:
        return self._declared_rows.get(sheet)

    def check_size(self, sheet: str) -> None:
        # The rows of every sheet were counted when the file was opened; a <dimension> may claim more.
        declared = self.declared_rows(sheet)
        if declared is not None and declared > max_rows():
            raise self._too_many_rows(sheet)


def _check_sheet_rows(data: bytes) -> None:
    """Refuse a workbook with a sheet whose last row is past the limit, found by scanning the sheets' XML
    for row elements (no parsing: about a second for a million rows), since a sheet's <dimension> may be
    missing or understate its rows."""
    ceiling = max_rows()
    archive = zipfile.ZipFile(io.BytesIO(data))
    for member in archive.infolist():
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        last = 0
        with archive.open(member) as xml:
            pending = b""
            while chunk := xml.read(1024 * 1024):
                pending += chunk
                cut = pending.rfind(b"<")  # a tag the chunk cuts is scanned with the next chunk
                last = _last_row(pending, last, end=max(cut, 0))
                if last > ceiling:
                    break
                pending = pending[cut:] if cut >= 0 else b""
            else:
                last = _last_row(pending, last, end=len(pending))
        if last > ceiling:
            raise FileRefused(
                _("A sheet of the workbook has more than %(max)s rows: split the file into smaller ones.")
                % {"max": f"{ceiling:,}".replace(",", "\u202f")},
                code="too_many_rows",
            )


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])([^>]*)>")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")


def _last_row(xml: bytes, last: int, *, end: int) -> int:
    """The number of the last <row> of this piece of sheet XML, numbered as openpyxl does (a row without
    r="" follows the previous one), starting after row `last`."""
    for match in _ROW_TAG.finditer(xml, 0, end):
        number = _ROW_NUMBER.search(match.group(1))
        last = max(last, int(number.group(1)) if number else last + 1)
    return last


def check_zip(data: bytes) -> None:
    """Refuse an OOXML archive that is broken, not a workbook, or a zip bomb — before openpyxl opens it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(_("The workbook is damaged: it cannot be opened."), code="corrupted") from exc
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        raise FileRefused(_("This zip archive is not an Excel workbook."), code="wrong_type")
    if "xl/workbook.xml" not in names:
        raise FileRefused(
            _("This file is not an Excel workbook (it may be a Word or PowerPoint file)."), code="wrong_type"
        )
    total = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members) or 1
    ratio_limit = _max_ratio()
    suspicious_member = any(
        member.file_size > 1024 * 1024 and member.file_size > ratio_limit * max(member.compress_size, 1)
        for member in members
    )
    if (
        len(members) > ZIP_MAX_MEMBERS
        or total > _max_uncompressed()
        or suspicious_member
        or (total > 1024 * 1024 and total > ratio_limit * compressed)
    ):
        raise FileRefused(
            _(
                "The workbook would take %(size)s MB once uncompressed, which is abnormal for its size: it was "
                "refused for safety. Save it again from Excel, or split it."
            )
            % {"size": _megabytes(total)},
            code="zip_bomb",
        )


# xls -------------------------------------------------------------------------------------------------------


class XlsWorkbook(Workbook):
    format = "xls"

    def __init__(self, data: bytes) -> None:
        import xlrd

        super().__init__(data)
        try:
            self._book = xlrd.open_workbook(file_contents=data, on_demand=True)
        except xlrd.XLRDError as exc:
            if "encrypted" in str(exc).lower():
                raise _password_protected() from exc
            raise FileRefused(
                _("The workbook cannot be read: it is damaged or not a real Excel file (%(error)s).") % {"error": exc},
                code="corrupted",
            ) from exc
        except Exception as exc:  # noqa: BLE001
            raise FileRefused(
                _("The workbook cannot be read: it is damaged or not a real Excel file (%(error)s).")
                % {"error": type(exc).__name__},
                code="corrupted",
            ) from exc

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names())

    def _raw_rows(self, sheet: str) -> Iterator[list[Any]]:
        import xlrd

        ws = self._book.sheet_by_name(sheet)
        if ws.nrows > max_rows():
            raise self._too_many_rows(sheet)
        for r in range(ws.nrows):
            row: list[Any] = []
            for cell in ws.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        row.append(xlrd.xldate_as_datetime(cell.value, self._book.datemode))
                    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                        row.append(CellError(str(cell.value), _("not a valid date")))
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    text = xlrd.error_text_from_code.get(cell.value, "#ERR")
                    row.append(CellError(text, _("the cell holds the error %(error)s") % {"error": text}))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    row.append(bool(cell.value))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append(None)
                else:
                    row.append(cell.value)
            yield row

    def close(self) -> None:
        self._book.release_resources()

    def declared_rows(self, sheet: str) -> int | None:
        return int(self._book.sheet_by_name(sheet).nrows)

    def check_size(self, sheet: str) -> None:
        if self._book.sheet_by_name(sheet).nrows > max_rows():
            raise self._too_many_rows(sheet)


# csv -------------------------------------------------------------------------------------------------------

CSV_ENCODINGS = ["utf_8", "cp1252", "latin_1", "cp1256", "utf_16"]


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a csv file and the encoding found: a BOM first, then strict UTF-8, then charset-normalizer
    among the encodings Moroccan files come in, then cp1252 (which decodes almost anything)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 512 * 1024], cp_isolation=CSV_ENCODINGS).best()
    candidates = ([best.encoding] if best is not None else []) + ["cp1252", "latin_1"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    raise FileRefused(_("The text file's encoding could not be recognised."), code="encoding")  # pragma: no cover


def sniff_delimiter(sample: str) -> str:
    """`,`, `;` or tab, whichever splits the first lines into the same number of columns most often."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in (";", ",", "\t"):
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines]
        if not counts or max(counts) < 2:
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * common
        if score > best_score:
            best, best_score = delimiter, score
    return best


class CsvWorkbook(Workbook):
    format = "csv"

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileRefused(_("This file is not a text (csv) file."), code="wrong_type")
        self.text, self.encoding = decode_text(data)
        self.delimiter = sniff_delimiter(self.text[: 64 * 1024])

    @property
    def sheet_names(self) -> list[str]:
        return ["csv"]

    def declared_rows(self, sheet: str) -> int | None:
        return self.text.count("\n") + (0 if self.text.endswith("\n") else 1)

    def _raw_rows(self, sheet: str) -> Iterator[list[Any]]:
        csv.field_size_limit(1024 * 1024)
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        try:
            for row in reader:
                yield [cell if cell != "" else None for cell in row]
        except csv.Error as exc:
            raise FileRefused(
                _("The csv file is damaged near line %(line)s: %(error)s") % {"line": reader.line_num, "error": exc},
                code="corrupted",
            ) from exc


# Opening ---------------------------------------------------------------------------------------------------


def _password_protected() -> FileRefused:
    return FileRefused(
        _("The workbook is protected by a password: remove the password in Excel, save, and import it again."),
        code="encrypted",
    )


def _describe(kind: filetype.Type | None) -> str:
    if kind is None:
        return _("unknown")
    return f"{kind.extension.upper()} ({kind.mime})"


def open_workbook(data: bytes, filename: str) -> Workbook:
    """Check an uploaded file and open it for reading, or refuse it with a message saying why."""
    size = len(data)
    if size > max_bytes():
        raise FileRefused(too_large_message(size), code="too_large")
    if not data.strip():
        raise FileRefused(_("The file is empty."), code="empty")
    extension = extension_of(filename)
    fmt = FORMATS.get(extension)
    if fmt is None:
        raise FileRefused(
            _("Files of type “.%(extension)s” cannot be imported: use xlsx, xls or csv.") % {"extension": extension},
            code="wrong_type",
        )
    head = data[:8]
    if fmt == "xlsx":
        if head == OLE_MAGIC:
            # An encrypted xlsx is an OLE container holding the encrypted package; a plain OLE file named
            # .xlsx is an old .xls workbook, which is read as such.
            if "EncryptionInfo".encode("utf-16-le") in data[: 1024 * 1024] or b"EncryptedPackage" in data:
                raise _password_protected()
            return XlsWorkbook(data)
        if not data.startswith(ZIP_MAGIC):
            raise _wrong_content(filename, data)
        check_zip(data)
        return XlsxWorkbook(data)
    if fmt == "xls":
        if data.startswith(ZIP_MAGIC):
            check_zip(data)
            return XlsxWorkbook(data)  # an xlsx saved with the old extension
        if head != OLE_MAGIC:
            raise _wrong_content(filename, data)
        return XlsWorkbook(data)
    kind = filetype.guess(data[:8192])
    if kind is not None or head == OLE_MAGIC:
        raise _wrong_content(filename, data)
    return CsvWorkbook(data)


def _wrong_content(filename: str, data: bytes) -> FileRefused:
    kind = filetype.guess(data[:8192])
    if data[:8] == OLE_MAGIC:
        found = _("an old Excel (xls) or Office file")
    elif kind is None:
        found = _("not a spreadsheet")
    else:
        found = _describe(kind)
    return FileRefused(
        _("The file “%(name)s” is not what its extension says: its content is %(found)s.")
        % {"name": filename, "found": found},
        code="wrong_type",
    )
