"""Job titles name a match run as a person would: a plan by its title, buyer and year, not "One plan 2027 #6"."""

from django.utils import translation

from tawrid.accounts.models import Organisation
from tawrid.demand.models import PurchasePlan
from tawrid.matching.models import MatchRun, RunScope
from tawrid.matching.services import _run_name


def _plan_run(title: str) -> MatchRun:
    buyer = Organisation(pk=3, name="CHU Ibn Sina")
    plan = PurchasePlan(pk=6, buyer=buyer, year=2027, title=title)
    return MatchRun(pk=9, scope=RunScope.PLAN, year=2027, plan=plan)


def test_a_plan_run_is_named_by_its_plan_buyer_and_year():
    with translation.override("en"):
        assert _run_name(_plan_run("Consommables")) == "plan “Consommables” of CHU Ibn Sina (2027)"
        assert _run_name(_plan_run("")) == "2027 plan of CHU Ibn Sina"
        assert _run_name(MatchRun(pk=2, scope=RunScope.NATIONAL, year=2027)) == "all published plans of 2027"
