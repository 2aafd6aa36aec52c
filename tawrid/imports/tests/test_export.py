"""Exports: read the files back; no cell may start a formula."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from tawrid.imports import export

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def test_xlsx_round_trip_with_types_and_no_formula():
    rows = [
        ["Gants", Decimal("1234.50"), 12, datetime.date(2026, 12, 31), True, None],
        *[[text, 1, 2, None, False, "x"] for text in DANGEROUS],
    ]
    data = export.write_xlsx(
        ["Désignation", "Prix", "Qté", "Date", "Stérile", "Note"], rows, sheet_title="Plan: 2026/1"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    ws = workbook.active
    assert ws.title == "Plan_ 2026_1"
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == ("Désignation", "Prix", "Qté", "Date", "Stérile", "Note")
    assert values[1][:5] == ("Gants", 1234.5, 12, datetime.datetime(2026, 12, 31), True)
    assert ws["B2"].number_format == export.DECIMAL_FORMAT and ws["D2"].number_format == export.DATE_FORMAT
    for row, text in zip(ws.iter_rows(min_row=3), DANGEROUS, strict=True):
        assert row[0].data_type == "s" and row[0].quotePrefix
        # The standard library's XML parser turns a carriage return into a line feed; lxml (when installed) keeps it.
        assert row[0].value in (text, text.replace("\r", "\n"))
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_csv_round_trip_is_neutralised_and_french():
    data = export.write_csv(["Désignation", "Prix"], [["=1+1", Decimal("12.50")], ["Gants", 3]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Désignation", "Prix"], ["'=1+1", "12,50"], ["Gants", "3"]]


@given(st.text(min_size=1, max_size=40))
def test_no_exported_text_can_start_a_formula(text):
    data = export.write_xlsx(["h"], [[text]])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cell = ws["A2"]
    assert cell.data_type != "f"
    if cell.value is not None and str(cell.value).startswith(export.FORMULA_STARTS):
        assert cell.quotePrefix and cell.data_type == "s"
    row = next(
        iter(
            csv.reader(
                io.StringIO(export.write_csv(["h"], [[text]]).decode("utf-8-sig").split("\r\n", 1)[1]), delimiter=";"
            )
        ),
        [""],
    )
    assert not row or not row[0].startswith(export.FORMULA_STARTS)
