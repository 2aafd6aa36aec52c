"""Opening files safely: formats, encodings, delimiters, and every way a file is refused."""

import datetime
import io

import openpyxl
import pytest

from tawrid.imports import readers
from tawrid.imports.readers import CellError, FileRefused
from tawrid.imports.tests import files, xls


def _rows(workbook, sheet=None):
    return list(workbook.rows(sheet))


def test_xlsx_rows_keep_their_positions_and_types():
    workbook = readers.open_workbook(files.messy_workbook(), "personnel.xlsx")
    assert workbook.format == "xlsx"
    assert workbook.sheet_names == ["Notes", "Personnel"]
    rows = _rows(workbook, "Personnel")
    assert rows[0] == ["CHU IBN ROCHD — PERSONNEL 2026"]
    assert rows[2] == []  # the blank line is still there, so row numbers are the file's
    assert rows[3] == files.HEADER
    assert rows[5][3] == 12 and rows[5][4] == 1500.5


def test_formulas_give_their_cached_value_and_an_error_without_one():
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["E-mail", "Quantité"])
    ws.append(["a@example.ma", "=1+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)  # openpyxl never computes formulas: no cached value
    rows = _rows(readers.open_workbook(buffer.getvalue(), "f.xlsx"))
    assert isinstance(rows[1][1], CellError) and rows[1][1].text == "=1+1"

    # A workbook saved by Excel keeps the computed value next to the formula: write one by hand.
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>").replace(
                    b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>"
                )
                if b"<v>2</v>" not in data:
                    data = data.replace(b"<f>1+1</f>", b"<f>1+1</f><v>2</v>")
            target.writestr(item, data)
    rows = _rows(readers.open_workbook(out.getvalue(), "f.xlsx"))
    assert rows[1][1] == 2


def test_excel_error_cells_are_cell_errors():
    data = files.xlsx({"S": [["Quantité"], ["#DIV/0!"]]})
    assert isinstance(_rows(readers.open_workbook(data, "e.xlsx"))[1][0], CellError)


def test_csv_cp1252_with_semicolons():
    data = files.csv_bytes([["Désignation", "Qté"], ["Compresse stérile", "1 200"]], encoding="cp1252")
    workbook = readers.open_workbook(data, "plan.csv")
    assert workbook.delimiter == ";"
    assert _rows(workbook) == [["Désignation", "Qté"], ["Compresse stérile", "1 200"]]


def test_csv_utf8_with_bom_and_commas():
    data = files.csv_bytes([["E-mail", "Nom"], ["a@example.ma", "Hélène"]], delimiter=",", bom=True)
    rows = _rows(readers.open_workbook(data, "p.csv"))
    assert rows[0][0] == "E-mail"  # no BOM glued to the first header
    assert rows[1] == ["a@example.ma", "Hélène"]


def test_csv_latin1_and_tabs():
    data = files.csv_bytes(
        [["Nom", "Ville", "Qté"], ["Hôpital Ibn Sina", "Rabat", "3"]], delimiter="\t", encoding="latin-1"
    )
    workbook = readers.open_workbook(data, "p.txt")
    assert workbook.delimiter == "\t"
    assert _rows(workbook)[1][0] == "Hôpital Ibn Sina"


def test_xls_is_read_with_accents_numbers_and_dates():
    data = xls.xls(
        "Plan 2026", [["Désignation", "Qté", "Livraison"], ["Compresse stérile", 1200, datetime.date(2026, 12, 31)]]
    )
    workbook = readers.open_workbook(data, "plan.xls")
    assert workbook.format == "xls" and workbook.sheet_names == ["Plan 2026"]
    assert _rows(workbook) == [
        ["Désignation", "Qté", "Livraison"],
        ["Compresse stérile", 1200.0, datetime.datetime(2026, 12, 31)],
    ]


def test_an_old_xls_named_xlsx_is_read_as_xls():
    data = xls.xls("S", [["E-mail"], ["a@example.ma"]])
    workbook = readers.open_workbook(data, "renamed.xlsx")
    assert workbook.format == "xls" and _rows(workbook)[1] == ["a@example.ma"]


def test_a_damaged_xls_is_refused():
    data = xls.xls("S", [["E-mail"], ["a@example.ma"]])
    with pytest.raises(FileRefused) as refused:
        readers.open_workbook(data[:600], "cut.xls")
    assert refused.value.code == "corrupted"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "vide.xlsx", "empty"),
        (b"   \n", "vide.csv", "empty"),
        (files.PNG, "photo.xlsx", "wrong_type"),
        (files.PNG, "photo.csv", "wrong_type"),
        (files.PNG, "photo.xls", "wrong_type"),
        (b"%PDF-1.7\n" + b"x" * 100, "doc.csv", "wrong_type"),
        (b"hello", "notes.docx", "wrong_type"),
        (b"PK\x03\x04garbage that is not a zip", "broken.xlsx", "corrupted"),
    ],
)
def test_bad_files_are_refused_with_a_reason(data, name, code):
    with pytest.raises(FileRefused) as refused:
        readers.open_workbook(data, name)
    assert refused.value.code == code
    assert refused.value.message


