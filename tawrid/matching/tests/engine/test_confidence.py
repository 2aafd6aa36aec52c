"""The code the engine applies: the deepest code whose subtree probability mass reaches the threshold."""

import numpy as np
import pytest

from tawrid.matching.engine.classify import CodeClassifier
from tawrid.matching.engine.confidence import confident_code, emdn_level, subtree_masses
from tawrid.matching.engine.nomenclature import emdn_parent

CODES = ["A", "A01", "A0101", "A010101", "A010102", "A0102", "A02", "T", "T01", "T0101"]
PARENTS = {c: p for c in CODES if (p := emdn_parent(c))}


def test_levels():
    assert [emdn_level(c) for c in ("A", "A01", "A0101", "A010101")] == [1, 2, 3, 4]


def test_masses_add_up_the_subtree():
    masses = subtree_masses({"A010101": 0.3, "A010102": 0.3, "A0102": 0.1, "T0101": 0.3}, PARENTS)
    assert masses["A0101"] == pytest.approx(0.6)
    assert masses["A01"] == pytest.approx(0.7)
    assert masses["A"] == pytest.approx(0.7)
    assert masses["T"] == pytest.approx(0.3)


def test_two_sibling_needles_give_their_family():
    # Neither needle reaches 0.5 alone; together they do: the family A0101 is what the engine is sure of.
    found = confident_code({"A010101": 0.3, "A010102": 0.3, "A0102": 0.1, "T0101": 0.3}, PARENTS, threshold=0.5)
    assert (found.code, found.level) == ("A0101", 3)
    assert found.mass == pytest.approx(0.6)


def test_a_sure_leaf_is_applied_as_is():
    found = confident_code({"A010101": 0.8, "T0101": 0.2}, PARENTS, threshold=0.5)
    assert found.code == "A010101" and found.mass == pytest.approx(0.8)


def test_a_category_alone_is_not_enough():
    # A holds 0.6 but no group does: the line stays uncoded, listed for the buyer's choice.
    spread = {"A0101": 0.2, "A0102": 0.0, "A02": 0.2, "A": 0.2, "T0101": 0.4}
    assert confident_code(spread, PARENTS, threshold=0.5) is None
    assert confident_code(spread, PARENTS, threshold=0.5, min_level=1).code == "A"


def test_only_codes_of_the_nomenclature():
    found = confident_code({"A010101": 0.9}, PARENTS, threshold=0.5, known={"A", "A01", "A0101"})
    assert found.code == "A0101"


def test_the_classifier_computes_the_same_over_its_distribution():
    terms = [(c, f"TERM {c}") for c in CODES]
    classifier = CodeClassifier.__new__(CodeClassifier)  # the distribution is given: no embedding needed
    classifier.codes = list(CODES)
    classifier.index_of = {c: i for i, c in enumerate(CODES)}
    classifier.parents = PARENTS
    classifier.known = np.array([True] * len(terms))
    classifier._pairs = None
    given = {"A010101": 0.3, "A010102": 0.3, "A0102": 0.1, "T0101": 0.3}
    row = np.array([given.get(c, 0.0) for c in CODES])
    uncertain = np.array([0.2 if c in ("A0101", "A02", "A", "T01", "T0101") else 0.0 for c in CODES])
    found, none = classifier.confident(np.vstack([row, uncertain]), threshold=0.5, max_level=None)
    expected = confident_code(given, PARENTS, threshold=0.5)
    assert (found.code, found.level) == (expected.code, expected.level)
    assert found.mass == pytest.approx(expected.mass)
    assert none is None
    # by default the engine stops at the group: deeper codes it is sure of were mostly wrong on the dev data
    (group,) = classifier.confident(row[None, :], threshold=0.5)
    assert (group.code, group.level) == ("A01", 2) and group.mass == pytest.approx(0.7)


def test_a_maximum_level():
    found = confident_code({"A010101": 0.8, "T0101": 0.2}, PARENTS, threshold=0.5, max_level=2)
    assert (found.code, found.mass) == ("A01", pytest.approx(0.8))
