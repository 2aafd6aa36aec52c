"""Tests of the trade-file reader and of the HS revision converter (pure: no database)."""

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from tawrid.insights.tradefiles import (
    HS_ADJUSTMENTS,
    HS_REVISIONS,
    ConcordanceRow,
    HsConverter,
    TradeFileError,
    TradeProblem,
    TradeRecord,
    country_alpha3,
    open_trade_file,
    read_concordance_csv,
    revision_from_comtrade,
    revision_from_filename,
)

DATA = Path(__file__).parent / "data"
REFERENCE = Path(__file__).resolve().parents[3] / "data" / "reference" / "hs"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def split(trade_file):
    items = list(trade_file.rows())
    records = [item for item in items if isinstance(item, TradeRecord)]
    problems = [item for item in items if isinstance(item, TradeProblem)]
    assert len(records) + len(problems) == len(items)
    return records, problems


# --- helpers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "revision"),
    [("H0", "HS1992"), ("H1", "HS1996"), ("H2", "HS2002"), ("H3", "HS2007"), ("H4", "HS2012"), ("h5", "HS2017")]
    + [("H6", "HS2022")],
)
def test_revision_from_comtrade(code, revision):
    assert revision_from_comtrade(code) == revision


@pytest.mark.parametrize("code", ["HS", "S4", "H7", "", "EB02"])
def test_revision_from_comtrade_refuses_other_classifications(code):
    with pytest.raises(ValueError):
        revision_from_comtrade(code)


@pytest.mark.parametrize(
    ("name", "revision"),
    [
        ("BACI_HS17_Y2022_V202401.csv", "HS2017"),
        ("BACI_HS92_Y1995_V202401.csv", "HS1992"),
        ("BACI_HS96_Y2000_V202401.csv", "HS1996"),
        ("BACI_HS02_Y2003_V202401.csv", "HS2002"),
        ("BACI_HS07_Y2010_V202401.csv", "HS2007"),
        ("/tmp/upload/BACI_HS12_Y2015_V202401.csv", "HS2012"),
        ("baci_hs22_y2023_v202501.csv", "HS2022"),
        ("trade_HS2017.csv", "HS2017"),
        ("BACI_Y2022.csv", None),
        ("THS17.csv", None),
        ("BACI_HS171_Y2022.csv", None),
    ],
)
def test_revision_from_filename(name, revision):
    assert revision_from_filename(name) == revision


@pytest.mark.parametrize(
    ("code", "alpha3"),
    [
        ("251", "FRA"),
        ("842", "USA"),
        ("579", "NOR"),
        ("699", "IND"),
        ("757", "CHE"),
        ("490", "TWN"),
        ("504", "MAR"),
        ("276", "DEU"),
        ("156", "CHN"),
        ("0", "WLD"),
        ("56", "BEL"),
        ("998", None),
        ("FRA", None),
    ],
)
def test_country_alpha3(code, alpha3):
    assert country_alpha3(code) == alpha3


# --- UN Comtrade (current layout) ----------------------------------------------------------------------------------


def test_comtrade_plus_sample():
    trade_file = open_trade_file(DATA / "comtrade_plus_mar_2022.csv")
    assert trade_file.layout.key == "comtrade"
    assert trade_file.layout.source == "comtrade"
    assert trade_file.layout.label == "UN Comtrade (CSV)"
    assert trade_file.layout.hs_revision is None
    assert trade_file.encoding == "utf-8"
    records, problems = split(trade_file)
    assert problems == []
    assert records == [
        TradeRecord(
            2, 2022, "FRA", "MAR", "importer", "HS2022", "901831", Decimal("1234567.89"), Decimal("12000.5"), "kg"
        ),
        TradeRecord(3, 2022, "DEU", "MAR", "importer", "HS2022", "901831", Decimal("654321"), Decimal("5000"), "u"),
        TradeRecord(4, 2022, "CHN", "MAR", "importer", "HS2022", "901839", Decimal("987654.5"), None, ""),
        TradeRecord(5, 2022, "WLD", "MAR", "importer", "HS2022", "901831", Decimal("5000000"), Decimal("40000"), "kg"),
        TradeRecord(8, 2022, "MAR", "FRA", "exporter", "HS2022", "300490", Decimal("42000"), Decimal("100"), "kg"),
        TradeRecord(11, 2022, "USA", "MAR", "importer", "HS2022", "030490", Decimal("1500"), Decimal("0"), "kg"),
    ]
    assert trade_file.skipped == {"aggregate": 2, "re-export": 1, "unspecified-partner": 1, "breakdown": 1}


