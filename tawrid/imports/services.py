"""Every write of the imports app: upload a file, map its columns, check it, import it, cancel it.

The flow: `import_upload` (the file is checked and kept, its structure detected, a mapping proposed) →
`import_set_mapping` (the user confirms or changes it; remembered for next time) → `import_preview` (the
first rows as they will be read) → `import_validate` (every row; a job for big files) → `import_execute`
(a job: reads and checks every row again, then calls the kind's `write` once, in one transaction — all or
nothing unless the user chose to keep the valid rows).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tawrid.accounts.models import Organisation
from tawrid.core import permissions
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.jobs import job_enqueue
from tawrid.core.permissions import Actor
from tawrid.core.text import fold
from tawrid.imports import export, readers, structure
from tawrid.imports.checking import (
    CHECK_FIELDS,
    CheckedRow,
    check_across_rows,
    check_all,
    iter_checked_rows,
    open_run_file,
    store_check,
)
from tawrid.imports.models import ACTIVE_STATUSES, ColumnMapping, ImportRowError, ImportRun, ImportStatus
from tawrid.imports.registry import (
    NON_FIELD,
    ImportContext,
    ImportKind,
    ensure_permission,
    get_kind,
    kind_params,
)

PREVIEW_ROWS = 20
DEFAULT_INLINE_BYTES = 512 * 1024  # files up to this size are checked at once; bigger ones by a job


def inline_bytes() -> int:
    return int(getattr(settings, "IMPORT_INLINE_BYTES", DEFAULT_INLINE_BYTES))


@dataclass
class Preview:
    columns: list[tuple[str, Any]]  # (key, label) in the kind's order, mapped ones only
    rows: list[CheckedRow]


def _context(run: ImportRun, actor: Actor, user: Any = None) -> ImportContext:
    return ImportContext(
        actor=actor,
        organisation=run.organisation,
        user=user,
        params=run.params,
        run_id=run.pk,
        headers={key: header for header, key in run.mapping.items() if key},
    )


def _require_change(actor: Actor, run: ImportRun) -> ImportKind:
    permissions.require_change(actor, run)
    kind = get_kind(run.kind)
    ensure_permission(kind, actor, run.organisation)
    return kind


def _require_open(run: ImportRun) -> None:
    if not run.is_open:
        raise DomainError(
            _("This import is %(status)s: it can no longer be changed.") % {"status": run.get_status_display().lower()},
            code="import_closed",
        )


def _remembered(organisation: Organisation, kind_name: str) -> ColumnMapping | None:
    return ColumnMapping.objects.filter(organisation=organisation, kind=kind_name).first()


# Upload ----------------------------------------------------------------------------------------------------


def import_upload(
    *,
    actor: Actor,
    user: Any,
    kind_name: str,
    organisation: Organisation,
    filename: str,
    data: bytes,
    params: dict[str, Any] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    confirm_reimport: bool = False,
) -> ImportRun:
    """Check an uploaded file, detect its sheet, header row and columns, and keep it as a new import.

    A file this organisation already imported for this kind is refused with the date and number of that
    import unless `confirm_reimport`; re-importing it then changes nothing (rows are matched on their
    natural key)."""
    kind = get_kind(kind_name)
    if not actor.can_write_org(organisation.pk):
        raise Forbidden()
    ensure_permission(kind, actor, organisation)
    checked_params = kind_params(kind, params or {}, actor, organisation)
    filename = (filename or "file").replace("\\", "/").rsplit("/", 1)[-1][:255]
    workbook = readers.open_workbook(data, filename)
    try:
        sha256 = hashlib.sha256(data).hexdigest()
        previous = (
            ImportRun.objects.filter(
                organisation=organisation, kind=kind.name, sha256=sha256, status=ImportStatus.IMPORTED
            )
            .order_by("-finished_at", "-pk")
            .first()
        )
        if previous is not None and not confirm_reimport:
            raise DomainError(
                _(
                    "This file was already imported on %(date)s (import #%(number)s). Confirm to import it again: "
                    "rows already there will be left as they are."
                )
                % {
                    "date": formats.date_format(
                        timezone.localtime(previous.finished_at or previous.created_at), "SHORT_DATETIME_FORMAT"
                    ),
                    "number": previous.pk,
                },
                code="already_imported",
            )
        remembered = _remembered(organisation, kind.name)
        found = _detect(workbook, kind, sheet=sheet, header_row=header_row, remembered=remembered)
        workbook.check_size(found.sheet)
        sheet_names, file_format = workbook.sheet_names, workbook.format
    finally:
        workbook.close()
    with transaction.atomic():
        run = ImportRun(
            organisation=organisation,
            kind=kind.name,
            params=checked_params,
            original_filename=filename,
            file_format=file_format,
            sheets=sheet_names,
            sha256=sha256,
            size=len(data),
            sheet_name=found.sheet,
            header_row=found.header_row,
            headers=found.headers,
            mapping=found.mapping,
            reimport_of=previous,
            created_by=user if getattr(user, "pk", None) else None,
        )
        # Stored under its hash and the format found (xlsx, xls or csv), never the client's name or extension.
        run.file.save(f"{sha256[:16]}.{file_format}", ContentFile(data), save=False)
        run.save()
    return run


def _detect(
    workbook: readers.Workbook,
    kind: ImportKind,
    *,
    sheet: str | None,
    header_row: int | None,
    remembered: ColumnMapping | None,
) -> structure.Structure:
    hints = remembered.mapping if remembered else None
    if sheet or header_row:
        return structure.detect_structure(workbook, kind, sheet=sheet or None, header_row=header_row, remembered=hints)
    try:
        return structure.detect_structure(workbook, kind, remembered=hints)
    except DomainError:
        if remembered and remembered.header_row and remembered.sheet_name in workbook.sheet_names:
            return structure.detect_structure(
                workbook, kind, sheet=remembered.sheet_name, header_row=remembered.header_row, remembered=hints
            )
        raise


# Mapping ---------------------------------------------------------------------------------------------------


def import_set_mapping(
    *,
    actor: Actor,
    run: ImportRun,
    mapping: dict[str, str | None] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    remember: bool = True,
    keep_valid_rows: bool | None = None,
) -> ImportRun:
    """Confirm which column of the file is which (header as written → column key, or None to ignore it).

    Giving another sheet or header row reads the headers again (and proposes a mapping for them). Every
    required column must be mapped, each column at most once. With `remember`, the organisation's next file
    of this kind starts from this mapping."""
    kind = _require_change(actor, run)
    _require_open(run)
    if (sheet and sheet != run.sheet_name) or (header_row and header_row != run.header_row):
        workbook = open_run_file(run)
        try:
            remembered = _remembered(run.organisation, run.kind)
            found = structure.detect_structure(
                workbook,
                kind,
                sheet=sheet or run.sheet_name,
                header_row=header_row or run.header_row,
                remembered=remembered.mapping if remembered else None,
            )
        finally:
            workbook.close()
        run.sheet_name, run.header_row, run.headers = found.sheet, found.header_row, found.headers
        run.mapping = found.mapping
        if mapping is None:
            run.status = ImportStatus.UPLOADED
            run.save(update_fields=["sheet_name", "header_row", "headers", "mapping", "status", "updated_at"])
            return run
    proposed = dict(run.mapping)
    if mapping is not None:
        proposed = {header: (mapping.get(header) or None) for header in run.headers if header}
    _check_mapping(kind, proposed)
    run.mapping = proposed
    if keep_valid_rows is not None:
        run.keep_valid_rows = keep_valid_rows
    run.status = ImportStatus.MAPPED
    with transaction.atomic():
        run.save(
            update_fields=["mapping", "keep_valid_rows", "status", "updated_at", "sheet_name", "header_row", "headers"]
        )
        if remember:
            ColumnMapping.objects.update_or_create(
                organisation=run.organisation,
                kind=run.kind,
                defaults={
                    "mapping": {fold(h): key for h, key in proposed.items()},
                    "sheet_name": run.sheet_name,
                    "header_row": run.header_row,
                },
            )
    return run


def _check_mapping(kind: ImportKind, mapping: dict[str, str | None]) -> None:
    errors: dict[str, list[str]] = {}
    keys = set(kind.column_keys)
    chosen: dict[str, str] = {}
    for header, key in mapping.items():
        if key is None:
            continue
        if key not in keys:
            errors.setdefault(header, []).append(_("“%(key)s” is not a column of this import.") % {"key": key})
        elif key in chosen:
            errors.setdefault(header, []).append(
                _("The column “%(column)s” is already given by “%(header)s”.")
                % {"column": kind.column(key).label, "header": chosen[key]}
            )
        else:
            chosen[key] = header
    missing = [str(kind.column(key).label) for key in kind.required_keys if key not in chosen]
    if missing:
        errors.setdefault(NON_FIELD, []).append(
            _("These required columns are not mapped: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if errors:
        raise DomainError(_("The column mapping is not complete."), code="invalid_mapping", details=errors)


# Reading and checking rows ---------------------------------------------------------------------------------


def import_preview(*, actor: Actor, run: ImportRun, limit: int = PREVIEW_ROWS) -> Preview:
    """The first rows of the file as they will be read: parsed values and each row's problems."""
    permissions.get_visible_or_404(actor, ImportRun.objects.all(), pk=run.pk)
    kind = get_kind(run.kind)
    mapped = {key for key in run.mapping.values() if key}
    columns = [(c.key, c.label) for c in kind.columns if c.key in mapped]
    context = _context(run, actor)
    rows = list(iter_checked_rows(run, kind, context, limit=limit))
    check_across_rows(kind, rows, context)  # among the rows shown: "check every row" does it for all
    for row in rows:
        row.cells = [row.values.get(key) for key, _label in columns]
    return Preview(columns=columns, rows=rows)


