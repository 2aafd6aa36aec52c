"""Opening, evaluation, awards, orders, deliveries and local-purchase rates through the API
(/api/v1/sourcing/): the same services and rules as the pages. Two different members open; the evaluation is
the buyer's only, after the opening; the national preference decides the winner; only the allowed offer is
awarded; a cancelled award hands the lot to the next offer; orders follow the standstill period; deliveries
never exceed the order; other organisations get 404."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tawrid.accounts.tests.factories import token_for
from tawrid.sourcing.models import ConsultationStatus, Delivery, Order
from tawrid.sourcing.tests.factories import AwardWorld, clock

API = "/api/v1/sourcing"


@pytest.fixture
def world(db) -> AwardWorld:
    return AwardWorld()


def auth(user):
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def test_two_members_open_and_the_evaluation_is_the_buyers_after_the_opening(client, world):
    consultation = world.consultation()
    world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    first, second = auth(world.buyer), auth(world.committee_peer)
    request_url = f"{API}/consultations/{consultation.pk}/opening/request"
    confirm_url = f"{API}/consultations/{consultation.pk}/opening/confirm"

    early = client.post(request_url, headers=first)
    assert early.status_code == 400 and early.json()["code"] == "too_early"
    assert client.get(f"{API}/consultations/{consultation.pk}/evaluation", headers=first).status_code == 404
    assert client.post(request_url, headers=auth(world.other_buyer)).status_code == 404

    with clock(consultation.opening_at + timedelta(minutes=1)):
        not_requested = client.post(confirm_url, headers=second)
        assert not_requested.status_code == 400 and not_requested.json()["code"] == "opening_not_requested"
        assert client.post(request_url, headers=first).status_code == 200
        same = client.post(confirm_url, headers=first)
        assert same.status_code == 400 and same.json()["code"] == "committee_same_person"
        opened = client.post(confirm_url, headers=second)
        assert opened.status_code == 200, opened.content
        assert opened.json()["status"] == ConsultationStatus.OPENED and opened.json()["opened_at"]
        assert client.get(f"{API}/consultations/{consultation.pk}/evaluation", headers=first).json() == []
        assert (
            client.get(
                f"{API}/consultations/{consultation.pk}/evaluation", headers=auth(world.foreign_manufacturer)
            ).status_code
            == 404
        )


@pytest.mark.parametrize(("rate", "winner"), [("0.15", "local"), ("0.10", "foreign")])
def test_evaluation_award_cancellation_order_delivery_and_rates(client, world, rate, winner):
    consultation = world.consultation(national_preference_rate=Decimal(rate))
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    consultation = world.open(consultation)
    buyer = auth(world.buyer)
    later = consultation.opening_at + timedelta(hours=1)
    with clock(later):
        evaluated = client.post(
            f"{API}/consultations/{consultation.pk}/evaluate", {}, "application/json", headers=buyer
        )
    assert evaluated.status_code == 200, evaluated.content
    lot = next(item for item in evaluated.json() if item["lot_number"] == 1)
    assert Decimal(lot["preference_rate"]) == Decimal(rate)
    offers = {item["offer_id"]: item for item in lot["offers"]}
    assert Decimal(offers[ours.pk]["amount"]) == Decimal(offers[ours.pk]["compared_amount"]) == Decimal("2576.00")
    assert Decimal(offers[theirs.pk]["amount"]) == Decimal("2300.00")
    assert Decimal(offers[theirs.pk]["compared_amount"]) == (
        Decimal("2645.00") if winner == "local" else Decimal("2530.00")
    )
    best, other = (ours, theirs) if winner == "local" else (theirs, ours)
    assert offers[best.pk]["rank"] == 1 and offers[other.pk]["rank"] == 2
    assert lot["awardable_offer_id"] == best.pk and lot["award"] is None
    assert client.get(f"{API}/consultations/{consultation.pk}/evaluation", headers=buyer).json() == evaluated.json()

    award_url = f"{API}/lots/{lot['lot_id']}/award"
    assert (
        client.post(award_url, {"offer_id": best.pk}, "application/json", headers=auth(world.other_buyer)).status_code
        == 404
    )
    with clock(later):
        refused = client.post(award_url, {"offer_id": other.pk}, "application/json", headers=buyer)
        assert refused.status_code == 400 and refused.json()["code"] == "award_not_best"
        made = client.post(award_url, {"offer_id": best.pk}, "application/json", headers=buyer)
    assert made.status_code == 201, made.content
    award = made.json()
    assert award["offer_id"] == best.pk and Decimal(award["amount"]) == Decimal(offers[best.pk]["amount"])
    assert award["final"] is False

    with clock(later):
        too_soon = client.post(
            f"{API}/awards/{award['id']}/orders",
            {"lines": [{"lot_line": line.pk, "quantity": "10"} for line in world.lot(consultation, 1).lines.all()]},
            "application/json",
            headers=buyer,
        )
        assert too_soon.status_code == 400 and too_soon.json()["code"] == "standstill_running"
        assert (
            client.post(
                f"{API}/awards/{award['id']}/cancel",
                {"reason": "x"},
                "application/json",
                headers=auth(world.other_buyer),
            ).status_code
            == 404
        )
        cancelled = client.post(
            f"{API}/awards/{award['id']}/cancel", {"reason": "Pièce manquante"}, "application/json", headers=buyer
        )
        assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"]
        report = client.get(f"{API}/consultations/{consultation.pk}/evaluation", headers=buyer).json()
        lot = next(item for item in report if item["lot_number"] == 1)
        assert lot["award"] is None and [item["id"] for item in lot["cancelled_awards"]] == [award["id"]]
        assert lot["awardable_offer_id"] == other.pk
        again = client.post(award_url, {"offer_id": other.pk}, "application/json", headers=buyer)
    assert again.status_code == 201
    award = again.json()

    needle_lines = list(world.lot(consultation, 1).lines.order_by("position"))
    with clock(later + timedelta(days=11)):
        ordered = client.post(
            f"{API}/awards/{award['id']}/orders",
            {"lines": [{"lot_line": needle_lines[0].pk, "quantity": "1000"}]},
            "application/json",
            headers=buyer,
        )
        assert ordered.status_code == 201, ordered.content
        order = ordered.json()
        line = order["lines"][0]
        unit = Decimal("1.12") if other == ours else Decimal("1.00")
        assert Decimal(line["unit_price"]) == unit and Decimal(line["value"]) == unit * 1000
        assert Order.objects.get(pk=order["id"]).award_id == award["id"]
        over = client.post(
            f"{API}/orders/{order['id']}/deliveries",
            {"lines": [{"order_line": line["id"], "quantity": "1001"}]},
            "application/json",
            headers=buyer,
        )
        assert over.status_code == 400 and over.json()["code"] == "over_delivery"
        assert (
            client.post(
                f"{API}/orders/{order['id']}/deliveries",
                {"lines": [{"order_line": line["id"], "quantity": "1"}]},
                "application/json",
                headers=auth(world.other_buyer),
            ).status_code
            == 404
        )
        delivered = client.post(
            f"{API}/orders/{order['id']}/deliveries",
            {"lines": [{"order_line": line["id"], "quantity": "600"}]},
            "application/json",
            headers=buyer,
        )
        assert delivered.status_code == 201 and delivered.json()["order_id"] == order["id"]
        assert Delivery.objects.filter(order_id=order["id"]).count() == 1

        rates = client.get(f"{API}/purchase-rates", headers=buyer).json()
    overall = next(row for row in rates if row["year"] is None)
    assert overall["buyer_id"] == world.group.pk and {row["buyer_id"] for row in rates} == {world.group.pk}
    assert Decimal(overall["total_value"]) == unit * 1000
    local = other == ours
    assert Decimal(overall["local_value"]) == (unit * 1000 if local else 0)
    outsider = client.get(f"{API}/purchase-rates", headers=auth(world.other_buyer)).json()
    assert world.group.pk not in {row["buyer_id"] for row in outsider}
