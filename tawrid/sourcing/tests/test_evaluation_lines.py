"""Partial offers, evaluation and award per line, and the certificates evaluation reads (the demo's situation:
one lot of needles and gloves, a maker with a verified ISO 13485 certificate ruled "without certificate")."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for
from tawrid.sourcing import evaluation as ev
from tawrid.sourcing import evaluation_lines, services
from tawrid.sourcing.models import Award, Consultation, ConsultationStatus, EvaluatedOffer
from tawrid.sourcing.selectors import reasons_from_json
from tawrid.sourcing.tests.factories import AwardWorld, clock, terms


@pytest.fixture
def world(db) -> AwardWorld:
    return AwardWorld()


def _one_lot(world, **overrides):
    """Every line of the plan in one lot, as the demo's "Lignes sans code EMDN", open to every eligible maker."""
    plan = world.sourcing_plan()
    world.usual_proposals(plan)
    lines = list(plan.lines.order_by("line_number"))
    consultation = services.consultation_create_from_lines(
        actor=actor_for(world.buyer),
        buyer=world.group,
        lines=lines,
        data=terms(required_certificates=["iso13485"], open_to_all=True, **overrides),
        lots=[{"title": "Lignes sans code EMDN", "lines": [line.pk for line in lines]}],
        user=world.buyer,
    )
    return services.consultation_publish(actor=actor_for(world.buyer), consultation=consultation)


def _line(lot, position):
    return lot.lines.get(position=position)


def _offer(world, consultation, user, entries):
    supplier = user.memberships.first().organisation
    return services.offer_submit(
        actor=actor_for(user),
        consultation=consultation,
        lot=consultation.lots.get(),
        supplier=supplier,
        lines=[
            {"lot_line": line.pk, "unit_price": price, "delivery_days": 15, "variant": getattr(variant, "pk", variant)}
            for line, price, variant in entries
        ],
        user=user,
    )


def test_a_verified_organisation_certificate_is_never_reported_missing(world):
    """The demo: the maker priced every line (it had to), naming its variants for the needles only. Before the fix,
    the line without a variant emptied the certificates of the whole offer: "No valid ISO 13485 certificate"."""
    consultation = _one_lot(world)
    lot = consultation.lots.get()
    needle_21, needle_23 = world.variants(world.needles)[0], world.variants(world.needles)[0]
    offer = _offer(
        world,
        consultation,
        world.manufacturer,
        [(_line(lot, 1), "1.20", needle_21), (_line(lot, 2), "1.10", needle_23), (_line(lot, 3), "0.80", None)],
    )
    world.evaluated(consultation)
    row = EvaluatedOffer.objects.get(offer=offer)
    keys = [reason.key for reason in reasons_from_json(row.reasons)]
    assert ev.ReasonKey.CERTIFICATE_NOT_VALID not in keys
    assert keys.count(ev.ReasonKey.VARIANT_NOT_NAMED) == 1  # the glove line: no product, no registration to check
    with translation.override("en"):
        text = [ev.reason_text(r, line_labels={_line(lot, 3).pk: "3 (GANTS)"}) for r in reasons_from_json(row.reasons)]
    assert any(sentence.startswith("Line 3 (GANTS): no product variant named") for sentence in text)


def test_a_certificate_expiring_before_delivery_is_said_so(world):
    consultation = _one_lot(world, partial_offers=True)
    lot = consultation.lots.get()
    from tawrid.catalog.models import Certificate

    opening_day = consultation.opening_at.date()
    Certificate.objects.filter(holder=world.maker).update(expires_on=opening_day + timedelta(days=5))
    offer = _offer(world, consultation, world.manufacturer, [(_line(lot, 1), "1.20", world.variants(world.needles)[0])])
    world.evaluated(consultation)
    reasons = reasons_from_json(EvaluatedOffer.objects.get(offer=offer).reasons)
    assert [r.key for r in reasons if "certificate" in r.key] == [ev.ReasonKey.CERTIFICATE_EXPIRES]


def test_partial_offers_are_refused_unless_allowed(world):
    consultation = _one_lot(world)
    lot = consultation.lots.get()
    with pytest.raises(DomainError) as caught:
        _offer(world, consultation, world.manufacturer, [(_line(lot, 1), "1.20", None)])
    assert caught.value.code == "invalid_offer"
    # The same consultation had it allowed partial offers (set at creation, as a term of the draft):
    Consultation.objects.filter(pk=consultation.pk).update(partial_offers=True)
    consultation.refresh_from_db()
    with pytest.raises(DomainError) as empty:
        _offer(world, consultation, world.manufacturer, [])
    assert "lines" in empty.value.details
    offer = _offer(world, consultation, world.manufacturer, [(_line(lot, 1), "1.20", None)])
    assert offer.version == 1