def test_rows_can_be_read_twice_and_counters_restart():
    trade_file = open_trade_file(DATA / "comtrade_plus_mar_2022.csv")
    first = list(trade_file.rows())
    second = list(trade_file.rows())
    assert first == second
    assert len(first) == 6
    assert trade_file.skipped["aggregate"] == 2


def test_rows_is_lazy():
    trade_file = open_trade_file(DATA / "comtrade_plus_mar_2022.csv")
    iterator = trade_file.rows()
    first = next(iterator)
    assert isinstance(first, TradeRecord)
    assert first.line == 2
    assert trade_file.skipped == {}  # nothing beyond line 2 was read yet


def test_semicolon_file_with_decimal_commas():
    trade_file = open_trade_file(DATA / "comtrade_plus_semicolon.csv")
    assert trade_file.delimiter == ";"
    records, problems = split(trade_file)
    assert problems == []
    assert [(r.exporter, r.hs6_original, r.value_usd, r.quantity) for r in records] == [
        ("FRA", "901831", Decimal("1234567.89"), Decimal("12000.5")),
        ("DEU", "901839", Decimal("1500.25"), Decimal("7")),
    ]


def test_cp1252_file_with_accented_names():
    raw = (DATA / "comtrade_plus_cp1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    trade_file = open_trade_file(DATA / "comtrade_plus_cp1252.csv")
    assert trade_file.encoding == "cp1252"
    records, problems = split(trade_file)
    assert problems == []
    assert [(r.exporter, r.importer, r.value_usd) for r in records] == [
        ("CIV", "MAR", Decimal("2500")),
        ("TUR", "MAR", Decimal("3600.75")),
    ]


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "comtrade_plus_semicolon.csv").read_bytes())
    trade_file = open_trade_file(path)
    assert trade_file.encoding == "utf-8-sig"
    assert trade_file.layout.key == "comtrade"
    assert len(split(trade_file)[0]) == 2


def test_monthly_file_is_refused():
    with pytest.raises(TradeFileError) as error:
        open_trade_file(DATA / "comtrade_plus_monthly.csv")
    assert "monthly" in error.value.message
    assert "202201" in error.value.message


def test_monthly_line_in_annual_file_is_a_problem(tmp_path):
    lines = (DATA / "comtrade_plus_mar_2022.csv").read_text().splitlines()
    monthly = (DATA / "comtrade_plus_monthly.csv").read_text().splitlines()[1]
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join([*lines[:2], monthly]) + "\n")
    records, problems = split(open_trade_file(path))
    assert len(records) == 1
    assert [(p.line, p.column, p.value) for p in problems] == [(3, "freqCode", "M")]


def test_invalid_values_are_reported_line_by_line():
    records, problems = split(open_trade_file(DATA / "comtrade_plus_invalid.csv"))
    assert [(p.line, p.column, p.value) for p in problems] == [
        (2, "primaryValue", "-500"),
        (3, "primaryValue", "abc"),
        (4, "primaryValue", ""),
        (5, "partnerCode", "999"),
        (6, "cmdCode", "9018311"),
        (7, "refYear", "1950"),
        (8, "qty", "-3"),
        (9, "classificationCode", "S4"),
    ]
    assert problems[0].message == (
        "Line 2, column “primaryValue”: “-500” is a negative value. A trade value must be zero or more."
    )
    assert problems[1].message == (
        "Line 3, column “primaryValue”: “abc” is not a number. Expected an amount in US dollars, for example 12345.67."
    )
    assert problems[2].message.startswith("Line 4, column “primaryValue”: the trade value is empty.")
    assert "“999” is not a known country code" in problems[3].message
    assert "between 1988 and 2100" in problems[5].message
    # The iteration goes on after the problems.
    assert [(r.line, r.exporter, r.hs6_original, r.value_usd) for r in records] == [
        (10, "DEU", "901890", Decimal("250.5"))
    ]


