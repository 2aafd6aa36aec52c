"""Match runs end to end through the services (the immediate task back-end runs the chunk and allocation jobs
as they are enqueued): results, variants, eligibility, allocation within capacity, decisions, resume."""

import socket
import subprocess
import sys
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from tawrid.catalog.services import product_update
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.jobs import job_execute
from tawrid.core.models import Job, JobStatus
from tawrid.core.permissions import actor_for
from tawrid.matching import selectors, services
from tawrid.matching.models import (
    ChunkStatus,
    DecisionKind,
    LineResult,
    MatchCandidate,
    MatchChunk,
    MatchDecision,
    ProductEmbedding,
    RunStatus,
)
from tawrid.matching.tests.factories import HIPS, OPERATOR

# Runs are jobs put on the queue when their transaction commits: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _result(run, number):
    return LineResult.objects.get(run=run, line__line_number=number)


def _top(run, number):
    return MatchCandidate.objects.filter(result=_result(run, number)).order_by("rank").first()


def test_a_plan_run_proposes_the_right_variant_and_allocates_within_capacity(world):
    plan = world.needle_plan()
    run = services.match_run_start(actor=actor_for(world.buyer), plan=plan)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert LineResult.objects.filter(run=run).count() == 3
    # the indicators are computed again from the new allocation (the immediate task back-end runs the job)
    from tawrid.insights.models import IndicatorSnapshot, SnapshotStatus

    assert IndicatorSnapshot.objects.filter(status=SnapshotStatus.READY, created_at__gte=run.created_at).exists()

    needle = _top(run, 1)
    assert needle.product == world.needles
    assert needle.variant.label == "21 G"  # 21 G asked: the 23 G variant would conflict
    assert needle.verdict == "good"
    fits = {f["attribute"]: f["fit"] for f in needle.explanation["fits"]}
    assert fits["gauge"] == "exact"
    uncertified = MatchCandidate.objects.get(result=_result(run, 1), product=world.uncertified)
    assert uncertified.verdict == "not_eligible" and uncertified.rank > needle.rank
    assert uncertified.explanation["missing"]  # what stands between it and eligibility
    assert uncertified.allocated_quantity == 0  # never allocated

    assert _top(run, 2).product == world.gloves
    # 1,500 needles asked, 1,000 a year is all the local maker can make; the gloves are all covered.
    assert _result(run, 1).covered_quantity == Decimal(1000)
    assert _result(run, 2).covered_quantity == Decimal(200)
    assert _result(run, 3).covered_quantity == 0
    assert _result(run, 3).best_score < 0.5  # hip prostheses: no needle or glove is proposed for them
    assert _result(run, 3).code_suggestions[0]["code"] == HIPS
    assert run.covered_quantity == Decimal(1200)
    assert run.total_quantity == Decimal(1704)
    assert selectors.coverage(run)["quantity_share"] == pytest.approx(1200 / 1704)
    gaps = selectors.gaps(actor_for(world.buyer), run)
    assert sum(g["uncovered"] for g in gaps) == Decimal(504)


def test_the_chunks_are_matched_once_each_and_a_rerun_writes_nothing_twice(world):
    plan = world.needle_plan()
    run = services.match_run_start(actor=actor_for(world.buyer), plan=plan, chunk_lines=1)
    run.refresh_from_db()
    assert run.chunks_total == 3 and run.status == RunStatus.DONE
    assert list(MatchChunk.objects.filter(run=run).values_list("status", "attempts")) == [("done", 1)] * 3
    chunk = MatchChunk.objects.filter(run=run).first()
    assert services.match_chunk_execute(chunk_id=chunk.pk) == 0  # a chunk delivered twice does nothing
    assert LineResult.objects.filter(run=run).count() == 3
    assert Job.objects.filter(kind=services.ALLOCATE_JOB, params={"run_id": run.pk}).count() == 1


