"""Job kinds of the insights: loading a trade file, computing the indicators, generating a report."""

from __future__ import annotations

from typing import Any

from tawrid.core.errors import DomainError
from tawrid.core.jobs import JobContext, job_kind
from tawrid.insights import services
from tawrid.insights.models import DatasetStatus


@job_kind(services.IMPORT_JOB)
def trade_import(context: JobContext, *, dataset_id: int) -> dict[str, Any]:
    """Check a trade file row by row, then load it (all or nothing)."""
    dataset = services.trade_dataset_load(dataset_id=int(dataset_id), context=context)
    context.log(
        f"{dataset.original_filename}: {dataset.get_status_display()}, {dataset.rows_read} rows read, "
        f"{dataset.flow_count} flows, {dataset.problem_count} problems"
    )
    if dataset.status == DatasetStatus.REFUSED:
        raise DomainError(dataset.error, code="trade_file_refused")
    return {"dataset_id": dataset.pk, "flows": dataset.flow_count, "rows": dataset.rows_read}


@job_kind(services.SNAPSHOT_JOB)
def compute_snapshot(context: JobContext, *, snapshot_id: int) -> dict[str, Any]:
    """Compute the indicators from the trade data, plans, match runs, orders and catalogue loaded now."""
    try:
        snapshot = services.snapshot_compute(snapshot_id=int(snapshot_id), context=context)
    except Exception as error:
        services.snapshot_failed(snapshot_id=int(snapshot_id), message=getattr(error, "message", str(error)))
        raise
    services.snapshots_prune()
    return {"snapshot_id": snapshot.pk, "groups": snapshot.groups.count()}


@job_kind(services.REPORT_JOB)
def generate_report(context: JobContext, *, report_id: int) -> dict[str, Any]:
    """Lay a PDF report out and archive it."""
    context.set_total(1)
    report = services.report_generate(report_id=int(report_id))
    context.advance(step=report.title)
    return {"report_id": report.pk, "pages": report.pages, "size": report.size}
