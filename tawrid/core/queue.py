"""Which job runs first, and how long a queued job will wait.

Every job goes on one queue; its task carries the job's priority, and the worker (django_tasks_db's
`db_worker`, run by `tawrid worker`) takes the ready task of highest priority first, the oldest first among
equals. Work a person waits for — their import, their own plan's matching, a report they asked for — goes
before national batches (a national matching cut into hundreds of chunks, the national demand refresh, the
indicator snapshots): an import enqueued behind 300 chunks of a national run starts when the chunk at work
ends, not after the 300. A job already running is never interrupted.

`queue_position(job)` says how many jobs are ahead of a queued one (those running, and those queued that the
worker will take first) and, when jobs of those kinds have finished lately, about how long it will wait and
run (medians of the last durations of each kind).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tawrid.core.models import Job, JobStatus


class Priority(IntEnum):
    USER = 50  # someone is looking at the page, waiting for it
    NORMAL = 0
    BATCH = -50  # national or housekeeping work: nobody waits on it row by row


# By kind; a kind not named here is NORMAL. Names are those of each app's @job_kind (kept here, in one place,
# so that the order of the whole queue can be read at once).
KIND_PRIORITIES: dict[str, Priority] = {
    "imports.validate": Priority.USER,
    "imports.execute": Priority.USER,
    "insights.report": Priority.USER,
    "demand.refresh_aggregates": Priority.BATCH,
    "insights.snapshot": Priority.BATCH,
    "matching.refresh_embeddings": Priority.BATCH,
    "catalog.expiry_reminders": Priority.BATCH,
    "core.prune_jobs": Priority.BATCH,
    "core.prune_idempotency_keys": Priority.BATCH,
}
# The same kinds serve a buyer's own plan (the job belongs to the plan's buyer) and the national run of a year
# (it belongs to no organisation): the first is a person's, the second a batch.
OWNED_IS_USER_KINDS = frozenset({"matching.match_chunk", "matching.allocate"})

RECENT_RUNS = 20  # finished jobs of a kind whose durations make its estimate


def priority_for(kind: str, organisation: Any = None) -> int:
    if kind in OWNED_IS_USER_KINDS:
        return int(Priority.USER if organisation is not None else Priority.BATCH)
    return int(KIND_PRIORITIES.get(kind, Priority.NORMAL))


@dataclass(frozen=True)
class QueuePosition:
    ahead: int  # jobs the worker runs before this one: those running now and those queued first
    running: int
    wait_seconds: int | None  # about how long before it starts (None: no recent run of some kind ahead)
    duration_seconds: int | None  # about how long it runs, from its kind's recent runs

    def ahead_text(self) -> str:
        if not self.ahead:
            return _("Next in line: it starts as soon as a worker is free.")
        return ngettext("%(count)s job ahead of yours.", "%(count)s jobs ahead of yours.", self.ahead) % {
            "count": self.ahead
        }

    def estimate_text(self) -> str:
        parts = []
        if self.wait_seconds is not None and self.ahead:
            parts.append(_("Starts in %(duration)s.") % {"duration": duration_text(self.wait_seconds)})
        if self.duration_seconds is not None:
            parts.append(
                _("Jobs of this kind took %(duration)s lately.") % {"duration": duration_text(self.duration_seconds)}
            )
        return " ".join(parts)


def duration_text(seconds: float) -> str:
    if seconds < 60:
        return _("less than a minute")
    minutes = round(seconds / 60)
    if minutes < 90:
        return ngettext("about %(count)s minute", "about %(count)s minutes", minutes) % {"count": minutes}
    hours = round(minutes / 60)
    return ngettext("about %(count)s hour", "about %(count)s hours", hours) % {"count": hours}


def recent_duration(kind: str) -> float | None:
    """The median duration, in seconds, of the last runs of `kind` that succeeded; None when there is none."""
    runs = (
        Job.objects.filter(kind=kind, status=JobStatus.SUCCEEDED, started_at__isnull=False, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:RECENT_RUNS]
    )
    durations = [
        (finished - started).total_seconds()
        for started, finished in runs
        if started is not None and finished is not None  # the filter excludes None: this narrows the types
    ]
    return statistics.median(durations) if durations else None


def queued_ahead(job: Job) -> Any:
    """The queued jobs the worker takes before `job`: of higher priority, or of the same and enqueued before."""
    return Job.objects.filter(status=JobStatus.QUEUED).filter(
        Q(priority__gt=job.priority) | Q(priority=job.priority, pk__lt=job.pk)
    )


def queue_position(job: Job) -> QueuePosition | None:
    """Where a queued job stands; None for a job that is no longer queued."""
    if job.status != JobStatus.QUEUED:
        return None
    by_kind = dict(queued_ahead(job).order_by().values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    running = list(Job.objects.filter(status=JobStatus.RUNNING).values_list("kind", "started_at", "worker"))
    kinds = set(by_kind) | {kind for kind, _started, _worker in running} | {job.kind}
    durations = {kind: recent_duration(kind) for kind in kinds}
    wait: float | None = 0.0
    for kind, count in by_kind.items():
        wait = None if wait is None or durations[kind] is None else wait + count * durations[kind]
    now = timezone.now()
    for kind, started, _worker in running:
        duration = durations[kind]
        if wait is None or duration is None:
            wait = None
            continue
        elapsed = (now - started).total_seconds() if started else 0.0
        wait += max(0.0, duration - elapsed)
    # Several workers take several jobs at once: the jobs running now tell how many there are, at least.
    workers = max(1, len({worker for _kind, _started, worker in running if worker}))
    own = durations[job.kind]
    return QueuePosition(
        ahead=sum(by_kind.values()) + len(running),
        running=len(running),
        wait_seconds=None if wait is None else round(wait / workers),
        duration_seconds=None if own is None else round(own),
    )
