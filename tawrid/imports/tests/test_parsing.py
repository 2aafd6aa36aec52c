"""The cell parsers: French and English numbers, prices, quantities, dates, booleans, text."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tawrid.imports import parsing
from tawrid.imports.parsing import ParseError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1\u00a0234,50", Decimal("1234.50")),
        ("1\u202f234,5", Decimal("1234.5")),
        ("1.234,50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1234.5", Decimal("1234.5")),
        ("2,5", Decimal("2.5")),
        ("1,234,567", Decimal("1234567")),
        ("1.234.567", Decimal("1234567")),
        ("-5", Decimal("-5")),
        ("(12)", Decimal("-12")),
        (",5", Decimal("0.5")),
        ("12 %", Decimal("12")),
    ],
)
def test_numbers_written_the_french_or_english_way(text, expected):
    assert parsing.parse_decimal(text).value == expected


@pytest.mark.parametrize("text", ["beaucoup", "1.23.4", "1 23", "12abc", "1,2,3.4,5", "--5", "%", "1..2"])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ParseError):
        parsing.parse_decimal(text)


def test_quantities_refuse_words_and_negatives():
    with pytest.raises(ParseError, match="beaucoup"):
        parsing.parse_quantity("beaucoup")
    with pytest.raises(ParseError, match="-5"):
        parsing.parse_quantity("-5")
    with pytest.raises(ParseError):
        parsing.parse_quantity(-5)
    assert parsing.parse_quantity("1 200").value == Decimal(1200)
    assert parsing.parse_quantity(None).value is None
    assert parsing.parse_integer("12,0").value == 12
    with pytest.raises(ParseError):
        parsing.parse_integer("12,5")


@pytest.mark.parametrize("text", ["1 234,50 MAD", "1 234,50 DH", "1 234,50 Dhs", "MAD 1234,50", "1234,50 د.م."])
def test_a_currency_sign_is_removed_from_prices_with_a_warning(text):
    parsed = parsing.parse_price(text)
    assert parsed.value == Decimal("1234.50")
    assert len(parsed.warnings) == 1


def test_prices_in_another_currency_or_negative_are_refused():
    with pytest.raises(ParseError):
        parsing.parse_price("12 €")
    with pytest.raises(ParseError):
        parsing.parse_price("-3")
    assert parsing.parse_price("12,5").warnings == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/12/2026", datetime.date(2026, 12, 31)),
        ("31-12-26", datetime.date(2026, 12, 31)),
        ("31.12.2026", datetime.date(2026, 12, 31)),
        ("2026-12-31", datetime.date(2026, 12, 31)),
        ("2026-12-31T10:00:00", datetime.date(2026, 12, 31)),
        ("31 décembre 2026", datetime.date(2026, 12, 31)),
        ("1er janvier 2027", datetime.date(2027, 1, 1)),
        (46387, datetime.date(2026, 12, 31)),
        (46387.75, datetime.date(2026, 12, 31)),
        (datetime.datetime(2026, 12, 31, 8, 30), datetime.date(2026, 12, 31)),
        (datetime.date(2026, 12, 31), datetime.date(2026, 12, 31)),
    ],
)
def test_dates(value, expected):
    assert parsing.parse_date(value).value == expected


def test_day_comes_before_month_and_impossible_dates_are_refused():
    assert parsing.parse_date("03/04/2026").value == datetime.date(2026, 4, 3)
    parsed = parsing.parse_date("12/31/2026")
    assert parsed.value == datetime.date(2026, 12, 31) and parsed.warnings
    for bad in ["31/02/2026", "demain", "2026-13-01", 0, -3]:
        with pytest.raises(ParseError):
            parsing.parse_date(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("oui", True),
        ("OUI", True),
        ("x", True),
        ("yes", True),
        ("1", True),
        (1, True),
        (True, True),
        ("non", False),
        ("No", False),
        ("0", False),
        (0, False),
        ("faux", False),
        ("", None),
        (None, None),
    ],
)
def test_booleans(value, expected):
    assert parsing.parse_bool(value).value is expected


def test_a_boolean_that_is_neither_is_refused():
    with pytest.raises(ParseError):
        parsing.parse_bool("peut-être")


def test_text_is_cleaned_but_formulas_stay_text():
    assert parsing.parse_text("  AIGUILLE\u00a0 STERILE\n 25 X 8 ").value == "AIGUILLE STERILE 25 X 8"
    assert parsing.parse_text("=SUM(A1:A3)").value == "=SUM(A1:A3)"
    assert parsing.parse_text(12345.0).value == "12345"
    assert parsing.parse_text("   ").value is None
    assert parsing.parse_multiline_text("a  b\n c").value == "a b\nc"


def test_percentages():
    assert parsing.parse_percent("12 %").value == Decimal(12)
    assert parsing.parse_percent(0.35).value == Decimal(35)
    with pytest.raises(ParseError):
        parsing.parse_percent("140 %")


# Properties ------------------------------------------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("-999999999.99"), max_value=Decimal("999999999.99"), places=2, allow_nan=False)


def _group(integer: str, sep: str) -> str:
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    return sep.join(groups)


def _write(number: Decimal, thousands: str, decimal_sep: str) -> str:
    sign = "-" if number < 0 else ""
    integer, fraction = f"{abs(number):.2f}".split(".")
    return f"{sign}{_group(integer, thousands)}{decimal_sep}{fraction}"


@given(
    amounts,
    st.sampled_from([(" ", ","), ("\u00a0", ","), ("\u202f", ","), (".", ","), (",", "."), ("", ","), ("", ".")]),
)
def test_any_amount_written_in_a_known_way_reads_back_exactly(number, style):
    thousands, decimal_sep = style
    assert parsing.parse_decimal(_write(number, thousands, decimal_sep)).value == number


@given(amounts.filter(lambda d: d >= 0), st.sampled_from(["MAD", "DH", "Dhs", "dh"]), st.booleans())
def test_any_price_with_a_currency_sign_reads_back(number, sign, before):
    text = _write(number, " ", ",")
    written = f"{sign} {text}" if before else f"{text} {sign}"
    parsed = parsing.parse_price(written)
    assert parsed.value == number and parsed.warnings


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1e9"), places=3, allow_nan=False))
def test_negative_quantities_are_always_refused(number):
    with pytest.raises(ParseError):
        parsing.parse_quantity(f"-{number}")


@given(st.text())
def test_parsers_never_fail_other_than_with_parse_error(text):
    for parser in (
        parsing.parse_decimal,
        parsing.parse_quantity,
        parsing.parse_price,
        parsing.parse_date,
        parsing.parse_bool,
        parsing.parse_percent,
        parsing.parse_integer,
    ):
        try:
            parser(text)
        except ParseError as error:
            assert error.message


@given(st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(9999, 12, 31)))
def test_dates_round_trip_through_french_and_iso_writing_and_excel_serials(day):
    assert parsing.parse_date(day.strftime("%d/%m/%Y")).value == day
    assert parsing.parse_date(day.isoformat()).value == day
    serial = (day - parsing.EXCEL_EPOCH).days
    assert parsing.parse_date(serial).value == day


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=50))
def test_clean_text_is_idempotent_and_trimmed(text):
    cleaned = parsing.clean_text(text)
    assert parsing.clean_text(cleaned) == cleaned
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned


@given(st.integers(min_value=0, max_value=10**12))
def test_integers_read_with_spaces_as_thousands(n):
    assume(n >= 0)
    assert parsing.parse_integer(_group(str(n), " ")).value == n
