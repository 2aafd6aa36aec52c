"""Jobs: long work run by the task worker (Django's tasks framework), with progress, log and retry.

A job kind is a function registered with `@job_kind("app.name")`; it receives a `JobContext` to report
progress and write its log, and keyword parameters (JSON values). `job_enqueue` records the job and puts
it on the queue once the surrounding transaction commits; `tawrid worker` runs it.

Failing cleanly is the job function's duty: it writes in transactions (one per chunk for long work, so
that progress can be seen and a retry resumes), so a failure leaves no half-written chunk behind.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError
from tawrid.core.models import Job, JobStatus
from tawrid.core.queue import priority_for

logger = logging.getLogger(__name__)

JobFunction = Callable[..., dict[str, Any] | None]
_KINDS: dict[str, JobFunction] = {}
# Called, in the transaction that marks it failed, for a job whose worker died: the kind puts back in order what
# the job had taken (a match run's chunk left `running`, say), which the dead process could not.
_ON_INTERRUPTED: dict[str, Callable[[Job], None]] = {}


def job_kind(name: str, *, on_interrupted: Callable[[Job], None] | None = None) -> Callable[[JobFunction], JobFunction]:
    def decorate(fn: JobFunction) -> JobFunction:
        _KINDS[name] = fn
        if on_interrupted is not None:
            _ON_INTERRUPTED[name] = on_interrupted
        return fn

    return decorate


def registered_kinds() -> list[str]:
    return sorted(_KINDS)


class JobContext:
    """Handed to a job function: progress and log, saved as they come so that pages can follow."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def set_total(self, total: int) -> None:
        self.job.progress_total = max(total, self.job.progress_done)
        self._save("progress_total")

    def advance(self, done: int = 1, *, step: str | None = None) -> None:
        self.job.progress_done += done
        if self.job.progress_total is not None:
            self.job.progress_done = min(self.job.progress_done, self.job.progress_total)
        if step is not None:
            self.job.step = step[:200]
        self._save("progress_done", "step")

    def log(self, line: str) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self.job.log += f"[{stamp}] {line}\n"
        self._save("log")

    def _save(self, *fields: str) -> None:
        Job.objects.filter(pk=self.job.pk).update(
            **{f: getattr(self.job, f) for f in fields}, updated_at=timezone.now()
        )


def job_enqueue(
    *,
    kind: str,
    title: str,
    params: dict[str, Any] | None = None,
    created_by: Any = None,
    organisation: Any = None,
    retry_of: Job | None = None,
    priority: int | None = None,
) -> Job:
    """Record a job and queue it once the transaction commits; `priority` defaults to its kind's
    (tawrid.core.queue: what a person waits for goes before national batches). The language active now (the
    request's) is recorded: the worker runs the job in it."""
    if kind not in _KINDS:
        raise DomainError(_("Unknown kind of job: %(kind)s.") % {"kind": kind}, code="unknown_job_kind")
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=title[:200],
            params=params or {},
            created_by=created_by,
            organisation=organisation,
            retry_of=retry_of,
            priority=priority_for(kind, organisation) if priority is None else priority,
            language=(translation.get_language() or "")[: Job._meta.get_field("language").max_length],
        )
        transaction.on_commit(lambda: _put_on_queue(job.pk, job.priority))
    return job


def _put_on_queue(job_id: int, priority: int = 0) -> None:
    task = run_job
    if priority and run_job.get_backend().supports_priority:
        task = run_job.using(priority=priority)
    result = task.enqueue(job_id)
    Job.objects.filter(pk=job_id, task_id="").update(task_id=str(result.id)[:64])


def job_retry(*, job: Job, created_by: Any = None) -> Job:
    with transaction.atomic():
        # Locked, so that of several retries at once (a double click, a script) one makes a job and the
        # others see it: five retries had made five jobs doing the same work.
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status != JobStatus.FAILED:
            raise DomainError(_("Only a failed job can be retried."), code="job_not_failed")
        live = job.retries.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()
        if live is not None:
            raise DomainError(
                _("This job is already being retried (job #%(job)s).") % {"job": live.pk}, code="job_retrying"
            )
        return job_enqueue(
            kind=job.kind,
            title=job.title,
            params=job.params,
            created_by=created_by or job.created_by,
            organisation=job.organisation,
            retry_of=job,
            priority=job.priority,
        )


