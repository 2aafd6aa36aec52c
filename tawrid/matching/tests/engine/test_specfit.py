"""variant_fit: the best variant of a product for the asked specifications, and its score."""

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tawrid.matching.engine.specfit import VariantFit, score_of, variant_fit
from tawrid.matching.engine.types import ProductDoc, VariantDoc
from tawrid.specs import Fit, SpecValue, compare, parse_designation, parse_value


def v(key: str, raw: str) -> SpecValue:
    return parse_value(key, raw)


def needle(*variants: VariantDoc, specifications=()) -> ProductDoc:
    return ProductDoc(id="needle", texts=("Aiguille hypodermique",), variants=variants, specifications=specifications)


NEEDLE = needle(
    VariantDoc("g23", "23G", (v("gauge", "23G"), v("needle_length", "30 mm"))),
    VariantDoc("g21", "21G", (v("gauge", "21G"), v("needle_length", "25 mm"))),
    VariantDoc("g18", "18G", (v("gauge", "18G"), v("needle_length", "40 mm"))),
    specifications=(v("sterile", "oui"), v("single_use", "oui")),
)


def test_the_21g_variant_is_chosen_for_21g():
    result = variant_fit([v("gauge", "21G"), v("needle_length", "25 mm")], NEEDLE)
    assert result.variant_id == "g21"
    assert [f.fit for f in result.fits] == [Fit.EXACT, Fit.EXACT]
    assert result.conflicts == 0
    assert result.score == pytest.approx(1.0)


def test_23g_offered_for_21g_asked_is_a_conflict():
    only_23 = needle(VariantDoc("g23", "23G", (v("gauge", "23G"),)))
    result = variant_fit([v("gauge", "21G")], only_23)
    assert result.variant_id == "g23"
    assert result.fits[0].fit is Fit.CONFLICT
    assert result.conflicts == 1
    assert result.score < 0.1
    assert "23" in result.fits[0].explanation


def test_fewest_conflicts_beat_exact_fits():
    product = needle(
        VariantDoc("a", "", (v("gauge", "21G"), v("needle_length", "40 mm"))),  # 1 exact, 1 conflict
        VariantDoc("b", "", (v("outer_diameter", "0,8 mm"),)),  # 1 compatible, 1 unknown
    )
    result = variant_fit([v("gauge", "21G"), v("needle_length", "25 mm")], product)
    assert result.variant_id == "b"
    assert [f.fit for f in result.fits] == [Fit.COMPATIBLE, Fit.UNKNOWN]


def test_exact_beats_compatible_and_position_breaks_ties():
    product = needle(
        VariantDoc("d", "", (v("outer_diameter", "0,8 mm"),)),
        VariantDoc("g", "", (v("gauge", "21G"),)),
        VariantDoc("g-again", "", (v("gauge", "21G"),)),
    )
    assert variant_fit([v("gauge", "21G")], product).variant_id == "g"


def test_gauge_asked_against_outer_diameter_offered():
    product = needle(
        VariantDoc("d08", "", (v("outer_diameter", "0,8 mm"),)), VariantDoc("d06", "", (v("outer_diameter", "0,6 mm"),))
    )
    result = variant_fit([v("gauge", "21G")], product)
    assert result.variant_id == "d08"
    assert result.fits[0].fit is Fit.COMPATIBLE
    assert result.fits[0].offered == v("outer_diameter", "0,8 mm")
    assert variant_fit([v("gauge", "23G")], product).variant_id == "d06"


def test_same_attribute_preferred_over_a_comparable_one():
    product = needle(VariantDoc("x", "", (v("outer_diameter", "0,6 mm"), v("gauge", "21G"))))
    assert variant_fit([v("gauge", "21G")], product).fits[0].fit is Fit.EXACT


def test_length_asked_against_needle_length():
    product = needle(VariantDoc("x", "", (v("needle_length", "25 mm"),)))
    assert variant_fit([v("length", "25 mm")], product).fits[0].fit is Fit.EXACT


def test_product_level_sterile_flag_applies_to_every_variant():
    result = variant_fit([v("sterile", "oui"), v("gauge", "18G")], NEEDLE)
    assert result.variant_id == "g18"
    assert [f.fit for f in result.fits] == [Fit.EXACT, Fit.EXACT]
    non_sterile = needle(VariantDoc("a", "", (v("gauge", "18G"),)), specifications=(v("sterile", "non"),))
    assert variant_fit([v("sterile", "oui")], non_sterile).conflicts == 1
    # a sterile product does for a non-sterile need
    assert variant_fit([v("sterile", "non")], NEEDLE).fits[0].fit is Fit.COMPATIBLE


