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


def test_a_buyers_import_queued_behind_a_national_batch_runs_first(settings, tmp_path):
    """A real worker taking one task: the catalogue import enqueued last is the one it runs."""
    from tawrid.catalog import imports as catalogue
    from tawrid.catalog.tests.factories import CatalogWorld, emdn
    from tawrid.catalog.tests.test_import_export import row, workbook
    from tawrid.core.permissions import actor_for
    from tawrid.core.queue import Priority
    from tawrid.demand.services import demand_refresh_enqueue
    from tawrid.imports import services as imports
    from tawrid.imports.models import ImportStatus

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.MEDIA_ROOT = str(tmp_path)  # the uploaded file, where the worker process reads it
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    world = CatalogWorld()
    emdn("A010101", "Aiguilles hypodermiques")
    actor = actor_for(world.admin_a)
    run = imports.import_upload(
        actor=actor,
        user=world.admin_a,
        kind_name=catalogue.KIND,
        organisation=world.org_a,
        filename="catalogue.xlsx",
        data=workbook([row()]),
    )
    run = imports.import_set_mapping(actor=actor, run=run)
    national = demand_refresh_enqueue(year=2027)  # a national batch, queued first
    run = imports.import_execute(actor=actor, run=run, user=world.admin_a)
    assert (national.priority, Job.objects.get(pk=run.job_id).priority) == (Priority.BATCH, Priority.USER)

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "MEDIA_ROOT": str(tmp_path),
    }
    worker = subprocess.run(
        [sys.executable, "-m", "tawrid.cli", "worker", "--batch", "--interval", "0.1", "--max-tasks", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTED, (run.message, Job.objects.get(pk=run.job_id).log[-3000:])
    assert Job.objects.get(pk=run.job_id).status == JobStatus.SUCCEEDED
    assert Job.objects.get(pk=national.pk).status == JobStatus.QUEUED  # still waiting: it was taken second