# Jobs of a run: one at a time, stopped by a cancel, retried after a worker died ----------------------------


class ImportStopped(Exception):
    """The run was cancelled, or taken over by another job, while this job read its rows: stop, write nothing."""


def _locked(run_id: int) -> ImportRun:
    """The run, locked until the transaction ends: requests and jobs that start, stop or finish a run's job
    take this lock first, so of five at once one starts a job and the others see it (PostgreSQL)."""
    return ImportRun.objects.select_for_update().get(pk=run_id)


def _busy(run: ImportRun) -> DomainError:
    return DomainError(
        _("This import is already being checked or imported (job #%(job)s): wait for it to end, or cancel it.")
        % {"job": run.job_id},
        code="import_busy",
    )


def _require_ready(run: ImportRun, *, keeping_valid_rows: bool = False) -> None:
    """Mapped (and maybe checked), with no job at work on it; or, to import only its valid rows, failed
    because some of its rows are in error."""
    if run.status in ACTIVE_STATUSES:
        raise _busy(run)
    if keeping_valid_rows and run.may_keep_valid_rows:
        return
    _require_open(run)
    if run.status not in (ImportStatus.MAPPED, ImportStatus.VALIDATED):
        raise DomainError(_("Map the columns of the file first."), code="not_mapped")


