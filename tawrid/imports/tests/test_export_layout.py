"""xlsx downloads read well when opened: the header row frozen and bold, ratios as percentages, each column as
wide as its header and its values."""

import io
from decimal import Decimal

import openpyxl

from tawrid.imports.export import PERCENT_FORMAT, write_xlsx


def test_ratios_read_as_percentages_under_a_frozen_header():
    headers = ["Acheteur", "Demande déclarée (MAD)", "Couverture locale"]
    rows = [["Centre hospitalier universitaire Hassan II", Decimal("1250000.50"), Decimal("0.236")], ["CHU", 12, None]]
    sheet = openpyxl.load_workbook(
        io.BytesIO(write_xlsx(headers, rows, number_formats=[None, None, PERCENT_FORMAT]))
    ).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert (sheet["C2"].value, sheet["C2"].number_format) == (0.236, "0.0%")
    assert sheet["B2"].number_format == "#,##0.00" and sheet["B3"].number_format == "#,##0"
    assert sheet.column_dimensions["A"].width >= len(rows[0][0])
    assert sheet.column_dimensions["B"].width >= len(headers[1])
    assert sheet.column_dimensions["C"].width >= len(headers[2])
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["Centre hospitalier universitaire Hassan II", 1250000.5, 0.236],
        ["CHU", 12, None],
    ]


def test_a_long_stream_is_written_whole():
    rows = ([n, f"ligne {n}"] for n in range(1, 1001))  # a generator: the first rows size the columns
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(["N", "Texte"], rows))).active
    assert sheet.max_row == 1001 and sheet["B1001"].value == "ligne 1000"