def test_a_crashed_run_resumes_without_duplicates(world):
    plan = world.needle_plan()
    with override_settings(TASKS=QUEUE):
        run = services.match_run_start(actor=actor_for(world.buyer), plan=plan, chunk_lines=1)
        first, second, third = MatchChunk.objects.filter(run=run).order_by("number")
        job_of = {job.params["chunk_id"]: job.pk for job in Job.objects.filter(kind=services.CHUNK_JOB)}
        job_execute(job_of[first.pk])
        # A worker of this host took the second chunk and died; the third failed.
        dead = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
        dead.wait()
        worker, now = f"{socket.gethostname()}:{dead.pid}", timezone.now()
        Job.objects.filter(pk=job_of[second.pk]).update(status=JobStatus.RUNNING, worker=worker, started_at=now)
        MatchChunk.objects.filter(pk=second.pk).update(
            status=ChunkStatus.RUNNING, started_at=now, attempts=1, worker=worker
        )
        Job.objects.filter(pk=job_of[third.pk]).update(status=JobStatus.FAILED, error="boom")
        MatchChunk.objects.filter(pk=third.pk).update(status=ChunkStatus.FAILED, attempts=1, error="boom")
        run.refresh_from_db()
        assert selectors.is_stalled(run, selectors.run_progress(run))

        assert services.match_run_resume(actor=actor_for(world.buyer), run=run) == 2
        for job in Job.objects.filter(kind=services.CHUNK_JOB, status=JobStatus.QUEUED).order_by("pk"):
            job_execute(job.pk)
        allocation = Job.objects.get(kind=services.ALLOCATE_JOB)
        job_execute(allocation.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert LineResult.objects.filter(run=run).count() == 3
    assert MatchChunk.objects.get(pk=first.pk).attempts == 1  # the finished chunk was not matched again
    assert MatchChunk.objects.get(pk=second.pk).attempts == 2
    assert run.covered_quantity == Decimal(1200)


def test_decisions_are_kept_and_move_the_coverage(world):
    plan = world.needle_plan()
    buyer = actor_for(world.buyer)
    run = services.match_run_start(actor=buyer, plan=plan)
    line = _result(run, 1).line
    services.decision_record(actor=buyer, line=line, product=world.needles, decision=DecisionKind.REJECTED)
    run.refresh_from_db()
    assert _result(run, 1).covered_quantity == 0  # the only eligible needle was rejected
    assert run.covered_quantity == Decimal(200)

    gloves_line = _result(run, 2).line
    services.decision_record(actor=buyer, line=gloves_line, product=world.gloves, decision=DecisionKind.CONFIRMED)
    assert ("GANTS D'EXAMEN NITRILE NON POUDRES T/M", world.glove_code.code) in selectors.labelled_examples()

    services.decision_withdraw(actor=buyer, line=line, product=world.needles)
    run.refresh_from_db()
    assert run.covered_quantity == Decimal(1200)
    assert MatchDecision.objects.count() == 1


def test_only_the_buyer_decides_and_only_on_what_was_proposed(world):
    plan = world.needle_plan()
    run = services.match_run_start(actor=actor_for(world.buyer), plan=plan)
    line = _result(run, 1).line
    for user in (world.other_buyer, world.manufacturer, world.buyer_reader, world.secretariat):
        with pytest.raises(Forbidden):
            services.decision_record(actor=actor_for(user), line=line, product=world.needles, decision="confirmed")
    with pytest.raises(DomainError):
        services.decision_record(actor=actor_for(world.buyer), line=line, product=world.gloves, decision="maybe")
    assert not MatchDecision.objects.exists()


def test_who_may_start_runs(world):
    plan = world.needle_plan()
    for user in (world.other_buyer, world.manufacturer, world.buyer_reader):
        with pytest.raises(Forbidden):
            services.match_run_start(actor=actor_for(user), plan=plan)
    with pytest.raises(Forbidden):
        services.match_run_start(actor=actor_for(world.buyer), year=2026)
    run = services.match_run_start(actor=actor_for(world.secretariat), year=2026)
    assert run.scope == "national" and run.lines_total == 3
    with pytest.raises(DomainError):
        services.match_run_start(actor=actor_for(world.secretariat), year=1999)  # no published plan


def test_another_organisation_sees_nothing_of_a_plan_run(world):
    plan = world.needle_plan()
    run = services.match_run_start(actor=actor_for(world.buyer), plan=plan)
    for user in (world.other_buyer, world.manufacturer):
        actor = actor_for(user)
        assert selectors.latest_run(actor, plan=plan) is None
        assert not selectors.line_results(actor, run).exists()
    assert selectors.line_results(actor_for(world.secretariat), run).count() == 3  # it oversees the group


def test_a_manufacturer_sees_the_lines_its_products_match_and_nothing_of_others(world):
    plan = world.needle_plan()
    services.match_run_start(actor=actor_for(world.buyer), plan=plan)
    mine = list(selectors.supplier_matches(actor_for(world.manufacturer)))
    assert {c.product_id for c in mine} <= {world.needles.pk, world.gloves.pk}
    assert {c.result.line.line_number for c in mine} >= {1, 2}
    others = list(selectors.supplier_matches(actor_for(world.other_manufacturer)))
    assert {c.product_id for c in others} <= {world.uncertified.pk}


def test_a_draft_plan_is_matched_for_its_buyer_but_not_shown_to_manufacturers(world):
    plan = world.needle_plan(publish=False)
    services.match_run_start(actor=actor_for(world.buyer), plan=plan)
    assert not selectors.supplier_matches(actor_for(world.manufacturer)).exists()


def test_changing_one_product_re_embeds_that_product_only(world):
    assert services.embeddings_refresh() == 3
    assert services.embeddings_refresh() == 0
    product_update(actor=OPERATOR, product=world.gloves, name_fr="Gant d'examen nitrile bleu non poudré")
    assert services.embeddings_refresh() == 1
    assert ProductEmbedding.objects.count() == 3


def test_code_suggestions_come_from_the_nomenclature(world):
    suggestions = services.suggest_codes("aiguille hypodermique", top=3)
    assert suggestions and suggestions[0]["code"].startswith("A")
    assert set(suggestions[0]) == {"code", "term", "score"}
