"""The orders' pages: the list (each person sees their buyers' orders and those placed with their organisations,
with value, origin, local supplier and the share delivered) and the direct order against a published plan's
lines (a quantity, a price and optionally a variant per line; errors under their fields, nothing written on
error; other organisations refused, forged ids 404)."""

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from tawrid.core.permissions import actor_for
from tawrid.sourcing import services
from tawrid.sourcing.models import Order, OrderLine
from tawrid.sourcing.tests.factories import AwardWorld, SourcingWorld, clock


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def _order_ids(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-testid="order-row" data-order="(\d+)"', response.content.decode())]


def _row(response, order) -> str:
    match = re.search(
        rf'<tr data-testid="order-row" data-order="{order.pk}"[^>]*>.*?</tr>', response.content.decode(), re.S
    )
    assert match, f"order {order.pk} is not listed"
    return match.group(0)


def _direct(world, user, buyer, supplier, line, quantity="200", price="0.85", variant=None) -> Order:
    return services.order_create_direct(
        actor=actor_for(user),
        buyer=buyer,
        supplier=supplier,
        plan_lines_with_quantities_and_prices=[
            {"plan_line": line.pk, "quantity": quantity, "unit_price": price, "variant": variant}
        ],
    )


@pytest.fixture
def orders(world):
    """The group orders gloves from Maroc Seringues (local) and needles from Euro Needles (foreign); the CHU
    orders needles from Maroc Seringues."""
    plan = world.sourcing_plan()
    gloves = plan.lines.get(line_number=3)
    needles = plan.lines.get(line_number=1)
    theirs = world.needle_plan(hospital=True).lines.get(line_number=1)
    return {
        "local": _direct(world, world.buyer, world.group, world.maker, gloves),
        "foreign": _direct(world, world.buyer, world.group, world.foreign_maker, needles, "100", "0.35"),
        "hospital": _direct(world, world.other_buyer, world.hospital, world.maker, theirs, "10", "1"),
    }


def test_each_person_sees_only_the_orders_of_their_organisations(client, world, orders):
    url = reverse("sourcing:order_list")
    seen = {}
    for name, user in (
        ("buyer", world.buyer),
        ("reader", world.buyer_reader),
        ("other_buyer", world.other_buyer),
        ("maker", world.manufacturer),
        ("foreign", world.foreign_manufacturer),
        ("glove_maker", world.glove_manufacturer),
        ("secretariat", world.secretariat),
    ):
        client.force_login(user)
        seen[name] = set(_order_ids(client.get(url)))
    local, foreign, hospital = orders["local"].pk, orders["foreign"].pk, orders["hospital"].pk
    assert seen["buyer"] == seen["reader"] == {local, foreign}
    assert seen["other_buyer"] == {hospital}  # another buyer sees nothing of the group's orders
    assert seen["maker"] == {local, hospital}  # a supplier sees only the orders placed with it
    assert seen["foreign"] == {foreign}
    assert seen["glove_maker"] == set()
    assert seen["secretariat"] == {local, foreign}  # the secretariat oversees the group, not the CHU


def test_the_list_shows_value_date_origin_local_supplier_and_share_delivered(client, world, orders):
    local, foreign = orders["local"], orders["foreign"]
    line = local.lines.get()
    services.delivery_record(actor=actor_for(world.buyer), order=local, received={line.pk: "50"})
    client.force_login(world.buyer)
    response = client.get(reverse("sourcing:order_list"))
    row = _row(response, local)
    assert 'data-value="170.00"' in row and 'data-local="1"' in row and 'data-delivered="0.2500"' in row
    assert reverse("sourcing:order_detail", args=[local.pk]) in row
    ordered_at = timezone.localtime(local.ordered_at, ZoneInfo("Africa/Casablanca"))
    with translation.override("fr"):
        assert formats.date_format(ordered_at, "DATETIME_FORMAT") in row
    row = _row(response, foreign)
    assert 'data-value="35.00"' in row and 'data-local="0"' in row and 'data-delivered="0.0000"' in row
    assert b'data-testid="order-direct-new"' in response.content


def test_the_list_is_paginated(client, world):
    line = world.sourcing_plan().lines.get(line_number=3)
    for _ in range(31):
        _direct(world, world.buyer, world.group, world.maker, line, "1", "1")
    client.force_login(world.buyer)
    first = _order_ids(client.get(reverse("sourcing:order_list")))
    second = _order_ids(client.get(reverse("sourcing:order_list"), {"page": 2}))
    assert len(first) == 30 and len(second) == 1
    assert set(first) | set(second) == set(Order.objects.values_list("pk", flat=True))


def test_an_order_under_an_award_names_its_consultation_and_lot(client, db):
    world = AwardWorld()
    consultation = world.consultation()
    ours, _theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    with clock(evaluated.opening_at + timedelta(hours=1)):
        award = services.award_make(actor=actor_for(world.buyer), lot=world.lot(evaluated, 1), offer=ours)
    with clock(award.standstill_until):
        lines = [{"lot_line": line.pk, "quantity": line.quantity} for line in award.lot.lines.order_by("position")]
        order = services.order_create_from_award(actor=actor_for(world.buyer), award=award, lines=lines)
    for user in (world.buyer, world.manufacturer):
        client.force_login(user)
        row = _row(client.get(reverse("sourcing:order_list")), order)
        assert reverse("sourcing:consultation_detail", args=[consultation.pk]) in row
        assert consultation.reference in row and 'data-value="2576.00"' in row


def test_links_to_the_list_and_to_a_direct_order(client, world, orders):
    client.force_login(world.buyer)
    assert b'data-testid="order-list-link"' in client.get(reverse("sourcing:consultation_list")).content
    detail = client.get(reverse("sourcing:order_detail", args=[orders["local"].pk]))
    assert reverse("sourcing:order_list").encode() in detail.content
    plan = orders["local"].lines.get().plan_line.plan
    page = client.get(reverse("demand:plan_detail", args=[plan.pk]))
    assert f"{reverse('sourcing:order_direct')}?plan={plan.pk}".encode() in page.content
    for user in (world.buyer_reader, world.secretariat, world.other_buyer):  # no ordering for the group
        client.force_login(user)
        page = client.get(reverse("demand:plan_detail", args=[plan.pk]))
        assert b'data-testid="plan-order-direct"' not in page.content
    client.force_login(world.manufacturer)
    assert b'data-testid="order-direct-new"' not in client.get(reverse("sourcing:order_list")).content


# The direct order ------------------------------------------------------------------------------------------------


def _url(plan=None, supplier=None) -> str:
    query = "&".join(f"{key}={value.pk}" for key, value in (("plan", plan), ("supplier", supplier)) if value)
    return reverse("sourcing:order_direct") + (f"?{query}" if query else "")


def test_a_buyer_orders_directly_through_the_page(client, world):
    plan = world.sourcing_plan()
    gloves, needles = plan.lines.get(line_number=3), plan.lines.get(line_number=1)
    variant = world.gloves.variants.first()
    client.force_login(world.buyer)
    start = client.get(_url(plan))
    assert start.status_code == 200 and b'data-testid="order-direct-choose"' in start.content
    assert world.maker in start.context["suppliers"] and world.group not in start.context["suppliers"]
    page = client.get(_url(plan, world.maker))
    assert page.status_code == 200 and f'data-testid="order-direct-line-{gloves.pk}"'.encode() in page.content
    choices = dict(page.context["form"].fields[f"variant_{gloves.pk}"].choices)
    assert variant.pk in choices and world.foreign_needles.variants.first().pk not in choices
    response = client.post(
        _url(plan, world.maker),
        {
            f"quantity_{gloves.pk}": "200",
            f"unit_price_{gloves.pk}": "12,50",
            f"variant_{gloves.pk}": str(variant.pk),
            f"quantity_{needles.pk}": "",  # not ordered
            f"unit_price_{needles.pk}": "3.00",
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sourcing:order_detail", args=[order.pk])
    assert (order.buyer, order.supplier, order.award) == (world.group, world.maker, None)
    line = order.lines.get()
    assert (line.plan_line, line.quantity, line.unit_price, line.value, line.variant) == (
        gloves,
        Decimal(200),
        Decimal("12.50"),
        Decimal("2500.00"),
        variant,
    )
    assert line.local_supplier
    again = client.get(_url(plan, world.maker))
    assert again.context["form"].plan_lines[2].ordered == Decimal(200)  # shown beside the quantity


def test_a_bad_price_is_shown_under_its_field_and_nothing_is_written(client, world):
    plan = world.sourcing_plan()
    gloves, needles = plan.lines.get(line_number=3), plan.lines.get(line_number=1)
    client.force_login(world.buyer)
    response = client.post(
        _url(plan, world.maker),
        {
            f"quantity_{needles.pk}": "100",
            f"unit_price_{needles.pk}": "0.40",
            f"quantity_{gloves.pk}": "-2",
            f"unit_price_{gloves.pk}": "abc",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[f"unit_price_{gloves.pk}"] and errors[f"quantity_{gloves.pk}"]
    assert f"unit_price_{needles.pk}" not in errors and f"quantity_{needles.pk}" not in errors
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    nothing = client.post(_url(plan, world.maker), {})  # no quantity at all: nothing to order
    assert nothing.status_code == 200 and nothing.context["form"].non_field_errors()
    assert not Order.objects.exists()


def test_forged_ids_change_nothing(client, world):
    plan = world.sourcing_plan()
    gloves = plan.lines.get(line_number=3)
    theirs = world.needle_plan(hospital=True)
    client.force_login(world.buyer)
    data = {f"quantity_{gloves.pk}": "10", f"unit_price_{gloves.pk}": "1"}
    assert client.get(_url(theirs, world.maker)).status_code == 404  # another buyer's plan
    assert client.post(_url(theirs, world.maker), data).status_code == 404
    assert client.get(reverse("sourcing:order_direct") + "?plan=abc").status_code == 404
    assert client.post(_url(plan, world.hospital), data).status_code == 404  # not a supplier
    draft = world.plan(publish=False, year=2027)
    assert client.get(_url(draft, world.maker)).status_code == 404  # not published
    forged_variant = world.foreign_needles.variants.first()
    response = client.post(_url(plan, world.maker), data | {f"variant_{gloves.pk}": str(forged_variant.pk)})
    assert response.status_code == 200 and response.context["form"].errors[f"variant_{gloves.pk}"]
    assert not Order.objects.exists()


def test_other_organisations_and_readers_are_refused(client, world):
    plan = world.sourcing_plan()
    gloves = plan.lines.get(line_number=3)
    data = {f"quantity_{gloves.pk}": "10", f"unit_price_{gloves.pk}": "1"}
    for user in (world.manufacturer, world.buyer_reader, world.secretariat):
        client.force_login(user)
        assert client.get(_url(plan, world.maker)).status_code == 403
        assert client.post(_url(plan, world.maker), data).status_code == 403
    client.force_login(world.other_buyer)  # a buyer, but not the group's
    assert client.get(reverse("sourcing:order_direct")).status_code == 200
    assert client.post(_url(plan, world.maker), data).status_code == 404
    assert not Order.objects.exists()
    client.logout()
    assert client.get(_url(plan, world.maker)).status_code == 302
