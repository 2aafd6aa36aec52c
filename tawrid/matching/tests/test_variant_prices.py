"""The matching engine prices a candidate at its variant's price (catalog Variant.effective_unit_price): a
manufacturer's sizes and packs differ in price, and the allocation prefers the cheaper fit."""

from decimal import Decimal

import pytest

from tawrid.catalog.tests.factories import ProductFactory, VariantFactory
from tawrid.matching import selectors
from tawrid.matching.engine.allocate import offers_from
from tawrid.matching.engine.types import Candidate, ProductDoc, VariantDoc, Verdict


def test_an_offer_costs_its_variants_price_else_its_products():
    product = ProductDoc(
        id="P",
        texts=(),
        unit_price=2.0,
        variants=(VariantDoc(id="S", unit_price=1.5), VariantDoc(id="L")),
    )
    candidates = [Candidate("line", "P", variant, 0.9, Verdict.GOOD) for variant in ("S", "L", None)]
    offers, _capacities = offers_from(candidates, {"P": product})
    assert [offer.unit_price for offer in offers] == [1.5, 2.0, 2.0]


@pytest.mark.django_db
def test_the_allocations_products_carry_each_variants_effective_price():
    product = ProductFactory(unit_price=Decimal("10.00"))
    own = VariantFactory(product=product, unit_price=Decimal("7.25"))
    inherits = VariantFactory(product=product)
    doc = selectors.allocation_products([product.pk])[product.pk]
    assert doc.unit_price == 10.0
    assert {v.id: v.unit_price for v in doc.variants} == {own.pk: 7.25, inherits.pk: 10.0}
    assert (doc.price_of(own.pk), doc.price_of(inherits.pk)) == (7.25, 10.0)
