"""Orders under awards per line (`tawrid.sourcing.line_orders`), cancelling one line's award, and the
consultation's status when lots are awarded line by line.

The world: one lot of three lines evaluated per line, partial offers allowed. Maroc Seringues (local) wins
line 1 (1,500 needles 21 G at 1.20) and line 3 (200 gloves at 0.50); Euro Needles (foreign) wins line 2 (800
needles 23 G at 1.30: the local 21 G needle conflicts with it) and is second on line 1 (1.10, compared 1.265);
Gants du Souss is second on line 3 (0.60)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from tawrid.accounts.tests.factories import token_for
from tawrid.core.errors import DomainError, NotFound
from tawrid.core.idempotency import FORM_FIELD
from tawrid.core.permissions import actor_for
from tawrid.sourcing import evaluation_lines, line_orders, selectors, services
from tawrid.sourcing.models import Award, Consultation, ConsultationStatus, EvaluatedOffer, Order, OrderLine
from tawrid.sourcing.tests.factories import AwardWorld, clock, terms

API = "/api/v1/sourcing"


@pytest.fixture
def world(db) -> AwardWorld:
    return AwardWorld()


def _consultation(world):
    plan = world.sourcing_plan()
    world.usual_proposals(plan)
    lines = list(plan.lines.order_by("line_number"))
    consultation = services.consultation_create_from_lines(
        actor=actor_for(world.buyer),
        buyer=world.group,
        lines=lines,
        data=terms(required_certificates=["iso13485"], open_to_all=True, partial_offers=True, evaluation_basis="line"),
        lots=[{"title": "Aiguilles et gants", "lines": [line.pk for line in lines]}],
        user=world.buyer,
    )
    return services.consultation_publish(actor=actor_for(world.buyer), consultation=consultation)


def _offer(consultation, user, entries):
    return services.offer_submit(
        actor=actor_for(user),
        consultation=consultation,
        lot=consultation.lots.get(),
        supplier=user.memberships.first().organisation,
        lines=[
            {"lot_line": line.pk, "unit_price": price, "delivery_days": 15, "variant": getattr(variant, "pk", variant)}
            for line, price, variant in entries
        ],
        user=user,
    )


class Scene:
    """The consultation evaluated per line, its offers and its three lines."""

    def __init__(self, world, *, line_2_foreign: bool = True) -> None:
        self.world = world
        consultation = _consultation(world)
        self.lot = consultation.lots.get()
        self.line_1, self.line_2, self.line_3 = self.lot.lines.order_by("position")
        needles = world.variants(world.needles)
        foreign_21, foreign_23 = world.variants(world.foreign_needles)
        self.local = _offer(
            consultation,
            world.manufacturer,
            [
                (self.line_1, "1.20", needles[0]),
                (self.line_2, "1.10", needles[0]),  # 21 G on a 23 G line: not compliant
                (self.line_3, "0.50", world.gloves.variants.first()),
            ],
        )
        foreign_lines = [(self.line_1, "1.10", foreign_21)]
        if line_2_foreign:
            foreign_lines.append((self.line_2, "1.30", foreign_23))
        self.foreign = _offer(consultation, world.foreign_manufacturer, foreign_lines)
        self.souss = _offer(
            consultation, world.glove_manufacturer, [(self.line_3, "0.60", world.souss_gloves.variants.first())]
        )
        self.consultation = world.evaluated(consultation)
        self.buyer = actor_for(world.buyer)
        self.decided = self.consultation.opening_at + timedelta(minutes=10)

    def award(self, line, offer):
        with clock(self.decided):
            return evaluation_lines.award_line_make(actor=self.buyer, lot_line=line, offer=offer)

    def award_all(self):
        return (
            self.award(self.line_1, self.local),
            self.award(self.line_2, self.foreign),
            self.award(self.line_3, self.local),
        )

    def after_standstill(self, award):
        return clock(award.standstill_until + timedelta(minutes=1))

    def order(self, lines, *, supplier=None, actor=None):
        return line_orders.order_create_from_line_awards(
            actor=actor or self.buyer,
            lot=self.lot,
            supplier=supplier or self.world.maker,
            lines=[{"lot_line": line.pk, "quantity": quantity} for line, quantity in lines],
        )

    def status(self):
        self.consultation.refresh_from_db()
        return self.consultation.status


def _refused(code, function, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        function(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_the_world_ranks_as_described(world):
    scene = Scene(world)
    rows = EvaluatedOffer.objects.filter(evaluation__lot=scene.lot)
    assert rows.get(lot_line=scene.line_1, offer=scene.local).rank == 1
    assert rows.get(lot_line=scene.line_1, offer=scene.foreign).rank == 2
    assert not rows.get(lot_line=scene.line_2, offer=scene.local).compliant
    assert rows.get(lot_line=scene.line_3, offer=scene.local).rank == 1
    assert rows.get(lot_line=scene.line_3, offer=scene.souss).rank == 2


def test_one_order_of_the_lines_awarded_to_a_supplier_after_their_standstill(world):
    scene = Scene(world)
    first, second, third = scene.award_all()
    with clock(first.standstill_until - timedelta(seconds=1)):
        refused = _refused("standstill_running", scene.order, [(scene.line_1, "1000"), (scene.line_3, "200")])
    assert "Line 1 (AIGUILLE" in refused.message or "Ligne 1 (AIGUILLE" in refused.message
    assert not Order.objects.exists()

    with scene.after_standstill(third):
        order = scene.order([(scene.line_3, "200"), (scene.line_1, "1000")])
    assert order.supplier == world.maker and order.buyer == world.group and order.award == first
    lines = list(order.lines.order_by("position"))
    assert [(line.lot_line, line.award, line.quantity, line.unit_price, line.value) for line in lines] == [
        (scene.line_1, first, Decimal("1000"), Decimal("1.20"), Decimal("1200.00")),
        (scene.line_3, third, Decimal("200"), Decimal("0.50"), Decimal("100.00")),
    ]
    assert [line.emdn_code for line in lines] == ["A01010101", "T01020201"]
    assert all(line.local_supplier and line.variant_id and line.plan_line_id for line in lines)
    assert [line.plan_line_id for line in lines] == [scene.line_1.plan_line_id, scene.line_3.plan_line_id]

    with scene.after_standstill(third):
        over = _refused("invalid_order", scene.order, [(scene.line_1, "501")])  # 1,500 − 1,000 = 500 left
        assert list(over.details) == ["lines.0.quantity"]
        _refused("invalid_order", scene.order, [(scene.line_3, "1")])  # all 200 ordered
        scene.order([(scene.line_1, "500")])
        # Line 2 is Euro Needles': not Maroc Seringues' to deliver.
        _refused("awarded_to_another", scene.order, [(scene.line_2, "10")])
        foreign = scene.order([(scene.line_2, "800")], supplier=world.foreign_maker)
    assert foreign.lines.get().local_supplier is False and foreign.lines.get().unit_price == Decimal("1.30")
    assert OrderLine.objects.filter(award=first).count() == 2
    # A line's award with orders can no longer be cancelled, even within its standstill.
    with clock(second.standstill_until - timedelta(minutes=1)):
        _refused("award_has_orders", services.award_cancel, actor=scene.buyer, award=second, reason="Erreur")


def test_the_per_lot_order_refuses_a_line_award_and_the_line_order_a_lot_evaluated_per_lot(world):
    scene = Scene(world)
    first, _second, _third = scene.award_all()
    lines = [{"lot_line": line.pk, "quantity": "1"} for line in scene.lot.lines.all()]
    with scene.after_standstill(first):
        _refused("award_per_line", services.order_create_from_award, actor=scene.buyer, award=first, lines=lines)
    assert not Order.objects.exists()

    # A consultation evaluated per lot (the same, its basis changed under it) is ordered under its lot's award.
    Consultation.objects.filter(pk=scene.consultation.pk).update(evaluation_basis="lot")
    scene.lot.refresh_from_db()
    with scene.after_standstill(first):
        _refused("award_per_lot", scene.order, [(scene.line_1, "1")])
    assert not Order.objects.exists()


def test_the_local_purchase_rate_counts_orders_per_line(world):
    scene = Scene(world)
    first, second, third = scene.award_all()
    with scene.after_standstill(third):
        scene.order([(scene.line_1, "1500"), (scene.line_3, "200")])  # 1,800.00 + 100.00 local
        scene.order([(scene.line_2, "800")], supplier=world.foreign_maker)  # 1,040.00 foreign
    rates = selectors.local_purchase_rates(scene.buyer)
    ours = rates.by_buyer[world.group.pk]
    assert ours.local_value == Decimal("1900.00") and ours.total_value == Decimal("2940.00")
    assert rates.by_category["A"].local_value == Decimal("1800.00")
    assert rates.by_category["T"].local_value == Decimal("100.00")


def test_cancelling_a_line_award_cancels_that_line_only_and_the_next_offer_may_have_it(world):
    scene = Scene(world)
    first, second, third = scene.award_all()
    assert scene.status() == ConsultationStatus.AWARDED
    with clock(scene.decided + timedelta(hours=1)):
        services.award_cancel(actor=scene.buyer, award=first, reason="Échantillons non conformes")
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert first.cancelled_at is not None and first.cancel_reason == "Échantillons non conformes"
    assert second.cancelled_at is None and third.cancelled_at is None
    assert scene.status() == ConsultationStatus.EVALUATED  # line 1 has a compliant offer left to award
    reports = {r["line"].pk: r for r in evaluation_lines.line_reports(scene.buyer, first.lot.evaluation, True)}
    assert [row["row"].offer_id for row in reports[scene.line_1.pk]["rows"] if row["awardable"]] == [scene.foreign.pk]
    assert reports[scene.line_1.pk]["cancelled"] == [first]
    assert reports[scene.line_3.pk]["current"] == third and reports[scene.line_3.pk]["can_cancel"]
    with scene.after_standstill(third):
        refused = _refused("award_cancelled", scene.order, [(scene.line_1, "10")])
    assert "Maroc Seringues" in refused.message

    with clock(scene.decided + timedelta(hours=2)):
        _refused(
            "award_set_aside",
            evaluation_lines.award_line_make,
            actor=scene.buyer,
            lot_line=scene.line_1,
            offer=scene.local,
        )
        again = evaluation_lines.award_line_make(actor=scene.buyer, lot_line=scene.line_1, offer=scene.foreign)
    assert again.supplier == world.foreign_maker and again.amount == Decimal("1650.00")
    assert scene.status() == ConsultationStatus.AWARDED
    # Maroc Seringues' cancelled line cannot be ordered from it; its line 3 still can.
    with scene.after_standstill(again):
        refused = _refused("award_cancelled", scene.order, [(scene.line_1, "10"), (scene.line_3, "10")])
        assert list(refused.details) == ["lines.0.lot_line"]
        assert not Order.objects.exists()
        order = scene.order([(scene.line_3, "10")])
    assert order.lines.get().award == third


def test_the_cancellation_notice_names_the_line(world, django_capture_on_commit_callbacks):
    scene = Scene(world)
    first = scene.award(scene.line_1, scene.local)
    mail.outbox.clear()
    with clock(scene.decided + timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
        services.award_cancel(actor=scene.buyer, award=first, reason="Erreur de saisie")
    notices = [message for message in mail.outbox if message.to == [world.manufacturer.email]]
    assert len(notices) == 1
    assert "1.1 (AIGUILLE" in notices[0].subject and "1.1 (AIGUILLE" in notices[0].body
    assert "Erreur de saisie" in notices[0].body


def test_the_consultation_is_awarded_once_every_line_with_a_compliant_offer_is(world):
    """Line 2 has no compliant offer (only the local 21 G needle on a 23 G line): it does not hold the status."""
    scene = Scene(world, line_2_foreign=False)
    assert not EvaluatedOffer.objects.filter(lot_line=scene.line_2, compliant=True).exists()
    first = scene.award(scene.line_1, scene.local)
    assert scene.status() == ConsultationStatus.EVALUATED  # line 3 is still to award
    third = scene.award(scene.line_3, scene.local)
    assert scene.status() == ConsultationStatus.AWARDED
    with clock(scene.decided + timedelta(hours=1)):
        services.award_cancel(actor=scene.buyer, award=third, reason="Erreur")
    assert scene.status() == ConsultationStatus.EVALUATED
    assert Award.objects.get(pk=first.pk).cancelled_at is None


def test_another_buyer_cannot_order_or_cancel(world, client):
    scene = Scene(world)
    first, _second, third = scene.award_all()
    other = actor_for(world.other_buyer)
    with scene.after_standstill(third), pytest.raises(NotFound):
        scene.order([(scene.line_1, "10")], actor=other)
    with pytest.raises(NotFound):
        services.award_cancel(actor=other, award=first, reason="Pas à moi")

    client.force_login(world.other_buyer)
    url = reverse("sourcing:order_lines_create", args=[scene.lot.pk, world.maker.pk])
    with scene.after_standstill(third):
        assert client.get(url).status_code in (403, 404)
        assert client.post(url, {f"quantity_{scene.line_1.pk}": "10"}).status_code in (403, 404)
    response = client.post(reverse("sourcing:award_cancel", args=[first.pk]), {"reason": "Pas à moi"})
    assert response.status_code in (403, 404)
    headers = {"Authorization": f"Bearer {token_for(world.other_buyer)[1]}"}
    payload = {"supplier_id": world.maker.pk, "lines": [{"lot_line": scene.line_1.pk, "quantity": "10"}]}
    with scene.after_standstill(third):
        api = client.post(f"{API}/lots/{scene.lot.pk}/line-orders", payload, "application/json", headers=headers)
    assert api.status_code in (403, 404)
    cancel = client.post(f"{API}/awards/{first.pk}/cancel", {"reason": "x"}, "application/json", headers=headers)
    assert cancel.status_code in (403, 404)
    # The supplier itself does not order either.
    with scene.after_standstill(third), pytest.raises(DomainError) as caught:
        scene.order([(scene.line_1, "10")], actor=actor_for(world.manufacturer))
    assert caught.value.status in (403, 404)
    assert not Order.objects.exists()
    assert not Award.objects.filter(cancelled_at__isnull=False).exists()


def test_the_report_offers_the_order_per_supplier_and_the_form_sent_twice_makes_one_order(world, client):
    scene = Scene(world)
    first, second, third = scene.award_all()
    client.force_login(world.buyer)
    report = reverse("sourcing:evaluation_report", args=[scene.consultation.pk])
    during = client.get(report).content.decode()
    assert f'data-testid="line-award-cancel-{scene.line_1.pk}"' in during
    assert f'data-testid="order-lines-{world.maker.pk}"' not in during  # standstill running
    url = reverse("sourcing:order_lines_create", args=[scene.lot.pk, world.maker.pk])
    with scene.after_standstill(third):
        page = client.get(report).content.decode()
        assert f'href="{url}"' in page and f'data-testid="line-award-cancel-{scene.line_1.pk}"' not in page
        form = client.get(url)
        token = form.context["form_token"]
        data = {FORM_FIELD: token, f"quantity_{scene.line_1.pk}": "1000", f"quantity_{scene.line_3.pk}": "150"}
        posted = client.post(url, data)
        again = client.post(url, data)
    order = Order.objects.get()
    detail = reverse("sourcing:order_detail", args=[order.pk])
    assert posted.status_code == 302 and posted["Location"] == detail
    assert again.status_code == 302 and again["Location"] == detail
    assert sorted(order.lines.values_list("quantity", flat=True)) == [Decimal("150"), Decimal("1000")]
    with scene.after_standstill(third):
        too_much = client.post(url, {FORM_FIELD: "", f"quantity_{scene.line_1.pk}": "600"})
    assert too_much.status_code == 200 and too_much.context["form"].errors.get(f"quantity_{scene.line_1.pk}")
    assert Order.objects.count() == 1


def test_the_api_orders_per_line_once_per_idempotency_key(world, client):
    scene = Scene(world)
    first, second, third = scene.award_all()
    headers = {"Authorization": f"Bearer {token_for(world.buyer)[1]}", "Idempotency-Key": "line-order-1"}
    payload = {
        "supplier_id": world.maker.pk,
        "lines": [{"lot_line": scene.line_1.pk, "quantity": "1000"}, {"lot_line": scene.line_3.pk, "quantity": "200"}],
    }
    url = f"{API}/lots/{scene.lot.pk}/line-orders"
    with clock(first.standstill_until - timedelta(minutes=1)):
        early = client.post(url, payload, "application/json", headers=headers)
    assert early.status_code == 400 and early.json()["code"] == "standstill_running", early.json()
    with scene.after_standstill(third):
        created = client.post(url, payload, "application/json", headers=headers)
        replayed = client.post(url, payload, "application/json", headers=headers)
    assert created.status_code == 201, created.json()
    assert replayed.status_code == 201 and replayed.json() == created.json()
    assert Order.objects.count() == 1
    body = created.json()
    assert [(line["lot_line_id"], line["award_id"], line["value"]) for line in body["lines"]] == [
        (scene.line_1.pk, first.pk, "1200.00"),
        (scene.line_3.pk, third.pk, "100.00"),
    ]
    evaluation = client.get(f"{API}/lots/{scene.lot.pk}/line-evaluation", headers=headers).json()
    assert {row["lot_line_id"]: row["award_id"] for row in evaluation} == {
        scene.line_1.pk: first.pk,
        scene.line_2.pk: second.pk,
        scene.line_3.pk: third.pk,
    }
