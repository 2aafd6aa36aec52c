"""One national figure for one thing: the declared demand of a year and its local coverage are read from one
selector (`selectors.year_totals`) by the indicators page, the secretariat's dashboard, the ministries'
dashboards, the API and the quarterly PDF; "all lines" counts every line of the plans in force, coded or not,
with the EMDN-coded part beside it."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tawrid.core.permissions import Actor
from tawrid.demand.models import PlanLine
from tawrid.insights import dashboards, reports, selectors
from tawrid.insights.tests.factories import DashboardWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """DashboardWorld (3600 MAD of EMDN-coded lines in 2026, 1500 MAD covered) with one more line of 400 MAD that
    carries no EMDN code: all lines 4000 MAD, of which 3600 coded."""
    world = DashboardWorld()
    line = world.hospital_plan.lines.order_by("line_number").last()
    line.pk = None
    line.line_number += 1
    line.designation = "COMPRESSES STERILES 10X10"
    line.emdn, line.emdn_source = None, ""
    line.quantity = line.base_quantity = Decimal(100)
    line.unit_price, line.estimated_value = Decimal(4), Decimal(400)
    line.save()
    world.snapshot = world.compute()
    return world


def _attr(html: str, testid: str, name: str, **match: str) -> str:
    for tag in re.findall(rf'<[^>]*data-testid="{testid}"[^>]*>', html):
        if all(f'data-{k}="{v}"' in tag for k, v in match.items()):
            found = re.search(rf'data-{name}="([^"]*)"', tag)
            assert found, tag
            return found.group(1)
    raise AssertionError(f"no {testid} {match} in the page")


def test_year_totals_count_all_lines_with_the_coded_part_beside(world):
    assert PlanLine.objects.filter(emdn__isnull=True).count() == 1
    totals = selectors.national_year(world.snapshot, 2026)
    assert totals is not None
    assert (totals.demand_mad, totals.demand_coded_mad, totals.covered_mad) == (
        Decimal("4000.00"), Decimal("3600.00"), Decimal("1500.00"),
    )  # fmt: skip
    assert totals.coverage == Decimal("0.375")
    assert totals.buyers == 2
    # Per EMDN category only coded lines can be counted: both demands are the category's coded demand.
    (syringes,) = [t for t in selectors.year_totals(world.snapshot, category="A") if t.year == 2026]
    assert syringes.demand_mad == syringes.demand_coded_mad == Decimal("3000.00")


def test_indicators_and_secretariat_pages_show_the_same_figures(client, world):
    client.force_login(world.manager)
    indicators = client.get(reverse("insights:index") + "?year=2026").content.decode()
    cluster = client.get(reverse("insights:dashboard_cluster") + "?year=2026").content.decode()
    demand = _attr(indicators, "year-total", "demand", year="2026")
    coverage = _attr(indicators, "year-total", "coverage", year="2026")
    assert Decimal(demand) == Decimal("4000.00")
    assert Decimal(_attr(cluster, "cluster-totals", "demand")) == Decimal(demand)
    assert _attr(cluster, "cluster-totals", "coverage") == coverage == "37,5\u00a0%"
    coded = "3\u00a0600" if "3\u00a0600" in indicators else "3 600"
    assert coded in indicators and coded in cluster  # the EMDN-coded part, beside the figure on both pages
    assert 'data-testid="listed-demand">4' in cluster  # the member buyers it lists: both, here


def test_api_dashboards_and_report_read_the_same_figures(client, world):
    from tawrid.accounts.tests.factories import token_for

    headers = {"Authorization": f"Bearer {token_for(world.manager)[1]}"}
    years = client.get("/api/v1/insights/indicators/years", headers=headers).json()
    (year,) = [y for y in years if y["year"] == 2026]
    figures = [Decimal(year[name]) for name in ("demand_mad", "demand_coded_mad", "coverage")]
    assert figures == [Decimal(4000), Decimal(3600), Decimal("0.375")]
    cluster = client.get("/api/v1/insights/dashboards/cluster?year=2026", headers=headers).json()
    assert [Decimal(cluster["totals"][name]) for name in ("demand_mad", "coverage")] == figures[::2]
    regulatory = dashboards.regulatory_dashboard(Actor(is_superuser=True), world.snapshot)
    assert regulatory["totals"]["coverage"] == Decimal("0.375")
    quarterly = reports.quarterly_context(world.snapshot, period="2026-T4", language="fr")
    (printed,) = [t for t in quarterly["totals"] if t.year == 2026]
    assert (printed.demand_mad, printed.coverage) == (Decimal("4000.00"), Decimal("0.375"))