def job_execute(job_id: int) -> Job:
    """Run one job now, in this process (what the worker does for each task)."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return job  # a task delivered twice must not run the work twice
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(), worker=_this_worker())
    job.refresh_from_db()
    # In the language of the person who started it (the worker's own is the server's default): the messages the
    # job stores — row errors, summaries, its error — are read by that person.
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _run(job)


def _run(job: Job) -> Job:
    context = JobContext(job)
    try:
        fn = _KINDS[job.kind]
        result = fn(context, **job.params) or {}
    except Exception as exc:  # noqa: BLE001 — a job records every failure instead of crashing the worker
        message = (
            exc.message
            if isinstance(exc, DomainError)
            else _("Unexpected error: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
        )
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        context.log(traceback.format_exc(limit=8))
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=message, finished_at=timezone.now(), updated_at=timezone.now()
        )
    else:
        updates: dict[str, Any] = {"status": JobStatus.SUCCEEDED, "result": result, "finished_at": timezone.now()}
        if job.progress_total is not None:
            updates["progress_done"] = job.progress_total
        Job.objects.filter(pk=job.pk).update(**updates, updated_at=timezone.now())
    job.refresh_from_db()
    return job


def _this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[: Job._meta.get_field("worker").max_length]


def _process_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, whatever it is
    return True


def worker_is_gone(worker: str) -> bool:
    """True when `worker` ("host:pid", as jobs record it) is a process of this host that no longer exists.
    Processes of other hosts cannot be checked: they are taken for alive, left to their own host's workers."""
    host, _sep, pid_text = worker.rpartition(":")
    return host == socket.gethostname() and pid_text.isdigit() and not _process_is_alive(int(pid_text))


def fail_interrupted_jobs() -> list[int]:
    """Mark failed the jobs left `running` by a worker process of this host that no longer exists.

    A worker killed in the middle of a job (SIGKILL, out of memory, the machine stopped) cannot record the
    end of it, and a job stuck at `running` can neither finish nor be retried. Only this host's processes
    can be checked, so jobs of workers on other hosts are left to those hosts' workers. The job's kind, if it
    registered `on_interrupted`, releases what the job had taken. Returns their ids.
    """
    host = socket.gethostname()
    interrupted = []
    for job in Job.objects.filter(status=JobStatus.RUNNING, worker__startswith=f"{host}:").only(
        "pk", "kind", "params", "worker"
    ):
        if not worker_is_gone(job.worker):
            continue
        with transaction.atomic():
            # Conditional on the status and the worker, so a job another process has just taken is not touched.
            if not Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=job.worker).update(
                status=JobStatus.FAILED,
                error=_("Interrupted: the worker running this job stopped before it finished. You can retry it."),
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            ):
                continue
            if job.kind in _ON_INTERRUPTED:
                _ON_INTERRUPTED[job.kind](job)
        logger.warning("job %s was interrupted: its worker %s is gone", job.pk, job.worker)
        interrupted.append(job.pk)
    return interrupted


@task()
def run_job(job_id: int) -> str:
    return job_execute(job_id).status


@job_kind("core.prune_jobs")
def prune_jobs(context: JobContext, *, older_than_days: int = 90) -> dict[str, Any]:
    """Housekeeping: delete finished jobs older than `older_than_days` (failed ones included)."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    old = Job.objects.filter(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED], finished_at__lt=cutoff).exclude(
        pk=context.job.pk
    )
    context.set_total(1)
    with transaction.atomic():
        deleted, _by_model = old.delete()
    context.advance(step=_("Old jobs deleted"))
    context.log(f"deleted {deleted} job(s) finished before {cutoff:%Y-%m-%d}")
    return {"deleted": deleted}


@job_kind("core.prune_idempotency_keys")
def prune_idempotency_keys(context: JobContext) -> dict[str, Any]:
    """Housekeeping: forget the expired idempotency keys and form tokens (tawrid.core.idempotency)."""
    from tawrid.core.idempotency import keys_prune  # imports ninja: only when the job runs

    context.set_total(1)
    with transaction.atomic():
        deleted = keys_prune()
    context.advance(step=_("Expired idempotency keys deleted"))
    return {"deleted": deleted}
