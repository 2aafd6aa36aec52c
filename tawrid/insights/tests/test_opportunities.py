"""The opportunity score (pure): each component and the score checked against hand computations."""

import math
from decimal import Decimal

import pytest

from tawrid.core.errors import DomainError
from tawrid.insights.opportunities import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    GroupInputs,
    Weights,
    components_of,
    coverage_of,
    rank_opportunities,
)


def _groups() -> list[GroupInputs]:
    return [
        GroupInputs(
            group="A01",
            imports=Decimal(1000),
            demand=Decimal(500),
            buyers=2,
            covered=Decimal(100),
            eligible_products=1,
            risk_class="IIa",
            category_makers=3,
        ),
        GroupInputs(group="A02", imports=Decimal(100), risk_class="D", category_makers=10),
        GroupInputs(group="T01", demand=Decimal(1000), buyers=7, category_makers=0),
    ]


def _expected() -> dict[str, dict[str, float]]:
    ln = math.log
    return {
        "A01": {
            "imports": 1.0,
            "demand": 0.7 * ln(501) / ln(1001) + 0.3 * 2 / 5,
            "gap": 1 - 100 / 500,
            "regulatory": 0.75,
            "closeness": 3 / 5,
        },
        "A02": {"imports": ln(101) / ln(1001), "demand": 0.0, "gap": 1.0, "regulatory": 0.25, "closeness": 1.0},
        "T01": {"imports": 0.0, "demand": 0.7 * 1 + 0.3 * 1, "gap": 1.0, "regulatory": 0.5, "closeness": 0.0},
    }


def _score(components: dict[str, float], weights: dict[str, int]) -> float:
    return round(100 * sum(weights[n] * components[n] for n in COMPONENTS) / sum(weights.values()), 1)


def test_components_and_scores_match_hand_computation():
    ranked = rank_opportunities(_groups())
    expected = _expected()
    by_group = {o.group: o for o in ranked}
    assert set(by_group) == {"A01", "A02", "T01"}
    for group, components in expected.items():
        for name in COMPONENTS:
            assert by_group[group].components[name] == pytest.approx(components[name]), (group, name)
        assert by_group[group].score == pytest.approx(_score(components, DEFAULT_WEIGHTS))
        assert by_group[group].closeness_from_density is False
    order = sorted(expected, key=lambda g: (-_score(expected[g], DEFAULT_WEIGHTS), g))
    assert [o.group for o in ranked] == order
    assert [o.rank for o in ranked] == [1, 2, 3]
    # A01: 30 + 25 × (0.7 × ln 501/ln 1001 + 0.12) + 25 × 0.8 + 10 × 0.75 + 10 × 0.6 ≈ 82.2
    assert by_group["A01"].score == pytest.approx(82.2, abs=0.05)
    assert by_group["A01"].coverage == pytest.approx(0.2)
    assert by_group["A02"].coverage is None


def test_largest_imports_scores_one_and_zero_imports_zero():
    ranked = rank_opportunities(
        [GroupInputs(group="A01", imports=Decimal(1000)), GroupInputs(group="A02", imports=Decimal(0))]
    )
    by_group = {o.group: o for o in ranked}
    assert by_group["A01"].components["imports"] == 1.0
    assert by_group["A02"].components["imports"] == 0.0


def test_gap_without_demand_depends_on_eligible_products():
    none_eligible, _ = components_of(
        GroupInputs(group="A01"), largest_imports=Decimal(1), largest_demand=Decimal(0), largest_density=None
    )
    some_eligible, _ = components_of(
        GroupInputs(group="A01", eligible_products=2),
        largest_imports=Decimal(1),
        largest_demand=Decimal(0),
        largest_density=None,
    )
    assert none_eligible["gap"] == 1.0
    assert some_eligible["gap"] == 0.0


def test_coverage_is_capped_at_one():
    inputs = GroupInputs(group="A01", demand=Decimal(100), covered=Decimal(250))
    assert coverage_of(inputs) == 1.0
    components, _ = components_of(inputs, largest_imports=Decimal(0), largest_demand=Decimal(100), largest_density=None)
    assert components["gap"] == 0.0


