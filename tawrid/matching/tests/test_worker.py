"""A national run cut into chunks, taken by two real `tawrid worker` processes at once: every line matched
exactly once, the allocation run once, by whichever worker finished the last chunk. A run whose worker was
killed in the middle of a chunk is finished by a resume, every line matched once."""

import os
import socket
import subprocess
import sys

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tawrid.core.bench import database_url
from tawrid.core.models import Job, JobStatus
from tawrid.core.permissions import actor_for
from tawrid.matching import services
from tawrid.matching.models import ChunkStatus, LineResult, MatchChunk, RunStatus

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_two_workers_share_a_national_run(settings, world):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    world.needle_plan()
    world.needle_plan(hospital=True)
    run = services.match_run_start(actor=actor_for(world.secretariat), year=2026, chunk_lines=1)
    assert run.chunks_total == 6
    assert Job.objects.filter(kind=services.CHUNK_JOB, status=JobStatus.QUEUED).count() == 6

    env = {**os.environ, "DATABASE_URL": database_url(), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    command = [sys.executable, "-m", "tawrid.cli", "worker", "--batch", "--interval", "0.1"]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-3000:]

    run.refresh_from_db()
    assert run.status == RunStatus.DONE, (run.error, list(Job.objects.values_list("kind", "status", "error")))
    assert LineResult.objects.filter(run=run).count() == 6
    assert LineResult.objects.filter(run=run).values("line").distinct().count() == 6
    chunks = MatchChunk.objects.filter(run=run)
    assert set(chunks.values_list("status", flat=True)) == {"done"}
    assert sum(chunks.values_list("attempts", flat=True)) == 6  # nobody matched a chunk twice
    assert Job.objects.filter(kind=services.ALLOCATE_JOB).count() == 1
    print("chunks by worker:", sorted(chunks.values_list("worker", flat=True)))
    assert not Job.objects.filter(status=JobStatus.FAILED).exists()
    assert float(run.covered_quantity) == 2 * 1000 + 2 * 200 - 1000  # 2,000 needles asked, 1,000 made a year


def _run_a_worker_until_the_queue_is_empty() -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url(), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    command = [sys.executable, "-m", "tawrid.cli", "worker", "--batch", "--interval", "0.1"]
    worker = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert worker.returncode == 0, worker.stderr[-3000:]
    return worker


def test_a_run_whose_worker_was_killed_in_a_chunk_is_finished_by_a_resume(settings, world):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    run = services.match_run_start(actor=actor_for(world.buyer), plan=world.needle_plan(), chunk_lines=1)
    second = MatchChunk.objects.get(run=run, number=2)
    job = Job.objects.get(kind=services.CHUNK_JOB, params={"chunk_id": second.pk})
    # A worker took the second chunk (its task, its job, the chunk) and was killed with SIGKILL a moment later.
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # stands for the worker
    worker, now = f"{socket.gethostname()}:{killed.pid}", timezone.now()
    DBTaskResult.objects.filter(id=job.task_id).update(status=TaskResultStatus.RUNNING, started_at=now)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, worker=worker, started_at=now)
    MatchChunk.objects.filter(pk=second.pk).update(
        status=ChunkStatus.RUNNING, worker=worker, started_at=now, attempts=1
    )
    killed.kill()
    killed.wait()

    restarted = _run_a_worker_until_the_queue_is_empty()  # fails the killed one's job, matches the other chunks
    assert str(job.pk) in restarted.stderr
    run.refresh_from_db()
    assert run.status == RunStatus.MATCHING and LineResult.objects.filter(run=run).count() == 2
    assert MatchChunk.objects.get(pk=second.pk).status == ChunkStatus.FAILED

    assert services.match_run_resume(actor=actor_for(world.buyer), run=run) == 1
    _run_a_worker_until_the_queue_is_empty()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, (run.error, list(Job.objects.values_list("kind", "status", "error")))
    assert (
        LineResult.objects.filter(run=run).count()
        == LineResult.objects.filter(run=run).values("line").distinct().count()
        == 3
    )
    assert list(MatchChunk.objects.filter(run=run).values_list("status", "attempts")) == [
        ("done", 1),
        ("done", 2),
        ("done", 1),
    ]
