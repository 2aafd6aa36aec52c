"""After the award, in Chromium: the losing bidder finds its result on its home page, opens its offer page and
reads "not retained", its rank, the end of the standstill period and its receipt, then requests a review."""

from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation

from tawrid.accounts.tests.factories import TEST_PASSWORD
from tawrid.core.permissions import actor_for
from tawrid.sourcing import services
from tawrid.sourcing.models import OfferReceipt, ReviewRequest
from tawrid.sourcing.tests.factories import AwardWorld, clock
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_losing_bidder_sees_not_retained_its_rank_and_the_standstill_end(page):
    world = AwardWorld()
    consultation = world.consultation()
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    with clock(evaluated.opening_at + timedelta(hours=1)):
        award = services.award_make(actor=actor_for(world.buyer), lot=world.lot(evaluated, 1), offer=ours)

    login(page, world.foreign_manufacturer.email, TEST_PASSWORD)
    page.goto("/")
    card = page.locator(f"[data-testid=offer-result][data-offer='{theirs.pk}']")
    assert card.get_attribute("data-status") == "not_retained"
    card.get_by_role("link").click()
    page.wait_for_url(f"**/consultations/{consultation.pk}/lots/{theirs.lot_id}/offer/")

    result = page.get_by_test_id("offer-result")
    assert result.get_attribute("data-status") == "not_retained" and result.get_attribute("data-rank") == "2"
    with translation.override("fr"):
        not_retained = str(translation.gettext("Not retained"))
        standstill = formats.date_format(timezone.localtime(award.standstill_until), "DATETIME_FORMAT")
    assert page.get_by_test_id("result-label").inner_text().strip() == not_retained
    assert page.get_by_test_id("result-rank").inner_text().startswith("2")
    assert page.get_by_test_id("result-standstill").inner_text().strip() == standstill
    assert world.maker.name in page.get_by_test_id("result-winner").inner_text()
    receipt = OfferReceipt.objects.get(offer=theirs, version=theirs.version)
    assert page.get_by_test_id("receipt-fingerprint").inner_text() == receipt.fingerprint
    assert page.get_by_test_id("own-line").count() == 2  # its own offer, readable after the opening

    page.get_by_test_id("review-text").fill("La préférence nationale ne devait pas s'appliquer à ce lot.")
    page.get_by_test_id("review-submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("review-request").get_attribute("data-answered") == "false"
    assert page.get_by_test_id("review-form").count() == 0
    assert ReviewRequest.objects.get().offer_id == theirs.pk