def test_short_line_is_a_problem(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text("t,i,j,k,v,q\n2022,251,504,901831,1,2\n2022,251,504\n")
    records, problems = split(open_trade_file(path, hs_revision="HS2017"))
    assert len(records) == 1
    assert problems[0].line == 3
    assert "3 values but the header has 6 columns" in problems[0].message


def test_classification_as_reported_needs_a_revision(tmp_path):
    text = (DATA / "comtrade_plus_semicolon.csv").read_text().replace(";H6;", ";HS;")
    path = tmp_path / "as_reported.csv"
    path.write_text(text)
    records, problems = split(open_trade_file(path))
    assert records == []
    assert [(p.line, p.column, p.value) for p in problems] == [(2, "classificationCode", "HS")] + [
        (3, "classificationCode", "HS")
    ]
    records, problems = split(open_trade_file(path, hs_revision="HS2012"))
    assert problems == []
    assert [r.hs_revision for r in records] == ["HS2012", "HS2012"]


# --- UN Comtrade (legacy layout) -----------------------------------------------------------------------------------


def test_comtrade_legacy_sample():
    trade_file = open_trade_file(DATA / "comtrade_legacy_mar_2019.csv")
    assert trade_file.layout.key == "comtrade_legacy"
    records, problems = split(trade_file)
    assert problems == []
    assert records == [
        TradeRecord(2, 2019, "FRA", "MAR", "importer", "HS2017", "901831", Decimal("800000"), Decimal("9000"), "kg"),
        TradeRecord(3, 2019, "MAR", "ESP", "exporter", "HS2017", "901839", Decimal("12500.5"), None, ""),
        TradeRecord(6, 2019, "WLD", "MAR", "importer", "HS2017", "901831", Decimal("2000000"), Decimal("25000"), "kg"),
    ]
    assert trade_file.skipped == {"re-export": 1, "re-import": 1, "aggregate": 1}


# --- CEPII BACI ----------------------------------------------------------------------------------------------------


def test_baci_sample():
    trade_file = open_trade_file(DATA / "BACI_HS17_Y2022_V202401.csv")
    assert trade_file.layout.key == "baci"
    assert trade_file.layout.source == "baci"
    assert trade_file.layout.hs_revision == "HS2017"
    records, problems = split(trade_file)
    assert records == [
        TradeRecord(2, 2022, "FRA", "MAR", "reconciled", "HS2017", "901831", Decimal("12345"), Decimal("0.5"), "t"),
        TradeRecord(3, 2022, "USA", "MAR", "reconciled", "HS2017", "901839", Decimal("100000"), None, "t"),
        TradeRecord(4, 2022, "CHN", "MAR", "reconciled", "HS2017", "300490", Decimal("1"), None, "t"),
        TradeRecord(5, 2022, "TWN", "MAR", "reconciled", "HS2017", "030269", Decimal("3000"), None, "t"),
        TradeRecord(6, 2022, "IND", "MAR", "reconciled", "HS2017", "901890", Decimal("1500"), Decimal("0.002"), "t"),
        TradeRecord(7, 2022, "MAR", "CHE", "reconciled", "HS2017", "901831", Decimal("2250"), Decimal("0.01"), "t"),
        TradeRecord(8, 2022, "NOR", "MAR", "reconciled", "HS2017", "901831", Decimal("4000"), Decimal("0.1"), "t"),
    ]
    assert [(p.line, p.column, p.value) for p in problems] == [(9, "i", "998")]
    assert trade_file.skipped == {}


def test_baci_value_in_thousands():
    records, _ = split(open_trade_file(DATA / "BACI_HS17_Y2022_V202401.csv"))
    assert records[0].value_usd == Decimal("12.345") * 1000 == 12345


def test_baci_revision_from_upload_name(tmp_path):
    path = tmp_path / "upload-3f2a.csv"
    shutil.copy(DATA / "BACI_HS17_Y2022_V202401.csv", path)
    with pytest.raises(TradeFileError) as error:
        open_trade_file(path)
    assert "upload-3f2a.csv" in error.value.message
    assert open_trade_file(path, filename="BACI_HS12_Y2014_V202401.csv").layout.hs_revision == "HS2012"
    assert open_trade_file(path, hs_revision="HS2007").layout.hs_revision == "HS2007"


def test_baci_revision_conflict_is_refused():
    with pytest.raises(TradeFileError) as error:
        open_trade_file(DATA / "BACI_HS17_Y2022_V202401.csv", hs_revision="HS2022")
    assert "HS2017" in error.value.message and "HS2022" in error.value.message


def test_unknown_revision_is_a_programming_error():
    with pytest.raises(ValueError):
        open_trade_file(DATA / "BACI_HS17_Y2022_V202401.csv", hs_revision="HS17")


# --- files refused as a whole --------------------------------------------------------------------------------------


def test_unknown_header_is_refused():
    with pytest.raises(TradeFileError) as error:
        open_trade_file(DATA / "unknown_header.csv")
    assert "not recognised" in error.value.message
    assert "Country, Product, Value" in error.value.message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty."),
        (b"  \r\n", "The file is empty."),
        (b"t,i,j,k,v,q\r\n\r\n", "The file contains a header line but no data."),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook"),
        (b"t\x00i\x00j\x00", "not a text (CSV) file"),
        (b"refYear,flowCode,cmdCode,reporterCode,partnerCode\n2022,M,901831,504,251\n", "primaryValue"),
    ],
)
def test_files_refused(tmp_path, content, expected):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    with pytest.raises(TradeFileError) as error:
        open_trade_file(path)
    assert expected in error.value.message


