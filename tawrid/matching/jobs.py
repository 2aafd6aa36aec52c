"""Job kinds of matching: one chunk of a run's lines, the allocation of a finished run, and the refresh of
product embeddings. Several worker processes take a run's chunk jobs in parallel."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError
from tawrid.core.jobs import JobContext, job_kind
from tawrid.matching import services
from tawrid.matching.models import MatchChunk, MatchRun, RunStatus


@job_kind(services.CHUNK_JOB, on_interrupted=services.match_chunk_interrupted)
def match_chunk(context: JobContext, *, chunk_id: int) -> dict[str, Any]:
    """Match one chunk of a run's lines (a chunk already done, or taken by another worker, is skipped)."""
    chunk = MatchChunk.objects.filter(pk=chunk_id).only("line_ids").first()
    context.set_total(len(chunk.line_ids) if chunk else 0)
    matched = services.match_chunk_execute(chunk_id=int(chunk_id), worker=services.worker_name())
    context.advance(matched, step=_("Lines matched"))
    context.log(f"chunk {chunk_id}: {matched} line(s) matched by {services.worker_name()}")
    return {"chunk_id": int(chunk_id), "lines": matched}


@job_kind(services.ALLOCATE_JOB)
def allocate(context: JobContext, *, run_id: int) -> dict[str, Any]:
    """Allocate a run's volumes across local suppliers within their capacities (linear program)."""
    run = MatchRun.objects.get(pk=run_id)
    context.set_total(1)
    if run.status != RunStatus.ALLOCATING:
        context.log(f"run {run_id} is {run.status}: nothing to allocate")
        return {"run_id": run.pk, "skipped": True}
    try:
        allocation = services.match_run_allocate(run=run)
    except Exception as exc:
        services.match_run_fail(
            run=run, error=exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        )
        raise
    context.advance(step=_("Volumes allocated"))
    context.log(
        f"run {run_id}: {allocation.variables} variable(s), {allocation.constraints} constraint(s), "
        f"{allocation.status} in {allocation.seconds:.2f} s; covered {allocation.covered_total:.0f} of "
        f"{allocation.demand:.0f} base units"
    )
    return {"run_id": run.pk, "covered": allocation.covered_total, "demand": allocation.demand}


@job_kind(services.EMBED_JOB)
def refresh_embeddings(context: JobContext, *, product_ids: list[int] | None = None) -> dict[str, Any]:
    """Embed the products whose texts changed (all products when none are named)."""
    context.set_total(1)
    count = services.embeddings_refresh(product_ids=product_ids)
    context.advance(step=_("Products embedded"))
    context.log(f"{count} product(s) embedded")
    return {"embedded": count}