def _start_job(run: ImportRun, *, user: Any, retry_of: Any = None) -> None:
    validating = run.status == ImportStatus.VALIDATING
    title = _("Checking %(file)s") if validating else _("Importing %(file)s")
    run.job = job_enqueue(
        kind="imports.validate" if validating else "imports.execute",
        title=title % {"file": run.original_filename},
        params={"run_id": run.pk},
        created_by=user if getattr(user, "pk", None) else None,
        organisation=run.organisation,
        retry_of=retry_of,
    )


def claim_run(run_id: int, status: str, job: Any) -> ImportRun | None:
    """What a job does first: the run, if it is still `status` and no other live job works on it. None when
    there is nothing left to do (cancelled, or finished by another job); refused when another job is at work.
    A job retried from the jobs page takes over the run its failed job left (its worker died)."""
    with transaction.atomic():
        run = _locked(run_id)
        if run.status != status:
            return None
        if run.job_id != job.pk:
            if run.job is not None and not run.job.is_finished:
                raise _busy(run)
            run.job = job
            run.save(update_fields=["job", "updated_at"])
    return run


def _checkpoint(run_id: int, status: str, job_id: int) -> Callable[[], None]:
    def checkpoint() -> None:
        if ImportRun.objects.filter(pk=run_id, status=status, job_id=job_id).exists() is False:
            raise ImportStopped

    return checkpoint


