"""What a supplier offers besides prices, and what the committee adds to a weighted evaluation, through the
pages: the variant offered per line (the matching's proposal pre-selected; only the supplier's own products
accepted), and the technical scores typed on the evaluation report (stored with the ranking; a score that is
not a number, or missing for a compliant offer, is refused and the stored evaluation is unchanged)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tawrid.core.permissions import actor_for
from tawrid.sourcing import services
from tawrid.sourcing.models import EvaluatedOffer, Offer, OfferLine
from tawrid.sourcing.tests.factories import AwardWorld, clock


@pytest.fixture
def world(db) -> AwardWorld:
    return AwardWorld()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _offer_post(lot, prices, variants) -> dict[str, str]:
    data = {}
    for line, price, variant in zip(lot.lines.order_by("position"), prices, variants, strict=True):
        data[f"price_{line.pk}"] = price
        data[f"days_{line.pk}"] = "15"
        data[f"variant_{line.pk}"] = str(getattr(variant, "pk", variant or ""))
    return data


def test_the_offer_page_proposes_the_matched_variant_and_seals_the_one_chosen(world):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    maker = _client(world.manufacturer)
    url = reverse("sourcing:offer_page", args=[consultation.pk, lot.pk])
    form = maker.get(url).context["form"]
    proposed = world.needles.variants.first()
    own = set(world.needles.variants.values_list("pk", flat=True)) | set(
        world.gloves.variants.values_list("pk", flat=True)
    )
    for line in lot.lines.all():
        field = form.fields[f"variant_{line.pk}"]
        assert field.initial == proposed.pk
        offered = {value for value, _label in field.choices if value != ""}
        assert offered <= own and proposed.pk in offered
        assert not offered & set(world.foreign_needles.variants.values_list("pk", flat=True))

    variants = world.variants(world.needles)
    maker.post(url, _offer_post(lot, ["1.10", "1.20"], variants))
    offer = Offer.objects.get()
    opened = world.open(consultation)
    assert opened.opened_at is not None
    assert [line.variant_id for line in OfferLine.objects.filter(offer=offer).order_by("lot_line__position")] == [
        variant.pk for variant in variants
    ]


def test_a_variant_of_another_manufacturer_is_refused_and_nothing_is_sealed(world):
    consultation = world.consultation()
    lot = world.lot(consultation, 1)
    foreign = world.variants(world.foreign_needles)
    response = _client(world.manufacturer).post(
        reverse("sourcing:offer_page", args=[consultation.pk, lot.pk]), _offer_post(lot, ["1.10", "1.20"], foreign)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[f"variant_{lot.lines.order_by('position').first().pk}"]
    assert not Offer.objects.exists()


def test_the_committee_types_technical_scores_for_a_weighted_consultation(world):
    consultation = world.consultation(evaluation_method="weighted", price_weight=70)
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    consultation = world.open(consultation)
    buyer = _client(world.buyer)
    report_url = reverse("sourcing:evaluation_report", args=[consultation.pk])
    evaluate_url = reverse("sourcing:consultation_evaluate", args=[consultation.pk])
    with clock(consultation.opening_at + timedelta(hours=1)):
        page = buyer.get(report_url).content.decode()
        assert f'data-testid="score-{ours.pk}"' in page and f'data-testid="score-{theirs.pk}"' in page

        buyer.post(evaluate_url, {f"score_{ours.pk}": "90"})  # one compliant offer without a score
        assert not EvaluatedOffer.objects.exists()
        buyer.post(evaluate_url, {f"score_{ours.pk}": "quatre-vingt-dix", f"score_{theirs.pk}": "60"})
        assert not EvaluatedOffer.objects.exists()

        buyer.post(evaluate_url, {f"score_{ours.pk}": "90", f"score_{theirs.pk}": "60,5"})
        scores = dict(EvaluatedOffer.objects.values_list("offer_id", "technical_score"))
        assert scores == {ours.pk: 90, theirs.pk: pytest.approx(60.5)}
        page = buyer.get(report_url).content.decode()
        assert 'value="60.5' in page  # the form starts again from the stored scores
        assert f'data-testid="offer-rank-{ours.pk}" data-rank="1"' in page


def test_an_offer_of_another_consultation_cannot_be_scored(world):
    consultation = world.consultation(evaluation_method="weighted", price_weight=70)
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    consultation = world.open(consultation)
    with clock(consultation.opening_at + timedelta(hours=1)):
        _client(world.buyer).post(
            reverse("sourcing:consultation_evaluate", args=[consultation.pk]),
            {f"score_{ours.pk}": "90", f"score_{theirs.pk}": "60", f"score_{theirs.pk + 1000}": "50"},
        )
        assert not EvaluatedOffer.objects.exists()
        services.consultation_evaluate(
            actor=actor_for(world.buyer), consultation=consultation, technical_scores={ours.pk: 90, theirs.pk: 60}
        )
    assert EvaluatedOffer.objects.count() == 2
