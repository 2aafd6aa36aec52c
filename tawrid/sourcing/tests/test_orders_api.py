"""Orders through the API (/api/v1/sourcing/orders…): the list and one order under the pages' rules (the buyer's
people and the supplier's, 404 for anyone else), and the direct order: one order at the right value, refused
with the reasons under `lines.<index>.<field>` when a price is not a number, and for forged ids or another
organisation's people — never anything written then."""

from decimal import Decimal

import pytest

from tawrid.accounts.tests.factories import token_for
from tawrid.core.permissions import actor_for
from tawrid.sourcing import services
from tawrid.sourcing.models import Order, OrderLine
from tawrid.sourcing.tests.factories import SourcingWorld

API = "/api/v1/sourcing"


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def auth(user):
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def _post(client, user, payload):
    return client.post(f"{API}/orders/direct", payload, "application/json", headers=auth(user))


def _payload(world, line, *, quantity="200", price="0.85", variant=None, buyer=None, supplier=None):
    return {
        "buyer_id": (buyer or world.group).pk,
        "supplier_id": (supplier or world.maker).pk,
        "lines": [{"plan_line": line.pk, "quantity": quantity, "unit_price": price, "variant": variant}],
    }


def test_a_buyer_orders_directly_and_reads_the_order_back(client, world):
    plan = world.sourcing_plan()
    gloves = plan.lines.get(line_number=3)
    variant = world.gloves.variants.first()
    response = _post(client, world.buyer, _payload(world, gloves, price="12,50", variant=variant.pk))
    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get()
    assert body["id"] == order.pk and body["buyer_id"] == world.group.pk and body["supplier_id"] == world.maker.pk
    assert body["award_id"] is None
    assert [(Decimal(line["value"]), line["local_supplier"]) for line in body["lines"]] == [(Decimal("2500.00"), True)]
    line = order.lines.get()
    services.delivery_record(actor=actor_for(world.buyer), order=order, received={line.pk: "50"})

    detail = client.get(f"{API}/orders/{order.pk}", headers=auth(world.manufacturer))  # the supplier reads it too
    assert detail.status_code == 200
    data = detail.json()
    assert data["buyer_name"] == world.group.name and data["supplier_name"] == world.maker.name
    assert [(item["plan_line_id"], item["variant_id"], Decimal(item["received"])) for item in data["lines"]] == [
        (gloves.pk, variant.pk, Decimal(50))
    ]
    assert [
        [(item["order_line_id"], Decimal(item["quantity"])) for item in d["lines"]] for d in data["deliveries"]
    ] == [[(line.pk, Decimal(50))]]

    listed = client.get(f"{API}/orders", headers=auth(world.buyer)).json()
    assert [(row["id"], Decimal(row["total_value"]), row["local_supplier"]) for row in listed] == [
        (order.pk, Decimal("2500.00"), True)
    ]
    assert Decimal(listed[0]["delivered_share"]) == Decimal("0.25")
    assert listed[0]["consultation_id"] is None and listed[0]["lot_number"] is None


def test_the_list_and_the_detail_follow_the_pages_rules(client, world):
    plan = world.sourcing_plan()
    ours = _post(client, world.buyer, _payload(world, plan.lines.get(line_number=3))).json()["id"]
    foreign = _post(
        client, world.buyer, _payload(world, plan.lines.get(line_number=1), supplier=world.foreign_maker)
    ).json()["id"]
    hospital_line = world.needle_plan(hospital=True).lines.first()
    theirs = _post(client, world.other_buyer, _payload(world, hospital_line, buyer=world.hospital)).json()["id"]

    def listed(user):
        response = client.get(f"{API}/orders", headers=auth(user))
        assert response.status_code == 200
        return {row["id"] for row in response.json()}

    assert listed(world.buyer) == {ours, foreign}
    assert listed(world.other_buyer) == {theirs}  # nothing of the group's orders
    assert listed(world.manufacturer) == {ours, theirs}  # only the orders placed with Maroc Seringues
    assert listed(world.foreign_manufacturer) == {foreign}
    assert listed(world.glove_manufacturer) == set()
    assert client.get(f"{API}/orders/{ours}", headers=auth(world.other_buyer)).status_code == 404
    assert client.get(f"{API}/orders/{ours}", headers=auth(world.foreign_manufacturer)).status_code == 404
    assert client.get(f"{API}/orders/{foreign}", headers=auth(world.foreign_manufacturer)).status_code == 200
    assert client.get(f"{API}/orders").status_code == 401
    assert [row["id"] for row in client.get(f"{API}/orders?limit=1", headers=auth(world.buyer)).json()] == [foreign]


def test_a_bad_price_is_refused_with_its_field_and_nothing_is_written(client, world):
    plan = world.sourcing_plan()
    gloves = plan.lines.get(line_number=3)
    response = _post(client, world.buyer, _payload(world, gloves, price="abc"))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_order"
    assert list(response.json()["details"]) == ["lines.0.unit_price"]
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_forged_ids_change_nothing(client, world):
    plan = world.sourcing_plan()
    gloves = plan.lines.get(line_number=3)
    theirs = world.needle_plan(hospital=True).lines.first()
    refused = [
        (_payload(world, theirs), 400),  # a line of another buyer's plan
        (_payload(world, gloves, buyer=world.hospital), 403),  # another buyer
        (_payload(world, gloves, supplier=world.hospital), 400),  # not a supplier
        (_payload(world, gloves, variant=world.foreign_needles.variants.first().pk), 400),  # another's variant
        ({**_payload(world, gloves), "supplier_id": 999_999}, 404),
        ({**_payload(world, gloves), "buyer_id": 999_999}, 404),
    ]
    for payload, status in refused:
        response = _post(client, world.buyer, payload)
        assert response.status_code == status, (payload, response.json())
    assert not Order.objects.exists()


def test_another_organisations_people_are_refused(client, world):
    plan = world.sourcing_plan()
    payload = _payload(world, plan.lines.get(line_number=3))
    for user in (world.other_buyer, world.manufacturer, world.buyer_reader, world.secretariat):
        response = _post(client, user, payload)
        assert response.status_code == 403, response.json()
    assert client.post(f"{API}/orders/direct", payload, "application/json").status_code == 401
    assert not Order.objects.exists()
