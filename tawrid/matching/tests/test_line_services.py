"""Decisions on whole lines and the allocation that follows them: the Foley CH 16 line of the demo (issue 16,
item 5), "no local source", "reject all", "confirm the best", clearing, and who may decide."""

from decimal import Decimal

import pytest

from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import actor_for
from tawrid.matching import line_services, selectors, services
from tawrid.matching.models import LineDecision, LineResult, MatchCandidate, MatchDecision, MatchRun

pytestmark = pytest.mark.django_db


def _allocated(run: MatchRun, line_number: int) -> dict[int, Decimal]:
    return {
        c.product_id: c.allocated_quantity
        for c in MatchCandidate.objects.filter(result__run=run, result__line__line_number=line_number)
        if c.allocated_quantity
    }


def _covered(run: MatchRun, line_number: int) -> Decimal:
    return LineResult.objects.get(run=run, line__line_number=line_number).covered_quantity


def test_the_foley_line_goes_to_the_98_percent_candidates_not_the_cheap_61_percent_one(foley):
    plan, run = foley.foley_plan()
    allocated = _allocated(run, 1)
    assert sum(allocated.values()) == 1200
    assert foley.cheap.pk not in allocated  # it took all 1,200 units before the fit dominated the cost
    assert set(allocated) <= {p.pk for p in foley.foleys}
    # every candidate holding volume is among those the buyer's page shows at once (the first three)
    shown = {
        c.product_id for c in MatchCandidate.objects.filter(result__run=run, result__line__line_number=1, rank__lte=3)
    }
    assert set(allocated) <= shown


def test_confirming_moves_the_volume_and_the_confirmed_figure(foley):
    plan, run = foley.foley_plan()
    assert selectors.coverage(run)["confirmed_quantity"] == 0
    line = plan.lines.get(line_number=1)
    services.decision_record(actor=actor_for(foley.buyer), line=line, product=foley.cheap, decision="confirmed")
    run.refresh_from_db()
    assert _allocated(run, 1) == {foley.cheap.pk: 1200}  # the buyer's choice comes first
    coverage = selectors.coverage(run)
    assert coverage["confirmed_quantity"] == 1200 and coverage["lines_decided"] == 1
    assert coverage["confirmed_share"] == pytest.approx(1200 / 1400)


def test_no_local_source_uncovers_the_lines_and_clear_restores_them(foley):
    plan, run = foley.foley_plan()
    assert run.covered_quantity == 1400
    line = plan.lines.get(line_number=1)
    outcome = line_services.lines_decide(
        actor=actor_for(foley.buyer), plan=plan, line_ids=[line.pk], action="no_local_source", reason="Importé"
    )
    assert (outcome.lines, outcome.changed) == (1, 1)
    run.refresh_from_db()
    assert run.covered_quantity == 200 and _covered(run, 1) == 0 and _allocated(run, 1) == {}
    assert LineDecision.objects.get().reason == "Importé"
    assert selectors.coverage(run)["lines_no_local_source"] == 1
    # twice is the same decision, not a second one
    line_services.lines_decide(actor=actor_for(foley.buyer), plan=plan, line_ids=[line.pk], action="no_local_source")
    assert LineDecision.objects.count() == 1

    line_services.lines_decide(actor=actor_for(foley.buyer), plan=plan, line_ids=[line.pk], action="clear")
    run.refresh_from_db()
    assert run.covered_quantity == 1400 and not LineDecision.objects.exists()


def test_reject_all_releases_every_allocation_of_the_lines(foley):
    plan, run = foley.foley_plan()
    lines = list(plan.lines.values_list("pk", flat=True))
    outcome = line_services.lines_decide(actor=actor_for(foley.buyer), plan=plan, line_ids=lines, action="reject_all")
    assert outcome.changed == 5 + 1  # the Foley line's five candidates and the gloves
    run.refresh_from_db()
    assert run.covered_quantity == 0
    assert not MatchCandidate.objects.filter(result__run=run, allocated_quantity__gt=0).exists()
    assert set(MatchDecision.objects.values_list("decision", flat=True)) == {"rejected"}


def test_confirm_the_best_skips_rejected_proposals_and_lifts_no_local_source(foley):
    plan, run = foley.foley_plan()
    actor = actor_for(foley.buyer)
    line = plan.lines.get(line_number=1)
    services.decision_record(actor=actor, line=line, product=foley.foleys[0], decision="rejected")
    line_services.lines_decide(actor=actor, plan=plan, line_ids=[line.pk], action="no_local_source")
    outcome = line_services.lines_decide(actor=actor, plan=plan, line_ids=[line.pk], action="confirm_best")
    assert (outcome.changed, outcome.skipped) == (1, 0)
    confirmed = MatchDecision.objects.get(decision="confirmed")
    assert confirmed.product == foley.foleys[1]  # the best not rejected
    assert not LineDecision.objects.exists()
    run.refresh_from_db()
    assert _allocated(run, 1) == {foley.foleys[1].pk: 1200}


def test_confirm_the_best_leaves_a_line_without_a_fitting_proposal(foley):
    plan, run = foley.foley_plan()
    actor = actor_for(foley.buyer)
    line = plan.lines.get(line_number=1)
    MatchCandidate.objects.filter(result__line=line, score__gte=0.5).update(verdict="conflict")
    outcome = line_services.lines_decide(actor=actor, plan=plan, line_ids=[line.pk], action="confirm_best")
    assert (outcome.changed, outcome.skipped) == (0, 1)
    assert not MatchDecision.objects.exists()


@pytest.mark.parametrize("who", ["other_buyer", "manufacturer", "buyer_reader", "secretariat"])
def test_only_the_buyers_writers_decide_on_lines(foley, who):
    plan, run = foley.foley_plan()
    lines = list(plan.lines.values_list("pk", flat=True))
    with pytest.raises(Forbidden):
        line_services.lines_decide(
            actor=actor_for(getattr(foley, who)), plan=plan, line_ids=lines, action="no_local_source"
        )
    assert not LineDecision.objects.exists()


def test_lines_of_another_plan_are_ignored_and_bad_actions_refused(foley):
    plan, run = foley.foley_plan()
    other = foley.needle_plan(hospital=True)
    actor = actor_for(foley.buyer)
    with pytest.raises(DomainError) as error:
        line_services.lines_decide(
            actor=actor, plan=plan, line_ids=list(other.lines.values_list("pk", flat=True)), action="no_local_source"
        )
    assert error.value.code == "no_lines_selected"
    with pytest.raises(DomainError) as error:
        line_services.lines_decide(actor=actor, plan=plan, line_ids=[plan.lines.first().pk], action="maybe")
    assert error.value.code == "bad_action"
    assert not LineDecision.objects.exists()
