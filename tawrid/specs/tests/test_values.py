"""parse_value, format_value and unit_choices: what forms, spreadsheets and the API feed in."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tawrid.core.errors import DomainError
from tawrid.specs import ATTRIBUTES, AttributeKind, SpecError, SpecValue, format_value, parse_value, unit_choices


@pytest.mark.parametrize(
    ("key", "raw", "unit", "value", "canonical"),
    [
        ("outer_diameter", "0,8 mm", None, 0.8, "MMT"),
        ("outer_diameter", "0,8", "MMT", 0.8, "MMT"),
        ("outer_diameter", "800 µm", None, 0.8, "MMT"),
        ("outer_diameter", "8/10", "mm", 0.8, "MMT"),
        ("length", "2,5", "cm", 25.0, "MMT"),
        ("length", "2.5cm", None, 25.0, "MMT"),
        ("length", 1, "m", 1000.0, "MMT"),
        ("length", "1 1/2", "in", 38.1, "MMT"),
        ("volume", "5", "cc", 5.0, "MLT"),
        ("volume", "5 mL", None, 5.0, "MLT"),
        ("volume", "2", "L", 2000.0, "MLT"),
        ("volume", "1,5 l", None, 1500.0, "MLT"),
        ("volume", "1 234,50", "ml", 1234.5, "MLT"),
        ("weight", "1,5", "KGM", 1500.0, "GRM"),
        ("weight", "500 mg", None, 0.5, "GRM"),
        ("gauge", "21G", None, 21.0, ""),
        ("gauge", "G 21", None, 21.0, ""),
        ("gauge", "21 G", None, 21.0, ""),
        ("gauge", 23, None, 23.0, ""),
        ("gauge", "21", "G", 21.0, ""),  # the scale's name given as the unit
        ("french_size", "16", "Ch", 16.0, ""),
        ("french_size", "CH 18", None, 18.0, ""),
        ("french_size", "18 FR", None, 18.0, ""),
        ("french_size", "Fr 18", None, 18.0, ""),
        ("french_size", "Ch. 4,5", None, 4.5, ""),
        ("french_size", "6", "mm", 18.0, ""),  # 1 Ch = 1/3 mm
        ("pieces", "3", None, 3.0, ""),
    ],
)
def test_quantities(key, raw, unit, value, canonical):
    parsed = parse_value(key, raw, unit)
    assert parsed.attribute == key
    assert parsed.value == pytest.approx(value)
    assert parsed.unit == canonical
    assert parsed.raw == str(raw)


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("suture_size", "4/0", "4/0"),
        ("suture_size", "USP 3-0", "3/0"),
        ("suture_size", "3-0", "3/0"),
        ("suture_size", "000", "3/0"),
        ("suture_size", "0", "0"),
        ("suture_size", "1-0", "0"),
        ("suture_size", "1", "1"),
        ("suture_size", "2", "2"),
        ("glove_size", "T M", "M"),
        ("glove_size", "moyen", "M"),
        ("glove_size", "Large", "L"),
        ("glove_size", "7 1/2", "7.5"),
        ("glove_size", "7,5", "7.5"),
        ("glove_size", "8", "8"),
        ("material", "Nitrile", "nitrile"),
        ("material", "acier inoxydable", "stainless_steel"),
        ("material", "polypropylène", "polypropylene"),
        ("material", "قطن", "cotton"),
        ("material", "PVC", "pvc"),
        ("connector", "Luer-Lock", "luer_lock"),
        ("colour", "  bleu   ciel ", "bleu ciel"),
    ],
)
def test_codes_and_choices(key, raw, value):
    assert parse_value(key, raw).value == value


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("sterile", "oui", True),
        ("sterile", "non", False),
        ("sterile", "stérile", True),
        ("sterile", "STERILE", True),
        ("sterile", "non stérile", False),
        ("sterile", "Non-sterile", False),
        ("sterile", "yes", True),
        ("sterile", "no", False),
        ("sterile", True, True),
        ("sterile", 0, False),
        ("single_use", "U.U.", True),
        ("single_use", "usage unique", True),
        ("single_use", "réutilisable", False),
        ("latex_free", "sans latex", True),
        ("powder_free", "non poudré", True),
        ("powder_free", "poudré", False),
        ("absorbable", "résorbable", True),
        ("absorbable", "non résorbable", False),
        ("sterile", "نعم", True),
    ],
)
def test_booleans(key, raw, value):
    assert parse_value(key, raw).value is value


@pytest.mark.parametrize(
    ("key", "raw", "unit", "code"),
    [
        ("furlong_length", "3", "mm", "unknown_attribute"),
        ("length", "3", "furlong", "unknown_unit"),
        ("length", "3 furlongs", None, "unknown_unit"),
        ("length", "5", "ml", "unknown_unit"),  # wrong dimension
        ("volume", "5", "mm", "unknown_unit"),
        ("weight", "5", "ml", "unknown_unit"),
        ("length", "abc", "mm", "not_a_number"),
        ("length", "12", None, "missing_unit"),
        ("length", "-3", "mm", "negative"),
        ("volume", -5, "ml", "negative"),
        ("gauge", "-21", None, "not_a_number"),
        ("gauge", "99", None, "out_of_range"),
        ("gauge", "21,5", None, "not_a_number"),
        ("gauge", "21", "mm", "unknown_unit"),
        ("pieces", "2,5", None, "not_integer"),
        ("volume", float("nan"), "ml", "not_a_number"),
        ("volume", True, "ml", "not_a_number"),
        ("volume", "  ", "ml", "invalid_spec"),
        ("suture_size", "13/0", None, "unknown_choice"),
        ("suture_size", "fin", None, "unknown_choice"),
        ("material", "unobtainium", None, "unknown_choice"),
        ("sterile", "peut-être", None, "not_boolean"),
        ("sterile", "oui", "mm", "unit_not_allowed"),
        ("length", "2 cm", "mm", "unknown_unit"),  # two different units
    ],
)
def test_errors(key, raw, unit, code):
    with pytest.raises(SpecError) as caught:
        parse_value(key, raw, unit)
    assert caught.value.code == code
    assert isinstance(caught.value, DomainError)
    assert caught.value.message


def test_error_message_names_the_units():
    with translation.override("en"), pytest.raises(SpecError) as caught:
        parse_value("length", "3", "furlong")
    assert caught.value.message == "Unknown unit “furlong” for length; expected one of: mm, cm, m, µm, dm, in"
    assert caught.value.details == {"length": [caught.value.message]}


def test_error_message_is_translated():
    with translation.override("fr"), pytest.raises(SpecError) as caught:
        parse_value("length", "3", "furlong")
    assert caught.value.message.startswith("Unité « furlong » inconnue pour longueur")
    with translation.override("ar"), pytest.raises(SpecError) as caught:
        parse_value("volume", "-5", "ml")
    assert "الحجم" in caught.value.message


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (parse_value("outer_diameter", "0.8", "mm"), "0,8 mm", "0.8 mm"),
        (parse_value("length", "2,5", "cm"), "2,5 cm", "2.5 cm"),
        (parse_value("volume", "5", "cc"), "5 ml", "5 ml"),
        (parse_value("volume", "2", "l"), "2 l", "2 l"),
        (parse_value("gauge", "21G"), "21 G", "21 G"),
        (parse_value("french_size", "18 Fr"), "CH 18", "CH 18"),
        (parse_value("suture_size", "4/0"), "4/0", "4/0"),
        (parse_value("glove_size", "7,5"), "7,5", "7.5"),
        (parse_value("sterile", "oui"), "stérile", "sterile"),
        (parse_value("sterile", "non"), "non stérile", "non-sterile"),
        (parse_value("material", "nitrile"), "nitrile", "nitrile"),
        (parse_value("material", "stainless steel"), "acier inoxydable", "stainless steel"),
        (parse_value("plies", "12"), "12 plis", "12 plies"),
    ],
)
def test_format_value(value, fr, en):
    assert format_value(value, "fr") == fr
    assert format_value(value, "en") == en
    assert value.display == fr
    assert format_value(value, "ar")  # something readable in Arabic too


def test_equality_ignores_how_it_was_written():
    assert parse_value("length", "25 mm") == parse_value("length", "2,5", "cm")
    assert parse_value("length", "25 mm") != parse_value("needle_length", "25 mm")
    assert len({parse_value("volume", "5 ml"), parse_value("volume", "5", "cc")}) == 1


def test_unit_choices():
    assert unit_choices("length")[:3] == [("MMT", "mm"), ("CMT", "cm"), ("MTR", "m")]
    assert ("MLT", "ml") in unit_choices("volume") and ("LTR", "l") in unit_choices("volume")
    assert unit_choices("material") == []
    assert unit_choices("gauge") == []
    with pytest.raises(SpecError):
        unit_choices("nope")


def test_attribute_table_is_consistent():
    wanted = {
        "length",
        "outer_diameter",
        "gauge",
        "french_size",
        "volume",
        "weight",
        "width",
        "thickness",
        "material",
        "suture_size",
        "glove_size",
        "sterile",
        "single_use",
        "latex_free",
        "powder_free",
        "absorbable",
        "needle_length",
    }
    assert wanted <= set(ATTRIBUTES)
    for key, definition in ATTRIBUTES.items():
        assert definition.key == key
        assert str(definition.label)
        if definition.kind is AttributeKind.ENUM:
            assert definition.choices
        if definition.kind is AttributeKind.BOOLEAN:
            assert str(definition.true_label) and str(definition.false_label)


def test_spec_value_is_frozen():
    value = parse_value("volume", "5 ml")
    with pytest.raises(AttributeError):
        value.value = 6.0  # type: ignore[misc]
    assert isinstance(value, SpecValue)


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False).map(lambda x: round(x, 3)))
def test_quantity_display_parses_back(number):
    value = parse_value("length", number, "mm")
    assert parse_value("length", format_value(value, "fr")) == value
    assert parse_value("length", format_value(value, "en")) == value


@given(key=st.sampled_from(sorted(ATTRIBUTES)), raw=st.text(max_size=30), unit=st.none() | st.text(max_size=6))
def test_any_input_gives_a_value_or_a_spec_error(key, raw, unit):
    try:
        value = parse_value(key, raw, unit)
    except SpecError as error:
        assert error.message
        return
    definition = ATTRIBUTES[key]
    if definition.kind is AttributeKind.QUANTITY:
        assert isinstance(value.value, float) and value.value >= 0
        assert definition.maximum is None or value.value <= definition.maximum


def test_charriere_spelled_out():
    assert parse_value("french_size", "Charrière 18").value == 18.0
