"""A partial offer in Chromium: on a consultation allowing partial offers, the glove maker prices only the glove
line of a lot of needles and gloves (the demo's "Ce champ est obligatoire" on the needle lines is gone), and the
offer is sealed with that one line; an offer with no line priced is refused under the form."""

import pytest

from tawrid.accounts.tests.factories import TEST_PASSWORD
from tawrid.core.permissions import actor_for
from tawrid.sourcing import services
from tawrid.sourcing.models import Offer, OfferLine
from tawrid.sourcing.tests.factories import AwardWorld, terms
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_maker_prices_only_the_lines_it_makes(page):
    world = AwardWorld()
    plan = world.sourcing_plan()
    world.usual_proposals(plan)
    lines = list(plan.lines.order_by("line_number"))
    draft = services.consultation_create_from_lines(
        actor=actor_for(world.buyer),
        buyer=world.group,
        lines=lines,
        data=terms(partial_offers=True, evaluation_basis="line", open_to_all=True),
        lots=[{"title": "Consommables", "lines": [line.pk for line in lines]}],
        user=world.buyer,
    )
    consultation = services.consultation_publish(actor=actor_for(world.buyer), consultation=draft)
    lot = consultation.lots.get()
    needle_1, needle_2, glove = lot.lines.order_by("position")

    login(page, world.glove_manufacturer.email, TEST_PASSWORD)
    page.goto(f"/consultations/{consultation.pk}/lots/{lot.pk}/offer/")
    assert page.get_by_test_id("offer-partial").is_visible()

    page.get_by_test_id("offer-submit").click()  # nothing priced
    page.wait_for_load_state()
    assert page.get_by_test_id("offer-status").get_attribute("data-status") == "none"
    assert not Offer.objects.exists()

    page.get_by_test_id(f"offer-price-{glove.pk}").fill("0,60")
    page.get_by_test_id(f"offer-days-{glove.pk}").fill("20")
    page.get_by_test_id("offer-submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("offer-status").get_attribute("data-status") == "submitted"
    assert "0,60" not in page.content()  # sealed: not even its author reads it back
    offer = Offer.objects.get()
    world.open(consultation)  # the opening unseals it: one line, the glove line
    assert list(OfferLine.objects.filter(offer=offer).values_list("lot_line_id", flat=True)) == [glove.pk]
    assert {needle_1.pk, needle_2.pk}.isdisjoint(OfferLine.objects.values_list("lot_line_id", flat=True))