def _still_mine(run_id: int, status: str, job_id: int | None) -> ImportRun:
    """The run, locked, if it is still `status` and this job's; else `ImportStopped`."""
    run = _locked(run_id)
    if run.status != status or (job_id is not None and run.job_id != job_id):
        raise ImportStopped
    return run


def run_validation(
    run: ImportRun, *, actor: Actor, progress: Callable[[int], None] | None = None, job_id: int | None = None
) -> ImportRun:
    """Check every row and store the counts and problems: at once (`job_id` None) or as the validate job,
    which stops between batches of rows if the run was cancelled (`ImportStopped`, nothing stored)."""
    kind = get_kind(run.kind)
    checkpoint = _checkpoint(run.pk, ImportStatus.VALIDATING, job_id) if job_id is not None else None
    result = check_all(run, kind, _context(run, actor, run.created_by), progress, checkpoint)
    with transaction.atomic():
        if job_id is not None:
            current = _still_mine(run.pk, ImportStatus.VALIDATING, job_id)
        else:
            current = _locked(run.pk)
            _require_ready(current)
        store_check(current, result)
        current.status = ImportStatus.VALIDATED
        current.message = ""
        current.save(update_fields=[*CHECK_FIELDS, "status", "message", "updated_at"])
    run.refresh_from_db()
    return run


def import_validate(*, actor: Actor, run: ImportRun, user: Any = None) -> ImportRun:
    """Check every row: at once for a small file, as a job (with progress) for a big one."""
    _require_change(actor, run)
    _require_ready(run)
    if run.size <= inline_bytes():
        return run_validation(run, actor=actor)
    with transaction.atomic():
        current = _locked(run.pk)
        _require_ready(current)
        current.status = ImportStatus.VALIDATING
        _start_job(current, user=user)
        current.save(update_fields=["status", "job", "updated_at"])
    run.refresh_from_db()
    return run


def import_execute(*, actor: Actor, run: ImportRun, user: Any = None, keep_valid_rows: bool | None = None) -> ImportRun:
    """Import the file as a job: every row is read and checked again, then written in ONE transaction.

    All or nothing by default: a single row in error and nothing is written (the run fails with its error
    report). With `keep_valid_rows`, the valid rows are written and the others reported — also for a run
    that failed that way, so that its owner imports its valid rows without uploading the file again."""
    _require_change(actor, run)
    with transaction.atomic():
        current = _locked(run.pk)
        _require_ready(current, keeping_valid_rows=bool(keep_valid_rows))
        if keep_valid_rows is not None:
            current.keep_valid_rows = keep_valid_rows
        current.status = ImportStatus.IMPORTING
        current.message, current.finished_at = "", None
        _start_job(current, user=user)
        current.save(update_fields=["status", "job", "keep_valid_rows", "message", "finished_at", "updated_at"])
    run.refresh_from_db()
    return run


def run_import(
    run: ImportRun, *, actor: Actor, progress: Callable[[int], None] | None = None, job_id: int | None = None
) -> ImportRun:
    """What the import job does. The kind's `write` runs once, in one transaction, only if the run is still
    this job's (not cancelled, not taken by another job): a run is written once, and its counts are what
    that write did. If `write` refuses or fails, nothing is written and the run is marked failed."""
    kind = get_kind(run.kind)
    ensure_permission(kind, actor, run.organisation)
    context = _context(run, actor, run.created_by)
    checkpoint = _checkpoint(run.pk, ImportStatus.IMPORTING, job_id) if job_id is not None else None
    result = check_all(run, kind, context, progress, checkpoint)
    with transaction.atomic():
        run = _still_mine(run.pk, ImportStatus.IMPORTING, job_id)
        store_check(run, result)
        run.save(update_fields=[*CHECK_FIELDS, "updated_at"])
    if result.invalid and not run.keep_valid_rows:
        if result.valid:
            message = ngettext(
                "%(count)s row in error: nothing was imported. Correct it in the file and import it again, or "
                "import only the %(valid)s valid rows.",
                "%(count)s rows in error: nothing was imported. Correct them in the file and import it again, or "
                "import only the %(valid)s valid rows.",
                result.invalid,
            )
        else:
            message = ngettext(
                "%(count)s row in error: nothing was imported. Correct it in the file and import it again.",
                "%(count)s rows in error: nothing was imported. Correct them in the file and import it again.",
                result.invalid,
            )
        _fail(run, message % {"count": result.invalid, "valid": len(result.valid)})
        return run
    try:
        with transaction.atomic():
            _still_mine(run.pk, ImportStatus.IMPORTING, job_id)  # a cancel since the rows were read wins
            summary = kind.write(result.valid, context)
            ImportRun.objects.filter(pk=run.pk).update(
                status=ImportStatus.IMPORTED,
                created_count=summary.created,
                updated_count=summary.updated,
                unchanged_count=summary.unchanged,
                finished_at=timezone.now(),
                message="",
                updated_at=timezone.now(),
            )
    except ImportStopped:
        raise
    except DomainError as error:
        _fail(run, error.message)
        return run
    except Exception:
        _fail(run, _("The import failed unexpectedly: nothing was written."))
        raise
    run.refresh_from_db()
    return run


