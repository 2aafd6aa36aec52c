from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from tawrid.core import jobs, permissions, selectors
from tawrid.core.api_schemas import Id, Limit200
from tawrid.core.permissions import actor_for
from tawrid.core.queue import queue_position

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    progress_done: int
    progress_total: int | None
    percent: int | None
    step: str
    error: str
    result: dict
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    retry_of_id: int | None
    priority: int = Field(description="Higher runs first: 50 for what a person waits for, -50 for national batches.")


class QueueOut(Schema):
    ahead: int = Field(description="Jobs the worker runs before this one (running now, or queued first).")
    running: int
    wait_seconds: int | None = Field(description="About how long before it starts; null without recent runs.")
    duration_seconds: int | None = Field(description="About how long jobs of its kind took lately.")


class JobDetailOut(JobOut):
    log: str
    queue: QueueOut | None = Field(None, description="Only while the job is queued.")

    @staticmethod
    def resolve_queue(job: Any) -> Any:
        return queue_position(job)


@router.get("/", response=list[JobOut], summary="Jobs I can see (mine and my organisations')")
def list_jobs(request: HttpRequest, limit: Limit200 = 50) -> list:
    return list(selectors.job_list(actor=actor_for(request.user))[: max(1, min(limit, 200))])


@router.get("/{job_id}", response=JobDetailOut, summary="A job with its progress and log")
def get_job(request: HttpRequest, job_id: Id):
    return selectors.job_get(actor=actor_for(request.user), job_id=job_id)


@router.post("/{job_id}/retry", response={201: JobOut}, summary="Retry a failed job (creates a new job)")
def retry_job(request: HttpRequest, job_id: Id):
    actor = actor_for(request.user)
    job = selectors.job_get(actor=actor, job_id=job_id)
    permissions.require_change(actor, job)
    return Status(201, jobs.job_retry(job=job, created_by=request.user))