def test_a_word_document_named_xlsx_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(FileRefused) as refused:
        readers.open_workbook(buffer.getvalue(), "plan.xlsx")
    assert refused.value.code == "wrong_type"


def test_a_truncated_xlsx_is_refused():
    data = files.messy_workbook()
    with pytest.raises(FileRefused) as refused:
        readers.open_workbook(data[: len(data) // 2], "cut.xlsx")
    assert refused.value.code == "corrupted"


def test_a_password_protected_workbook_is_refused():
    with pytest.raises(FileRefused) as refused:
        readers.open_workbook(files.encrypted_xlsx(), "secret.xlsx")
    assert refused.value.code == "encrypted"
    assert "mot de passe" in refused.value.message or "password" in refused.value.message


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(monkeypatch):
    bomb = files.zip_bomb()
    assert len(bomb) < 1024 * 1024
    opened = []
    monkeypatch.setattr(readers.XlsxWorkbook, "__init__", lambda self, data: opened.append(data))
    with pytest.raises(FileRefused) as refused:
        readers.open_workbook(bomb, "bomb.xlsx")
    assert refused.value.code == "zip_bomb"
    assert opened == []


def test_uncompressed_size_limit(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1000
    with pytest.raises(FileRefused) as refused:
        readers.open_workbook(files.messy_workbook(), "p.xlsx")
    assert refused.value.code == "zip_bomb"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(FileRefused) as refused:
        readers.open_workbook(b"a;b\n" * 500, "big.csv")
    assert refused.value.code == "too_large"


def test_rows_are_counted_as_they_are_read_and_refused_over_the_limit(settings):
    settings.IMPORT_MAX_ROWS = 100

    def endless():
        n = 0
        while True:
            n += 1
            yield f"{n};x\n".encode()
            if n > 10_000:
                raise AssertionError("the reader did not stop at the limit")

    data = b"".join(line for _, line in zip(range(150), endless(), strict=False))
    workbook = readers.open_workbook(data, "long.csv")
    seen = 0
    with pytest.raises(FileRefused) as refused:
        for _ in workbook.rows():
            seen += 1
    assert refused.value.code == "too_many_rows"
    assert seen == 100


def test_row_limit_on_xlsx(settings):
    settings.IMPORT_MAX_ROWS = 10
    data = files.xlsx({"S": [[i] for i in range(50)]})
    with pytest.raises(FileRefused):
        list(readers.open_workbook(data, "x.xlsx").rows())


def test_unknown_sheet():
    workbook = readers.open_workbook(files.messy_workbook(), "p.xlsx")
    with pytest.raises(readers.DomainError):
        list(workbook.rows("Nope"))


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "Le fichier est vide."), ("ar", "الملف فارغ."), ("en", "The file is empty.")]
)
def test_refusals_speak_the_users_language(language, expected):
    from django.utils import translation

    with translation.override(language), pytest.raises(FileRefused) as refused:
        readers.open_workbook(b"", "vide.csv")
    assert refused.value.message == expected