def _fail(run: ImportRun, message: str) -> None:
    # Only a run still being imported: a cancel that came first stays a cancel.
    ImportRun.objects.filter(pk=run.pk, status=ImportStatus.IMPORTING).update(
        status=ImportStatus.FAILED, message=message, finished_at=timezone.now(), updated_at=timezone.now()
    )
    run.refresh_from_db()


def import_cancel(*, actor: Actor, run: ImportRun) -> ImportRun:
    """Give up an import that has not been imported: before it runs, while its job checks or imports the
    rows (the job stops at its next batch and writes nothing), or when its job was interrupted."""
    _require_change(actor, run)
    with transaction.atomic():
        current = _locked(run.pk)
        if current.status not in ACTIVE_STATUSES:
            _require_open(current)
        current.status = ImportStatus.CANCELLED
        current.finished_at = timezone.now()
        current.save(update_fields=["status", "finished_at", "updated_at"])
    run.refresh_from_db()
    return run


def import_retry(*, actor: Actor, run: ImportRun, user: Any = None) -> ImportRun:
    """Start again the check or the import of a run whose job ended without finishing it (its worker died):
    a new job, once — a retry while a job is at work on the run is refused."""
    _require_change(actor, run)
    with transaction.atomic():
        current = _locked(run.pk)
        if current.status not in ACTIVE_STATUSES:
            _require_open(current)
            raise DomainError(_("Only an interrupted check or import can be retried."), code="not_interrupted")
        if not current.is_interrupted:
            raise _busy(current)
        _start_job(current, user=user, retry_of=current.job)
        current.message = ""
        current.save(update_fields=["job", "message", "updated_at"])
    run.refresh_from_db()
    return run


# Error report ----------------------------------------------------------------------------------------------


def error_report(*, actor: Actor, run: ImportRun, fmt: str) -> tuple[bytes, str, str]:
    """The run's problems as a spreadsheet: (content, content type, file name); `fmt` is xlsx or csv."""
    run = permissions.get_visible_or_404(actor, ImportRun.objects.all(), pk=run.pk)
    headers = [_("Row"), _("Column"), _("Value"), _("Reason"), _("Kind")]
    rows = (
        [e.row_number, e.column, e.value, e.message, _("warning") if e.is_warning else _("error")]
        for e in ImportRowError.objects.filter(run=run).order_by("row_number", "pk").iterator()
    )
    base = f"import-{run.pk}-errors"
    if fmt == "csv":
        return export.write_csv(headers, rows), "text/csv; charset=utf-8", f"{base}.csv"
    if fmt == "xlsx":
        return (
            export.write_xlsx(headers, rows, sheet_title=_("Errors")),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{base}.xlsx",
        )
    raise DomainError(_("Unknown format: %(format)s.") % {"format": fmt}, code="unknown_format")


def import_template(*, kind_name: str) -> bytes:
    """An empty workbook with the kind's column names: a file to fill in."""
    kind = get_kind(kind_name)
    return export.write_xlsx([c.label for c in kind.columns], [], sheet_title=str(kind.label))
