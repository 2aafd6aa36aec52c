from hypothesis import given
from hypothesis import strategies as st

from tawrid.core.text import fold, search_terms


def test_fold_removes_accents_and_case():
    assert fold("Aiguille HYPODERMIQUE stérile") == "aiguille hypodermique sterile"
    assert fold("  Seringue   à  usage unique ") == "seringue a usage unique"


def test_fold_arabic_variants():
    assert fold("إبرة") == fold("ابرة")
    assert fold("مُعَقَّمة") == fold("معقمه")


def test_search_terms_deduplicates_in_order():
    assert search_terms("Gants GANTS stériles") == ["gants", "steriles"]
    assert search_terms(None) == []


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)
