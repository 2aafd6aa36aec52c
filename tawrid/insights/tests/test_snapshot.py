"""Indicator snapshots on a hand-made world (see SnapshotWorld): every figure computed by hand."""

from decimal import Decimal

import pytest

from tawrid.core.errors import Forbidden
from tawrid.core.permissions import Actor
from tawrid.insights import opportunities, selectors, services
from tawrid.insights.models import GroupFigures, GroupYearFigures, IndicatorSnapshot, SnapshotStatus
from tawrid.insights.tests.factories import SnapshotWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return SnapshotWorld()


@pytest.fixture
def snapshot(world):
    return world.compute()


def _year(snapshot, group: str, year: int) -> GroupYearFigures:
    return GroupYearFigures.objects.get(snapshot=snapshot, group=group, year=year)


def _group(snapshot, group: str) -> GroupFigures:
    return GroupFigures.objects.get(snapshot=snapshot, group=group)


def test_snapshot_is_ready_with_its_years(world, snapshot):
    assert snapshot.status == SnapshotStatus.READY
    assert snapshot.trade_years == [2022, 2023]
    assert snapshot.demand_years == [2026]
    assert snapshot.finished_at is not None
    assert [d["id"] for d in snapshot.datasets] == [world.dataset.pk]  # the refused one is not used
    assert snapshot.illustrative is False
    assert snapshot.complexity_countries == 0  # only Morocco's exports are loaded
    assert snapshot.complexity_year is None
    assert selectors.latest_snapshot() == snapshot


def test_imports_shared_by_the_crosswalk(snapshot):
    t01, t02 = _year(snapshot, "T01", 2023), _year(snapshot, "T02", 2023)
    # 401511: (1000 + 500) × 60 % and × 40 %
    assert t01.imports_usd == Decimal("900.00")
    assert t02.imports_usd == Decimal("600.00")
    assert t01.imports_mad == Decimal("9000.00")  # rate 10 MAD per USD
    assert t02.imports_mad == Decimal("6000.00")
    assert t01.import_origins == 2
    assert t02.import_origins == 2
    a02 = _year(snapshot, "A02", 2023)
    assert (a02.imports_usd, a02.imports_mad, a02.import_origins) == (Decimal("200.00"), Decimal("2000.00"), 1)


def test_world_row_without_detail_counts_without_origin(snapshot):
    a01 = _year(snapshot, "A01", 2023)
    assert a01.imports_usd == Decimal("300.00")
    assert a01.import_origins == 0


def test_year_without_rate_has_no_mad(snapshot):
    t01 = _year(snapshot, "T01", 2022)
    assert t01.imports_usd == Decimal("60.00")
    assert t01.imports_mad is None
    assert _year(snapshot, "T02", 2022).imports_usd == Decimal("40.00")


def test_exports_to_countries_only(snapshot):
    assert _year(snapshot, "T01", 2023).exports_usd == Decimal("80.00")
    assert _year(snapshot, "T02", 2023).exports_usd == Decimal("0.00")


def test_codes_outside_the_crosswalk_and_refused_datasets_count_for_nothing(snapshot):
    total = sum(row.imports_usd for row in GroupYearFigures.objects.filter(snapshot=snapshot, year=2023))
    assert total == Decimal("2000.00")  # 1500 + 200 + 300; neither 630790's 5000 nor the refused 9999


def test_declared_demand_per_group(snapshot):
    a02 = _year(snapshot, "A02", 2026)
    assert a02.demand_mad == Decimal("3000.00")  # 1000 × 2 + 500 × 1 + 100 × 5
    assert a02.demand_lines == 3
    assert a02.demand_buyers == 2
    t01 = _year(snapshot, "T01", 2026)
    assert (t01.demand_mad, t01.demand_lines, t01.demand_buyers) == (Decimal("600.00"), 1, 1)
    assert t01.imports_usd == 0
    assert t01.covered_mad == 0  # no match run


def test_local_supply_per_group(snapshot):
    t01 = _group(snapshot, "T01")
    assert t01.label == "PATIENT PROTECTIVE EQUIPMENT"
    assert (t01.products, t01.eligible_products, t01.manufacturers) == (2, 1, 1)  # the foreign maker is not local
    assert t01.capacity_units == 1500
    assert t01.risk_class == "IIa"  # one IIa, one I: the tie goes to the stricter class
    assert t01.risk_class_from_products is True
    assert [code for code, _share in t01.hs_codes] == ["401511", "401512"]
    assert t01.category_makers == 1
    a02 = _group(snapshot, "A02")
    assert (a02.products, a02.eligible_products, a02.manufacturers, a02.risk_class) == (1, 1, 1, "B")
    t02 = _group(snapshot, "T02")
    assert (t02.products, t02.manufacturers, t02.risk_class, t02.risk_class_from_products) == (0, 0, "", False)
    assert t02.category_makers == 1  # the glove maker is in category T
    assert [code for code, _share in t02.hs_codes] == ["401511"]
    assert t02.rca is None and t02.density is None


def test_hs_codes_shares_are_plain_percentages(snapshot):
    assert _group(snapshot, "T01").hs_codes == [["401511", "60"], ["401512", "100"]]
    assert _group(snapshot, "T02").hs_codes == [["401511", "40"]]


