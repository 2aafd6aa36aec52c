"""A national run cut into chunks, taken by two real `tawrid worker` processes at once: every line matched
exactly once, the allocation run once, by whichever worker finished the last chunk."""

import os
import subprocess
import sys

import pytest

from tawrid.core.bench import database_url
from tawrid.core.models import Job, JobStatus
from tawrid.core.permissions import actor_for
from tawrid.matching import services
from tawrid.matching.models import LineResult, MatchChunk, RunStatus

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
