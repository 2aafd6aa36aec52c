import pytest

from tawrid.matching.engine.retrieve import Matcher, code_agreement, code_relation
from tawrid.matching.engine.types import DemandLine, ProductDoc, VariantDoc, Verdict
from tawrid.specs import Fit, parse_designation


def spec(text):
    return tuple(parse_designation(text))


NEEDLE_21 = spec("AIGUILLE HYPODERMIQUE 40 X 8/10 G 21")
NEEDLE_25 = spec("AIGUILLE HYPODERMIQUE 16 X 5/10 G 25")


@pytest.fixture(scope="module")
def products():
    return [
        ProductDoc(
            id="needles",
            texts=("Aiguille hypodermique stérile", "Hypodermic needle, single use"),
            emdn="A010101",
            variants=(VariantDoc("g25", "25G", NEEDLE_25), VariantDoc("g21", "21G", NEEDLE_21)),
        ),
        ProductDoc(
            id="needle25", texts=("Aiguille hypodermique stérile 25G 16 mm",), emdn="A010101", specifications=NEEDLE_25
        ),
        ProductDoc(
            id="needle21", texts=("Aiguille hypodermique stérile 21G",), emdn="A010101", specifications=NEEDLE_21
        ),
        ProductDoc(id="gloves", texts=("Gants d'examen nitrile non stériles",), emdn="T0101"),
        ProductDoc(
            id="needle-uncertified",
            texts=("Aiguille hypodermique stérile 21G",),
            emdn="A010101",
            eligible=False,
            missing=("certificat CE expiré",),
            specifications=NEEDLE_21,
        ),
        ProductDoc(id="syringe", texts=("Seringue 10 ml luer lock",), emdn="A0201"),
    ]


@pytest.fixture(scope="module")
def matcher(products):
    return Matcher(products)


def line(text, **kw):
    return DemandLine(id=kw.pop("id", 1), text=text, attributes=spec(text), **kw)


def test_conflict_ranks_down_and_conflict_free_variant_is_proposed(matcher):
    found = matcher.match([line("AIGUILLE HYPODERMIQUE STERILE 40 X 8/10 G 21")], top=10)[0]
    by_id = {c.product_id: c for c in found}
    assert by_id["needles"].variant_id == "g21" and by_id["needles"].verdict is Verdict.GOOD
    assert by_id["needle25"].verdict is Verdict.CONFLICT
    assert by_id["needles"].score > by_id["needle25"].score
    assert found[0].verdict is Verdict.GOOD and found[0].product_id in {"needles", "needle21"}
    assert [c.verdict for c in found].index(Verdict.CONFLICT) > 1
    assert any(f.fit is Fit.CONFLICT for f in by_id["needle25"].explanation.fits)


def test_ineligible_ranks_after_eligible_of_similar_quality(matcher):
    found = matcher.match([line("AIGUILLE HYPODERMIQUE STERILE 40 X 8/10 G 21")], top=10)[0]
    ids = [c.product_id for c in found]
    assert ids.index("needle21") < ids.index("needle-uncertified")  # same text, same sizes
    uncertified = found[ids.index("needle-uncertified")]
    assert uncertified.verdict is Verdict.NOT_ELIGIBLE
    assert not uncertified.explanation.eligible and uncertified.explanation.missing == ("certificat CE expiré",)
    assert "not eligible" in uncertified.explanation.summary()


def test_explanation_words_codes_and_scores(matcher):
    found = matcher.match([line("GANTS D'EXAMEN NON STER. T/M", emdn="T0101")], top=3)[0]
    assert found[0].product_id == "gloves"
    explanation = found[0].explanation
    assert "GANTS" in explanation.matched_words and "EXAMEN" in explanation.matched_words
    assert explanation.code_relation
    assert all(0 <= c.score <= 1 for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_identical_lines_are_scored_once_but_keep_their_ids(matcher):
    a, b = matcher.match([line("SERINGUE 10 ML", id="a"), line("Seringue 10 ml", id="b")], top=2)
    assert [c.product_id for c in a] == [c.product_id for c in b]
    assert {c.line_id for c in a} == {"a"} and {c.line_id for c in b} == {"b"}
    assert a[0].product_id == "syringe"


def test_code_agreement_levels():
    assert code_agreement("A010101", "A010101") == 1.0
    assert code_agreement("A0101", "A010101") == 1.0
    assert code_agreement("A0101", "A0102") == 0.3 and code_agreement("A010101", "A010102") == 0.6
    assert code_agreement("A01", "T01") == 0.0 and code_agreement("", "A01") == 0.0
    assert code_relation("A010101", "A010101") == "same_code"
    assert code_relation("A0101", "A010102") == code_relation("A010101", "A010102") == "same_type"
    assert code_relation("A0101", "A0102") == "same_group"
    assert code_relation("A010101", "T0101") == "different" and code_relation("", "A01") == ""


def test_empty_inputs(matcher):
    assert matcher.match([]) == []
    assert Matcher([]).match([line("X")]) == [[]]