def test_year_totals(snapshot):
    totals = {t.year: t for t in selectors.year_totals(snapshot)}
    assert list(totals) == [2026, 2023, 2022]
    assert totals[2023].imports_usd == Decimal("2000.00")
    assert totals[2023].imports_mad == Decimal("20000.00")
    assert totals[2022].imports_usd == Decimal("100.00")
    assert totals[2022].imports_mad is None
    assert totals[2026].demand_mad == Decimal("3600.00")
    assert totals[2026].coverage == 0
    assert totals[2023].coverage is None
    only_t = {t.year: t for t in selectors.year_totals(snapshot, category="T")}
    assert only_t[2023].imports_usd == Decimal("1500.00")
    assert only_t[2026].demand_mad == Decimal("600.00")


def test_opportunity_list(snapshot):
    ranked = selectors.opportunity_list(snapshot)
    assert sorted(o.group for o in ranked) == ["A01", "A02", "T01", "T02"]
    by_group = {o.group: o for o in ranked}
    a02 = by_group["A02"].inputs
    assert (a02.imports, a02.demand, a02.buyers, a02.eligible_products, a02.risk_class) == (
        Decimal("2000.00"),
        Decimal("3000.00"),
        2,
        1,
        "B",
    )
    expected = opportunities.rank_opportunities(
        [
            opportunities.GroupInputs(group="A01", label="NEEDLES", imports=Decimal(3000), category_makers=1),
            opportunities.GroupInputs(
                group="A02",
                label="SYRINGES",
                imports=Decimal(2000),
                demand=Decimal(3000),
                buyers=2,
                eligible_products=1,
                manufacturers=1,
                risk_class="B",
                category_makers=1,
            ),
            opportunities.GroupInputs(
                group="T01",
                label="PATIENT PROTECTIVE EQUIPMENT",
                imports=Decimal(9000),
                demand=Decimal(600),
                buyers=1,
                eligible_products=1,
                manufacturers=1,
                risk_class="IIa",
                category_makers=1,
            ),
            opportunities.GroupInputs(group="T02", label="SURGICAL DRAPES", imports=Decimal(6000), category_makers=1),
        ]
    )
    assert [(o.group, o.score) for o in ranked] == [(o.group, o.score) for o in expected]
    assert [o.rank for o in ranked] == [1, 2, 3, 4]
    only_a = selectors.opportunity_list(snapshot, category="A")
    assert {o.group for o in only_a} == {"A01", "A02"}
    older = {o.group: o for o in selectors.opportunity_list(snapshot, trade_year=2022)}
    assert older["T01"].inputs.imports == Decimal("60.00")  # no rate for 2022: USD


def test_group_detail_reads(world, snapshot):
    origins = selectors.imports_by_origin("T01", 2023)
    assert [(o["country"], o["value_usd"]) for o in origins] == [("FRA", Decimal("600.00")), ("CHN", Decimal("300.00"))]
    assert origins[0]["share"] == pytest.approx(Decimal(600) / Decimal(900))
    by_hs = {row["hs6"]: row for row in selectors.imports_by_hs("T01", 2023)}
    assert by_hs["401511"]["value_usd"] == Decimal("1500.00")
    assert by_hs["401511"]["group_value_usd"] == Decimal("900.00")
    suppliers = selectors.group_suppliers(Actor(is_superuser=True), "T01")
    assert [(s["organisation"], s["products"], s["eligible"]) for s in suppliers] == [(world.glove_maker, 2, 1)]


def test_illustrative_dataset_flags_the_snapshot():
    world = SnapshotWorld(illustrative=True)
    assert world.compute().illustrative is True


def test_only_managers_compute(world):
    with pytest.raises(Forbidden):
        services.snapshot_compute_now(actor=world.non_manager_actor)
    with pytest.raises(Forbidden):
        services.snapshot_request(actor=world.non_manager_actor)
    assert not IndicatorSnapshot.objects.exists()


def test_snapshot_request_runs_the_job(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.snapshot_request(actor=world.manager_actor, user=world.manager)
    queued.refresh_from_db()
    assert queued.status == SnapshotStatus.READY
    assert queued.created_by == world.manager
    assert _year(queued, "T01", 2023).imports_usd == Decimal("900.00")


def test_a_new_snapshot_is_computed_from_what_is_loaded_now(world, snapshot):
    world.dataset.flows.filter(exporter="CHN").delete()
    newer = world.compute()
    assert selectors.latest_snapshot() == newer
    assert _year(newer, "T01", 2023).imports_usd == Decimal("600.00")
    assert _year(snapshot, "T01", 2023).imports_usd == Decimal("900.00")  # the old one is unchanged


def test_a_finished_matching_queues_one_refresh_at_a_time(world, settings):
    from tawrid.core.models import Job, JobStatus

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}  # jobs wait in the queue
    first = services.snapshot_refresh_after_change()
    assert first is not None and first.status == SnapshotStatus.COMPUTING and first.created_by is None
    assert first.job.status == JobStatus.QUEUED
    assert services.snapshot_refresh_after_change() is None  # one is waiting: it will read the new figures too
    assert IndicatorSnapshot.objects.filter(status=SnapshotStatus.COMPUTING).count() == 1
    Job.objects.filter(pk=first.job_id).update(status=JobStatus.RUNNING)  # started: a later change needs a new one
    assert services.snapshot_refresh_after_change() is not None
    assert IndicatorSnapshot.objects.filter(status=SnapshotStatus.COMPUTING).count() == 2
