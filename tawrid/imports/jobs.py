"""Job kinds of the imports app: checking a big file, and importing a file (always a job).

Both report progress while the rows are read and checked; the import then writes everything in one
transaction at the end (imports are all or nothing), so a failure leaves nothing half-written. Each first
claims its run (`claim_run`: one job at work on a run at a time) and, between batches of rows, stops
cleanly if the run was cancelled."""

from typing import Any

from django.utils.translation import gettext as _

from tawrid.core.job_results import register_result_values
from tawrid.core.jobs import JobContext, job_kind
from tawrid.core.permissions import actor_for
from tawrid.imports.models import ImportRun, ImportStatus

for _kind in ("imports.validate", "imports.execute"):
    register_result_values(_kind, status=lambda value: ImportStatus(value).label)  # "Imported", not "imported"


def _progress(context: JobContext, run: ImportRun, step: str) -> Any:
    from tawrid.imports.checking import estimated_rows

    total = estimated_rows(run)
    if total:
        context.set_total(total)
    done = [0]

    def report(total_read: int) -> None:
        context.advance(total_read - done[0], step=step)
        done[0] = total_read

    return report


def _stopped(context: JobContext, run_id: int) -> dict[str, Any]:
    """The run was cancelled, finished or taken by another job before or while this one read it: it stops
    cleanly, having written nothing."""
    status = ImportRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    context.log(f"stopped: import #{run_id} is {status} (cancelled, or another job's)")
    return {"status": status}


@job_kind("imports.validate")
def validate_job(context: JobContext, *, run_id: int) -> dict[str, Any]:
    from tawrid.imports.services import ImportStopped, claim_run, run_validation

    run = claim_run(run_id, ImportStatus.VALIDATING, context.job)
    if run is None:
        return _stopped(context, run_id)
    try:
        run = run_validation(
            run,
            actor=actor_for(run.created_by),
            progress=_progress(context, run, _("Checking rows")),
            job_id=context.job.pk,
        )
    except ImportStopped:
        return _stopped(context, run_id)
    except Exception:
        ImportRun.objects.filter(pk=run_id, status=ImportStatus.VALIDATING, job_id=context.job.pk).update(
            status=ImportStatus.MAPPED
        )
        raise
    context.log(f"{run.total_rows} rows, {run.invalid_rows} in error")
    return {"status": run.status, "rows": run.total_rows, "valid": run.valid_rows, "invalid": run.invalid_rows}


@job_kind("imports.execute")
def execute_job(context: JobContext, *, run_id: int) -> dict[str, Any]:
    from tawrid.imports.services import ImportStopped, _fail, claim_run, run_import

    run = claim_run(run_id, ImportStatus.IMPORTING, context.job)
    if run is None:
        return _stopped(context, run_id)
    try:
        run = run_import(
            run,
            actor=actor_for(run.created_by),
            progress=_progress(context, run, _("Checking rows")),
            job_id=context.job.pk,
        )
    except ImportStopped:
        return _stopped(context, run_id)
    except Exception as error:
        if ImportRun.objects.filter(pk=run_id, status=ImportStatus.IMPORTING, job_id=context.job.pk).exists():
            _fail(run, getattr(error, "message", None) or _("The import failed unexpectedly: nothing was written."))
        raise
    context.log(f"{run.total_rows} rows read; status {run.status}")
    return {
        "status": run.status,
        "rows": run.total_rows,
        "invalid": run.invalid_rows,
        "created": run.created_count,
        "updated": run.updated_count,
        "unchanged": run.unchanged_count,
    }
