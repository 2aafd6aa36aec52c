"""Double submissions create one object (issue 15, finding 5).

The API: a request sent again with the same `Idempotency-Key` (same person, same body) replays the first answer
without writing; the same key with another body is refused (422); a refused request does not use the key up;
20 identical requests racing on PostgreSQL make one order. The pages: the create forms carry a one-time token, and
the same form posted twice shows what the first post created."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tawrid.accounts.tests.factories import token_for
from tawrid.core.idempotency import FORM_FIELD
from tawrid.core.models import IdempotencyKey
from tawrid.sourcing.models import Consultation, Offer, Order
from tawrid.sourcing.tests.factories import SourcingWorld

API = "/api/v1/sourcing"


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def _auth(user, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token_for(user)[1]}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def _payload(world, line, *, price="0.85") -> dict:
    return {
        "buyer_id": world.group.pk,
        "supplier_id": world.maker.pk,
        "lines": [{"plan_line": line.pk, "quantity": "200", "unit_price": price}],
    }


def _post(client, headers, payload):
    return client.post(f"{API}/orders/direct", payload, "application/json", headers=headers)


def test_the_same_key_replays_the_first_order_without_writing(client, world):
    line = world.sourcing_plan().lines.get(line_number=3)
    headers = _auth(world.buyer, "order-2026-0001")
    first = _post(client, headers, _payload(world, line))
    again = _post(client, headers, _payload(world, line))
    assert first.status_code == 201 and again.status_code == 201, again.json()
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    without_key = _post(client, _auth(world.buyer), _payload(world, line))  # a key is the client's choice
    assert without_key.status_code == 201 and Order.objects.count() == 2


def test_the_same_key_with_another_body_is_refused(client, world):
    line = world.sourcing_plan().lines.get(line_number=3)
    headers = _auth(world.buyer, "order-2026-0002")
    assert _post(client, headers, _payload(world, line)).status_code == 201
    other = _post(client, headers, _payload(world, line, price="0.90"))
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert other.json()["message"]
    assert Order.objects.count() == 1


def test_a_refused_request_leaves_the_key_unused_and_keys_are_per_person(client, world):
    line = world.sourcing_plan().lines.get(line_number=3)
    headers = _auth(world.buyer, "order-2026-0003")
    refused = _post(client, headers, _payload(world, line, price="cher"))
    assert refused.status_code == 400 and not Order.objects.exists()
    assert _post(client, headers, _payload(world, line)).status_code == 201  # corrected, same key
    assert _post(client, _auth(world.committee_peer, "order-2026-0003"), _payload(world, line)).status_code == 201
    assert Order.objects.count() == 2


def test_keys_are_forgotten_after_their_time(client, world):
    line = world.sourcing_plan().lines.get(line_number=3)
    headers = _auth(world.buyer, "order-2026-0004")
    assert _post(client, headers, _payload(world, line)).status_code == 201
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _post(client, headers, _payload(world, line, price="0.90")).status_code == 201
    assert Order.objects.count() == 2 and IdempotencyKey.objects.count() == 1


def test_a_key_too_long_is_refused(client, world):
    line = world.sourcing_plan().lines.get(line_number=3)
    response = _post(client, _auth(world.buyer, "x" * 300), _payload(world, line))
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_requests_with_one_key_make_one_order():
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL (SQLite has one writer at a time)")
    world = SourcingWorld()
    line = world.sourcing_plan().lines.get(line_number=3)
    headers = _auth(world.buyer, "order-2026-race")
    payload = _payload(world, line)
    start = threading.Barrier(20)
    answers: list[tuple[int, int | None]] = []

    def send() -> None:
        try:
            start.wait()
            response = _post(Client(), headers, payload)
            answers.append((response.status_code, response.json().get("id")))
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert sorted(answers) == [(201, order.pk)] * 20


# Pages: the one-time token of the create forms --------------------------------------------------------------------


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_the_direct_order_form_posted_twice_makes_one_order(client, world):
    plan = world.sourcing_plan()
    gloves = plan.lines.get(line_number=3)
    client.force_login(world.buyer)
    url = reverse("sourcing:order_direct") + f"?plan={plan.pk}&supplier={world.maker.pk}"
    page = client.get(url)
    token = page.context["form_token"]
    assert f'name="{FORM_FIELD}" value="{token}"'.encode() in page.content
    data = {FORM_FIELD: token, f"quantity_{gloves.pk}": "200", f"unit_price_{gloves.pk}": "12,50"}
    first = client.post(url, data)
    second = client.post(url, data)
    order = Order.objects.get()
    detail = reverse("sourcing:order_detail", args=[order.pk])
    assert first.status_code == 302 and first["Location"] == detail
    assert second.status_code == 302 and second["Location"] == detail
    assert client.get(url).context["form_token"] != token  # a new form, a new token


def test_the_consultation_form_posted_twice_makes_one_consultation(client, world):
    plan = world.sourcing_plan()
    client.force_login(world.buyer)
    url = reverse("sourcing:consultation_create")
    page = client.get(url, {"plan": plan.pk})
    token = page.context["form_token"]
    now = timezone.now()
    data = {
        FORM_FIELD: token,
        "plan": plan.pk,
        "lines": [line.pk for line in plan.lines.filter(line_number__in=[1, 2])],
        "reference": "CONS-ONCE-1",
        "title": "Aiguilles 2026",
        "delivery_terms": "Franco magasin central",
        "evaluation_method": "lowest_price",
        "national_preference_rate": "15",
        "questions_deadline": _moment(now + timedelta(days=1)),
        "submission_deadline": _moment(now + timedelta(days=2)),
        "opening_at": _moment(now + timedelta(days=2, hours=1)),
    }
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors
    second = client.post(url, data)
    consultation = Consultation.objects.get()
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert str(consultation.pk) in first["Location"]


def test_the_offer_form_posted_twice_submits_one_offer(client, world):
    consultation = world.consultation()
    lot = world.lot(consultation, 2)
    client.force_login(world.manufacturer)
    url = reverse("sourcing:offer_page", args=[consultation.pk, lot.pk])
    token = client.get(url).context["form_token"]
    data = {FORM_FIELD: token}
    for line in lot.lines.order_by("position"):
        data[f"price_{line.pk}"] = "0.82"
        data[f"days_{line.pk}"] = "15"
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors
    second = client.post(url, data)
    offer = Offer.objects.get()
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert offer.version == 1  # not amended by the second post
