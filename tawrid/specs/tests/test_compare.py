"""compare(asked, offered): exact, compatible within tolerance, conflict, unknown; unit-aware."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tawrid.specs import ATTRIBUTES, AttributeKind, Fit, SpecValue, compare, parse_value


def fit(asked: SpecValue, offered: SpecValue) -> Fit:
    return compare(asked, offered).fit


@pytest.mark.parametrize(
    ("asked", "offered", "expected"),
    [
        (("volume", "5 ml"), ("volume", "5 cc"), Fit.EXACT),
        (("volume", "1 l"), ("volume", "1000 ml"), Fit.EXACT),
        (("length", "25 mm"), ("length", "2.5 cm"), Fit.EXACT),
        (("length", "100 mm"), ("length", "101 mm"), Fit.COMPATIBLE),  # 2 % tolerance on lengths
        (("length", "100 mm"), ("length", "110 mm"), Fit.CONFLICT),
        (("needle_length", "25 mm"), ("needle_length", "26 mm"), Fit.CONFLICT),  # needle lengths are exact
        (("volume", "5 ml"), ("volume", "10 ml"), Fit.CONFLICT),
        (("gauge", "21G"), ("gauge", "21 G"), Fit.EXACT),
        (("gauge", "21G"), ("gauge", "23G"), Fit.CONFLICT),
        (("french_size", "CH 16"), ("french_size", "16 Fr"), Fit.EXACT),
        (("french_size", "CH 16"), ("french_size", "CH 18"), Fit.CONFLICT),
        (("suture_size", "4/0"), ("suture_size", "USP 4-0"), Fit.EXACT),
        (("suture_size", "4/0"), ("suture_size", "3/0"), Fit.CONFLICT),
        (("glove_size", "M"), ("glove_size", "moyen"), Fit.EXACT),
        (("glove_size", "M"), ("glove_size", "L"), Fit.CONFLICT),
        (("material", "nitrile"), ("material", "latex"), Fit.CONFLICT),
        (("material", "inox"), ("material", "stainless steel"), Fit.EXACT),
        (("sterile", "oui"), ("sterile", "stérile"), Fit.EXACT),
        (("sterile", "oui"), ("sterile", "non"), Fit.CONFLICT),
        (("sterile", "non"), ("sterile", "oui"), Fit.COMPATIBLE),  # a sterile product does for a non-sterile need
        (("latex_free", "non"), ("latex_free", "oui"), Fit.COMPATIBLE),
        (("single_use", "non"), ("single_use", "oui"), Fit.CONFLICT),  # reusable asked: single use is not it
        (("colour", "Bleu"), ("colour", "bleu"), Fit.EXACT),
        # across attributes
        (("gauge", "21G"), ("outer_diameter", "0,8 mm"), Fit.COMPATIBLE),  # ISO 9626: 0.800–0.830 mm
        (("outer_diameter", "0,8 mm"), ("gauge", "21G"), Fit.COMPATIBLE),
        (("gauge", "21G"), ("outer_diameter", "0,6 mm"), Fit.CONFLICT),
        (("french_size", "CH 18"), ("outer_diameter", "6 mm"), Fit.COMPATIBLE),
        (("french_size", "CH 18"), ("outer_diameter", "5 mm"), Fit.CONFLICT),
        (("gauge", "14G"), ("french_size", "CH 6"), Fit.COMPATIBLE),  # 2.0–2.2 mm against 2 mm
        (("length", "25 mm"), ("needle_length", "25 mm"), Fit.EXACT),
        (("volume", "5 ml"), ("length", "5 mm"), Fit.UNKNOWN),
        (("sterile", "oui"), ("material", "latex"), Fit.UNKNOWN),
    ],
)
def test_fits(asked, offered, expected):
    assert fit(parse_value(*asked), parse_value(*offered)) is expected


def test_unknown_attribute_values_compare_as_unknown():
    odd = SpecValue("no_such_attribute", "x")
    assert fit(odd, parse_value("volume", "5 ml")) is Fit.UNKNOWN


def test_explanation_in_french_and_english():
    asked, offered = parse_value("gauge", "21G"), parse_value("gauge", "23G")
    with translation.override("fr"):
        result = compare(asked, offered)
    assert result.explanation == "21 G demandé, 23 G proposé"
    assert result.asked is asked and result.offered is offered and result.attribute == "gauge"
    with translation.override("en"):
        assert compare(asked, offered).explanation == "21 G asked, 23 G offered"
    with translation.override("fr"):
        assert compare(parse_value("volume", "5 ml"), parse_value("volume", "5 cc")).explanation == (
            "5 ml demandé, 5 ml proposé : conforme"
        )
        assert "tolérance" in compare(parse_value("length", "100 mm"), parse_value("length", "101 mm")).explanation
    with translation.override("ar"):
        assert "مطلوب" in compare(asked, offered).explanation


_QUANTITY_KEYS = [k for k, d in ATTRIBUTES.items() if d.kind is AttributeKind.QUANTITY and not d.integer]


@given(
    key=st.sampled_from(_QUANTITY_KEYS),
    a=st.floats(min_value=0.1, max_value=1000, allow_nan=False),
    b=st.floats(min_value=0.1, max_value=1000, allow_nan=False),
)
def test_quantity_compare_is_symmetric(key, a, b):
    definition = ATTRIBUTES[key]
    unit = definition.canonical_unit or None
    low, high = definition.minimum or 0.0, definition.maximum or 1000.0
    a, b = min(max(a, low), high), min(max(b, low), high)
    x, y = parse_value(key, a, unit), parse_value(key, b, unit)
    assert fit(x, y) is fit(y, x)
    assert fit(x, x) is Fit.EXACT


@given(
    key=st.sampled_from(["material", "glove_size", "suture_size", "connector"]),
    data=st.data(),
)
def test_code_compare_is_symmetric(key, data):
    choices = [c.code for c in ATTRIBUTES[key].choices]
    x = parse_value(key, data.draw(st.sampled_from(choices)))
    y = parse_value(key, data.draw(st.sampled_from(choices)))
    assert fit(x, y) is fit(y, x)
    assert (fit(x, y) is Fit.EXACT) == (x.value == y.value)


@given(
    gauge=st.integers(min_value=10, max_value=34),
    diameter=st.floats(min_value=0.1, max_value=5, allow_nan=False),
)
def test_gauge_against_diameter_is_symmetric(gauge, diameter):
    g, d = parse_value("gauge", gauge), parse_value("outer_diameter", diameter, "mm")
    assert fit(g, d) is fit(d, g)
    assert fit(g, d) in (Fit.COMPATIBLE, Fit.CONFLICT)


@given(
    key=st.sampled_from([k for k, d in ATTRIBUTES.items() if d.kind is AttributeKind.BOOLEAN]),
    a=st.booleans(),
    b=st.booleans(),
)
def test_boolean_compare(key, a, b):
    result = fit(parse_value(key, a), parse_value(key, b))
    if a == b:
        assert result is Fit.EXACT
    elif a:  # asked True, offered False: never acceptable
        assert result is Fit.CONFLICT
    else:
        assert result is (Fit.COMPATIBLE if ATTRIBUTES[key].true_covers_false else Fit.CONFLICT)


def test_nothing_offered_is_unknown():
    asked = parse_value("gauge", "21G")
    with translation.override("fr"):
        result = compare(asked, None)
    assert result.fit is Fit.UNKNOWN and result.offered is None
    assert result.explanation == "21 G demandé, non indiqué pour le produit"


def test_gauge_outside_the_iso_table_cannot_be_compared_with_a_diameter():
    assert fit(parse_value("gauge", "G8"), parse_value("outer_diameter", "4,2 mm")) is Fit.UNKNOWN
