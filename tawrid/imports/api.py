"""API of the imports app (/api/v1/imports/): the same services and permissions as the pages.

Upload a file (multipart) for a kind and an organisation, confirm or change its column mapping, look at
the preview, check every row, import (a job: follow `job_id` under /api/v1/jobs/ or poll the run), cancel,
and read the problems found (JSON, or the xlsx/csv report)."""

import json
from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from tawrid.accounts.models import Organisation
from tawrid.core.api import QueueOut
from tawrid.core.api_schemas import Id, Limit100, Limit200, Limit10000
from tawrid.core.errors import DomainError, NotFound
from tawrid.core.permissions import actor_for
from tawrid.core.queue import queue_position
from tawrid.imports import readers, selectors, services
from tawrid.imports.models import ACTIVE_STATUSES, ImportRun
from tawrid.imports.registry import registered_kinds

router = Router(tags=["imports"])

# An empty multipart field counts as absent: the kind is never empty (an unknown kind is a 404).
ImportKindName = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"\S", description="A kind of GET /api/v1/imports/kinds.")
]
HeaderRow = Annotated[int, Field(ge=1, le=1_000_000, description="The row of the headers; omit it to find it.")]


class ColumnOut(Schema):
    key: str
    label: str
    required: bool
    synonyms: list[str]


class KindOut(Schema):
    name: str
    label: str
    params: list[str]
    columns: list[ColumnOut]


class ImportRunOut(Schema):
    id: int
    kind: str
    organisation_id: int
    status: str
    original_filename: str
    file_format: str
    sha256: str
    size: int
    sheets: list[str]
    sheet_name: str
    header_row: int
    headers: list[str]
    mapping: dict[str, str | None]
    keep_valid_rows: bool
    params: dict[str, Any]
    reimport_of_id: int | None
    total_rows: int
    valid_rows: int
    invalid_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    errors_summary: dict[str, int]
    message: str
    job_id: int | None
    created_at: datetime
    finished_at: datetime | None
    may_keep_valid_rows: bool = Field(
        description="Failed because of rows in error: POST execute with keep_valid_rows=true imports the valid ones."
    )
    queue: QueueOut | None = Field(None, description="While its job waits for a worker: its place in the queue.")

    @staticmethod
    def resolve_queue(run: ImportRun) -> Any:
        job = run.job if run.job_id and run.status in ACTIVE_STATUSES else None
        return queue_position(job) if job is not None else None


class MappingIn(Schema):
    mapping: dict[str, str | None] | None = Field(
        None, description="Header as written in the file → column key (null to ignore the column)."
    )
    sheet: str | None = None
    header_row: int | None = Field(None, ge=1)
    remember: bool = True
    keep_valid_rows: bool | None = None


class ExecuteIn(Schema):
    keep_valid_rows: bool | None = None


class ImportProblemOut(Schema):
    row_number: int
    column: str
    value: str
    message: str
    is_warning: bool


class PreviewRowOut(Schema):
    row_number: int
    ok: bool
    values: dict[str, Any]
    problems: list[ImportProblemOut]


class PreviewOut(Schema):
    columns: list[str]
    rows: list[PreviewRowOut]


def _kind_out(kind: Any) -> dict[str, Any]:
    return {
        "name": kind.name,
        "label": str(kind.label),
        "params": list(kind.params),
        "columns": [
            {"key": c.key, "label": str(c.label), "required": c.required, "synonyms": list(c.synonyms)}
            for c in kind.columns
        ],
    }


@router.get("/kinds", response=list[KindOut], summary="The kinds of import and the columns they understand")
def list_kinds(request: HttpRequest) -> list[dict[str, Any]]:
    return [_kind_out(kind) for kind in registered_kinds()]


@router.get("/runs", response=list[ImportRunOut], summary="Imports of my organisations, newest first")
def list_runs(
    request: HttpRequest, kind: str | None = None, organisation_id: Id | None = None, limit: Limit200 = 50
) -> Any:
    runs = selectors.import_run_list(actor=actor_for(request.user), kind=kind, organisation_id=organisation_id)
    return list(runs[: max(1, min(limit, 200))])


