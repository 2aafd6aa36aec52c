"""The catalogue's API: the same services and policies as the pages, 404 for forged ids, 422 for bad payloads, 400
for well-formed ones a rule refuses (an unknown code)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tawrid.accounts.tests.factories import token_for
from tawrid.catalog.models import Certificate, Product, RegistrationStatus
from tawrid.catalog.tests.factories import emdn, make_eligible

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def auth(user):
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def test_the_whole_journey_through_the_api(client, world):
    emdn("A010101", "Hypodermic needles")
    a = auth(world.admin_a)
    response = client.post(
        "/api/v1/catalog/products",
        {
            "reference": "AIG-21",
            "name_fr": "Aiguille hypodermique stérile",
            "emdn_code": "A010101",
            "sterile": True,
            "unit_price": "0.12",
        },
        content_type="application/json",
        headers=a,
    )
    assert response.status_code == 201, response.json()
    product_id = response.json()["id"]
    for reference, length in [("AIG-21-25", "25 mm"), ("AIG-21-40", "4 cm")]:
        response = client.post(
            f"/api/v1/catalog/products/{product_id}/variants",
            {
                "reference": reference,
                "label": f"G21 {length}",
                "specifications": {"gauge": {"value": "21"}, "needle_length": {"value": length}},
            },
            content_type="application/json",
            headers=a,
        )
        assert response.status_code == 201, response.json()
    lengths = sorted(
        s["value_number"]
        for v in client.get(f"/api/v1/catalog/products/{product_id}", headers=a).json()["variants"]
        for s in v["specifications"]
        if s["attribute"] == "needle_length"
    )
    assert lengths == [25.0, 40.0]
    assert client.post(f"/api/v1/catalog/products/{product_id}/publish", headers=a).json()["status"] == "published"

    upload = client.post(
        "/api/v1/catalog/documents",
        {"file": SimpleUploadedFile("iso.pdf", PDF), "kind": "certificate", "organisation_id": world.org_a.pk},
        headers=a,
    )
    assert upload.status_code == 201, upload.json()
    expires = timezone.localdate() + timedelta(days=30)
    response = client.post(
        "/api/v1/catalog/certificates",
        {
            "holder_id": world.org_a.pk,
            "kind": "iso13485",
            "number": "QMS-1",
            "issuer": "IMANOR",
            "issued_on": "2024-01-01",
            "expires_on": expires.isoformat(),
            "document_id": upload.json()["id"],
        },
        content_type="application/json",
        headers=a,
    )
    assert response.status_code == 201, response.json()
    certificate_id = response.json()["id"]
    response = client.post(
        f"/api/v1/catalog/products/{product_id}/registrations", {}, content_type="application/json", headers=a
    )
    assert response.status_code == 201
    registration_id = response.json()["id"]

    eligibility = client.get(f"/api/v1/catalog/products/{product_id}/eligibility", headers=a).json()
    assert eligibility["eligible"] is False and len(eligibility["reasons"]) == 2

    denied = client.post(
        f"/api/v1/catalog/certificates/{certificate_id}/decisions",
        {"action": "verify"},
        content_type="application/json",
        headers=a,
    )
    assert denied.status_code == 403
    assert (
        client.post(
            f"/api/v1/catalog/certificates/{certificate_id}/decisions",
            {"action": "verify"},
            content_type="application/json",
            headers=auth(world.imanor_officer),
        ).json()["verified"]
        is True
    )
    response = client.post(
        f"/api/v1/catalog/registrations/{registration_id}/decisions",
        {
            "action": "approve",
            "number": "DMP-2026-9",
            "valid_from": (timezone.localdate() - timedelta(days=10)).isoformat(),
            "valid_until": (timezone.localdate() + timedelta(days=1000)).isoformat(),
        },
        content_type="application/json",
        headers=auth(world.dmp_officer),
    )
    assert response.json()["status"] == RegistrationStatus.APPROVED
    today = timezone.localdate()
    eligibility = client.get(f"/api/v1/catalog/products/{product_id}/eligibility?on={today.isoformat()}").json()
    assert eligibility["eligible"] is True, eligibility
    listed = client.get("/api/v1/catalog/directory?q=aiguille").json()
    assert [p["id"] for p in listed] == [product_id]
    assert "unit_price" not in listed[0]
    later = (expires + timedelta(days=1)).isoformat()
    eligibility = client.get(f"/api/v1/catalog/products/{product_id}/eligibility?on={later}", headers=a).json()
    assert eligibility["eligible"] is False and "QMS-1" in " ".join(eligibility["reasons"])
    history = client.get(f"/api/v1/catalog/certificates/{certificate_id}/decisions", headers=a).json()
    assert [h["action"] for h in history] == ["verify"]


def test_invalid_payloads_get_422_with_details(client, world):
    a = auth(world.admin_a)
    response = client.post(
        "/api/v1/catalog/products",
        {"reference": "X", "name_fr": "X", "emdn_code": "NOPE"},
        content_type="application/json",
        headers=a,
    )
    # A well-formed code that is not in the nomenclature: refused by a rule of the data (400), not the schema (422).
    assert response.status_code == 400 and "emdn_code" in response.json()["details"]
    assert response.json()["code"] == "unknown_code"
    response = client.post("/api/v1/catalog/products", {"name_fr": 3}, content_type="application/json", headers=a)
    assert response.status_code == 422
    response = client.post(
        f"/api/v1/catalog/products/{world.draft_a.pk}/variants",
        {"reference": "V", "label": "V", "specifications": {"volume": {"value": "5", "unit": "MMT"}}},
        content_type="application/json",
        headers=a,
    )
    assert response.status_code == 400 and "volume" in response.json()["details"]
    response = client.post(
        f"/api/v1/catalog/products/{world.draft_a.pk}/variants",
        {"reference": "V", "label": "V", "udi_di": "00000000000001"},
        content_type="application/json",
        headers=a,
    )
    assert response.status_code == 400 and "udi_di" in response.json()["details"]
    assert not world.draft_a.variants.exists()
    response = client.post(
        "/api/v1/catalog/documents",
        {"file": SimpleUploadedFile("x.pdf", b"GIF89a not really"), "kind": "ifu", "organisation_id": world.org_a.pk},
        headers=a,
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_file_type"


def test_anonymous_and_other_suppliers_never_get_prices(client, world):
    make_eligible(world.product_a)
    anonymous = client.get(f"/api/v1/catalog/products/{world.product_a.pk}").json()
    assert anonymous["unit_price"] is None and anonymous["capacity_per_year"] is None
    other = client.get(f"/api/v1/catalog/products/{world.product_a.pk}", headers=auth(world.admin_b)).json()
    assert other["unit_price"] is None
    buyer = client.get(f"/api/v1/catalog/products/{world.product_a.pk}", headers=auth(world.buyer)).json()
    assert buyer["unit_price"] == "12.50"
    listed = client.get("/api/v1/catalog/products").json()
    assert {p["id"] for p in listed} == {world.product_a.pk}
    assert all(p["unit_price"] is None for p in listed)


def test_forged_ids_are_404(client, world):
    a = auth(world.admin_a)
    assert client.get("/api/v1/catalog/products/999999", headers=a).status_code == 404
    assert (
        client.post(
            "/api/v1/catalog/certificates/999999/decisions",
            {"action": "verify"},
            content_type="application/json",
            headers=auth(world.imanor_officer),
        ).status_code
        == 404
    )
    response = client.post(
        "/api/v1/catalog/certificates",
        {
            "holder_id": world.org_a.pk,
            "kind": "iso13485",
            "number": "Q",
            "issuer": "I",
            "issued_on": "2024-01-01",
            "expires_on": "2028-01-01",
            "product_ids": [world.product_b.pk],
        },
        content_type="application/json",
        headers=a,
    )
    assert response.status_code == 404
    assert not Certificate.objects.filter(number="Q").exists()
    assert Product.objects.count() == 3


def test_reasons_of_ineligibility_are_not_public(client, world):
    anonymous = client.get(f"/api/v1/catalog/products/{world.product_a.pk}/eligibility").json()
    assert anonymous["eligible"] is False and anonymous["reasons"] == []
    buyer = client.get(f"/api/v1/catalog/products/{world.product_a.pk}/eligibility", headers=auth(world.buyer)).json()
    assert len(buyer["reasons"]) == 2


def test_product_and_directory_lists_have_bounded_queries(client, world, django_assert_max_num_queries):
    from tawrid.catalog.tests.factories import ProductFactory

    for n in range(30):
        make_eligible(ProductFactory(manufacturer=world.org_a, name_fr=f"Sonde gastrique CH {n}"))
    headers = auth(world.buyer)
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/catalog/products?q=sonde", headers=headers).json()
    assert len(listed) == 30 and all(p["unit_price"] == "12.50" for p in listed)
    with django_assert_max_num_queries(8):
        found = client.get("/api/v1/catalog/directory?q=sonde&limit=100").json()
    assert len(found) == 30 and all(p["certificates"] == ["iso13485"] for p in found)


def test_the_manufacturer_withdraws_its_application_and_the_dmp_cannot_then_approve(client, world):
    a = auth(world.admin_a)
    registration_id = client.post(
        f"/api/v1/catalog/products/{world.product_a.pk}/registrations", {}, content_type="application/json", headers=a
    ).json()["id"]
    withdrawn = client.post(
        f"/api/v1/catalog/registrations/{registration_id}/decisions",
        {"action": "withdraw"},
        content_type="application/json",
        headers=a,
    )
    assert withdrawn.json()["status"] == RegistrationStatus.WITHDRAWN
    refused = client.post(
        f"/api/v1/catalog/registrations/{registration_id}/decisions",
        {"action": "approve", "number": "N", "valid_from": "2026-01-01", "valid_until": "2027-01-01"},
        content_type="application/json",
        headers=auth(world.dmp_officer),
    )
    assert refused.status_code == 400 and refused.json()["code"] == "bad_state"
