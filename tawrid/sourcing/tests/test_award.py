"""Evaluation, awards, standstill and cancellation, on the sourcing world (services and their refusals)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.utils import translation

from tawrid.core.errors import DomainError, NotFound
from tawrid.core.permissions import actor_for
from tawrid.sourcing import selectors, services
from tawrid.sourcing.models import Award, ConsultationStatus, EvaluatedOffer, LotEvaluation
from tawrid.sourcing.tests.factories import AwardWorld, clock


@pytest.fixture
def world(db) -> AwardWorld:
    return AwardWorld()


def _refused(code, function, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        function(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def _rows(consultation, lot_number=1):
    return {
        row.offer_id: row
        for row in EvaluatedOffer.objects.filter(
            evaluation__lot__consultation=consultation, evaluation__lot__number=lot_number
        )
    }


@pytest.mark.parametrize(
    ("rate", "winner", "foreign_compared"),
    [(Decimal("0.15"), "local", Decimal("2645.00")), (Decimal("0.10"), "foreign", Decimal("2530.00"))],
)
def test_the_national_preference_decides_the_winner(world, rate, winner, foreign_compared):
    """1,500 + 800 needles: the Moroccan maker at 1.12 MAD (2,576.00), the foreign one at 1.00 MAD (2,300.00).
    At 15 % the foreign offer compares at 2,645.00 and loses; at 10 % it compares at 2,530.00 and wins."""
    consultation = world.consultation(national_preference_rate=rate)
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    assert evaluated.status == ConsultationStatus.EVALUATED
    rows = _rows(evaluated)
    assert rows[ours.pk].amount == rows[ours.pk].compared_amount == Decimal("2576.00")
    assert rows[theirs.pk].amount == Decimal("2300.00")
    assert rows[theirs.pk].compared_amount == foreign_compared
    assert rows[theirs.pk].preference_rate_applied == rate and rows[ours.pk].preference_rate_applied == 0
    best, other = (ours, theirs) if winner == "local" else (theirs, ours)
    assert rows[best.pk].rank == 1 and rows[other.pk].rank == 2
    assert all(row.compliant and row.reasons == [] for row in rows.values())

    lot = world.lot(evaluated, 1)
    buyer = actor_for(world.buyer)
    _refused("award_not_best", services.award_make, actor=buyer, lot=lot, offer=other)
    with clock(evaluated.opening_at + timedelta(hours=1)):
        award = services.award_make(actor=buyer, lot=lot, offer=best)
    assert award.amount == rows[best.pk].amount  # the offer's own amount, never the compared one
    assert award.standstill_until == award.decided_at + timedelta(days=10)


def test_a_specification_conflict_excludes_an_offer_and_it_is_never_awarded(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    ours = world.offer(consultation, needles, ["1.20", "1.20"], world.variants(world.needles), user=world.manufacturer)
    gauge_21 = world.variants(world.foreign_needles)[0]
    theirs = world.offer(  # 21 G offered for the 23 G line
        consultation, needles, ["0.50", "0.50"], [gauge_21, gauge_21], user=world.foreign_manufacturer
    )
    evaluated = world.evaluated(consultation)
    rows = _rows(evaluated)
    assert rows[ours.pk].compliant and rows[ours.pk].rank == 1
    excluded = rows[theirs.pk]
    assert not excluded.compliant and excluded.rank is None
    assert excluded.reasons and {reason["key"] for reason in excluded.reasons} == {"specification_conflict"}
    line_2 = needles.lines.get(position=2)
    assert all(["line_id", "int", str(line_2.pk)] in reason["params"] for reason in excluded.reasons)

    error = _refused(
        "award_non_compliant", services.award_make, actor=actor_for(world.buyer), lot=needles, offer=theirs
    )
    assert error.details["offer"]
    assert not Award.objects.exists()


def test_lines_offered_without_a_variant_cannot_have_their_registration_checked(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    world.offer(consultation, needles, ["1.20", "1.20"], world.variants(world.needles), user=world.manufacturer)
    untraced = world.submit(consultation, needles, ["0.50", "0.50"], user=world.foreign_manufacturer)  # no variant
    rows = _rows(world.evaluated(consultation))
    # The maker's organisation-wide ISO 13485 certificate covers the lines (never reported missing); a DMP
    # registration is per product, so each line without a product is reported as such.
    assert [reason["key"] for reason in rows[untraced.pk].reasons] == ["variant_not_named", "variant_not_named"]


def test_a_yearly_capacity_below_the_quantity_excludes(world):
    world.needles.variants.filter(label="21 G").update(capacity_per_year=1000)
    consultation = world.consultation()
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    rows = _rows(world.evaluated(consultation))
    assert [reason["key"] for reason in rows[ours.pk].reasons] == ["capacity_insufficient"]
    assert rows[theirs.pk].rank == 1


def test_re_evaluation_replaces_the_result_and_is_refused_after_an_award(world):
    consultation = world.consultation(evaluation_method="weighted", price_weight=70)
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    opened = world.open(consultation)
    buyer = actor_for(world.buyer)
    with clock(opened.opening_at + timedelta(minutes=5)):
        _refused("technical_score_missing", services.consultation_evaluate, actor=buyer, consultation=opened)
        services.consultation_evaluate(
            actor=buyer, consultation=opened, technical_scores={ours.pk: "90", theirs.pk: "10"}
        )
        first = LotEvaluation.objects.get(lot__number=1, lot__consultation=opened)
        assert _rows(opened)[ours.pk].rank == 1
        services.consultation_evaluate(
            actor=buyer, consultation=opened, technical_scores={ours.pk: "10", theirs.pk: "90"}
        )
    assert not LotEvaluation.objects.filter(pk=first.pk).exists()
    rows = _rows(opened)
    assert rows[theirs.pk].rank == 1 and rows[theirs.pk].technical_score == 90
    assert EvaluatedOffer.objects.filter(evaluation__lot__number=1, evaluation__lot__consultation=opened).count() == 2
    with clock(opened.opening_at + timedelta(hours=1)):
        services.award_make(actor=buyer, lot=world.lot(opened, 1), offer=theirs)
        _refused("evaluation_after_award", services.consultation_evaluate, actor=buyer, consultation=opened)


def test_a_consultation_is_evaluated_only_once_opened(world):
    consultation = world.consultation()
    _refused("not_opened", services.consultation_evaluate, actor=actor_for(world.buyer), consultation=consultation)


def test_every_bidder_is_told_its_rank_amounts_and_reasons(world, django_capture_on_commit_callbacks):
    consultation = world.consultation()
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    mail.outbox.clear()
    with clock(evaluated.opening_at + timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
        services.award_make(actor=actor_for(world.buyer), lot=world.lot(evaluated, 1), offer=ours)
    to_foreign = [m for m in mail.outbox if m.to == [world.foreign_manufacturer.email]]
    to_local = [m for m in mail.outbox if m.to == [world.manufacturer.email]]
    assert len(to_foreign) == 1 and len(to_local) == 1
    digits = "".join(ch for ch in to_foreign[0].body if ch.isdigit() or ch == "\n")
    # its amount, its compared amount (15 % more) and the winner's compared amount, whatever the number format
    for figure in ("230000", "264500", "257600", "150"):
        assert figure in digits
    assert "264500" not in "".join(ch for ch in to_local[0].body if ch.isdigit())
    assert "CONS-2026-001" in to_local[0].subject


def test_a_second_award_of_a_lot_is_refused_then_cancellation_lets_the_next_offer_win(world):
    consultation = world.consultation()
    ours, theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    lot = world.lot(evaluated, 1)
    buyer = actor_for(world.buyer)
    at = evaluated.opening_at + timedelta(hours=1)
    with clock(at):
        first = services.award_make(actor=buyer, lot=lot, offer=ours)
        _refused("already_awarded", services.award_make, actor=buyer, lot=lot, offer=ours)
        _refused("already_awarded", services.award_make, actor=buyer, lot=lot, offer=theirs)
        _refused("reason_required", services.award_cancel, actor=buyer, award=first, reason="  ")
        cancelled = services.award_cancel(actor=buyer, award=first, reason="Recours fondé du soumissionnaire 2")
        assert cancelled.cancelled_at == at and cancelled.cancel_reason
        _refused("award_already_cancelled", services.award_cancel, actor=buyer, award=first, reason="encore")
        _refused("award_set_aside", services.award_make, actor=buyer, lot=lot, offer=ours)
        second = services.award_make(actor=buyer, lot=lot, offer=theirs)
    assert second.amount == Decimal("2300.00")
    assert Award.objects.filter(lot=lot, cancelled_at__isnull=True).get() == second


def test_the_status_is_awarded_when_every_lot_is_awarded_or_has_no_compliant_offer(world):
    consultation = world.consultation()
    ours, _theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    gloves = world.lot(consultation, 2)
    world.submit(consultation, gloves, ["0.80"])  # no variant: not compliant
    evaluated = world.evaluated(consultation)
    with clock(evaluated.opening_at + timedelta(hours=1)):
        services.award_make(actor=actor_for(world.buyer), lot=world.lot(evaluated, 1), offer=ours)
    evaluated.refresh_from_db()
    assert evaluated.status == ConsultationStatus.AWARDED


def test_the_standstill_makes_an_award_final(world):
    consultation = world.consultation()
    ours, _theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    with clock(evaluated.opening_at + timedelta(hours=1)):
        award = services.award_make(actor=actor_for(world.buyer), lot=world.lot(evaluated, 1), offer=ours)
        assert not services.award_is_final(award)
    assert services.award_is_final(award, at=award.standstill_until)
    assert not selectors.award_is_final(award, at=award.standstill_until - timedelta(seconds=1))
    with clock(award.standstill_until + timedelta(seconds=1)):
        _refused("award_final", services.award_cancel, actor=actor_for(world.buyer), award=award, reason="trop tard")


def test_another_organisation_cannot_evaluate_award_or_see_the_evaluation(world):
    consultation = world.consultation()
    ours, _theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    stranger = actor_for(world.other_buyer)
    with pytest.raises(NotFound):
        services.consultation_evaluate(actor=stranger, consultation=evaluated)
    with pytest.raises(NotFound):
        services.award_make(actor=stranger, lot=world.lot(evaluated, 1), offer=ours)
    assert not selectors.evaluations_of(stranger, evaluated).exists()
    evaluation = LotEvaluation.objects.get(lot__consultation=evaluated, lot__number=1)
    foreign = actor_for(world.foreign_manufacturer)
    assert [row.offer.supplier_id for row in selectors.evaluated_offers_of(foreign, evaluation)] == [
        world.foreign_maker.pk
    ]
    assert selectors.evaluated_offers_of(actor_for(world.buyer), evaluation).count() == 2


def test_evaluation_and_award_are_in_the_audit_trail(world):
    consultation = world.consultation()
    ours, _theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    evaluation = LotEvaluation.objects.get(lot__consultation=evaluated, lot__number=1)
    assert LogEntry.objects.get_for_object(evaluation).filter(action=LogEntry.Action.CREATE).exists()
    row = EvaluatedOffer.objects.filter(evaluation=evaluation).first()
    assert LogEntry.objects.get_for_object(row).exists()
    with clock(evaluated.opening_at + timedelta(hours=1)):
        award = services.award_make(actor=actor_for(world.buyer), lot=world.lot(evaluated, 1), offer=ours)
        services.award_cancel(actor=actor_for(world.buyer), award=award, reason="Erreur matérielle")
    actions = set(LogEntry.objects.get_for_object(award).values_list("action", flat=True))
    assert {LogEntry.Action.CREATE, LogEntry.Action.UPDATE} <= actions


def test_reason_texts_are_rebuilt_from_what_is_stored(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    world.offer(consultation, needles, ["1.20", "1.20"], world.variants(world.needles), user=world.manufacturer)
    untraced = world.submit(consultation, needles, ["0.50", "0.50"], user=world.foreign_manufacturer)
    rows = _rows(world.evaluated(consultation))
    reasons = services.reasons_from_json(rows[untraced.pk].reasons)
    assert services.reasons_to_json(reasons) == rows[untraced.pk].reasons
    with translation.override("en"):
        from tawrid.sourcing.evaluation import reason_text

        assert "DMP registration" in " ".join(reason_text(reason) for reason in reasons)


def test_a_consultation_with_an_awarded_lot_cannot_be_cancelled(world):
    consultation = world.consultation()
    ours, _theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    gloves = world.lot(consultation, 2)
    world.offer(consultation, gloves, ["0.80"], world.variants(world.gloves)[:1], user=world.manufacturer)
    evaluated = world.evaluated(consultation)
    buyer = actor_for(world.buyer)
    with clock(evaluated.opening_at + timedelta(hours=1)):
        services.award_make(actor=buyer, lot=world.lot(evaluated, 1), offer=ours)
        evaluated.refresh_from_db()
        assert evaluated.status == ConsultationStatus.EVALUATED  # the gloves are still to award
        _refused("lot_awarded", services.consultation_cancel, actor=buyer, consultation=evaluated, reason="Budget")