# --- HS conversion: hand-made concordance --------------------------------------------------------------------------

TINY = [
    # 1:1 over the whole chain for 901831
    ConcordanceRow("901831", "901831", "1:1", "2017 to 2012"),
    ConcordanceRow("901831", "901831", "1:1", "2022 to 2017"),
    # n:1 merge in 2022: 111111 and 111112 (HS 2017) → 111110
    ConcordanceRow("111110", "111111", "1:n", "2022 to 2017"),
    ConcordanceRow("111110", "111112", "1:n", "2022 to 2017"),
    # 1:n split in 2022: 222220 (HS 2017) → 222221, 222222, 222223
    ConcordanceRow("222221", "222220", "n:1", "2022 to 2017"),
    ConcordanceRow("222222", "222220", "n:1", "2022 to 2017"),
    ConcordanceRow("222223", "222220", "n:1", "2022 to 2017"),
    # two steps: 333330 (HS 2012) → 333331 + 333332 (HS 2017); 333332 → 444440 + 444441 (HS 2022); 333331 → 333331
    ConcordanceRow("333331", "333330", "n:1", "2017 to 2012"),
    ConcordanceRow("333332", "333330", "n:1", "2017 to 2012"),
    ConcordanceRow("333331", "333331", "1:1", "2022 to 2017"),
    ConcordanceRow("444440", "333332", "n:1", "2022 to 2017"),
    ConcordanceRow("444441", "333332", "n:1", "2022 to 2017"),
    # 555550 keeps its number but is also linked to a catch-all 999990 fed by 666660 too
    ConcordanceRow("555550", "555550", "n:1", "2022 to 2017"),
    ConcordanceRow("999990", "555550", "n:n", "2022 to 2017"),
    ConcordanceRow("999990", "666660", "n:n", "2022 to 2017"),
    ConcordanceRow("999991", "666660", "n:n", "2022 to 2017"),
    ConcordanceRow("999991", "777770", "n:n", "2022 to 2017"),
    # leading zero lost in the source data
    ConcordanceRow("30269", "30269", "1:1", "2022 to 2017"),
]
TINY_HS2022 = ["901831", "111110", "222221", "222222", "222223", "333331", "444440", "444441", "555550"] + [
    "999990",
    "999991",
    "030269",
]


@pytest.fixture
def tiny():
    return HsConverter(TINY, TINY_HS2022)


@pytest.mark.parametrize(
    ("code", "revision", "expected"),
    [
        ("901831", "HS2022", [("901831", Decimal(1))]),
        ("901831", "HS2017", [("901831", Decimal(1))]),
        ("901831", "HS2012", [("901831", Decimal(1))]),
        ("111111", "HS2017", [("111110", Decimal(1))]),
        ("111112", "HS2017", [("111110", Decimal(1))]),
        ("30269", "HS2017", [("030269", Decimal(1))]),
        ("333330", "HS2012", [("333331", Decimal("0.5")), ("444440", Decimal("0.25")), ("444441", Decimal("0.25"))]),
        ("333332", "HS2017", [("444440", Decimal("0.5")), ("444441", Decimal("0.5"))]),
        # keeps its number: the link to the catch-all code fed by other codes is ignored
        ("555550", "HS2017", [("555550", Decimal(1))]),
        # no primary successor: shared equally among all successors
        ("666660", "HS2017", [("999990", Decimal("0.5")), ("999991", Decimal("0.5"))]),
        ("123456", "HS2017", []),
        ("222221", "HS2017", []),
        ("901831", "HS1992", []),
    ],
)
def test_to_hs2022_tiny(tiny, code, revision, expected):
    assert tiny.to_hs2022(code, revision) == expected


