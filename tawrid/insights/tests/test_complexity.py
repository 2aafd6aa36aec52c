"""Economic complexity (pure): RCA against the Balassa formula, and when there is too little to measure."""

import pytest

from tawrid.insights.complexity import complexity_for

EXPORTS = [
    ("MAR", "300510", 50.0),
    ("MAR", "401511", 30.0),
    ("MAR", "901831", 20.0),
    ("FRA", "300510", 10.0),
    ("FRA", "401511", 100.0),
    ("FRA", "901831", 90.0),
    ("DEU", "300510", 40.0),
    ("DEU", "401511", 60.0),
    ("DEU", "901831", 200.0),
    ("CHN", "401511", 300.0),
    ("CHN", "901831", 10.0),
]


def _balassa(country: str, product: str) -> float:
    mine = sum(v for c, _p, v in EXPORTS if c == country)
    of_product = sum(v for _c, p, v in EXPORTS if p == product)
    world = sum(v for _c, _p, v in EXPORTS)
    value = sum(v for c, p, v in EXPORTS if c == country and p == product)
    return (value / mine) / (of_product / world)


def test_rca_matches_balassa_formula():
    result = complexity_for(EXPORTS, reporter="MAR", year=2023)
    assert result is not None
    assert result.year == 2023
    assert result.countries == 4
    assert result.products == 3
    assert set(result.measures) == {"300510", "401511", "901831"}
    # MAR 300510: (50 / 100) / (100 / 910) = 4.55 → competitive
    expected = _balassa("MAR", "300510")
    assert expected == pytest.approx(0.5 / (100 / 910))
    assert result.measures["300510"].rca == pytest.approx(expected, rel=1e-6)
    assert result.measures["300510"].competitive is True
    # MAR 901831: (20 / 100) / (320 / 910) ≈ 0.57 → not competitive
    assert result.measures["901831"].rca == pytest.approx(_balassa("MAR", "901831"), rel=1e-6)
    assert result.measures["901831"].competitive is False
    for measures in result.measures.values():
        assert measures.density is None or 0 <= measures.density <= 1


def test_repeated_pairs_are_added_and_zero_values_ignored():
    doubled = [*EXPORTS[:1], ("MAR", "300510", 0.0), *EXPORTS[1:]]
    result = complexity_for(doubled, reporter="MAR", year=2023)
    assert result is not None
    assert result.measures["300510"].rca == pytest.approx(_balassa("MAR", "300510"), rel=1e-6)


def test_fewer_than_three_countries_gives_none():
    two = [row for row in EXPORTS if row[0] in {"MAR", "FRA"}]
    assert complexity_for(two, reporter="MAR", year=2023) is None


def test_fewer_than_three_products_gives_none():
    two_products = [row for row in EXPORTS if row[1] != "901831"]
    assert complexity_for(two_products, reporter="MAR", year=2023) is None


def test_reporter_absent_gives_none():
    others = [row for row in EXPORTS if row[0] != "MAR"]
    assert complexity_for(others, reporter="MAR", year=2023) is None


def test_nothing_gives_none():
    assert complexity_for([], reporter="MAR", year=2023) is None