def test_buyers_are_capped_at_five():
    few, _ = components_of(
        GroupInputs(group="A01", demand=Decimal(10), buyers=1),
        largest_imports=Decimal(0),
        largest_demand=Decimal(10),
        largest_density=None,
    )
    many, _ = components_of(
        GroupInputs(group="A01", demand=Decimal(10), buyers=12),
        largest_imports=Decimal(0),
        largest_demand=Decimal(10),
        largest_density=None,
    )
    assert few["demand"] == pytest.approx(0.7 + 0.3 * 1 / 5)
    assert many["demand"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("risk_class", "ease"),
    [
        ("I", 1.0),
        ("IIa", 0.75),
        ("IIb", 0.5),
        ("III", 0.25),
        ("A", 1.0),
        ("B", 0.75),
        ("C", 0.5),
        ("D", 0.25),
        ("", 0.5),
        ("X", 0.5),
    ],
)
def test_regulatory_ease_by_risk_class(risk_class, ease):
    components, _ = components_of(
        GroupInputs(group="A01", risk_class=risk_class),
        largest_imports=Decimal(0),
        largest_demand=Decimal(0),
        largest_density=None,
    )
    assert components["regulatory"] == ease


def test_closeness_from_density_when_known_else_from_category_makers():
    ranked = rank_opportunities(
        [
            GroupInputs(group="A01", imports=Decimal(10), density=0.2, category_makers=5),
            GroupInputs(group="A02", imports=Decimal(10), density=0.4, category_makers=0),
            GroupInputs(group="T01", imports=Decimal(10), density=None, category_makers=2),
        ]
    )
    by_group = {o.group: o for o in ranked}
    assert by_group["A01"].components["closeness"] == pytest.approx(0.5)
    assert by_group["A01"].closeness_from_density is True
    assert by_group["A02"].components["closeness"] == pytest.approx(1.0)
    assert by_group["T01"].components["closeness"] == pytest.approx(2 / 5)
    assert by_group["T01"].closeness_from_density is False


def test_all_densities_zero_falls_back_on_makers():
    ranked = rank_opportunities([GroupInputs(group="A01", imports=Decimal(1), density=0.0, category_makers=1)])
    assert ranked[0].closeness_from_density is False
    assert ranked[0].components["closeness"] == pytest.approx(0.2)


def test_ties_are_ordered_by_group_code():
    same = {"imports": Decimal(50), "demand": Decimal(20), "buyers": 1, "risk_class": "IIb"}
    ranked = rank_opportunities(
        [GroupInputs(group="T02", **same), GroupInputs(group="A03", **same), GroupInputs(group="C01", **same)]
    )
    assert [o.group for o in ranked] == ["A03", "C01", "T02"]
    assert len({o.score for o in ranked}) == 1
    assert [o.rank for o in ranked] == [1, 2, 3]


def test_custom_weights_change_the_ranking():
    groups = _groups()
    expected = _expected()
    default_first = rank_opportunities(groups)[0].group
    demand_only = Weights(imports=0, demand=100, gap=0, regulatory=0, closeness=0)
    ranked = rank_opportunities(groups, demand_only)
    assert ranked[0].group == "T01"
    assert ranked[0].score == pytest.approx(100.0)
    assert default_first != "T01"
    closeness_only = Weights(imports=0, demand=0, gap=0, regulatory=0, closeness=10)
    assert rank_opportunities(groups, closeness_only)[0].group == "A02"
    weights = {"imports": 10, "demand": 20, "gap": 30, "regulatory": 40, "closeness": 0}
    for opportunity in rank_opportunities(groups, Weights(**weights)):
        assert opportunity.score == pytest.approx(_score(expected[opportunity.group], weights))


def test_no_groups_gives_no_opportunities():
    assert rank_opportunities([]) == []


@pytest.mark.parametrize(
    "values",
    [
        {"imports": -1},
        {"demand": 101},
        {"imports": 0, "demand": 0, "gap": 0, "regulatory": 0, "closeness": 0},
        {"gap": True},
        {"regulatory": 2.5},
        {"closeness": "10"},
    ],
)
def test_invalid_weights_are_refused(values):
    with pytest.raises(DomainError) as error:
        Weights(**values)
    assert error.value.code == "invalid_weights"


def test_default_weights():
    weights = Weights()
    assert weights.is_default
    assert weights.as_dict() == DEFAULT_WEIGHTS
    assert not Weights(imports=0).is_default
    assert Weights(imports=100, demand=0, gap=0, regulatory=0, closeness=0).as_dict()["imports"] == 100