def test_split_in_three_equal_shares_adding_up_to_one(tiny):
    result = tiny.to_hs2022("222220", "HS2017")
    assert [code for code, _ in result] == ["222221", "222222", "222223"]
    assert [share.quantize(Decimal("0.000001")) for _, share in result] == [Decimal("0.333333")] * 3
    assert sum(share for _, share in result) == Decimal(1)


@pytest.mark.parametrize(
    ("code", "revision", "valid"),
    [
        ("901831", "HS2022", True),
        ("111110", "HS2022", True),
        ("111111", "HS2022", False),
        ("111111", "HS2017", True),
        ("333330", "HS2012", True),
        ("333330", "HS2017", False),
        ("30269", "HS2022", True),
        ("ABCDEF", "HS2017", False),
        ("901831", "HS1996", False),
    ],
)
def test_is_valid_tiny(tiny, code, revision, valid):
    assert tiny.is_valid(code, revision) is valid


def test_unknown_revision(tiny):
    with pytest.raises(ValueError):
        tiny.to_hs2022("901831", "HS17")


# --- HS conversion: the real concordance ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    rows = read_concordance_csv(REFERENCE / "hs_consolidated_comtrade_concordances.csv")
    with (REFERENCE / "hs2022_harmonized_system.csv").open(encoding="utf-8") as fh:
        codes = [row["hscode"] for row in csv.DictReader(fh) if row["level"] == "6"]
    return rows, HsConverter(rows, codes)


def test_read_concordance_csv(real):
    rows, _ = real
    counts = {adjustment: sum(1 for row in rows if row.adjustment == adjustment) for adjustment in HS_ADJUSTMENTS}
    assert counts == {
        "1996 to 1992": 5_426,
        "2002 to 1996": 5_611,
        "2007 to 2002": 5_664,
        "2012 to 2007": 5_364,
        "2017 to 2012": 6_141,
        "2022 to 2017": 15_657,  # as PROVENANCE.md says
    }
    assert all(len(row.code_after) == 6 and row.code_after.isdigit() for row in rows)
    assert all(len(row.code_before) == 6 and row.code_before.isdigit() for row in rows)
    assert ConcordanceRow("010111", "010111", "1:1", "1996 to 1992") in rows


@pytest.mark.parametrize("revision", HS_REVISIONS)
def test_real_901831_maps_to_itself(real, revision):
    _, converter = real
    assert converter.is_valid("901831", revision)
    assert converter.to_hs2022("901831", revision) == [("901831", Decimal(1))]


@pytest.mark.parametrize(
    ("code", "revision", "expected"),
    [
        # HS 2022 split the HS 2017 seats/parts headings
        ("940130", "HS2017", [("940131", Decimal("0.5")), ("940139", Decimal("0.5"))]),
        # medical gloves: 401519 keeps its number (the new 401512 also comes from 401511)
        ("401519", "HS2017", [("401519", Decimal(1))]),
        # 300290 split into four new codes in HS 2022
        ("300290", "HS2017", [(c, Decimal("0.25")) for c in ("300249", "300251", "300259", "300290")]),
        # HS 2012 → 2017 → 2022: 300210 was split into six HS 2017 codes (1/6 each); 300211 became 382211 in HS 2022;
        # 300219 has no HS 2022 successor in the table (gap in the data), so the five others are scaled to 1/5
        ("300210", "HS2012", [(c, Decimal("0.2")) for c in ("300212", "300213", "300214", "300215", "382211")]),
        # no primary successor: shared within heading 9006, not with the HS 2022 catch-all headings 8524 and 8549
        ("900651", "HS2017", [("900653", Decimal("0.5")), ("900659", Decimal("0.5"))]),
        ("300219", "HS2017", []),
    ],
)
def test_real_conversions(real, code, revision, expected):
    _, converter = real
    assert converter.to_hs2022(code, revision) == expected


def test_real_hs2022_codes_and_invalid_codes(real):
    _, converter = real
    assert converter.is_valid("901831", "HS2022")
    assert converter.is_valid("901832", "HS2022")
    assert not converter.is_valid("901833", "HS2022")
    assert converter.to_hs2022("999998", "HS2017") == []
    assert not converter.is_valid("854921", "HS2017")  # created in HS 2022
    assert converter.is_valid("854921", "HS2022")
