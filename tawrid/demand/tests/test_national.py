"""National demand: aggregates against hand-computed totals, roll-up, the refresh job."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from tawrid.core.models import Job, JobStatus
from tawrid.demand import services
from tawrid.demand.models import DemandAggregate, PlanLine, PurchasePlan
from tawrid.demand.tests.national import R1, R2, build

pytestmark = pytest.mark.django_db


def figures(code: str, region: str = "", kind: str = "", scheme: str = "emdn", year: int = 2026) -> tuple:
    row = DemandAggregate.objects.get(year=year, scheme=scheme, code=code, region=region, buyer_kind=kind)
    return row.buyers_count, row.lines_count, row.base_quantity, row.estimated_value


def test_emdn_ancestors():
    assert services.emdn_ancestors("A0101010101") == ["A", "A01", "A0101", "A010101", "A01010101", "A0101010101"]
    assert services.emdn_ancestors("Z") == ["Z"]


def test_counted_plans_are_the_versions_in_force(world):
    plans = build(world)
    counted = set(services.counted_plans().filter(year=2026))
    assert counted == {plans["v2"], plans["chu"]}  # v1 superseded, the draft left out, the closed CHU kept


def test_totals_match_hand_computed_figures(world):
    build(world)
    services.demand_aggregate_refresh(year=2026)
    # all regions, all kinds: group v2 (10 U + 500) and CHU (7 U) under A; the superseded 99 and the draft 1000 not.
    assert figures("A") == (2, 3, Decimal("517.000"), Decimal("177.00"))
    assert figures("A01") == (2, 3, Decimal("517.000"), Decimal("177.00"))
    assert figures("A0101") == (2, 2, Decimal("17.000"), Decimal("27.00"))
    assert figures("A010101") == (2, 2, Decimal("17.000"), Decimal("27.00"))
    assert figures("A0102") == (1, 1, Decimal("500.000"), Decimal("150.00"))
    assert figures("T") == (1, 1, Decimal("3.000"), Decimal("0.00"))
    assert figures("T01") == (1, 1, Decimal("3.000"), Decimal("0.00"))
    # per region and per buyer kind
    assert figures("A", region=R1) == (1, 2, Decimal("510.000"), Decimal("170.00"))
    assert figures("A", region=R1, kind="hospital_group") == (1, 2, Decimal("510.000"), Decimal("170.00"))
    assert figures("A", kind="hospital") == (1, 1, Decimal("7.000"), Decimal("7.00"))
    assert figures("A010101", region=R2, kind="hospital") == (1, 1, Decimal("7.000"), Decimal("7.00"))
    assert not DemandAggregate.objects.filter(year=2026, region=R1, buyer_kind="hospital").exists()
    # CPV
    assert figures("33000000-0", scheme="cpv") == (1, 1, Decimal("3.000"), Decimal("0.00"))
    # 7 EMDN codes: 4 shared by both buyers (7 cells each), 3 of one buyer (4 cells each); 1 CPV code × 4 cells
    assert DemandAggregate.objects.filter(year=2026, scheme="emdn").count() == 4 * 7 + 3 * 4
    assert DemandAggregate.objects.filter(year=2026, scheme="cpv").count() == 4
    row = DemandAggregate.objects.get(year=2026, scheme="emdn", code="A0101", region="", buyer_kind="")
    assert (row.level, row.label) == (3, "Group A0101")
    assert DemandAggregate.objects.get(year=2026, scheme="emdn", code="A010101", region="", buyer_kind="").label == (
        "Hypodermic needles"
    )


def test_other_year_is_separate_and_refresh_replaces_the_year(world):
    build(world)
    services.demand_aggregate_refresh(year=2026)
    services.demand_aggregate_refresh(year=2027)
    assert figures("A", year=2027) == (1, 1, Decimal("500.000"), Decimal("1000.00"))
    assert figures("A") == (2, 3, Decimal("517.000"), Decimal("177.00"))
    PurchasePlan.objects.filter(year=2026, buyer__region=R2).delete()
    services.demand_aggregate_refresh(year=2026)
    assert figures("A") == (1, 2, Decimal("510.000"), Decimal("170.00"))
    assert not DemandAggregate.objects.filter(year=2026, code="T").exists()
    assert DemandAggregate.objects.filter(year=2027).exists()


def test_refresh_records_when_even_a_year_left_without_demand(world):
    from tawrid.demand.models import DemandRefresh
    from tawrid.demand.selectors import national_refreshed_at

    build(world)
    assert national_refreshed_at(2026) is None
    services.demand_aggregate_refresh(year=2026)
    first = DemandRefresh.objects.get(year=2026)
    assert first.rows == DemandAggregate.objects.filter(year=2026).count() > 0
    PlanLine.objects.filter(plan__year=2026).delete()
    services.demand_aggregate_refresh(year=2026)
    marker = DemandRefresh.objects.get(year=2026)
    assert marker.rows == 0 and marker.refreshed_at >= first.refreshed_at
    assert national_refreshed_at(2026) == marker.refreshed_at
    assert not DemandAggregate.objects.filter(year=2026).exists()


def test_refresh_reads_in_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    build(world)
    with django_assert_max_num_queries(16):
        services.demand_aggregate_refresh(year=2026)


def test_publishing_runs_the_refresh_job(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build(world)
    jobs = Job.objects.filter(kind=services.REFRESH_JOB)
    # publish v1, publish v2 (amendment), publish CHU, close CHU, publish 2027
    assert jobs.count() == 5
    assert set(jobs.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
    assert figures("A") == (2, 3, Decimal("517.000"), Decimal("177.00"))
    assert figures("A", year=2027) == (1, 1, Decimal("500.000"), Decimal("1000.00"))


def test_refresh_demand_command(world):
    build(world)
    call_command("refresh_demand", "--year", "2026")
    assert figures("A0102") == (1, 1, Decimal("500.000"), Decimal("150.00"))
    assert not DemandAggregate.objects.filter(year=2027).exists()
    call_command("refresh_demand")
    assert DemandAggregate.objects.filter(year=2027).exists()
