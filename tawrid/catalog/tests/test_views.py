"""The catalogue's pages: a manufacturer's catalogue, authority decisions, and the public directory."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tawrid.catalog.models import (
    Certificate,
    LabelApplication,
    LabelStatus,
    Product,
    ProductStatus,
    RegistrationApplication,
    RegistrationStatus,
    Variant,
)
from tawrid.catalog.tests.factories import (
    ProductFactory,
    RegistrationFactory,
    emdn,
    make_eligible,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_manufacturer_creates_a_product_with_variants_and_specifications(client, world):
    emdn("A0201", "Syringes")
    client.force_login(world.member_a)
    response = client.post(
        reverse("catalog:product_create"),
        {
            "reference": "SER-5",
            "name_fr": "Seringue 3 pièces stérile 5 ml",
            "emdn_code": "a0201",
            "sterile": "on",
            "single_use": "on",
            "unit_price": "0,85",
            "units_per_box": "100",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get(reference="SER-5")
    assert product.emdn.code == "A0201" and product.sterile and product.status == ProductStatus.DRAFT
    url = reverse("catalog:variant_create", args=[product.pk])
    form = {
        "reference": "SER-5-21G",
        "label": "5 ml aiguille 21 G",
        "udi_di": "05901234123457",
        "specs-TOTAL_FORMS": "3",
        "specs-INITIAL_FORMS": "0",
        "specs-0-attribute": "volume",
        "specs-0-value": "5",
        "specs-0-unit": "MLT",
        "specs-1-attribute": "gauge",
        "specs-1-value": "21",
        "specs-2-attribute": "",
        "specs-2-value": "",
    }
    assert client.post(url, form).status_code == 302
    variant = Variant.objects.get(reference="SER-5-21G")
    assert {s.attribute for s in variant.specifications.all()} == {"volume", "gauge"}
    # A bad unit: the page answers 400 with the message on the row, and nothing is written.
    bad = dict(form, reference="SER-5-BAD", **{"specs-0-unit": "MMT"})
    response = client.post(url, bad)
    assert response.status_code == 400
    assert not Variant.objects.filter(reference="SER-5-BAD").exists()
    # A bad GTIN: refused on its field.
    response = client.post(url, dict(form, reference="SER-5-G", udi_di="12345678901234"))
    assert response.status_code == 400 and "GTIN" in response.content.decode()
    assert client.post(reverse("catalog:product_publish", args=[product.pk])).status_code == 302
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
    page = client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    assert "5 ml aiguille 21 G" in page and "21 G" in page and "0.85" in page.replace(",", ".")


def test_cpv_and_hs_are_suggested_from_emdn_when_left_empty(client, world):
    from tawrid.nomenclature.models import CpvCode, HsCode

    CpvCode.objects.create(
        code="33141420-0",
        numeric_code=33141420,
        kind="supplies",
        level=1,
        label_fr="Gants de chirurgie",
        label_en="Surgical gloves",
        label_it="Guanti",
    )
    emdn("T0101", "Gloves")
    client.force_login(world.admin_a)
    client.post(reverse("catalog:product_create"), {"reference": "G-1", "name_fr": "Gant", "emdn_code": "T0101"})
    product = Product.objects.get(reference="G-1")
    assert product.cpv.numeric_code == 33141420
    assert product.hs is None or isinstance(product.hs, HsCode)


def test_product_form_refuses_unknown_emdn(client, world):
    client.force_login(world.admin_a)
    response = client.post(reverse("catalog:product_create"), {"reference": "X", "name_fr": "X", "emdn_code": "Q999"})
    assert response.status_code == 400
    assert not Product.objects.filter(reference="X").exists()


def test_product_list_is_searchable_and_bounded(client, world, django_assert_max_num_queries):
    for n in range(30):
        product = ProductFactory(manufacturer=world.org_a, name_fr=f"Compresse stérile {n}")
        make_eligible(product) if n % 3 == 0 else None
    ProductFactory(manufacturer=world.org_a, name_fr="Compresse stérile hémostatique")
    client.force_login(world.admin_a)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("catalog:product_list"))
    assert response.status_code == 200
    assert world.product_b.name_fr not in response.content.decode()
    # Accent- and case-insensitive, every word must match; a word no other product has picks out one product.
    response = client.get(reverse("catalog:product_list"), {"q": "COMPRESSE HEMOSTATIQUE"})
    page = response.content.decode()
    assert "Compresse stérile hémostatique" in page and "Compresse stérile 2<" not in page


def test_document_upload_page_refuses_a_fake_pdf(client, world):
    client.force_login(world.admin_a)
    url = reverse("catalog:document_upload", args=[world.product_a.pk])
    client.post(url, {"kind": "data_sheet", "file": SimpleUploadedFile("fiche.pdf", b"not a pdf")})
    assert not world.product_a.documents.exists()
    client.post(url, {"kind": "data_sheet", "file": SimpleUploadedFile("fiche.pdf", PDF)})
    assert world.product_a.documents.count() == 1


def test_certificate_upload_then_imanor_verifies(client, world):
    client.force_login(world.admin_a)
    expires = timezone.localdate() + timedelta(days=700)
    response = client.post(
        reverse("catalog:certificate_create"),
        {
            "kind": "iso13485",
            "number": "MA-QMS-77",
            "issuer": "IMANOR",
            "issued_on": "2025-03-01",
            "expires_on": expires.isoformat(),
            "file": SimpleUploadedFile("iso.pdf", PDF),
        },
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get(number="MA-QMS-77")
    assert certificate.document.content_type == "application/pdf" and not certificate.verified
    client.force_login(world.imanor_officer)
    queue = client.get(reverse("catalog:certificate_review")).content.decode()
    assert "MA-QMS-77" in queue
    url = reverse("catalog:certificate_detail", args=[certificate.pk])
    response = client.post(url, {"action": "suspend", "reason": ""})
    assert response.status_code == 400
    assert client.post(url, {"action": "verify"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.verified
    assert "MA-QMS-77" not in client.get(reverse("catalog:certificate_review")).content.decode()


def test_review_queues_are_the_authorities(client, world):
    client.force_login(world.admin_a)
    assert client.get(reverse("catalog:certificate_review")).status_code == 403
    assert client.get(reverse("catalog:registration_review")).status_code == 403
    client.force_login(world.dmp_officer)
    assert client.get(reverse("catalog:registration_review")).status_code == 200
    assert client.get(reverse("catalog:certificate_review")).status_code == 403


def test_registration_through_pages(client, world):
    client.force_login(world.member_a)
    response = client.post(
        reverse("catalog:registration_apply", args=[world.product_a.pk]),
        {"notes": "Dossier technique complet", "file": SimpleUploadedFile("dossier.pdf", PDF)},
    )
    assert response.status_code == 302
    registration = RegistrationApplication.objects.get(product=world.product_a)
    assert registration.status == RegistrationStatus.SUBMITTED and registration.documents.count() == 1
    client.force_login(world.dmp_officer)
    assert "Gant" in client.get(reverse("catalog:registration_review")).content.decode()
    url = reverse("catalog:registration_detail", args=[registration.pk])
    response = client.post(
        url, {"action": "approve", "number": "", "valid_from": "2026-01-01", "valid_until": "2025-01-01"}
    )
    assert response.status_code == 400
    response = client.post(
        url, {"action": "approve", "number": "DMP/2026/123", "valid_from": "2026-01-01", "valid_until": "2031-01-01"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED and registration.number == "DMP/2026/123"


def test_label_through_pages(client, world):
    client.force_login(world.admin_a)
    client.post(reverse("catalog:label_apply", args=[world.product_a.pk]), {"local_content_share": "64"})
    label = LabelApplication.objects.get(product=world.product_a)
    client.force_login(world.imanor_officer)
    until = (timezone.localdate() + timedelta(days=730)).isoformat()
    assert (
        client.post(
            reverse("catalog:label_detail", args=[label.pk]), {"action": "approve", "valid_until": until}
        ).status_code
        == 302
    )
    label.refresh_from_db()
    assert label.status == LabelStatus.APPROVED


def test_product_page_explains_eligibility(client, world):
    client.force_login(world.admin_a)
    page = client.get(reverse("catalog:product_detail", args=[world.product_a.pk])).content.decode()
    assert "ISO 13485" in page and "DMP" in page
    make_eligible(world.product_a)
    page = client.get(reverse("catalog:product_detail", args=[world.product_a.pk])).content.decode()
    assert 'class="eligibility ok"' in page


# Public directory -------------------------------------------------------------------------------------------------


def _directory_world(world):
    make_eligible(world.product_a)
    world.product_a.name_ar = "قفازات فحص"
    world.product_a.name_en = "Examination gloves"
    world.product_a.save()
    from tawrid.catalog.services import _refresh_search_text

    _refresh_search_text(world.product_a)
    unregistered = ProductFactory(manufacturer=world.org_a, name_fr="Casaque chirurgicale")
    RegistrationFactory(
        product=unregistered, status=RegistrationStatus.REFUSED, number="", valid_from=None, valid_until=None
    )
    return unregistered


def test_directory_is_anonymous_and_shows_no_private_field(client, world):
    unregistered = _directory_world(world)
    response = client.get(reverse("catalog:directory"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Gant d&#x27;examen nitrile" in page
    assert "Casaque" not in page  # certified through its manufacturer, but its registration was refused
    detail = client.get(reverse("catalog:directory_product", args=[world.product_a.pk])).content.decode()
    assert "12.50" not in detail and "12,50" not in detail and "1000000" not in detail
    assert client.get(reverse("catalog:directory_product", args=[world.draft_a.pk])).status_code == 404
    assert client.get(reverse("catalog:directory_product", args=[unregistered.pk])).status_code == 404


def test_directory_search_is_accent_case_and_language_insensitive(client, world):
    _directory_world(world)
    for words in ["GANT D'EXAMEN", "gant poudre", "examination GLOVES", "قفازات"]:
        page = client.get(reverse("catalog:directory"), {"q": words}).content.decode()
        assert f'href="{reverse("catalog:directory_product", args=[world.product_a.pk])}"' in page, words
    page = client.get(reverse("catalog:directory"), {"q": "seringue"}).content.decode()
    assert reverse("catalog:directory_product", args=[world.product_a.pk]) not in page


def test_directory_facets_and_bounded_queries(client, world, django_assert_max_num_queries):
    _directory_world(world)
    for n in range(25):
        make_eligible(ProductFactory(manufacturer=world.org_a, name_fr=f"Aiguille hypodermique {n}"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalog:directory"), {"q": "aiguille"})
    assert response.status_code == 200
    page = client.get(
        reverse("catalog:directory"), {"category": "T", "certificate": "iso13485", "region": "Casablanca-Settat"}
    )
    assert "Aiguille hypodermique 3" in page.content.decode()
    page = client.get(reverse("catalog:directory"), {"certificate": "ce"}).content.decode()
    assert "Aiguille hypodermique 3" not in page
    page = client.get(reverse("catalog:directory"), {"label": "on"}).content.decode()
    assert "Aiguille hypodermique 3" not in page


def test_a_suspended_certificate_removes_products_from_the_directory(client, world):
    make_eligible(world.product_a)
    assert world.product_a.name_fr[:10] in client.get(reverse("catalog:directory")).content.decode().replace(
        "&#x27;", "'"
    )
    Certificate.objects.filter(holder=world.org_a).update(status="suspended")
    assert "nitrile" not in client.get(reverse("catalog:directory")).content.decode()


def test_directory_manufacturer_page(client, world):
    make_eligible(world.product_a)
    response = client.get(reverse("catalog:directory_manufacturer", args=[world.org_a.slug]))
    assert response.status_code == 200 and "nitrile" in response.content.decode()
    assert client.get(reverse("catalog:directory_manufacturer", args=[world.org_b.slug])).status_code == 404


def test_directory_answers_htmx_with_the_results_only(client, world):
    make_eligible(world.product_a)
    response = client.get(reverse("catalog:directory"), {"q": "nitrile"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'data-testid="directory-results"' in body and "nitrile" in body


def test_pages_speak_french_first_and_arabic_right_to_left(client, world, settings):
    make_eligible(world.product_a)
    page = client.get(reverse("catalog:directory")).content.decode()
    assert "Annuaire des dispositifs médicaux fabriqués au Maroc" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get(reverse("catalog:directory")).content.decode()
    assert 'dir="rtl"' in page and "دليل الأجهزة الطبية المصنوعة في المغرب" in page
    client.force_login(world.admin_a)
    page = client.get(reverse("catalog:product_detail", args=[world.product_a.pk])).content.decode()
    assert "المواصفات" in page and "مؤهَّل لمشتريات المستشفيات اليوم" in page
