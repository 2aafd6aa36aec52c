"""Implausible dates are refused (issue 15, finding 15): a certificate issued 0001-01-01 and valid to 9999-12-31,
a registration or a label valid for centuries — on the pages, in the API and in the services, with the message
under the field. (No spreadsheet import carries certificates, registrations or labels: the catalogue import has
products and variants only.)"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tawrid.accounts.tests.factories import token_for
from tawrid.catalog import services
from tawrid.catalog.models import Certificate, CertificateKind, LabelApplication, LabelStatus, RegistrationStatus
from tawrid.catalog.tests.factories import RegistrationFactory
from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for

pytestmark = pytest.mark.django_db


def auth(user):
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def later(years: int) -> date:
    return timezone.localdate() + timedelta(days=365 * years)


IMPLAUSIBLE_CERTIFICATES = [
    ({"issued_on": "0001-01-01", "expires_on": "9999-12-31"}, {"issued_on", "expires_on"}),
    ({"issued_on": "1949-12-31", "expires_on": "2030-01-01"}, {"issued_on"}),
    ({"issued_on": "2024-01-01", "expires_on": later(51).isoformat()}, {"expires_on"}),
    ({"issued_on": later(1).isoformat(), "expires_on": later(5).isoformat()}, {"issued_on"}),  # not issued yet
]


@pytest.mark.parametrize(("dates", "fields"), IMPLAUSIBLE_CERTIFICATES)
def test_the_certificate_page_refuses_implausible_dates(client, world, dates, fields):
    client.force_login(world.admin_a)
    response = client.post(
        reverse("catalog:certificate_create"),
        {"kind": "iso13485", "number": "MA-QMS-1", "issuer": "IMANOR", **dates},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == fields
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(("dates", "fields"), IMPLAUSIBLE_CERTIFICATES)
def test_the_certificate_api_refuses_implausible_dates(client, world, dates, fields):
    response = client.post(
        "/api/v1/catalog/certificates",
        {"holder_id": world.org_a.pk, "kind": "iso13485", "number": "MA-QMS-1", "issuer": "IMANOR", **dates},
        content_type="application/json",
        headers=auth(world.admin_a),
    )
    assert response.status_code in (400, 422), response.content
    assert set(response.json()["details"]) >= fields, response.json()
    assert not Certificate.objects.exists()


def test_the_certificate_service_refuses_implausible_dates(world):
    with pytest.raises(DomainError) as refused:
        services.certificate_create(
            actor=actor_for(world.admin_a),
            holder=world.org_a,
            kind=CertificateKind.ISO_13485,
            number="MA-QMS-1",
            issuer="IMANOR",
            issued_on=date(1, 1, 1),
            expires_on=date(9999, 12, 31),
        )
    assert set(refused.value.details) == {"issued_on", "expires_on"}
    assert not Certificate.objects.exists()


def test_a_plausible_certificate_is_still_accepted(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        reverse("catalog:certificate_create"),
        {
            "kind": "iso13485",
            "number": "MA-QMS-1",
            "issuer": "IMANOR",
            "issued_on": timezone.localdate().isoformat(),
            "expires_on": later(3).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Certificate.objects.filter(number="MA-QMS-1").exists()


IMPLAUSIBLE_REGISTRATIONS = [
    ({"valid_from": "0001-01-01", "valid_until": "9999-12-31"}, {"valid_from", "valid_until"}),
    ({"valid_from": "1900-01-01", "valid_until": "2030-01-01"}, {"valid_from"}),
    ({"valid_from": "2026-01-01", "valid_until": later(60).isoformat()}, {"valid_until"}),
]


def _under_review(world):
    return RegistrationFactory(
        product=world.product_a, status=RegistrationStatus.UNDER_REVIEW, number="", valid_from=None, valid_until=None
    )


@pytest.mark.parametrize(("dates", "fields"), IMPLAUSIBLE_REGISTRATIONS)
def test_the_registration_page_refuses_implausible_dates(client, world, dates, fields):
    registration = _under_review(world)
    client.force_login(world.dmp_officer)
    response = client.post(
        reverse("catalog:registration_detail", args=[registration.pk]),
        {"action": "approve", "number": "DMP/2026/1", **dates},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == fields
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.UNDER_REVIEW


@pytest.mark.parametrize(("dates", "fields"), IMPLAUSIBLE_REGISTRATIONS)
def test_the_registration_api_refuses_implausible_dates(client, world, dates, fields):
    registration = _under_review(world)
    response = client.post(
        f"/api/v1/catalog/registrations/{registration.pk}/decisions",
        {"action": "approve", "number": "DMP/2026/1", **dates},
        content_type="application/json",
        headers=auth(world.dmp_officer),
    )
    assert response.status_code in (400, 422), response.content
    assert set(response.json()["details"]) == fields, response.json()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.UNDER_REVIEW


def test_the_registration_service_refuses_implausible_dates(world):
    registration = _under_review(world)
    with pytest.raises(DomainError) as refused:
        services.registration_approve(
            actor=actor_for(world.dmp_officer),
            registration=registration,
            number="DMP/2026/1",
            valid_from=date(1, 1, 1),
            valid_until=date(9999, 12, 31),
        )
    assert set(refused.value.details) == {"valid_from", "valid_until"}


def test_a_label_valid_for_centuries_is_refused(client, world):
    services.label_apply(actor=actor_for(world.admin_a), product=world.product_a, local_content_share=64)
    label = LabelApplication.objects.get(product=world.product_a)
    client.force_login(world.imanor_officer)
    response = client.post(
        reverse("catalog:label_detail", args=[label.pk]), {"action": "approve", "valid_until": "9999-12-31"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"valid_until"}
    response = client.post(
        f"/api/v1/catalog/labels/{label.pk}/decisions",
        {"action": "approve", "valid_until": "9999-12-31"},
        content_type="application/json",
        headers=auth(world.imanor_officer),
    )
    assert response.status_code in (400, 422) and "valid_until" in response.json()["details"]
    label.refresh_from_db()
    assert label.status == LabelStatus.SUBMITTED