def test_variant_value_overrides_the_product_level_one():
    product = needle(
        VariantDoc("ns", "", (v("sterile", "non"),)), VariantDoc("s", "", ()), specifications=(v("sterile", "oui"),)
    )
    result = variant_fit([v("sterile", "oui")], product)
    assert result.variant_id == "s"
    assert variant_fit([v("sterile", "non")], product).variant_id == "ns"


def test_product_without_variants():
    product = ProductDoc(id=1, texts=("Gants",), specifications=(v("glove_size", "M"), v("powder_free", "oui")))
    result = variant_fit([v("glove_size", "M")], product)
    assert result == VariantFit(None, result.fits, 1.0, 0)
    assert result.variant_id is None
    assert variant_fit([v("glove_size", "L")], product).conflicts == 1


def test_unknown_when_not_stated():
    product = ProductDoc(id=1, texts=("Seringue",))
    result = variant_fit([v("volume", "5 ml"), v("sterile", "oui")], product)
    assert [f.fit for f in result.fits] == [Fit.UNKNOWN, Fit.UNKNOWN]
    assert all(f.offered is None for f in result.fits)
    assert result.score == pytest.approx(0.5)
    assert result.conflicts == 0


def test_nothing_asked_is_neutral():
    result = variant_fit([], NEEDLE)
    assert result.variant_id == "g23"  # the first variant
    assert result.fits == ()
    assert result.score == pytest.approx(0.5)


def test_fits_are_those_of_compare_with_their_explanation():
    asked = [v("gauge", "21G"), v("needle_length", "25 mm"), v("volume", "5 ml")]
    with translation.override("en"):
        result = variant_fit(asked, NEEDLE)
        offered = [compare(a, f.offered) for a, f in zip(asked, result.fits, strict=True)]
    assert result.fits == tuple(offered)
    assert [f.explanation for f in result.fits] == [f.explanation for f in offered]
    with translation.override("fr"):
        french = variant_fit(asked, NEEDLE)
    assert french.fits[2].explanation != result.fits[2].explanation  # cached per language


def test_score_order():
    exact, compatible, unknown, conflict = (
        score_of([f]) for f in (Fit.EXACT, Fit.COMPATIBLE, Fit.UNKNOWN, Fit.CONFLICT)
    )
    assert exact > compatible > unknown > conflict == 0
    assert score_of([Fit.EXACT, Fit.CONFLICT]) < score_of([Fit.UNKNOWN, Fit.UNKNOWN])
    assert score_of([]) == 0.5


def test_cache_follows_the_product_object_not_its_id():
    first = needle(VariantDoc("a", "", (v("gauge", "21G"),)))
    assert variant_fit([v("gauge", "21G")], first).fits[0].fit is Fit.EXACT
    second = needle(VariantDoc("a", "", (v("gauge", "23G"),)))  # same product id, other specifications
    assert variant_fit([v("gauge", "21G")], second).fits[0].fit is Fit.CONFLICT


_WORDS = st.sampled_from(
    ["AIGUILLE", "G", "21G", "23 G", "25 X 8 / 10", "STERILE", "NON STERILE", "5 ML", "SONDE", "CH 16", "FIL",
     "4/0", "GANTS", "T 7", "LATEX", "CATHETER", "0,8 MM", "10 CM", "X", "USAGE UNIQUE", "1 L", "18"]
)  # fmt: skip
_TEXT = st.lists(_WORDS, max_size=8).map(" ".join) | st.text(max_size=40)


@settings(max_examples=200, deadline=None)
@given(asked=_TEXT, offered=st.lists(_TEXT, max_size=4), product_level=_TEXT)
def test_variant_fit_never_crashes(asked, offered, product_level):
    attributes = parse_designation(asked)
    product = ProductDoc(
        id="p",
        texts=("",),
        variants=tuple(VariantDoc(i, "", tuple(parse_designation(t))) for i, t in enumerate(offered)),
        specifications=tuple(parse_designation(product_level)),
    )
    result = variant_fit(attributes, product)
    assert len(result.fits) == len(attributes)
    assert [f.asked for f in result.fits] == attributes
    assert 0.0 <= result.score <= 1.0
    assert result.conflicts == sum(f.fit is Fit.CONFLICT for f in result.fits)
    assert result.variant_id in ({None} if not offered else set(range(len(offered))))
    # no variant has fewer conflicts than the chosen one
    for i in range(len(offered)):
        single = ProductDoc(
            id=("q", i), texts=("",), variants=(product.variants[i],), specifications=product.specifications
        )
        assert variant_fit(attributes, single).conflicts >= result.conflicts
