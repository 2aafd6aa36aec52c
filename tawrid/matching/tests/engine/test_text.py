from hypothesis import given, settings
from hypothesis import strategies as st

from tawrid.matching.engine.text import GLOSSARY, normalise, tokens


def test_hospital_abbreviations_are_expanded():
    assert normalise("COMPRESSE STER. 10X10 B/100") == "compresse sterile 10 x 10"
    assert normalise("SERING. 10 ML S/AIG.") == "seringue 10 ml sans aiguille"
    assert normalise("SONDE FOLEY CH 18 U.U.") == "sonde foley charriere 18 usage unique"
    assert normalise("AIGUILLE A / PONCTION LOMBAIRE 38 X 7 / 10 G 22") == "aiguille a ponction lombaire 38 x 7/10 g 22"
    assert normalise("INJ P/PERF") == "injectable pour perfusion"


def test_non_sterile_is_its_own_token():
    assert "nonsteril" in tokens("GANTS D'EXAMEN NON STER. T/M")
    assert "steril" not in tokens("GANTS D'EXAMEN NON STER. T/M")
    assert "steril" in tokens("GANTS CHIRURGICAUX STERILES")
    assert "taillem" in tokens("GANTS D'EXAMEN NON STER. T/M")


def test_sizes_stay_together_and_packaging_goes():
    found = tokens("AIGUILLE A / PONCTION LOMBAIRE 38 X 7 / 10 G 22 B/100")
    assert "38x7/10" in found and "g22" in found and "100" not in found
    assert "10ml" in tokens("SERINGUE 10 ML")
    assert tokens("catheter 22G") == tokens("CATHETER G 22")


def test_french_english_and_arabic_meet():
    assert set(tokens("AIGUILLES")) & set(tokens("hypodermic needle"))
    assert tokens("Aiguilles stériles") == tokens("AIGUILLE STERILE")
    assert tokens("إبرة معقمة") and tokens("إبرة معقمة") == tokens("ابرة معقمة")
    assert "de" not in tokens("sonde de gavage") and "the" not in tokens("the needle")


def test_glossary_words_are_single_fold():
    for word, english in GLOSSARY.items():
        assert normalise(word) == word and normalise(english) == english


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_normalise_never_crashes_and_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip() and "  " not in once
    assert isinstance(tokens(text), list)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "AIG.",
                "STER.",
                "NON",
                "U.U.",
                "S/",
                "P/",
                "B/100",
                "T/M",
                "CH",
                "18",
                "X",
                "7",
                "/",
                "10",
                "G",
                "22",
                "GANTS",
                "é",
                "إبرة",
                "-",
                ".",
                ",",
            ]
        ),
        max_size=12,
    )
)
def test_designation_like_texts(words):
    text = " ".join(words)
    once = normalise(text)
    assert normalise(once) == once
    assert tokens(once) == tokens(text)
    assert all(t and " " not in t for t in tokens(text))
