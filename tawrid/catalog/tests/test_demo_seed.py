"""The demo catalogues: hundreds of products with valid specifications, every status, idempotent."""

import pytest
from django.db.models import Count

from tawrid.catalog import selectors
from tawrid.catalog.models import (
    Certificate,
    LabelApplication,
    Product,
    RegistrationApplication,
    Variant,
    VariantSpecification,
    gtin_is_valid,
)
from tawrid.demo.catalog_seed import catalogue_seed
from tawrid.demo.services import demo_seed
from tawrid.nomenclature.services import reference_load

pytestmark = pytest.mark.django_db


def test_the_demo_builds_realistic_catalogues_once(django_assert_max_num_queries):
    reference_load(which=["emdn"])
    demo_seed()
    products = Product.objects.count()
    assert products >= 300
    assert Product.objects.values("manufacturer").distinct().count() >= 30
    assert Variant.objects.count() >= 2 * products * 0.8
    assert VariantSpecification.objects.count() > Variant.objects.count()
    assert all(gtin_is_valid(g) for g in Variant.objects.values_list("udi_di", flat=True))
    assert {"active", "suspended", "withdrawn", "expired"} <= set(Certificate.objects.values_list("status", flat=True))
    assert Certificate.objects.filter(verified=False).exists()
    statuses = set(RegistrationApplication.objects.values_list("status", flat=True))
    assert {"approved", "under_review", "submitted", "refused"} <= statuses
    assert LabelApplication.objects.filter(status="approved").exists()
    assert Product.objects.filter(name_fr__startswith="Aiguille hypodermique stérile").exists()
    # Many are eligible today, not all.
    from django.utils import timezone

    eligible = selectors.directory_products(on=timezone.localdate()).count()
    assert 50 < eligible < products
    counts = {
        "products": products,
        "variants": Variant.objects.count(),
        "certificates": Certificate.objects.count(),
        "registrations": RegistrationApplication.objects.count(),
    }
    report = catalogue_seed()
    assert (report.products, report.variants, report.certificates, report.registrations, report.labels) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert counts == {
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        "certificates": Certificate.objects.count(),
        "registrations": RegistrationApplication.objects.count(),
    }
    assert not Product.objects.values("manufacturer", "reference").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_without_emdn_the_catalogue_seed_does_nothing():
    demo_seed()
    assert not Product.objects.exists()
