"""Job kinds of the imports app: checking a big file, and importing a file (always a job).

Both report progress while the rows are read and checked; the import then writes everything in one
transaction at the end (imports are all or nothing), so a failure leaves nothing half-written."""

from typing import Any

from django.utils.translation import gettext as _

from tawrid.core.jobs import JobContext, job_kind
from tawrid.core.permissions import actor_for
from tawrid.imports.models import ImportRun, ImportStatus


def _progress(context: JobContext, run: ImportRun, step: str) -> Any:
    from tawrid.imports.services import estimated_rows

    total = estimated_rows(run)
    if total:
        context.set_total(total)
    done = [0]

    def report(total_read: int) -> None:
        context.advance(total_read - done[0], step=step)
        done[0] = total_read

    return report


@job_kind("imports.validate")
def validate_job(context: JobContext, *, run_id: int) -> dict[str, Any]:
    from tawrid.imports.services import run_validation

    run = ImportRun.objects.select_related("organisation", "created_by").get(pk=run_id)
    try:
        run = run_validation(run, actor=actor_for(run.created_by), progress=_progress(context, run, _("Checking rows")))
    except Exception:
        ImportRun.objects.filter(pk=run_id, status=ImportStatus.VALIDATING).update(status=ImportStatus.MAPPED)
        raise
    context.log(f"{run.total_rows} rows, {run.invalid_rows} in error")
    return {"rows": run.total_rows, "valid": run.valid_rows, "invalid": run.invalid_rows}


@job_kind("imports.execute")
def execute_job(context: JobContext, *, run_id: int) -> dict[str, Any]:
    from tawrid.imports.services import _fail, run_import

    run = ImportRun.objects.select_related("organisation", "created_by").get(pk=run_id)
    try:
        run = run_import(run, actor=actor_for(run.created_by), progress=_progress(context, run, _("Checking rows")))
    except Exception as error:
        if ImportRun.objects.filter(pk=run_id, status=ImportStatus.IMPORTING).exists():
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
