"""The consultations' pages: a buyer makes a consultation from its plan lines (from the plan's matching page)
and publishes it; an invited supplier asks, the buyer answers; the supplier submits a sealed offer (whose
amounts are never shown back), amends it from a stale tab (refused), withdraws it; late offers are refused;
other organisations get 404 and anonymous visitors are sent to the login page."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from tawrid.core.permissions import actor_for
from tawrid.sourcing import services
from tawrid.sourcing.models import Consultation, ConsultationStatus, Offer, OfferStatus, Question
from tawrid.sourcing.tests.factories import SourcingWorld, clock

PRICES = ["7391.47", "8264.19"]


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _terms_post(reference: str = "CONS-WEB-1", **extra) -> dict:
    now = timezone.now()
    data = {
        "reference": reference,
        "title": "Aiguilles 2026",
        "delivery_terms": "Franco magasin central",
        "evaluation_method": "lowest_price",
        "national_preference_rate": "15",
        "questions_deadline": _moment(now + timedelta(days=1)),
        "submission_deadline": _moment(now + timedelta(days=2)),
        "opening_at": _moment(now + timedelta(days=2, hours=1)),
    }
    data.update(extra)
    return data


def _offer_post(lot, prices, *, version=None, days="15") -> dict:
    data = {}
    for line, price in zip(lot.lines.order_by("position"), prices, strict=True):
        data[f"price_{line.pk}"] = price
        data[f"days_{line.pk}"] = days
    if version is not None:
        data["expected_version"] = str(version)
    return data


def test_a_buyer_creates_a_consultation_from_the_matching_page_and_publishes_it(client, world):
    plan = world.sourcing_plan()
    world.usual_proposals(plan)
    client.force_login(world.buyer)
    matching = client.get(reverse("matching:plan", args=[plan.pk]))
    assert matching.status_code == 200
    assert b'data-testid="consultation-create-from-lines"' in matching.content
    assert b'data-testid="consultation-line-1"' in matching.content
    needle_lines = list(plan.lines.filter(line_number__in=[1, 2]).order_by("line_number"))

    url = reverse("sourcing:consultation_create")
    page = client.get(url, {"plan": plan.pk, "lines": [line.pk for line in needle_lines]})
    assert page.status_code == 200
    assert b'data-testid="consultation-create"' in page.content
    glove_line = plan.lines.get(line_number=3)
    assert sorted(int(pk) for pk in page.context["form"]["lines"].value()) == [line.pk for line in needle_lines]
    assert len(page.context["form"].fields["lines"].choices) == 3  # the plan's lines, the glove line unticked

    refused = client.post(
        url, {"plan": plan.pk, "lines": [line.pk for line in needle_lines], **_terms_post(reference="")}
    )
    assert refused.status_code == 200
    assert not Consultation.objects.exists()

    created = client.post(url, {"plan": plan.pk, "lines": [line.pk for line in needle_lines], **_terms_post()})
    consultation = Consultation.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("sourcing:consultation_detail", args=[consultation.pk])
    assert consultation.status == ConsultationStatus.DRAFT
    assert sorted(consultation.lots.values_list("lines__plan_line", flat=True)) == [line.pk for line in needle_lines]
    assert glove_line.pk not in consultation.lots.values_list("lines__plan_line", flat=True)

    edit = client.post(
        reverse("sourcing:consultation_edit", args=[consultation.pk]), _terms_post(title="Aiguilles 2026 (v2)")
    )
    assert edit.status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Aiguilles 2026 (v2)"

    detail = client.get(reverse("sourcing:consultation_detail", args=[consultation.pk]))
    assert b'data-testid="consultation-publish"' in detail.content
    published = client.post(reverse("sourcing:consultation_publish", args=[consultation.pk]), follow=True)
    assert published.status_code == 200
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.PUBLISHED
    assert b'data-status="published"' in published.content
    assert "Maroc Seringues" in published.content.decode()

    listing = client.get(reverse("sourcing:consultation_list"))
    assert f'data-testid="consultation-row-{consultation.pk}"'.encode() in listing.content
    assert reverse("sourcing:consultation_list").encode() in listing.content  # the menu entry


def test_a_draft_without_lines_or_with_bad_terms_is_refused_with_the_reason(client, world):
    plan = world.sourcing_plan()
    client.force_login(world.buyer)
    url = reverse("sourcing:consultation_create")
    response = client.post(url, {"plan": plan.pk, **_terms_post()})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    late = _terms_post(questions_deadline=_moment(timezone.now() + timedelta(days=3)))
    response = client.post(url, {"plan": plan.pk, "lines": [plan.lines.first().pk], **late})
    assert response.status_code == 200
    assert response.context["form"].errors["questions_deadline"]
    assert not Consultation.objects.exists()


def test_the_supplier_asks_the_buyer_answers_and_the_offer_lifecycle(client, world, mailoutbox):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    detail_url = reverse("sourcing:consultation_detail", args=[consultation.pk])

    client.force_login(world.manufacturer)
    page = client.get(detail_url)
    assert page.status_code == 200
    assert b'data-testid="question-ask"' in page.content
    deadline = timezone.localtime(consultation.submission_deadline, ZoneInfo("Africa/Casablanca"))
    with translation.override("fr"):
        assert formats.date_format(deadline, "DATETIME_FORMAT") in page.content.decode()
    assert b'data-testid="consultation-publish"' not in page.content
    client.post(reverse("sourcing:question_ask", args=[consultation.pk]), {"text": "Emballage unitaire ?"})
    question = Question.objects.get()
    assert question.supplier == world.maker

    client.force_login(world.buyer)
    page = client.get(detail_url)
    assert b'data-testid="question-answer"' in page.content
    client.post(reverse("sourcing:question_answer", args=[question.pk]), {"answer": "Oui, stérile."})
    question.refresh_from_db()
    assert question.answer == "Oui, stérile."

    # The answer is published to the other invited supplier too, without who asked.
    client.force_login(world.foreign_manufacturer)
    page = client.get(detail_url).content.decode()
    assert "Oui, stérile." in page and "Emballage unitaire ?" in page
    assert "Maroc Seringues" not in page

    client.force_login(world.manufacturer)
    offer_url = reverse("sourcing:offer_page", args=[consultation.pk, lot.pk])
    page = client.get(offer_url)
    assert b'data-testid="offer-submit"' in page.content
    assert f'data-testid="offer-price-{lot.lines.first().pk}"'.encode() in page.content
    submitted = client.post(offer_url, _offer_post(lot, PRICES), follow=True)
    offer = Offer.objects.get()
    assert offer.version == 1 and offer.status == OfferStatus.SUBMITTED
    content = submitted.content.decode()
    assert 'data-testid="offer-status"' in content and 'data-version="1"' in content
    for price in PRICES:  # sealed, even for its author
        assert price not in content and price.replace(".", ",") not in content

    # A second tab still showing version 1 after an amendment from the first: refused.
    client.post(offer_url, _offer_post(lot, ["7000.00", "8000.00"], version=1))
    offer.refresh_from_db()
    assert offer.version == 2
    stale = client.post(offer_url, _offer_post(lot, ["6000.00", "7000.00"], version=1))
    assert stale.status_code == 200
    assert b'data-testid="offer-error"' in stale.content
    offer.refresh_from_db()
    assert offer.version == 2

    stale_withdraw = client.post(reverse("sourcing:offer_withdraw", args=[offer.pk]), {"expected_version": "1"})
    assert stale_withdraw.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SUBMITTED
    client.post(reverse("sourcing:offer_withdraw", args=[offer.pk]), {"expected_version": "2"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN
    assert b'data-status="withdrawn"' in client.get(offer_url).content


def test_an_invalid_price_is_shown_under_its_field_and_nothing_is_sealed(client, world):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    client.force_login(world.manufacturer)
    response = client.post(
        reverse("sourcing:offer_page", args=[consultation.pk, lot.pk]), _offer_post(lot, ["-3", "12,5"])
    )
    assert response.status_code == 200
    first = lot.lines.order_by("position").first()
    assert response.context["form"].errors[f"price_{first.pk}"]
    assert not Offer.objects.exists()


def test_a_late_offer_is_refused(client, world):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    client.force_login(world.manufacturer)
    url = reverse("sourcing:offer_page", args=[consultation.pk, lot.pk])
    with clock(consultation.submission_deadline + timedelta(seconds=1)):
        page = client.get(url)
        assert b'data-testid="offers-closed"' in page.content
        response = client.post(url, _offer_post(lot, PRICES))
    assert response.status_code == 200
    assert b'data-testid="offer-error"' in response.content
    assert not Offer.objects.exists()


def test_the_buyer_cancels_with_a_reason(client, world):
    consultation = world.consultation()
    client.force_login(world.buyer)
    url = reverse("sourcing:consultation_cancel", args=[consultation.pk])
    client.post(url, {"reason": ""})
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.PUBLISHED
    client.post(url, {"reason": "Budget gelé"})
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CANCELLED
    assert consultation.cancel_reason == "Budget gelé"


def test_other_organisations_get_404_and_suppliers_cannot_manage(client, world):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    offer = world.submit(consultation, lot, PRICES)
    question = services.question_ask(
        actor=actor_for(world.manufacturer), consultation=consultation, supplier=world.maker, text="Stérile ?"
    )
    for outsider in (world.other_manufacturer, world.glove_manufacturer, world.other_buyer):
        client.force_login(outsider)
        assert client.get(reverse("sourcing:consultation_detail", args=[consultation.pk])).status_code == 404
        assert client.get(reverse("sourcing:offer_page", args=[consultation.pk, lot.pk])).status_code == 404
        assert (
            client.post(reverse("sourcing:offer_withdraw", args=[offer.pk]), {"expected_version": "1"}).status_code
            == 404
        )
        assert client.post(reverse("sourcing:consultation_publish", args=[consultation.pk])).status_code == 404
        assert client.post(reverse("sourcing:question_answer", args=[question.pk]), {"answer": "x"}).status_code == 404
        listing = client.get(reverse("sourcing:consultation_list")).content.decode()
        assert consultation.reference not in listing

    # Another invited supplier never reaches the first one's offer.
    client.force_login(world.foreign_manufacturer)
    assert (
        client.post(reverse("sourcing:offer_withdraw", args=[offer.pk]), {"expected_version": "1"}).status_code == 404
    )
    page = client.get(reverse("sourcing:offer_page", args=[consultation.pk, lot.pk]))
    assert b'data-status="none"' in page.content
    gloves = world.lot(consultation, 2)  # Euro Needles is admitted to the needles only
    page = client.get(reverse("sourcing:offer_page", args=[consultation.pk, gloves.pk]))
    assert b'data-testid="offer-not-allowed"' in page.content
    assert b'data-testid="offer-submit"' not in page.content

    # A supplier sees the consultation but may not manage it.
    client.force_login(world.manufacturer)
    assert (
        client.post(reverse("sourcing:consultation_cancel", args=[consultation.pk]), {"reason": "x"}).status_code == 403
    )
    assert client.get(reverse("sourcing:consultation_edit", args=[consultation.pk])).status_code == 403
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SUBMITTED
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.PUBLISHED


def test_drafts_are_hidden_from_suppliers(client, world):
    consultation = world.consultation(publish=False)
    client.force_login(world.manufacturer)
    assert client.get(reverse("sourcing:consultation_detail", args=[consultation.pk])).status_code == 404
    assert client.post(reverse("sourcing:question_ask", args=[consultation.pk]), {"text": "?"}).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    for url in (
        reverse("sourcing:consultation_list"),
        reverse("sourcing:consultation_create"),
        reverse("sourcing:consultation_detail", args=[consultation.pk]),
        reverse("sourcing:offer_page", args=[consultation.pk, lot.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]
    response = client.post(reverse("sourcing:consultation_publish", args=[consultation.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
