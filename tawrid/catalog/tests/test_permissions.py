"""The catalogue's permission matrix: every role against the catalogue's object kinds, through pages and API.

Roles: those of tests/test_permission_matrix.py plus IMANOR's and the DMP's officers and a hospital buyer.
Object kinds: a draft product of A (read, change), the commercial fields of A's published product (read),
A's certificate (read; decide), A's registration (read; decide), A's label (read; decide). Allowed operations
must succeed and have their effect; denied ones fail the right way and change nothing. The last tests check
that a person of A reaches none of B's objects by guessing their ids.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tawrid.accounts.tests.factories import token_for
from tawrid.catalog.models import (
    Certificate,
    LabelApplication,
    Product,
    RegistrationApplication,
    RegistrationStatus,
)
from tawrid.catalog.tests.factories import CatalogWorld, CertificateFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "admin_a",
    "member_a",
    "reader_a",
    "admin_b",
    "secretariat",
    "other_secretariat",
    "imanor",
    "dmp",
    "buyer",
    "superuser",
]
A_PEOPLE = {"admin_a", "member_a", "reader_a"}
READERS_OF_A = A_PEOPLE | {"secretariat", "superuser"}
WRITERS_OF_A = {"admin_a", "member_a", "superuser"}

MATRIX: dict[str, dict[str, set[str]]] = {
    "draft_product": {
        "read_page": READERS_OF_A | {"imanor", "dmp"},
        "read_api": READERS_OF_A | {"imanor", "dmp"},
        "change_page": WRITERS_OF_A,
        "change_api": WRITERS_OF_A,
    },
    "price": {"read_page": READERS_OF_A | {"buyer"}, "read_api": READERS_OF_A | {"buyer"}},
    "certificate": {
        "read_page": READERS_OF_A | {"imanor"},
        "read_api": READERS_OF_A | {"imanor"},
        "decide_page": {"imanor", "superuser"},
        "decide_api": {"imanor", "superuser"},
    },
    "registration": {
        "read_page": READERS_OF_A | {"dmp"},
        "read_api": READERS_OF_A | {"dmp"},
        "decide_page": {"dmp", "superuser"},
        "decide_api": {"dmp", "superuser"},
    },
    "label": {"decide_page": {"imanor", "superuser"}, "decide_api": {"imanor", "superuser"}},
}
CASES = [(role, kind, op) for kind, ops in MATRIX.items() for op in ops for role in ROLES]


class Scene:
    def __init__(self, client: Client, role: str) -> None:
        self.world = CatalogWorld()
        self.client = client
        self.role = role
        w = self.world
        self.certificate = CertificateFactory(
            holder=w.org_a, verified=False, expires_on=timezone.localdate() + timedelta(days=300)
        )
        self.registration = RegistrationFactory(
            product=w.product_a, status=RegistrationStatus.SUBMITTED, number="", valid_from=None, valid_until=None
        )
        self.label = LabelApplication.objects.create(product=w.product_a, local_content_share=70)
        user = w.people[role]
        self.headers: dict[str, str] = {}
        if user is not None:
            client.force_login(user)
            self.headers = {"Authorization": f"Bearer {token_for(user, name='api')[1]}"}

    @property
    def anonymous(self) -> bool:
        return self.role == "anonymous"

    def api(self, method: str, url: str, data: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(self.client, method)(f"/api/v1/catalog{url}", **kwargs)

    def denied_page(self, response: Any) -> None:
        if self.anonymous:
            assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        else:
            assert response.status_code in (403, 404), response.status_code

    def denied_api(self, response: Any) -> None:
        if self.anonymous:
            assert response.status_code in (401, 404), response.status_code
        else:
            assert response.status_code in (403, 404), response.status_code
            assert set(response.json()) == {"message", "code", "details"}


def draft_product_read_page(s: Scene) -> bool:
    response = s.client.get(reverse("catalog:product_detail", args=[s.world.draft_a.pk]))
    if response.status_code == 200:
        assert escape(s.world.draft_a.name_fr) in response.text
        return True
    assert response.status_code == 404  # never a hint that the draft exists
    return False


def draft_product_read_api(s: Scene) -> bool:
    response = s.api("get", f"/products/{s.world.draft_a.pk}")
    if response.status_code == 200:
        return True
    assert response.status_code == 404
    return False


def draft_product_change_page(s: Scene) -> bool:
    p = s.world.draft_a
    data = {"reference": p.reference, "name_fr": "Nom changé", "emdn_code": p.emdn.code, "risk_class": ""}
    response = s.client.post(reverse("catalog:product_edit", args=[p.pk]), data)
    changed = Product.objects.get(pk=p.pk).name_fr == "Nom changé"
    if response.status_code == 302 and changed:
        return True
    assert not changed
    s.denied_page(response)
    return False


def draft_product_change_api(s: Scene) -> bool:
    response = s.api("patch", f"/products/{s.world.draft_a.pk}", {"name_fr": "Nom changé"})
    changed = Product.objects.get(pk=s.world.draft_a.pk).name_fr == "Nom changé"
    if response.status_code == 200:
        assert changed
        return True
    assert not changed
    s.denied_api(response)
    return False


def price_read_page(s: Scene) -> bool:
    response = s.client.get(reverse("catalog:product_detail", args=[s.world.product_a.pk]))
    assert response.status_code == 200  # published, listed manufacturer: public
    shown = "12.50" in response.text or "12,50" in response.text
    assert shown == ('data-testid="commercial"' in response.text)
    return shown


def price_read_api(s: Scene) -> bool:
    response = s.api("get", f"/products/{s.world.product_a.pk}")
    assert response.status_code == 200
    body = response.json()
    if body["unit_price"] is None:
        assert body["capacity_per_year"] is None
        return False
    assert body["unit_price"] == "12.50" and body["capacity_per_year"] == 1_000_000
    return True


def certificate_read_page(s: Scene) -> bool:
    response = s.client.get(reverse("catalog:certificate_detail", args=[s.certificate.pk]))
    if response.status_code == 200:
        assert s.certificate.number in response.text
        return True
    s.denied_page(response)
    return False


def certificate_read_api(s: Scene) -> bool:
    response = s.api("get", f"/certificates/{s.certificate.pk}")
    if response.status_code == 200:
        return True
    s.denied_api(response)
    return False


def certificate_decide_page(s: Scene) -> bool:
    response = s.client.post(reverse("catalog:certificate_detail", args=[s.certificate.pk]), {"action": "verify"})
    verified = Certificate.objects.get(pk=s.certificate.pk).verified
    if response.status_code == 302 and verified:
        return True
    assert not verified
    s.denied_page(response)
    return False


def certificate_decide_api(s: Scene) -> bool:
    response = s.api("post", f"/certificates/{s.certificate.pk}/decisions", {"action": "verify"})
    verified = Certificate.objects.get(pk=s.certificate.pk).verified
    if response.status_code == 200:
        assert verified
        return True
    assert not verified
    s.denied_api(response)
    return False


def registration_read_page(s: Scene) -> bool:
    response = s.client.get(reverse("catalog:registration_detail", args=[s.registration.pk]))
    if response.status_code == 200:
        return True
    s.denied_page(response)
    return False


def registration_read_api(s: Scene) -> bool:
    response = s.api("get", f"/registrations/{s.registration.pk}")
    if response.status_code == 200:
        return True
    s.denied_api(response)
    return False


def registration_decide_page(s: Scene) -> bool:
    response = s.client.post(
        reverse("catalog:registration_detail", args=[s.registration.pk]), {"action": "start_review"}
    )
    status = RegistrationApplication.objects.get(pk=s.registration.pk).status
    if response.status_code == 302 and status == RegistrationStatus.UNDER_REVIEW:
        return True
    assert status == RegistrationStatus.SUBMITTED
    s.denied_page(response)
    return False


def registration_decide_api(s: Scene) -> bool:
    response = s.api(
        "post",
        f"/registrations/{s.registration.pk}/decisions",
        {"action": "approve", "number": "DMP-X", "valid_from": "2026-01-01", "valid_until": "2031-01-01"},
    )
    status = RegistrationApplication.objects.get(pk=s.registration.pk).status
    if response.status_code == 200:
        assert status == RegistrationStatus.APPROVED
        return True
    assert status == RegistrationStatus.SUBMITTED
    s.denied_api(response)
    return False


def label_decide_page(s: Scene) -> bool:
    until = (timezone.localdate() + timedelta(days=365)).isoformat()
    response = s.client.post(
        reverse("catalog:label_detail", args=[s.label.pk]), {"action": "approve", "valid_until": until}
    )
    status = LabelApplication.objects.get(pk=s.label.pk).status
    if response.status_code == 302 and status == "approved":
        return True
    assert status == "submitted"
    s.denied_page(response)
    return False


def label_decide_api(s: Scene) -> bool:
    until = (timezone.localdate() + timedelta(days=365)).isoformat()
    response = s.api("post", f"/labels/{s.label.pk}/decisions", {"action": "approve", "valid_until": until})
    status = LabelApplication.objects.get(pk=s.label.pk).status
    if response.status_code == 200:
        return True
    assert status == "submitted"
    s.denied_api(response)
    return False


@pytest.mark.parametrize(("role", "kind", "op"), CASES, ids=[f"{k}-{o}-{r}" for r, k, o in CASES])
def test_catalogue_permission_matrix(client, role, kind, op):
    scene = Scene(client, role)
    allowed = globals()[f"{kind}_{op}"](scene)
    assert allowed is (role in MATRIX[kind][op]), f"{role} {kind} {op}: {'allowed' if allowed else 'denied'}"


def test_a_person_of_a_cannot_guess_bs_ids(client):
    world = CatalogWorld()
    b_cert = CertificateFactory(holder=world.org_b)
    b_reg = RegistrationFactory(product=world.product_b)
    client.force_login(world.admin_a)
    pages = [
        reverse("catalog:product_detail", args=[world.product_b.pk]),
        reverse("catalog:product_edit", args=[world.product_b.pk]),
        reverse("catalog:variant_create", args=[world.product_b.pk]),
        reverse("catalog:registration_apply", args=[world.product_b.pk]),
        reverse("catalog:label_apply", args=[world.product_b.pk]),
        reverse("catalog:certificate_detail", args=[b_cert.pk]),
        reverse("catalog:registration_detail", args=[b_reg.pk]),
        reverse("catalog:directory_product", args=[world.product_b.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    token = token_for(world.admin_a)[1]
    headers = {"Authorization": f"Bearer {token}"}
    for url in [
        f"/api/v1/catalog/products/{world.product_b.pk}",
        f"/api/v1/catalog/products/{world.product_b.pk}/eligibility",
        f"/api/v1/catalog/certificates/{b_cert.pk}",
        f"/api/v1/catalog/registrations/{b_reg.pk}",
    ]:
        assert client.get(url, headers=headers).status_code == 404, url
    response = client.patch(
        f"/api/v1/catalog/products/{world.product_b.pk}",
        {"name_fr": "Piraté"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404
    response = client.post(
        "/api/v1/catalog/certificates",
        {
            "holder_id": world.org_b.pk,
            "kind": "iso13485",
            "number": "X",
            "issuer": "Y",
            "issued_on": "2025-01-01",
            "expires_on": "2028-01-01",
        },
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404
    assert Product.objects.get(pk=world.product_b.pk).name_fr != "Piraté"
    assert not Certificate.objects.filter(number="X").exists()
    # Nor list them.
    listed = client.get("/api/v1/catalog/products?limit=500", headers=headers).json()
    assert world.product_b.pk not in {p["id"] for p in listed}
