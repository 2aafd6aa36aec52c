"""A run whose worker died in the middle of a chunk: the chunk is found by its worker's process being gone (as
interrupted jobs are), never closed as done with lines missing, and matched for real by a resume or by retrying
its job. The chunks' jobs are put on a real queue and run here one by one."""

import socket
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tawrid.core import jobs
from tawrid.core.errors import DomainError
from tawrid.core.models import Job, JobStatus
from tawrid.core.permissions import actor_for
from tawrid.matching import selectors, services
from tawrid.matching.models import ChunkStatus, LineResult, MatchChunk, RunStatus

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _dead_worker() -> str:
    probe = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    probe.wait()
    return f"{socket.gethostname()}:{probe.pid}"


def _chunk_job(chunk: MatchChunk) -> Job:
    return Job.objects.filter(kind=services.CHUNK_JOB, params={"chunk_id": chunk.pk}).latest("pk")


def _run_queued_jobs() -> None:
    """What a worker does: every queued job, in order, until none is left (the allocation comes last)."""
    while job := Job.objects.filter(status=JobStatus.QUEUED).order_by("pk").first():
        jobs.job_execute(job.pk)


def _run_with_a_chunk_killed_in_the_middle(world, *, worker: str):
    """A three-line plan in three chunks: the first and third matched, the second taken by `worker` (its job and
    its chunk `running`, started a moment ago) and never finished."""
    plan = world.needle_plan()
    run = services.match_run_start(actor=actor_for(world.buyer), plan=plan, chunk_lines=1)
    first, second, third = MatchChunk.objects.filter(run=run).order_by("number")
    now = timezone.now()
    Job.objects.filter(pk=_chunk_job(second).pk).update(status=JobStatus.RUNNING, worker=worker, started_at=now)
    MatchChunk.objects.filter(pk=second.pk).update(
        status=ChunkStatus.RUNNING, worker=worker, started_at=now, attempts=1
    )
    return run, second


def _assert_every_line_matched_once(run) -> None:
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert LineResult.objects.filter(run=run).count() == run.lines_total == 3
    assert LineResult.objects.filter(run=run).values("line").distinct().count() == 3
    assert set(MatchChunk.objects.filter(run=run).values_list("status", flat=True)) == {ChunkStatus.DONE}
    assert Job.objects.filter(kind=services.ALLOCATE_JOB, params={"run_id": run.pk}).count() == 1


@override_settings(TASKS=QUEUE)
def test_a_chunk_of_a_dead_worker_is_resumed_at_once_and_the_run_is_done_only_with_every_line(world):
    run, second = _run_with_a_chunk_killed_in_the_middle(world, worker=_dead_worker())
    _run_queued_jobs()  # the other chunks are matched; the run must wait for the second
    run.refresh_from_db()
    assert run.status == RunStatus.MATCHING
    assert LineResult.objects.filter(run=run).count() == 2
    assert selectors.is_stalled(run, selectors.run_progress(run))  # not after a delay: its worker is gone

    assert services.match_run_resume(actor=actor_for(world.buyer), run=run) == 1
    assert services.match_run_resume(actor=actor_for(world.buyer), run=run) == 0  # already back on the queue
    assert not Job.objects.filter(kind=services.ALLOCATE_JOB).exists()
    _run_queued_jobs()

    _assert_every_line_matched_once(run)
    assert MatchChunk.objects.get(pk=second.pk).attempts == 2
    with pytest.raises(DomainError) as refused:
        services.match_run_resume(actor=actor_for(world.buyer), run=run)
    assert refused.value.code == "run_done"


@override_settings(TASKS=QUEUE)
def test_retrying_the_interrupted_job_of_a_chunk_matches_its_lines(world):
    run, second = _run_with_a_chunk_killed_in_the_middle(world, worker=_dead_worker())
    _run_queued_jobs()
    interrupted = _chunk_job(second)

    assert jobs.fail_interrupted_jobs() == [interrupted.pk]  # what a worker starting on this host does
    assert MatchChunk.objects.get(pk=second.pk).status == ChunkStatus.FAILED
    interrupted.refresh_from_db()
    retry = jobs.job_retry(job=interrupted)
    _run_queued_jobs()

    retry.refresh_from_db()
    assert retry.status == JobStatus.SUCCEEDED and retry.result["lines"] == 1
    _assert_every_line_matched_once(run)


@override_settings(TASKS=QUEUE)
def test_a_resume_leaves_a_chunk_of_a_live_worker_to_it_and_does_not_close_the_run(world):
    """Nothing is matched here: the chunks' jobs stay queued (pid 1 lives: the chunk's worker is at work)."""
    run, second = _run_with_a_chunk_killed_in_the_middle(world, worker=f"{socket.gethostname()}:1")
    Job.objects.filter(status=JobStatus.QUEUED).update(status=JobStatus.SUCCEEDED)  # as if the others were done
    MatchChunk.objects.filter(run=run).exclude(pk=second.pk).update(status=ChunkStatus.DONE)

    assert services.match_run_resume(actor=actor_for(world.buyer), run=run) == 0
    run.refresh_from_db()
    assert run.status == RunStatus.MATCHING
    assert not Job.objects.filter(kind=services.ALLOCATE_JOB).exists()
    assert MatchChunk.objects.get(pk=second.pk).status == ChunkStatus.RUNNING

    # a run an older version closed with a chunk unfinished is resumed, not refused
    MatchChunk.objects.filter(pk=second.pk).update(status=ChunkStatus.FAILED)
    Job.objects.filter(pk=_chunk_job(second).pk).update(status=JobStatus.FAILED)
    run.status = RunStatus.DONE
    run.save(update_fields=["status"])
    assert services.match_run_resume(actor=actor_for(world.buyer), run=run) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.MATCHING


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@override_settings(TASKS=QUEUE)
def test_two_resumes_at_once_put_each_chunk_back_once(world, monkeypatch):
    run, second = _run_with_a_chunk_killed_in_the_middle(world, worker=_dead_worker())
    Job.objects.filter(status=JobStatus.QUEUED).update(status=JobStatus.SUCCEEDED)
    MatchChunk.objects.filter(run=run).exclude(pk=second.pk).update(status=ChunkStatus.DONE)
    enqueue = services._enqueue_chunks

    def slow_enqueue(*args, **kwargs):
        time.sleep(0.5)  # widens the window between reading the chunks and queuing them
        enqueue(*args, **kwargs)

    monkeypatch.setattr(services, "_enqueue_chunks", slow_enqueue)
    start, counts, errors = threading.Barrier(2), [], []

    def resume() -> None:
        try:
            start.wait()
            counts.append(services.match_run_resume(actor=actor_for(world.buyer), run=run))
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=resume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(counts) == [0, 1]
    queued = Job.objects.filter(kind=services.CHUNK_JOB, params={"chunk_id": second.pk}, status=JobStatus.QUEUED)
    assert queued.count() == 1
    assert not Job.objects.filter(kind=services.ALLOCATE_JOB).exists()
