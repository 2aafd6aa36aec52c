"""Orders (against a final award, or direct against plan lines), deliveries and the local-purchase rate."""

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import actor_for
from tawrid.sourcing import selectors, services
from tawrid.sourcing.models import DeliveryLine, Order, OrderLine
from tawrid.sourcing.tests.factories import AwardWorld, clock


@pytest.fixture
def world(db) -> AwardWorld:
    return AwardWorld()


def _refused(code, function, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        function(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def _awarded(world, *, rate="0.15"):
    """The needles lot awarded to Maroc Seringues (2,576.00 MAD against 2,300.00 raised to 2,645.00)."""
    consultation = world.consultation(national_preference_rate=Decimal(rate))
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    with clock(evaluated.opening_at + timedelta(hours=1)):
        award = services.award_make(actor=actor_for(world.buyer), lot=world.lot(evaluated, 1), offer=ours)
    return award


def _all_lines(award, quantities=None):
    lines = list(award.lot.lines.order_by("position"))
    quantities = quantities or [line.quantity for line in lines]
    return [{"lot_line": line.pk, "quantity": q} for line, q in zip(lines, quantities, strict=True)]


def test_the_standstill_blocks_orders_then_an_order_follows_the_award(world):
    award = _awarded(world)
    buyer = actor_for(world.buyer)
    with clock(award.standstill_until - timedelta(seconds=1)):
        _refused(
            "standstill_running", services.order_create_from_award, actor=buyer, award=award, lines=_all_lines(award)
        )
    assert not Order.objects.exists()
    with clock(award.standstill_until):
        order = services.order_create_from_award(actor=buyer, award=award, lines=_all_lines(award, ["1000", "800"]))
    assert order.buyer == world.group and order.supplier == world.maker and order.award == award
    lines = list(order.lines.order_by("position"))
    assert [(line.quantity, line.unit_price, line.value) for line in lines] == [
        (Decimal("1000"), Decimal("1.12"), Decimal("1120.00")),
        (Decimal("800"), Decimal("1.12"), Decimal("896.00")),
    ]
    assert all(line.local_supplier and line.emdn_code == "A01010101" and line.variant_id for line in lines)
    with clock(award.standstill_until + timedelta(days=1)):
        error = _refused(  # 500 of the 21 G needles are left under the award, not 501
            "invalid_order",
            services.order_create_from_award,
            actor=buyer,
            award=award,
            lines=[{"lot_line": lines[0].lot_line_id, "quantity": "501"}],
        )
        assert list(error.details) == ["lines.0.quantity"]
        services.order_create_from_award(
            actor=buyer, award=award, lines=[{"lot_line": lines[0].lot_line_id, "quantity": "500"}]
        )
        _refused("award_has_orders", services.award_cancel, actor=buyer, award=award, reason="Plus possible")
    assert OrderLine.objects.filter(order__award=award).count() == 3


def test_a_cancelled_award_is_never_ordered(world):
    award = _awarded(world)
    buyer = actor_for(world.buyer)
    with clock(award.decided_at + timedelta(minutes=5)):
        services.award_cancel(actor=buyer, award=award, reason="Erreur de calcul")
    award.refresh_from_db()
    with clock(award.standstill_until + timedelta(days=1)):
        _refused("award_cancelled", services.order_create_from_award, actor=buyer, award=award, lines=_all_lines(award))


def test_deliveries_never_exceed_the_quantity_ordered(world):
    award = _awarded(world)
    buyer = actor_for(world.buyer)
    with clock(award.standstill_until):
        order = services.order_create_from_award(actor=buyer, award=award, lines=_all_lines(award))
        first, second = order.lines.order_by("position")
        delivery = services.delivery_record(actor=buyer, order=order, received={first.pk: "1000", second.pk: 800})
        assert delivery.lines.count() == 2
        error = _refused(
            "over_delivery", services.delivery_record, actor=buyer, order=order, received={first.pk: "501"}
        )
        assert list(error.details) == [str(first.pk)]
        _refused("over_delivery", services.delivery_record, actor=buyer, order=order, received={second.pk: "0.001"})
        _refused(
            "invalid_delivery", services.delivery_record, actor=buyer, order=order, received={first.pk: "beaucoup"}
        )
        services.delivery_record(actor=buyer, order=order, received={first.pk: "500"})
    assert sum(DeliveryLine.objects.filter(order_line=first).values_list("quantity", flat=True)) == Decimal(1500)
    received = {line.pk: line.received for line in selectors.order_lines_of(buyer, order)}
    assert received == {first.pk: Decimal(1500), second.pk: Decimal(800)}
    with pytest.raises(Forbidden):  # the supplier sees the order but does not record the buyer's deliveries
        services.delivery_record(actor=actor_for(world.manufacturer), order=order, received={first.pk: "1"})
    with pytest.raises(NotFound):
        services.delivery_record(actor=actor_for(world.other_buyer), order=order, received={first.pk: "1"})


def test_a_direct_order_against_plan_lines(world):
    plan = world.sourcing_plan()
    line = plan.lines.get(line_number=3)
    buyer = actor_for(world.buyer)
    gloves = world.gloves.variants.first()
    order = services.order_create_direct(
        actor=buyer,
        buyer=world.group,
        supplier=world.maker,
        plan_lines_with_quantities_and_prices=[
            {"plan_line": line.pk, "quantity": "200", "unit_price": "0,85", "variant": gloves.pk}
        ],
    )
    ordered = order.lines.get()
    assert (ordered.value, ordered.emdn_code, ordered.local_supplier, ordered.plan_line) == (
        Decimal("170.00"),
        "T01020201",
        True,
        line,
    )
    error = _refused(
        "invalid_order",
        services.order_create_direct,
        actor=buyer,
        buyer=world.group,
        supplier=world.foreign_maker,
        plan_lines_with_quantities_and_prices=[
            {"plan_line": line.pk, "quantity": "-1", "unit_price": "cher", "variant": gloves.pk}
        ],
    )
    assert set(error.details) == {"lines.0.quantity", "lines.0.unit_price", "lines.0.variant"}
    with pytest.raises(Forbidden):
        services.order_create_direct(
            actor=actor_for(world.other_buyer),
            buyer=world.group,
            supplier=world.maker,
            plan_lines_with_quantities_and_prices=[{"plan_line": line.pk, "quantity": "1", "unit_price": "1"}],
        )


def test_a_direct_order_refuses_another_buyers_plan_line(world):
    theirs = world.needle_plan(hospital=True).lines.first()
    error = _refused(
        "invalid_order",
        services.order_create_direct,
        actor=actor_for(world.buyer),
        buyer=world.group,
        supplier=world.maker,
        plan_lines_with_quantities_and_prices=[{"plan_line": theirs.pk, "quantity": "1", "unit_price": "1"}],
    )
    assert list(error.details) == ["lines.0.plan_line"]


def test_the_local_purchase_rate_moves_after_an_order(world):
    award = _awarded(world)
    buyer = actor_for(world.buyer)
    before = selectors.local_purchase_rates(buyer, year=2026)
    assert before.national.of_purchases is None  # nothing bought yet: no rate, not 0
    assert before.by_buyer[world.group.pk].plan_value == Decimal("2500.00")  # 1,500 + 800 + 200 at 1.00 MAD
    with clock(award.standstill_until):
        services.order_create_from_award(actor=buyer, award=award, lines=_all_lines(award))
    after = selectors.local_purchase_rates(buyer)
    ours = after.by_buyer[world.group.pk]
    assert ours.local_value == ours.total_value == Decimal("2576.00")
    assert ours.of_purchases == Decimal("1.0000")
    assert ours.of_plan == Decimal("1.0304")  # 2,576.00 ÷ 2,500.00
    year = award.standstill_until.year
    assert selectors.local_purchase_rates(buyer, year=year).by_year[year].local_value == Decimal("2576.00")
    assert after.by_category["A"].local_value == Decimal("2576.00")

    services.order_create_direct(  # the foreign maker: bought, but not locally
        actor=buyer,
        buyer=world.group,
        supplier=world.foreign_maker,
        plan_lines_with_quantities_and_prices=[
            {
                "plan_line": world.lot(award.lot.consultation, 1).lines.first().plan_line_id,
                "quantity": 2576,
                "unit_price": "1",
            }
        ],
    )
    now_year = selectors.local_purchase_rates(buyer)
    assert now_year.national.total_value == Decimal("5152.00")
    assert now_year.national.of_purchases == Decimal("0.5000")


def test_purchase_rates_per_buyer_stay_each_buyers(world):
    award = _awarded(world)
    with clock(award.standstill_until):
        services.order_create_from_award(actor=actor_for(world.buyer), award=award, lines=_all_lines(award))
    other = selectors.local_purchase_rates(actor_for(world.other_buyer))
    assert world.group.pk not in other.by_buyer  # another buyer sees the aggregates, not the group's own rate
    assert other.national.local_value == Decimal("2576.00")
    maker = selectors.local_purchase_rates(actor_for(world.manufacturer))
    assert maker.national.total_value == 0 and not maker.by_buyer
    secretariat = selectors.local_purchase_rates(actor_for(world.secretariat))
    assert secretariat.national.local_value == Decimal("2576.00")


def test_orders_are_seen_by_the_buyer_and_the_supplier_only(world):
    award = _awarded(world)
    with clock(award.standstill_until):
        order = services.order_create_from_award(actor=actor_for(world.buyer), award=award, lines=_all_lines(award))
    assert selectors.orders_for(actor_for(world.buyer)).get() == order
    assert selectors.orders_for(actor_for(world.manufacturer)).get() == order
    assert not selectors.orders_for(actor_for(world.foreign_manufacturer)).exists()
    assert not selectors.orders_for(actor_for(world.other_buyer)).exists()
    with pytest.raises(NotFound):
        selectors.order_detail(actor_for(world.other_buyer), order.pk)
    with pytest.raises(NotFound):
        services.order_create_from_award(actor=actor_for(world.other_buyer), award=award, lines=_all_lines(award))


def test_orders_and_deliveries_are_in_the_audit_trail(world):
    award = _awarded(world)
    buyer = actor_for(world.buyer)
    with clock(award.standstill_until):
        order = services.order_create_from_award(actor=buyer, award=award, lines=_all_lines(award))
        line = order.lines.first()
        delivery = services.delivery_record(actor=buyer, order=order, received={line.pk: "10"})
    for obj in (order, line, delivery, delivery.lines.get()):
        assert LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.CREATE).exists()
