"""Numbers written the French or the English way, and Rec 20 unit conversions through pint."""

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tawrid.specs import ATTRIBUTES, UNITS, parse_number, unit_code
from tawrid.specs.units import convert, dimensionality, factor, format_number, normalise_dimension


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,8", 0.8),
        ("0.8", 0.8),
        ("25", 25.0),
        ("1 234,50", 1234.5),
        ("1\u00a0234,50", 1234.5),
        ("1\u202f234,50", 1234.5),
        ("1.234,50", 1234.5),
        ("1,234.50", 1234.5),
        ("1 234", 1234.0),
        ("1.234.567", 1234567.0),
        ("1 234 567,5", 1234567.5),
        ("-5", -5.0),
        (",5", 0.5),
        ("8/10", 0.8),
        ("1 1/2", 1.5),
        ("1,234", 1.234),  # a lone separator is a decimal point (documented choice)
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3,4", "12 34", "1.2.3,4,5", "1 23", "5/0", "1..2", "--1", "1e5"])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


def _group(integer: int, sep: str) -> str:
    return f"{integer:,}".replace(",", sep)


@given(
    integer=st.integers(min_value=0, max_value=10**12),
    cents=st.integers(min_value=0, max_value=99),
    style=st.sampled_from(["fr_space", "fr_nbsp", "fr_narrow", "fr_dot", "en", "plain_comma", "plain_dot"]),
)
def test_parse_number_property(integer, cents, style):
    expected = Decimal(integer) + Decimal(cents) / 100
    frac = f"{cents:02d}"
    text = {
        "fr_space": f"{_group(integer, ' ')},{frac}",
        "fr_nbsp": f"{_group(integer, chr(0xA0))},{frac}",
        "fr_narrow": f"{_group(integer, chr(0x202F))},{frac}",
        "fr_dot": f"{_group(integer, '.')},{frac}",
        "en": f"{_group(integer, ',')}.{frac}",
        "plain_comma": f"{integer},{frac}",
        "plain_dot": f"{integer}.{frac}",
    }[style]
    assert parse_number(text) == pytest.approx(float(expected), rel=1e-15)


@given(integer=st.integers(min_value=1000, max_value=10**12))
def test_space_grouped_integers(integer):
    assert parse_number(_group(integer, " ")) == integer


@given(value=st.floats(min_value=0, max_value=1e6, allow_nan=False), decimals=st.sampled_from([",", "."]))
def test_format_then_parse(value, decimals):
    text = format_number(value, decimals, max_decimals=3)
    assert parse_number(text) == pytest.approx(round(value, 3), abs=1e-9)


def test_unit_lookup_accepts_codes_and_symbols():
    assert unit_code("MMT") == unit_code("mm") == unit_code("millimètre") == "MMT"
    assert unit_code("ml") == unit_code("mL") == unit_code("cc") == unit_code("MLT") == "MLT"
    assert unit_code("µm") == unit_code("\u03bcm") == unit_code("um") == "4H"
    assert unit_code("l") == unit_code("L") == unit_code("litre") == "LTR"
    assert unit_code("kg") == "KGM" and unit_code("g") == "GRM" and unit_code("mg") == "MGM"
    assert unit_code("furlong") is None


def test_factors_come_from_pint():
    assert factor("CMT", "MMT") == pytest.approx(10)
    assert factor("LTR", "MLT") == pytest.approx(1000)
    assert factor("INH", "MMT") == pytest.approx(25.4)
    assert factor("KGM", "GRM") == pytest.approx(1000)
    assert factor("MTQ", "LTR") == pytest.approx(1000)
    assert convert(2.5, "CMT", "MMT") == 25.0  # no binary noise left


def test_dimensions_match_the_attributes():
    for definition in ATTRIBUTES.values():
        if definition.has_units:
            wanted = normalise_dimension(definition.dimension)
            assert definition.canonical_unit in definition.allowed_units
            for code in definition.allowed_units:
                assert dimensionality(code) == wanted, (definition.key, code)
    assert normalise_dimension("[volume]") == normalise_dimension("[length]**3")


@given(
    data=st.data(),
    value=st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False),
)
def test_unit_round_trip(data, value):
    key = data.draw(st.sampled_from([k for k, d in ATTRIBUTES.items() if d.has_units]))
    definition = ATTRIBUTES[key]
    a = data.draw(st.sampled_from(definition.allowed_units))
    b = data.draw(st.sampled_from(definition.allowed_units))
    there = convert(value, a, b)
    back = convert(there, b, a)
    assert math.isclose(back, value, rel_tol=1e-9)
    assert math.isclose(factor(a, b) * factor(b, a), 1.0, rel_tol=1e-12)


def test_every_unit_has_a_pint_unit():
    for unit in UNITS.values():
        assert dimensionality(unit.code).startswith("[")
