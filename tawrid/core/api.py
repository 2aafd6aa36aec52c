from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from tawrid.core import jobs, permissions, selectors
from tawrid.core.api_schemas import Id, Limit200
from tawrid.core.permissions import actor_for

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


class JobDetailOut(JobOut):
    log: str


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