def test_per_lot_evaluation_does_not_compare_an_incomplete_offer_and_says_why(world):
    consultation = _one_lot(world, partial_offers=True)
    lot = consultation.lots.get()
    partial = _offer(
        world, consultation, world.glove_manufacturer, [(_line(lot, 3), "0.60", world.souss_gloves.variants.first())]
    )
    world.evaluated(consultation)
    row = EvaluatedOffer.objects.get(offer=partial)
    assert not row.compliant and row.rank is None
    reasons = reasons_from_json(row.reasons)
    assert [r.key for r in reasons][:2] == [ev.ReasonKey.LINE_NOT_OFFERED] * 2
    with translation.override("en"):
        assert "only offers pricing every line are compared" in ev.reason_text(reasons[0])


def test_per_line_evaluation_ranks_each_line_and_awards_lines_to_different_suppliers(world):
    consultation = _one_lot(world, partial_offers=True, evaluation_basis="line")
    lot = consultation.lots.get()
    needles = world.variants(world.needles)
    local = _offer(
        world,
        consultation,
        world.manufacturer,
        [(_line(lot, 1), "1.20", needles[0]), (_line(lot, 2), "1.10", needles[0])],
    )
    foreign_21, foreign_23 = world.variants(world.foreign_needles)
    foreign = _offer(
        world,
        consultation,
        world.foreign_manufacturer,
        [(_line(lot, 1), "1.10", foreign_21), (_line(lot, 2), "1.30", foreign_23)],
    )
    gloves = _offer(
        world, consultation, world.glove_manufacturer, [(_line(lot, 3), "0.60", world.souss_gloves.variants.first())]
    )
    evaluated = world.evaluated(consultation)
    assert evaluated.status == ConsultationStatus.EVALUATED
    rows = EvaluatedOffer.objects.filter(evaluation__lot=lot)
    assert not rows.filter(lot_line__isnull=True).exists()  # no per-lot rows in a lot evaluated per line
    line_1 = {row.offer_id: row for row in rows.filter(lot_line=_line(lot, 1))}
    # National preference: the foreign 1 650.00 is compared as 1 897.50, above the local 1 800.00.
    assert line_1[local.pk].rank == 1 and line_1[foreign.pk].rank == 2
    assert line_1[foreign.pk].compared_amount == Decimal("1897.50")
    assert rows.get(lot_line=_line(lot, 3)).offer_id == gloves.pk

    buyer = actor_for(world.buyer)
    with clock(evaluated.opening_at + timedelta(minutes=10)):
        with pytest.raises(DomainError) as not_best:
            evaluation_lines.award_line_make(actor=buyer, lot_line=_line(lot, 1), offer=foreign)
        assert not_best.value.code == "award_not_best"
        with pytest.raises(DomainError) as per_lot:
            services.award_make(actor=buyer, lot=lot, offer=local)
        assert per_lot.value.code == "award_per_line"
        first = evaluation_lines.award_line_make(actor=buyer, lot_line=_line(lot, 1), offer=local)
        third = evaluation_lines.award_line_make(actor=buyer, lot_line=_line(lot, 3), offer=gloves)
        assert first.amount == Decimal("1800.00") and third.supplier_id == world.glove_maker.pk
        evaluated.refresh_from_db()
        assert evaluated.status == ConsultationStatus.EVALUATED  # line 2 is still to award
        # Line 2 asks 23 G: the local 21 G needle conflicts with it, the foreign 23 G one wins the line.
        line_2 = {row.offer_id: row for row in rows.filter(lot_line=_line(lot, 2))}
        assert not line_2[local.pk].compliant and line_2[foreign.pk].rank == 1
        evaluation_lines.award_line_make(actor=buyer, lot_line=_line(lot, 2), offer=foreign)
    evaluated.refresh_from_db()
    assert evaluated.status == ConsultationStatus.AWARDED
    awarded = Award.objects.filter(lot=lot, lot_line__isnull=False)
    assert awarded.count() == 3 and awarded.values("supplier").distinct().count() == 3


def test_an_evaluation_not_yet_awarded_can_be_run_again(world):
    consultation = _one_lot(world, partial_offers=True)
    lot = consultation.lots.get()
    _offer(world, consultation, world.manufacturer, [(_line(lot, 1), "1.20", world.variants(world.needles)[0])])
    evaluated = world.evaluated(consultation)
    with clock(evaluated.opening_at + timedelta(minutes=6)):
        again = services.consultation_evaluate(actor=actor_for(world.buyer), consultation=evaluated)
    assert again.status == ConsultationStatus.EVALUATED
    assert EvaluatedOffer.objects.filter(evaluation__lot=lot).count() == 1
