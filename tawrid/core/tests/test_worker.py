"""A real `tawrid worker` process takes a job from the database queue and runs it."""

import datetime
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.utils import timezone

from tawrid.core import jobs
from tawrid.core.bench import database_url
from tawrid.core.models import Job, JobStatus

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _run_a_worker_until_the_queue_is_empty() -> subprocess.CompletedProcess[str]:
    """A real `tawrid worker --batch` process on the test database."""
    env = {**os.environ, "DATABASE_URL": database_url(), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    return subprocess.run(
        [sys.executable, "-m", "tawrid.cli", "worker", "--batch", "--interval", "0.1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_worker_process_runs_a_queued_job(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    old = Job.objects.create(kind="core.prune_jobs", title="old", status=JobStatus.SUCCEEDED)
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=400))
    recent = Job.objects.create(
        kind="core.prune_jobs", title="recent", status=JobStatus.SUCCEEDED, finished_at=timezone.now()
    )

    job = jobs.job_enqueue(kind="core.prune_jobs", title="Prune", params={"older_than_days": 90})
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # nothing runs until a worker takes it

    started = time.monotonic()
    worker = _run_a_worker_until_the_queue_is_empty()
    assert worker.returncode == 0, worker.stderr[-2000:]
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, (job.error, worker.stderr[-2000:])
    assert job.result == {"deleted": 1}
    assert not Job.objects.filter(pk=old.pk).exists()
    assert Job.objects.filter(pk=recent.pk).exists()
    assert time.monotonic() - started < 120


def test_a_starting_worker_fails_the_jobs_of_a_killed_one_so_they_can_be_retried(settings):
    """A worker killed with SIGKILL in the middle of a job leaves it running; the next one to start says so."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # stands for the worker
    job = Job.objects.create(
        kind="core.prune_jobs",
        title="Prune",
        status=JobStatus.RUNNING,
        worker=f"{socket.gethostname()}:{killed.pid}",
        started_at=timezone.now(),
    )
    killed.send_signal(signal.SIGKILL)
    killed.wait()

    worker = _run_a_worker_until_the_queue_is_empty()
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert str(job.pk) in worker.stderr
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error
    retried = jobs.job_retry(job=job)
    assert retried.retry_of_id == job.pk
