"""A run applies the codes the engine is sure of to the lines without the buyer's, and national demand counts them
(the immediate task back-end runs the chunk, allocation and refresh jobs as they are enqueued)."""

import pytest

from tawrid.core.permissions import actor_for
from tawrid.demand import coding
from tawrid.demand import services as demand_services
from tawrid.demand.models import DemandAggregate, EmdnSource
from tawrid.matching import services
from tawrid.matching.engine.confidence import THRESHOLD
from tawrid.matching.tests.factories import GLOVES, NEEDLES

pytestmark = pytest.mark.django_db(transaction=True)


def _lines(plan):
    return list(plan.lines.select_related("emdn").order_by("line_number"))


def test_a_run_codes_uncoded_lines_keeps_the_buyers_and_feeds_national_demand(world):
    actor = actor_for(world.buyer)
    plan = world.needle_plan(publish=False)
    hips = _lines(plan)[2]
    demand_services.line_update(actor=actor, line=hips, data={"emdn_code": world.glove_code})  # the buyer's word
    plan = demand_services.plan_publish(actor=actor, plan=plan)
    assert not DemandAggregate.objects.filter(year=2026, code="A").exists()

    services.match_run_start(actor=actor, plan=plan)
    needle, gloves, hips = _lines(plan)
    assert needle.emdn_source == EmdnSource.SUGGESTED and NEEDLES.startswith(needle.emdn.code)
    assert len(needle.emdn.code) >= 3 and needle.emdn_mass >= THRESHOLD
    assert gloves.emdn_source == EmdnSource.SUGGESTED and GLOVES.startswith(gloves.emdn.code)
    assert (hips.emdn.code, hips.emdn_source) == (GLOVES, EmdnSource.BUYER)  # never replaced
    # the refresh job ran after the run: the needles are in national demand, counted as coded by the engine
    needles = DemandAggregate.objects.get(year=2026, scheme="emdn", code="A", region="", buyer_kind="")
    assert (needles.lines_count, needles.lines_suggested) == (1, 1)

    coding.codes_confirm(actor=actor, plan=plan, line_ids=[needle.pk])
    services.match_run_start(actor=actor, plan=plan)  # a re-run leaves the confirmed code alone
    needle, gloves, _hips = _lines(plan)
    assert needle.emdn_source == EmdnSource.CONFIRMED and needle.emdn_mass is None
    assert gloves.emdn_source == EmdnSource.SUGGESTED
    needles = DemandAggregate.objects.get(year=2026, scheme="emdn", code="A", region="", buyer_kind="")
    assert (needles.lines_count, needles.lines_suggested) == (1, 0)
