"""What each bidder is told, from its receipt to the award: its own result only (page, home page, API), the award
e-mails, the receipt's fingerprint, its own offer after the opening, and the request for review of the award
(before the standstill ends, once per offer, answered by the buyer)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from tawrid.accounts.models import User
from tawrid.accounts.tests.factories import token_for
from tawrid.core.errors import DomainError, NotFound
from tawrid.core.permissions import actor_for
from tawrid.sourcing import results, reviews, selectors, services
from tawrid.sourcing.models import Offer, OfferReceipt, ReviewRequest
from tawrid.sourcing.ocds import export
from tawrid.sourcing.ocds.build import CASABLANCA
from tawrid.sourcing.ocds.validate import check
from tawrid.sourcing.tests.factories import AwardWorld, clock
from tawrid.sourcing.tests.test_ocds import no_network  # noqa: F401 (an autouse fixture)

API = "/api/v1/sourcing"


@pytest.fixture
def world(db) -> AwardWorld:
    return AwardWorld()


def auth(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def _refused(code: str, function: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        function(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def _awarded(world: AwardWorld, capture: Any) -> tuple[Any, Offer, Offer, Any]:
    """Needles: the Moroccan maker (1.12 MAD, 2,576.00) wins against the foreign one (1.00 MAD, 2,300.00,
    compared at 2,645.00 with the 15 % preference)."""
    consultation = world.consultation()
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    mail.outbox.clear()
    with clock(evaluated.opening_at + timedelta(hours=1)), capture(execute=True):
        award = services.award_make(actor=actor_for(world.buyer), lot=world.lot(evaluated, 1), offer=ours)
    return evaluated, ours, theirs, award


def _people(organisation: Any) -> set[str]:
    return set(
        User.objects.filter(memberships__organisation=organisation, is_active=True).values_list("email", flat=True)
    )


def test_each_bidder_sees_only_its_own_result_on_its_page_home_page_and_api(
    world, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    local, foreign = actor_for(world.manufacturer), actor_for(world.foreign_manufacturer)
    consultation = world.consultation()
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    assert results.offer_result(foreign, selectors.offer_detail(foreign, theirs.pk)).status == "submitted"
    page = reverse("sourcing:offer_page", args=[consultation.pk, theirs.lot_id])
    client.force_login(world.foreign_manufacturer)
    assert client.get(page).context["own_lines"] == []  # sealed: not even its author reads it before the opening

    opened = world.open(consultation)
    assert results.offer_result(foreign, selectors.offer_detail(foreign, theirs.pk)).status == "opened"
    response = client.get(page)  # its own offer, readable once opened: its lines and prices
    assert [line.unit_price for line in response.context["own_lines"]] == [Decimal("1.00"), Decimal("1.00")]
    assert 'data-testid="own-offer-lines"' in response.text

    with clock(opened.opening_at + timedelta(minutes=5)):
        evaluated = services.consultation_evaluate(actor=actor_for(world.buyer), consultation=opened)
    pending = results.offer_result(foreign, selectors.offer_detail(foreign, theirs.pk))
    assert pending.status == "evaluated" and pending.rank is None and not pending.reasons  # told with the award

    mail.outbox.clear()
    with clock(evaluated.opening_at + timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
        award = services.award_make(actor=actor_for(world.buyer), lot=world.lot(evaluated, 1), offer=ours)
    # One e-mail to each active person of each bidder, for this award; each links to its offer's page.
    recipients = [address for message in mail.outbox for address in message.to]
    assert sorted(recipients) == sorted(_people(world.maker) | _people(world.foreign_maker))
    foreign_mail = next(m for m in mail.outbox if m.to == [world.foreign_manufacturer.email])
    assert page in foreign_mail.body

    won = results.offer_result(local, selectors.offer_detail(local, ours.pk))
    lost = results.offer_result(foreign, selectors.offer_detail(foreign, theirs.pk))
    assert (won.status, won.rank, won.can_request_review) == ("awarded", 1, False)
    assert (lost.status, lost.rank, lost.compliant_count) == ("not_retained", 2, 2)
    assert lost.amount == Decimal("2300.00") and lost.compared_amount == Decimal("2645.00")
    assert lost.winner_name == world.maker.name and lost.winner_compared_amount == Decimal("2576.00")
    assert lost.standstill_until == award.standstill_until and lost.can_request_review
    assert lost.reason_keys == ("ranked_below_winner",) and len(lost.reasons) == 1

    # Nobody reads another bidder's offer or result: 404 on its page data, its API, its receipt.
    with pytest.raises(NotFound):
        selectors.offer_detail(foreign, ours.pk)
    assert client.get(f"{API}/offers/{ours.pk}/result", headers=auth(world.foreign_manufacturer)).status_code == 404
    assert client.get(reverse("sourcing:offer_receipt", args=[ours.pk])).status_code == 404

    response = client.get(page)
    assert response.context["result"].status == "not_retained"
    assert 'data-testid="offer-result" data-status="not_retained" data-rank="2"' in response.text
    assert 'data-testid="review-form"' in response.text
    assert "1,12" not in response.text and "1.12" not in response.text  # the winner's prices are not disclosed

    api = client.get(f"{API}/offers/{theirs.pk}/result", headers=auth(world.foreign_manufacturer)).json()
    assert api["status"] == "not_retained" and api["rank"] == 2 and Decimal(api["compared_amount"]) == 2645
    assert api["awarded_to"] == world.maker.name and api["can_request_review"] is True
    assert [reason["key"] for reason in api["reasons"]] == ["ranked_below_winner"]
    buyer_view = client.get(f"{API}/consultations/{consultation.pk}/offers", headers=auth(world.buyer)).json()
    assert len(buyer_view) == 2 and all(item["receipt"] is None for item in buyer_view)  # the bidders' own

    with django_assert_max_num_queries(5):  # offers, their evaluations, awards, requests: not per offer
        assert [r.status for r in results.home_results(foreign).received] == ["not_retained"]
    home = client.get("/")
    cards = home.text
    assert f'data-testid="offer-result" data-offer="{theirs.pk}" data-status="not_retained"' in cards
    assert f'data-offer="{ours.pk}"' not in cards
    client.force_login(world.manufacturer)
    assert f'data-offer="{ours.pk}" data-status="awarded"' in client.get("/").text


def test_the_receipt_is_the_sha256_of_the_stored_sealed_bytes_one_per_version(world, client):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    offer = world.submit(consultation, lot, ["1.20", "1.20"])
    stored = bytes(Offer.objects.get(pk=offer.pk).sealed_payload)
    first = OfferReceipt.objects.get(offer=offer, version=1)
    assert first.fingerprint == hashlib.sha256(stored).hexdigest()
    assert first.submitted_at == offer.submitted_at and first.submitted_by == world.manufacturer

    amended = services.offer_amend(
        actor=actor_for(world.manufacturer),
        offer=offer,
        expected_version=1,
        lines=world.priced(lot, ["1.10", "1.10"]),
        user=world.manufacturer,
    )
    second = OfferReceipt.objects.get(offer=offer, version=2)
    assert second.fingerprint == hashlib.sha256(bytes(Offer.objects.get(pk=offer.pk).sealed_payload)).hexdigest()
    assert second.fingerprint != first.fingerprint and amended.version == 2

    client.force_login(world.manufacturer)
    page = client.get(reverse("sourcing:offer_page", args=[consultation.pk, lot.pk]))
    assert f'data-fingerprint="{second.fingerprint}"' in page.text
    printable = client.get(reverse("sourcing:offer_receipt", args=[offer.pk]))
    assert first.fingerprint in printable.text and second.fingerprint in printable.text
    download = client.get(reverse("sourcing:offer_receipt", args=[offer.pk]) + "?download=1")
    assert download["Content-Disposition"].startswith("attachment") and second.fingerprint in download.text
    api = client.get(f"{API}/offers/{offer.pk}", headers=auth(world.manufacturer)).json()
    assert api["receipt"] == {
        "offer_id": offer.pk,
        "version": 2,
        "submitted_at": api["receipt"]["submitted_at"],
        "fingerprint": second.fingerprint,
    }
    listed = client.get(f"{API}/offers/{offer.pk}/receipts", headers=auth(world.manufacturer)).json()
    assert [receipt["version"] for receipt in listed] == [2, 1]

    client.force_login(world.foreign_manufacturer)  # another supplier: no receipt of someone else's offer
    assert client.get(reverse("sourcing:offer_receipt", args=[offer.pk])).status_code == 404


def test_a_review_is_requested_before_the_standstill_ends_once_and_answered_by_the_buyer(
    world, client, django_capture_on_commit_callbacks
):
    _evaluated, ours, theirs, award = _awarded(world, django_capture_on_commit_callbacks)
    foreign = actor_for(world.foreign_manufacturer)
    with clock(award.standstill_until + timedelta(minutes=1)):
        error = _refused(
            "standstill_over", reviews.review_request, actor=foreign, offer=theirs, text="Prix mal comparé"
        )
        assert award.standstill_until.astimezone(CASABLANCA).strftime("%Y") in error.message  # the end is named
        assert results.offer_result(foreign, selectors.offer_detail(foreign, theirs.pk)).review_closed
    _refused(
        "review_not_contestable",
        reviews.review_request,
        actor=actor_for(world.manufacturer),
        offer=ours,
        text="Le gagnant ne conteste pas",
    )
    _refused("text_required", reviews.review_request, actor=foreign, offer=theirs, text="  ")
    with pytest.raises(NotFound):  # the winner's people cannot reach the other offer
        reviews.review_request(actor=actor_for(world.manufacturer), offer=theirs, text="x")

    client.force_login(world.foreign_manufacturer)
    url = reverse("sourcing:review_request", args=[theirs.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"text": "La préférence nationale a été mal appliquée."})
        second = client.post(url, {"text": "La préférence nationale a été mal appliquée."})  # double submit
    assert first.status_code == second.status_code == 302
    review = ReviewRequest.objects.get()
    assert review.offer == theirs and review.award == award and review.requested_by == world.foreign_manufacturer
    assert {address for m in mail.outbox for address in m.to} == _people(world.group)
    _refused("review_exists", reviews.review_request, actor=foreign, offer=theirs, text="encore")
    response = client.post(
        f"{API}/offers/{theirs.pk}/review",
        data={"text": "encore"},
        content_type="application/json",
        headers=auth(world.foreign_manufacturer),
    )
    assert response.status_code == 400 and response.json()["code"] == "review_exists"
    assert ReviewRequest.objects.count() == 1
    page = client.get(reverse("sourcing:offer_page", args=[theirs.consultation_id, theirs.lot_id]))
    assert 'data-testid="review-request" data-answered="false"' in page.text
    assert 'data-testid="review-form"' not in page.text

    # The buyer sees it on its report and answers it, once; the bidder is told.
    _refused(
        "text_required",
        reviews.review_answer,
        actor=actor_for(world.buyer),
        review=review,
        answer="",
    )
    client.force_login(world.buyer)
    report = client.get(reverse("sourcing:evaluation_report", args=[theirs.consultation_id]))
    assert f'data-testid="review-{review.pk}" data-answered="false"' in report.text
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sourcing:review_answer", args=[review.pk]), {"answer": "Le taux de 15 % est légal."})
    review.refresh_from_db()
    assert review.answer == "Le taux de 15 % est légal." and review.answered_by == world.buyer
    assert {address for m in mail.outbox for address in m.to} == _people(world.foreign_maker)
    _refused("review_answered", reviews.review_answer, actor=actor_for(world.buyer), review=review, answer="bis")
    with pytest.raises(DomainError) as caught:  # the bidder does not answer its own request
        reviews.review_answer(actor=foreign, review=review, answer="moi")
    assert caught.value.status == 403
    listed = client.get(f"{API}/consultations/{theirs.consultation_id}/reviews", headers=auth(world.buyer)).json()
    assert [(item["offer_id"], item["supplier_name"]) for item in listed] == [(theirs.pk, world.foreign_maker.name)]
    other = client.get(f"{API}/consultations/{theirs.consultation_id}/reviews", headers=auth(world.manufacturer)).json()
    assert other == []  # the winner does not read the loser's request


def test_the_award_notice_is_in_the_ocds_export_a_losing_bidder_reads(world, django_capture_on_commit_callbacks):
    evaluated, _ours, _theirs, award = _awarded(world, django_capture_on_commit_callbacks)
    package = export.consultation_record_package(actor_for(world.foreign_manufacturer), evaluated.pk)
    assert check(package).errors == []
    compiled = package["records"][0]["compiledRelease"]
    (notice,) = compiled["awards"]
    assert notice["id"] == f"award-{award.pk}" and notice["status"] == "active"
    assert notice["value"] == {"amount": 2576, "currency": "MAD"}
    assert [supplier["name"] for supplier in notice["suppliers"]] == [world.maker.name]
    assert notice["date"].startswith(award.decided_at.astimezone(CASABLANCA).strftime("%Y-%m-%dT%H:%M"))
    # Of the tenderers, a bidder sees itself; no other bidder's amount.
    assert [t["name"] for t in compiled["tender"]["tenderers"]] == [world.foreign_maker.name]
    assert "2300" not in json.dumps(package) and "2645" not in json.dumps(package)


def test_a_lot_awarded_line_by_line_tells_each_bidder_its_lines(world, client):
    """Needles line 1 to the Moroccan maker (1.20 × 1,500 = 1,800.00) against the foreign one (1.10, compared at
    1,897.50); line 2 to the Moroccan maker alone. The foreign bidder is told its line, rank and winner, and may
    contest the line it lost."""
    from tawrid.sourcing import evaluation_lines
    from tawrid.sourcing.tests.test_evaluation_lines import _line, _offer, _one_lot

    consultation = _one_lot(world, partial_offers=True, evaluation_basis="line")
    lot = consultation.lots.get()
    needles = world.variants(world.needles)
    local = _offer(
        world,
        consultation,
        world.manufacturer,
        [(_line(lot, 1), "1.20", needles[0]), (_line(lot, 2), "1.10", needles[1])],
    )
    foreign = _offer(
        world,
        consultation,
        world.foreign_manufacturer,
        [(_line(lot, 1), "1.10", world.variants(world.foreign_needles)[0])],
    )
    evaluated = world.evaluated(consultation)
    theirs = actor_for(world.foreign_manufacturer)
    assert results.offer_result(theirs, selectors.offer_detail(theirs, foreign.pk)).status == "evaluated"
    buyer = actor_for(world.buyer)
    with clock(evaluated.opening_at + timedelta(minutes=10)):
        award = evaluation_lines.award_line_make(actor=buyer, lot_line=_line(lot, 1), offer=local)
        evaluation_lines.award_line_make(actor=buyer, lot_line=_line(lot, 2), offer=local)

    lost = results.offer_result(theirs, selectors.offer_detail(theirs, foreign.pk))
    assert lost.status == "not_retained" and lost.contestable_award == award and lost.can_request_review
    (line,) = lost.lines
    assert (line.position, line.rank, line.awarded_to_me) == (1, 2, False)
    assert line.compared_amount == Decimal("1897.50") and line.winner_compared_amount == Decimal("1800.00")
    assert line.winner_name == world.maker.name and len(line.reasons) == 1
    ours = actor_for(world.manufacturer)
    won = results.offer_result(ours, selectors.offer_detail(ours, local.pk))
    assert won.status == "awarded" and [line.awarded_to_me for line in won.lines] == [True, True]
    assert not won.can_request_review
    assert [r.status for r in results.home_results(theirs).received] == ["not_retained"]
    client.force_login(world.foreign_manufacturer)
    page = client.get(reverse("sourcing:offer_page", args=[consultation.pk, lot.pk])).text
    assert 'data-testid="result-line" data-position="1" data-awarded="false" data-rank="2"' in page
    assert 'data-testid="review-form"' in page

    review = reviews.review_request(actor=theirs, offer=foreign, text="Ligne 1 : préférence contestée")
    assert review.award == award
