import pytest

from tawrid.nomenclature import selectors
from tawrid.nomenclature.models import EmdnCode

pytestmark = pytest.mark.django_db


def codes(key: str, query: str) -> list[str]:
    field = selectors.NOMENCLATURES[key].code_field
    return list(selectors.search(key=key, query=query).values_list(field, flat=True))


def test_ancestors_of_a_deep_emdn_code(emdn):
    item = selectors.emdn_get(code="a0101010101")
    assert [a.code for a in selectors.emdn_ancestors(item=item)] == ["A", "A01", "A0101", "A010101", "A01010101"]


def test_search_is_accent_and_case_insensitive_in_french(cpv):
    assert "33141111-1" in codes("cpv", "pansements adhesifs")
    assert "33141111-1" in codes("cpv", "PANSEMENTS ADHÉSIFS")
    assert "33141320-9" in codes("cpv", "AIGUILLE")  # Aiguilles à usage médical
    assert "33141320-9" in codes("cpv", "needles medical")  # English labels too


def test_every_word_must_match(cpv):
    found = codes("cpv", "aiguilles biopsie")
    assert found == ["33141323-0"]
    assert codes("cpv", "aiguilles zzzz") == []
    assert codes("cpv", "  ") == []


def test_search_by_code_prefix(emdn, cpv):
    emdn_found = codes("emdn", "A0101")
    assert emdn_found[0] == "A0101" and all(code.startswith("A0101") for code in emdn_found)
    assert "A0101010101" in emdn_found
    cpv_found = codes("cpv", "3314")
    assert cpv_found and all(code.startswith("3314") for code in cpv_found)
    assert codes("cpv", "33141110-4") == ["33141110-4"]


def test_english_search_in_emdn(emdn):
    assert "A0101010101" in codes("emdn", "needle syringe safety")
    assert "A0101010101" in codes("emdn", "NEEDLES")


def test_tree_roots_and_children(emdn):
    roots = selectors.tree_roots("emdn")
    assert [n.code for n in roots][:3] == ["A", "B", "C"] and len(roots) == 23
    a01 = EmdnCode.objects.get(code="A01")
    children = selectors.code_children_nodes("emdn", a01)
    assert [n.code for n in children][:2] == ["A0101", "A0102"]
    assert all(n.node_url for n in children if n.children)
    leaf = selectors.code_node("emdn", EmdnCode.objects.get(code="A0101010101"))
    assert leaf.node_url == "" and leaf.url == "/nomenclatures/emdn/A0101010101/"
