"""The opening, evaluation and award pages: two different members of the buyer open the offers from two
browsers, at or after the opening time; the evaluation report ranks the offers with the national preference
applied (at 15 % the Moroccan offer wins though dearer, at 10 % the foreign one); the award goes only to the
offer the award gate allows, after a confirmation; a cancelled award hands the lot to the next offer; other
organisations and the bidders get 404."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from tawrid.core.permissions import actor_for
from tawrid.sourcing import services
from tawrid.sourcing.models import Award, ConsultationStatus, Delivery, DeliveryLine, Order
from tawrid.sourcing.tests.factories import AwardWorld, clock


@pytest.fixture
def world(db) -> AwardWorld:
    return AwardWorld()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_two_members_open_the_offers_from_the_page(world):
    consultation = world.consultation()
    world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    detail = reverse("sourcing:consultation_detail", args=[consultation.pk])
    first, second = _client(world.buyer), _client(world.committee_peer)

    page = first.get(detail).content.decode()
    assert 'data-testid="opening-request"' not in page  # before the opening time: no button
    refused = first.post(reverse("sourcing:opening_request", args=[consultation.pk]))
    assert refused.status_code == 302
    consultation.refresh_from_db()
    assert consultation.opening_requested_by_id is None
    assert first.get(reverse("sourcing:evaluation_report", args=[consultation.pk])).status_code == 404

    with clock(consultation.opening_at + timedelta(minutes=1)):
        page = first.get(detail).content.decode()
        assert 'data-testid="opening-request"' in page and 'data-testid="opening-confirm"' not in page
        first.post(reverse("sourcing:opening_request", args=[consultation.pk]))
        consultation.refresh_from_db()
        assert consultation.opening_requested_by_id == world.buyer.pk
        page = first.get(detail).content.decode()
        assert 'data-testid="opening-requested"' in page and 'data-testid="opening-confirm"' not in page
        # the same person cannot confirm: the service's refusal is shown in the person's language
        same = first.post(reverse("sourcing:opening_confirm", args=[consultation.pk]), follow=True)
        with translation.override("fr"):  # French, the default language
            refusal = gettext(
                "The opening is confirmed by a different member of the committee than the one who requested it."
            )
        assert escape(refusal) in same.content.decode()
        consultation.refresh_from_db()
        assert consultation.opened_at is None

        page = second.get(detail).content.decode()
        assert 'data-testid="opening-confirm"' in page
        second.post(reverse("sourcing:opening_confirm", args=[consultation.pk]))
        consultation.refresh_from_db()
        assert consultation.opened_at is not None and consultation.status == ConsultationStatus.OPENED
        report = second.get(reverse("sourcing:evaluation_report", args=[consultation.pk])).content.decode()
        assert 'data-testid="evaluate"' in report


@pytest.mark.parametrize(("rate", "winner"), [("0.15", "local"), ("0.10", "foreign")])
def test_the_report_shows_the_preference_deciding_the_winner_and_the_award(world, rate, winner):
    consultation = world.consultation(national_preference_rate=Decimal(rate))
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    consultation = world.open(consultation)
    buyer = _client(world.buyer)
    report_url = reverse("sourcing:evaluation_report", args=[consultation.pk])
    later = consultation.opening_at + timedelta(hours=1)
    with clock(later):
        buyer.post(reverse("sourcing:consultation_evaluate", args=[consultation.pk]))
        report = buyer.get(report_url)
    page = report.content.decode()
    assert 'data-testid="evaluation-report"' in page
    assert f'data-rate="{rate}' in page
    best, other = (ours, theirs) if winner == "local" else (theirs, ours)
    assert f'data-testid="offer-rank-{best.pk}" data-rank="1"' in page
    assert f'data-testid="offer-rank-{other.pk}" data-rank="2"' in page
    foreign_compared = "2645.00" if rate == "0.15" else "2530.00"
    foreign_rank = 2 if winner == "local" else 1
    assert (
        f'data-testid="offer-rank-{theirs.pk}" data-rank="{foreign_rank}" data-compliant="yes" '
        f'data-compared="{foreign_compared}"'
    ) in page
    assert f'data-testid="offer-rank-{ours.pk}" data-rank="{3 - foreign_rank}" data-compliant="yes" ' in page
    assert 'data-compared="2576.00"' in page  # the Moroccan offer is compared at its own amount
    assert f'data-testid="award-{best.pk}"' in page and f'data-testid="award-{other.pk}"' not in page

    lot = world.lot(consultation, 1)
    award_url = reverse("sourcing:award_make", args=[lot.pk])
    with clock(later):
        buyer.post(award_url, {"offer": other.pk, "confirm": "yes"})  # not the best: refused
        assert not Award.objects.exists()
        buyer.post(award_url, {"offer": best.pk})  # not confirmed: refused
        assert not Award.objects.exists()
        buyer.post(award_url, {"offer": best.pk, "confirm": "yes"})
        award = Award.objects.get()
        assert award.offer_id == best.pk and award.cancelled_at is None
        page = buyer.get(report_url).content.decode()
        assert 'data-testid="standstill-until"' in page and 'data-testid="award-cancel"' in page
        assert f'data-testid="award-{other.pk}"' not in page

        buyer.post(reverse("sourcing:award_cancel", args=[award.pk]), {"reason": ""})  # a reason is required
        award.refresh_from_db()
        assert award.cancelled_at is None
        buyer.post(reverse("sourcing:award_cancel", args=[award.pk]), {"reason": "Attestation fiscale périmée"})
        award.refresh_from_db()
        assert award.cancelled_at is not None and award.cancel_reason == "Attestation fiscale périmée"
        page = buyer.get(report_url).content.decode()
        assert f'data-testid="award-cancelled-{award.pk}"' in page
        assert f'data-testid="award-{other.pk}"' in page and f'data-testid="award-{best.pk}"' not in page


def test_other_organisations_and_bidders_get_404(world):
    consultation = world.consultation()
    world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    consultation = world.evaluated(consultation)
    lot = world.lot(consultation, 1)
    with clock(consultation.opening_at + timedelta(hours=1)):
        best = consultation.lots.get(number=1).evaluation.offers.get(rank=1).offer
        award = services.award_make(actor=actor_for(world.buyer), lot=lot, offer=best)
    outsider = _client(world.other_buyer)
    bidder = _client(world.foreign_manufacturer)
    for client in (outsider, bidder):
        assert client.get(reverse("sourcing:evaluation_report", args=[consultation.pk])).status_code == 404
        assert (
            client.post(reverse("sourcing:award_make", args=[lot.pk]), {"offer": best.pk, "confirm": "yes"}).status_code
            == 404
        )
    assert outsider.post(reverse("sourcing:opening_request", args=[consultation.pk])).status_code == 404
    assert outsider.post(reverse("sourcing:consultation_evaluate", args=[consultation.pk])).status_code == 404
    assert outsider.post(reverse("sourcing:award_cancel", args=[award.pk]), {"reason": "x"}).status_code == 404
    award.refresh_from_db()
    assert award.cancelled_at is None


def test_order_after_the_standstill_delivery_and_the_rate_page(world):
    consultation = world.consultation()
    ours, _theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    consultation = world.evaluated(consultation)
    lot = world.lot(consultation, 1)
    later = consultation.opening_at + timedelta(hours=1)
    with clock(later):
        award = services.award_make(actor=actor_for(world.buyer), lot=lot, offer=ours)
    buyer = _client(world.buyer)
    report_url = reverse("sourcing:evaluation_report", args=[consultation.pk])
    order_url = reverse("sourcing:order_create", args=[award.pk])
    first, second = lot.lines.order_by("position")
    with clock(later):
        assert 'data-testid="order-create"' not in buyer.get(report_url).content.decode()
        buyer.post(order_url, {f"quantity_{first.pk}": "1000"})  # during the standstill: refused
        assert not Order.objects.exists()
    with clock(award.standstill_until + timedelta(minutes=1)):
        assert 'data-testid="order-create"' in buyer.get(report_url).content.decode()
        assert 'data-testid="award-cancel"' not in buyer.get(report_url).content.decode()  # final
        too_much = buyer.post(order_url, {f"quantity_{first.pk}": "1501"})
        assert too_much.status_code == 200 and not Order.objects.exists()
        placed = buyer.post(order_url, {f"quantity_{first.pk}": "1000", f"quantity_{second.pk}": "800"})
        order = Order.objects.get()
        assert placed.url == reverse("sourcing:order_detail", args=[order.pk])
        assert order.award_id == award.pk and order.lines.count() == 2
        line = order.lines.get(lot_line=first)
        assert line.unit_price == Decimal("1.12") and line.value == Decimal("1120.00")

        detail_url = reverse("sourcing:order_detail", args=[order.pk])
        page = buyer.get(detail_url).content.decode()
        assert 'data-testid="delivery-record"' in page
        buyer.post(detail_url, {f"quantity_{line.pk}": "1001"})  # more than ordered: refused
        assert not Delivery.objects.exists()
        buyer.post(detail_url, {f"quantity_{line.pk}": "400"})
        assert DeliveryLine.objects.get().quantity == Decimal("400")
        assert f'data-testid="order-line-{line.pk}" data-received="400' in buyer.get(detail_url).content.decode()

        supplier = _client(world.manufacturer)  # the supplier reads the order, records nothing
        page = supplier.get(detail_url)
        assert page.status_code == 200 and b'data-testid="delivery-record"' not in page.content
        assert supplier.post(detail_url, {f"quantity_{line.pk}": "1"}).status_code == 403
        outsider = _client(world.other_buyer)
        assert outsider.get(detail_url).status_code == 404
        assert outsider.post(detail_url, {f"quantity_{line.pk}": "1"}).status_code == 404
        assert outsider.post(order_url, {f"quantity_{first.pk}": "1"}).status_code == 404
        assert Delivery.objects.count() == 1 and Order.objects.count() == 1

        rates = buyer.get(reverse("sourcing:purchase_rates")).content.decode()
        bought = sum(line.value for line in order.lines.all())
        assert bought == Decimal("2016.00")  # 1,000 + 800 at 1.12 MAD, from a Moroccan maker
        assert (
            f'data-testid="purchase-rate" data-buyer="{world.group.pk}" data-local="{bought}" data-total="{bought}"'
        ) in rates
        others = outsider.get(reverse("sourcing:purchase_rates")).content.decode()
        assert f'data-buyer="{world.group.pk}"' not in others


def test_the_opening_buttons_need_the_csrf_token(world):
    consultation = world.consultation()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.buyer)
    with clock(consultation.opening_at + timedelta(minutes=1)):
        assert client.post(reverse("sourcing:opening_request", args=[consultation.pk])).status_code == 403
        page = client.get(reverse("sourcing:consultation_detail", args=[consultation.pk])).content.decode()
        assert 'data-testid="opening-request"' in page and "csrfmiddlewaretoken" in page
    consultation.refresh_from_db()
    assert consultation.opening_requested_by_id is None
