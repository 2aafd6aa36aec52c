"""A price per variant: sizes, gauges and packs of one product have their own prices; without one, the product's
("from") price applies. The helper, the rule, the pages, the API, the catalogue import and export."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tawrid.accounts.tests.factories import token_for
from tawrid.catalog import exports, imports, services
from tawrid.catalog.models import Product, Variant
from tawrid.catalog.tests.factories import ProductFactory, VariantFactory, emdn, make_eligible
from tawrid.catalog.tests.test_import_export import problems, read_xlsx, row, run_import, workbook
from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for
from tawrid.imports.models import ImportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def codes(db):
    emdn("A010101", "Aiguilles hypodermiques")


@pytest.fixture(autouse=True)
def _kind():
    imports.register_kind()


def auth(user):
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


# The helper and the rule ------------------------------------------------------------------------------------------


def test_a_variant_costs_its_own_price_else_its_products():
    product = ProductFactory(unit_price=Decimal("10.00"))
    own = VariantFactory(product=product, unit_price=Decimal("14.50"))
    inherits = VariantFactory(product=product)
    assert own.effective_unit_price == Decimal("14.50")
    assert inherits.effective_unit_price == Decimal("10.00")
    free = VariantFactory(product=product, unit_price=Decimal("0"))  # a price of 0 is a price, not "none"
    assert free.effective_unit_price == Decimal("0")
    unpriced = VariantFactory(product=ProductFactory(unit_price=None))
    assert unpriced.effective_unit_price is None


def test_a_negative_variant_price_is_refused_by_the_service_and_the_database(world):
    variant = world.product_a.variants.get()
    with pytest.raises(DomainError):
        services.variant_update(actor=actor_for(world.admin_a), variant=variant, unit_price=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(unit_price=Decimal("-1"))


# Pages -----------------------------------------------------------------------------------------------------------


def test_the_variant_page_sets_and_clears_the_variants_price(client, world):
    variant = world.product_a.variants.get()
    client.force_login(world.admin_a)
    url = reverse("catalog:variant_edit", args=[variant.pk])
    form = {
        "reference": variant.reference,
        "label": variant.label,
        "unit_price": "1234,50",
        "specs-TOTAL_FORMS": "0",
        "specs-INITIAL_FORMS": "0",
        "save": "1",
    }
    response = client.post(url, form)
    assert response.status_code == 302, [line for line in response.content.decode().splitlines() if "error" in line]
    variant.refresh_from_db()
    assert variant.unit_price == Decimal("1234.50")
    assert 'value="1234,50"' in client.get(url).content.decode()  # shown again, as French people write it
    response = client.post(url, {**form, "unit_price": ""})
    variant.refresh_from_db()
    assert variant.unit_price is None and variant.effective_unit_price == Decimal("12.50")


def test_buyers_see_each_variants_price_on_the_product_and_directory_pages(client, world):
    make_eligible(world.product_a)
    VariantFactory(product=world.product_a, reference="A-001-XL", unit_price=Decimal("17.25"))
    pages = [
        reverse("catalog:product_detail", args=[world.product_a.pk]),
        reverse("catalog:directory_product", args=[world.product_a.pk]),
    ]
    client.force_login(world.buyer)
    for url in pages:
        page = client.get(url).content.decode()
        assert page.count('data-testid="variant-price"') == 2, url
        assert "17,25" in page and "12,50" in page  # its own price; the other variant takes the product's
    client.logout()
    for url in pages:  # prices stay for buyers, the secretariat and the manufacturer
        page = client.get(url).content.decode()
        assert 'data-testid="variant-price"' not in page and "17,25" not in page


# API -----------------------------------------------------------------------------------------------------------


def test_a_variants_price_goes_round_through_the_api(client, world):
    a = auth(world.admin_a)
    created = client.post(
        f"/api/v1/catalog/products/{world.product_a.pk}/variants",
        {"reference": "A-001-L", "label": "Taille L", "unit_price": "14.75"},
        content_type="application/json",
        headers=a,
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["unit_price"], created.json()["effective_unit_price"]) == ("14.75", "14.75")
    variant_id = created.json()["id"]
    assert Variant.objects.get(pk=variant_id).unit_price == Decimal("14.75")
    make_eligible(world.product_a)
    seen = {
        v["id"]: (v["unit_price"], v["effective_unit_price"])
        for v in client.get(f"/api/v1/catalog/products/{world.product_a.pk}", headers=auth(world.buyer)).json()[
            "variants"
        ]
    }
    assert seen[variant_id] == ("14.75", "14.75")
    assert set(seen.values()) == {("14.75", "14.75"), (None, "12.50")}
    # the price is commercial: hidden from another manufacturer like the product's
    other = client.get(f"/api/v1/catalog/products/{world.product_a.pk}", headers=auth(world.admin_b)).json()
    assert all(v["unit_price"] is None and v["effective_unit_price"] is None for v in other["variants"])
    # a PUT replaces the variant: without a price, the product's applies again
    put = client.put(
        f"/api/v1/catalog/variants/{variant_id}",
        {"reference": "A-001-L", "label": "Taille L"},
        content_type="application/json",
        headers=a,
    )
    assert put.status_code == 200, put.json()
    assert (put.json()["unit_price"], put.json()["effective_unit_price"]) == (None, "12.50")
    refused = client.put(
        f"/api/v1/catalog/variants/{variant_id}",
        {"reference": "A-001-L", "label": "Taille L", "unit_price": "-3"},
        content_type="application/json",
        headers=a,
    )
    assert refused.status_code == 422


# The catalogue import and export ---------------------------------------------------------------------------------


def _sizes(*prices):
    return [
        row(vref=f"AIG-21-{length}", label=f"G21 {length} mm", **{"longueur (mm)": str(length), "Prix unitaire": p})
        for length, p in zip((25, 40, 60), prices, strict=False)
    ]


def test_rows_of_one_product_with_different_prices_put_them_on_the_variants(world, django_capture_on_commit_callbacks):
    rows = _sizes("1,80", "2,40", "")
    run = run_import(world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.IMPORTED, problems(run)
    product = Product.objects.get(manufacturer=world.org_a, reference="AIG-21")
    assert product.unit_price == Decimal("1.80")  # the lowest: the product's "from" price
    variants = {v.reference: v for v in product.variants.all()}
    own = {reference: v.unit_price for reference, v in variants.items()}
    assert own == {"AIG-21-25": None, "AIG-21-40": Decimal("2.40"), "AIG-21-60": None}
    effective = {reference: v.effective_unit_price for reference, v in variants.items()}
    assert effective == {"AIG-21-25": Decimal("1.80"), "AIG-21-40": Decimal("2.40"), "AIG-21-60": Decimal("1.80")}

    again = run_import(
        world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks, confirm_reimport=True
    )
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)


def test_different_prices_are_imported_also_when_valid_rows_are_kept(world, django_capture_on_commit_callbacks):
    rows = [*_sizes("1,80", "2,40"), row("BAD", vref="BAD-1", **{"Prix unitaire": "12 EUR"})]
    run = run_import(
        world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks, keep_valid_rows=True
    )
    assert run.status == ImportStatus.IMPORTED
    assert [number for number, _column, _message in problems(run)] == [6]  # only the bad price, no clash
    assert Variant.objects.get(reference="AIG-21-40").effective_unit_price == Decimal("2.40")


def test_one_price_on_every_row_is_the_products_and_clears_the_variants_own(world, django_capture_on_commit_callbacks):
    run_import(world.admin_a, world.org_a, workbook(_sizes("1,80", "2,40")), django_capture_on_commit_callbacks)
    run = run_import(
        world.admin_a,
        world.org_a,
        workbook(_sizes("2,00", "2,00")),
        django_capture_on_commit_callbacks,
        confirm_reimport=True,
    )
    assert run.status == ImportStatus.IMPORTED, problems(run)
    product = Product.objects.get(manufacturer=world.org_a, reference="AIG-21")
    assert product.unit_price == Decimal("2.00")
    assert [v.unit_price for v in product.variants.all()] == [None, None]


def test_the_export_gives_each_variants_price_and_imports_again_unchanged(world, django_capture_on_commit_callbacks):
    run_import(world.admin_a, world.org_a, workbook(_sizes("1,80", "2,40")), django_capture_on_commit_callbacks)
    data, _name = exports.export_catalogue(actor=actor_for(world.admin_a), manufacturer=world.org_a)
    _book, rows = read_xlsx(data)
    price = rows[0].index(str(imports.columns()[[c.key for c in imports.columns()].index("unit_price")].label))
    variant = rows[0].index(str([c for c in imports.columns() if c.key == "variant_reference"][0].label))
    prices = {r[variant]: r[price] for r in rows[1:]}
    assert prices["AIG-21-25"] == pytest.approx(1.80) and prices["AIG-21-40"] == pytest.approx(2.40)
    stamps = list(Variant.objects.order_by("pk").values_list("pk", "unit_price", "updated_at"))
    again = run_import(world.admin_a, world.org_a, data, django_capture_on_commit_callbacks, name="export.xlsx")
    assert again.status == ImportStatus.IMPORTED, problems(again)
    assert again.updated_count == 0
    assert list(Variant.objects.order_by("pk").values_list("pk", "unit_price", "updated_at")) == stamps
