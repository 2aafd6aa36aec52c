"""The national-run benchmark's data builders at a tiny scale (the timed run itself is `tawrid bench`)."""

from datetime import date

import pytest

from tawrid.catalog.eligibility import eligibility
from tawrid.catalog.selectors import facts_for_products
from tawrid.demand.models import PlanLine
from tawrid.demand.services import counted_plans
from tawrid.matching import selectors
from tawrid.matching.benchmarks.national import build_catalogue, build_plans
from tawrid.nomenclature.services import reference_load

pytestmark = pytest.mark.django_db


def test_builders_make_a_matchable_catalogue_and_published_lines() -> None:
    reference_load(which=["emdn"])
    eligible = build_catalogue(600, 20)
    products = selectors.matchable_products()
    assert products.count() == 600
    facts = facts_for_products(products.values_list("pk", "manufacturer_id"))
    assert sum(eligibility(f, date(2026, 6, 1)).eligible for f in facts.values()) == eligible > 400
    assert not products.filter(search_text="").exists()

    build_plans(lines=250, buyers=3, year=2026)
    lines = PlanLine.objects.filter(plan__in=counted_plans().filter(year=2026))
    assert lines.count() == 250
    assert not lines.filter(search_text="").exists()
    assert all(line.base_quantity == line.quantity * line.units_per_purchase_unit for line in lines)


def test_the_benchmark_leaves_the_database_as_it_found_it() -> None:
    from tawrid.catalog.models import Product
    from tawrid.matching.benchmarks.national import _clean_up
    from tawrid.nomenclature.models import EmdnCode

    reference_load(which=["emdn"])
    build_catalogue(200, 5)
    build_plans(lines=50, buyers=2, year=2026)
    _clean_up()
    assert not Product.objects.exists() and not PlanLine.objects.exists()
    for level in sorted(set(EmdnCode.objects.values_list("level", flat=True)), reverse=True):
        EmdnCode.objects.filter(level=level).delete()  # what the nomenclature benchmark does next: nothing protects it
    assert not EmdnCode.objects.exists()