@router.post(
    "/runs",
    response={201: ImportRunOut},
    summary="Upload a file (xlsx, xls or csv) for an import kind",
    description='`params`: the kind\'s parameters as a JSON object, e.g. `{"plan": 12}`.',
)
def upload(
    request: HttpRequest,
    kind: Form[ImportKindName],
    organisation_id: Form[Id],
    file: File[UploadedFile],
    sheet: Form[str] = "",
    header_row: Form[HeaderRow | None] = None,
    confirm_reimport: Form[bool] = False,
    params: Form[str] = "",
) -> Any:
    actor = actor_for(request.user)
    organisation = Organisation.objects.filter(pk=organisation_id, pk__in=actor.readable_org_ids).first()
    if organisation is None:
        raise NotFound()
    if (file.size or 0) > readers.max_bytes():
        raise readers.FileRefused(readers.too_large_message(file.size or 0), code="too_large")
    try:
        given = json.loads(params) if params else {}
    except ValueError:
        given = None
    if not isinstance(given, dict):
        message = _('The parameters must be a JSON object, for example {"plan": 12}.')
        raise DomainError(message, code="validation_error", details={"params": [message]})
    run = services.import_upload(
        actor=actor,
        user=request.user,
        kind_name=kind,
        organisation=organisation,
        filename=file.name or "file",
        data=file.read(),
        params=given,
        sheet=sheet or None,
        header_row=header_row,
        confirm_reimport=confirm_reimport,
    )
    return Status(201, run)


def _run(request: HttpRequest, run_id: int) -> ImportRun:
    return selectors.import_run_get(actor=actor_for(request.user), run_id=run_id)


@router.get("/runs/{run_id}", response=ImportRunOut, summary="An import: status, mapping and counts")
def get_run(request: HttpRequest, run_id: Id) -> Any:
    return _run(request, run_id)


@router.put("/runs/{run_id}/mapping", response=ImportRunOut, summary="Confirm or change the column mapping")
def set_mapping(request: HttpRequest, run_id: Id, payload: MappingIn) -> Any:
    return services.import_set_mapping(
        actor=actor_for(request.user),
        run=_run(request, run_id),
        mapping=payload.mapping,
        sheet=payload.sheet,
        header_row=payload.header_row,
        remember=payload.remember,
        keep_valid_rows=payload.keep_valid_rows,
    )


@router.get("/runs/{run_id}/preview", response=PreviewOut, summary="The first rows as they will be read")
def preview(request: HttpRequest, run_id: Id, limit: Limit100 = services.PREVIEW_ROWS) -> Any:
    result = services.import_preview(
        actor=actor_for(request.user), run=_run(request, run_id), limit=max(1, min(limit, 100))
    )
    return {
        "columns": [key for key, _label in result.columns],
        "rows": [
            {
                "row_number": row.number,
                "ok": row.ok,
                "values": {k: (v if v is None or isinstance(v, bool | int) else str(v)) for k, v in row.values.items()},
                "problems": [p.__dict__ for p in row.problems],
            }
            for row in result.rows
        ],
    }


@router.post("/runs/{run_id}/validate", response=ImportRunOut, summary="Check every row (a job for big files)")
def validate(request: HttpRequest, run_id: Id) -> Any:
    return services.import_validate(actor=actor_for(request.user), run=_run(request, run_id), user=request.user)


@router.post(
    "/runs/{run_id}/execute", response={202: ImportRunOut}, summary="Import the file (a job; all or nothing by default)"
)
def execute(request: HttpRequest, run_id: Id, payload: ExecuteIn | None = None) -> Any:
    run = services.import_execute(
        actor=actor_for(request.user),
        run=_run(request, run_id),
        user=request.user,
        keep_valid_rows=payload.keep_valid_rows if payload else None,
    )
    run.refresh_from_db()
    return Status(202, run)


@router.post(
    "/runs/{run_id}/cancel",
    response=ImportRunOut,
    summary="Cancel an import not imported yet (its job, if any, stops at its next batch of rows)",
)
def cancel(request: HttpRequest, run_id: Id) -> Any:
    return services.import_cancel(actor=actor_for(request.user), run=_run(request, run_id))


@router.post(
    "/runs/{run_id}/retry",
    response={202: ImportRunOut},
    summary="Start again a check or import whose job was interrupted (a new job; refused while one is at work)",
)
def retry(request: HttpRequest, run_id: Id) -> Any:
    run = services.import_retry(actor=actor_for(request.user), run=_run(request, run_id), user=request.user)
    return Status(202, run)


@router.get("/runs/{run_id}/errors", response=list[ImportProblemOut], summary="Problems found in the rows (JSON)")
def errors(request: HttpRequest, run_id: Id, limit: Limit10000 = 1000) -> Any:
    run = _run(request, run_id)
    return selectors.import_run_errors(actor=actor_for(request.user), run=run, limit=max(1, min(limit, 10000)))


@router.get("/runs/{run_id}/errors.{fmt}", summary="The error report as a spreadsheet (xlsx or csv)")
def error_report(request: HttpRequest, run_id: Id, fmt: str) -> HttpResponse:
    run = _run(request, run_id)
    content, content_type, filename = services.error_report(actor=actor_for(request.user), run=run, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
