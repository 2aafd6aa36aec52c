"""The consultations through the API (/api/v1/sourcing/): the same services and rules as the pages. A buyer
creates and publishes; an invited supplier asks, the buyer answers; the supplier submits, amends with a stale
version (refused), withdraws; late offers are refused; other organisations get 404, anonymous callers 401;
no answer carries an amount."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tawrid.accounts.tests.factories import token_for
from tawrid.sourcing.models import Consultation, ConsultationStatus, Offer, OfferStatus
from tawrid.sourcing.tests.factories import SourcingWorld, clock

API = "/api/v1/sourcing"
PRICES = ["7391.47", "8264.19"]


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def auth(user):
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def _terms(reference: str = "CONS-API-1", **extra) -> dict:
    now = timezone.now()
    data = {
        "reference": reference,
        "title": "Aiguilles et gants 2026",
        "questions_deadline": (now + timedelta(days=1)).isoformat(),
        "submission_deadline": (now + timedelta(days=2)).isoformat(),
        "opening_at": (now + timedelta(days=2, hours=1)).isoformat(),
    }
    data.update(extra)
    return data


def _lines(lot, prices):
    return [
        {"lot_line": line.pk, "unit_price": price, "delivery_days": 15}
        for line, price in zip(lot.lines.order_by("position"), prices, strict=True)
    ]


def test_a_buyer_creates_changes_and_publishes_a_consultation(client, world):
    plan = world.sourcing_plan()
    world.usual_proposals(plan)
    headers = auth(world.buyer)
    line_ids = list(plan.lines.order_by("line_number").values_list("pk", flat=True))

    bad = client.post(
        f"{API}/consultations", {"line_ids": line_ids, **_terms(reference="")}, "application/json", headers=headers
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_terms" and "reference" in bad.json()["details"]

    response = client.post(
        f"{API}/consultations", {"line_ids": line_ids, **_terms()}, "application/json", headers=headers
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["buyer_id"] == world.group.pk
    assert [lot["emdn"] for lot in body["lots"]] == ["A01", "T01"]  # one lot per EMDN group
    assert sum(len(lot["lines"]) for lot in body["lots"]) == 3
    consultation_id = body["id"]

    patched = client.patch(
        f"{API}/consultations/{consultation_id}", {"title": "Aiguilles 2026"}, "application/json", headers=headers
    )
    assert patched.status_code == 200 and patched.json()["title"] == "Aiguilles 2026"

    published = client.post(f"{API}/consultations/{consultation_id}/publish", headers=headers)
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    again = client.post(f"{API}/consultations/{consultation_id}/publish", headers=headers)
    assert again.status_code == 400 and again.json()["code"] == "consultation_not_draft"

    listed = client.get(f"{API}/consultations", headers=headers).json()
    assert [item["id"] for item in listed] == [consultation_id]
    supplier_view = client.get(f"{API}/consultations/{consultation_id}", headers=auth(world.foreign_manufacturer))
    assert supplier_view.status_code == 200
    needles = [lot["id"] for lot in supplier_view.json()["lots"] if lot["emdn"] == "A01"]
    assert supplier_view.json()["admitted_lot_ids"] == needles


def test_questions_and_the_offer_lifecycle(client, world):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    supplier = auth(world.manufacturer)
    buyer = auth(world.buyer)

    asked = client.post(
        f"{API}/consultations/{consultation.pk}/questions",
        {"text": "Emballage ?"},
        "application/json",
        headers=supplier,
    )
    assert asked.status_code == 201, asked.content
    question_id = asked.json()["id"]
    refused = client.post(
        f"{API}/questions/{question_id}/answer", {"answer": "Non"}, "application/json", headers=supplier
    )
    assert refused.status_code == 403
    answered = client.post(
        f"{API}/questions/{question_id}/answer", {"answer": "Unitaire"}, "application/json", headers=buyer
    )
    assert answered.status_code == 200 and answered.json()["answer"] == "Unitaire"
    seen = client.get(
        f"{API}/consultations/{consultation.pk}/questions", headers=auth(world.foreign_manufacturer)
    ).json()
    assert [(q["answer"], q["supplier_id"]) for q in seen] == [("Unitaire", None)]

    url = f"{API}/consultations/{consultation.pk}/lots/{lot.pk}/offers"
    submitted = client.post(url, {"lines": _lines(lot, PRICES)}, "application/json", headers=supplier)
    assert submitted.status_code == 201, submitted.content
    offer = submitted.json()
    assert offer["version"] == 1 and offer["status"] == "submitted"
    for price in PRICES:
        assert price not in submitted.content.decode()
    twice = client.post(url, {"lines": _lines(lot, PRICES)}, "application/json", headers=supplier)
    assert twice.status_code == 400 and twice.json()["code"] == "offer_exists"

    amend_url = f"{API}/offers/{offer['id']}/amend"
    amended = client.post(
        amend_url, {"expected_version": 1, "lines": _lines(lot, ["7000", "8000"])}, "application/json", headers=supplier
    )
    assert amended.status_code == 200 and amended.json()["version"] == 2
    stale = client.post(
        amend_url, {"expected_version": 1, "lines": _lines(lot, ["6000", "7000"])}, "application/json", headers=supplier
    )
    assert stale.status_code == 400 and stale.json()["code"] == "stale_version"
    assert Offer.objects.get().version == 2

    mine = client.get(f"{API}/consultations/{consultation.pk}/offers", headers=supplier).json()
    assert [(o["id"], o["version"]) for o in mine] == [(offer["id"], 2)]
    assert "unit_price" not in client.get(f"{API}/offers/{offer['id']}", headers=supplier).content.decode()

    withdrawn = client.post(
        f"{API}/offers/{offer['id']}/withdraw", {"expected_version": 2}, "application/json", headers=supplier
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert Offer.objects.get().status == OfferStatus.WITHDRAWN

    cancelled = client.post(
        f"{API}/consultations/{consultation.pk}/cancel", {"reason": "Budget"}, "application/json", headers=buyer
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == ConsultationStatus.CANCELLED


def test_a_late_offer_is_refused(client, world):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    url = f"{API}/consultations/{consultation.pk}/lots/{lot.pk}/offers"
    headers = auth(world.manufacturer)
    with clock(consultation.submission_deadline + timedelta(seconds=1)):
        response = client.post(url, {"lines": _lines(lot, PRICES)}, "application/json", headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "deadline_passed"
    assert not Offer.objects.exists()


def test_invalid_prices_are_reported_per_line(client, world):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    response = client.post(
        f"{API}/consultations/{consultation.pk}/lots/{lot.pk}/offers",
        {"lines": _lines(lot, ["0", "1.234"])},
        "application/json",
        headers=auth(world.manufacturer),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_offer"
    assert set(response.json()["details"]) == {"lines.0.unit_price", "lines.1.unit_price"}


def test_other_organisations_get_404_and_anonymous_callers_401(client, world):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    offer = world.submit(consultation, lot, PRICES)
    for outsider in (world.other_manufacturer, world.glove_manufacturer, world.other_buyer):
        headers = auth(outsider)
        assert client.get(f"{API}/consultations/{consultation.pk}", headers=headers).status_code == 404
        assert client.get(f"{API}/consultations/{consultation.pk}/offers", headers=headers).status_code == 404
        assert client.get(f"{API}/offers/{offer.pk}", headers=headers).status_code == 404
        assert (
            client.post(
                f"{API}/offers/{offer.pk}/withdraw", {"expected_version": 1}, "application/json", headers=headers
            ).status_code
            == 404
        )
        assert client.post(f"{API}/consultations/{consultation.pk}/publish", headers=headers).status_code == 404
        assert client.get(f"{API}/consultations", headers=headers).json() == []
    other_supplier = auth(world.foreign_manufacturer)
    assert client.get(f"{API}/offers/{offer.pk}", headers=other_supplier).status_code == 404
    assert client.get(f"{API}/consultations/{consultation.pk}/offers", headers=other_supplier).json() == []
    # A buyer cannot create a consultation from another buyer's lines.
    lines = list(consultation.plan.lines.values_list("pk", flat=True))
    foreign = client.post(
        f"{API}/consultations",
        {"line_ids": lines, **_terms("X-1")},
        "application/json",
        headers=auth(world.other_buyer),
    )
    assert foreign.status_code in (403, 404)
    assert Consultation.objects.count() == 1

    anonymous = client.get(f"{API}/consultations")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"
    assert client.get(f"{API}/consultations/{consultation.pk}").status_code == 401
    assert (
        client.post(f"{API}/offers/{offer.pk}/withdraw", {"expected_version": 1}, "application/json").status_code == 401
    )
    assert Offer.objects.get().status == OfferStatus.SUBMITTED
