"""Reading and checking every row of an import's file (no writes but the run's counts and problems).

`iter_checked_rows` streams the rows of the stored file, parsed by each column's parser and validated by the
kind's rules; `check_across_rows` applies the kind's rules across rows (`ImportKind.check_rows`) to the rows
read; `check_all` collects them, calling `checkpoint` every `CHECK_EVERY` rows so that a job stops
between batches when its run was cancelled; `store_check` keeps the counts and the problems on the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tawrid.imports import parsing, readers, structure
from tawrid.imports.models import ImportRowError, ImportRun
from tawrid.imports.registry import NON_FIELD, ImportContext, ImportKind

CHECK_EVERY = 500  # rows between two progress reports and two looks at whether the run was cancelled
CHECK_FIELDS = ["total_rows", "valid_rows", "invalid_rows", "errors_summary"]


@dataclass
class RowProblem:
    row_number: int
    column: str  # the column's label ("" for the whole row)
    value: str
    message: str
    is_warning: bool = False


@dataclass
class CheckedRow:
    number: int
    raw: dict[str, Any]
    values: dict[str, Any]
    cleaned: dict[str, Any] | None
    problems: list[RowProblem] = field(default_factory=list)
    cells: list[Any] = field(default_factory=list)  # values in the preview's column order

    @property
    def ok(self) -> bool:
        return self.cleaned is not None

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if not p.is_warning]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.is_warning]


def open_run_file(run: ImportRun) -> readers.Workbook:
    run.file.open("rb")
    try:
        data = run.file.read()
    finally:
        run.file.close()
    return readers.open_workbook(data, run.original_filename)


def _display(value: Any) -> str:
    if value is None:
        return ""
    return parsing.clean_text(value)[:500]


def check_row(kind: ImportKind, number: int, raw: dict[str, Any], context: ImportContext) -> CheckedRow:
    """Parse the cells of one row and validate them with the kind's rules."""
    values: dict[str, Any] = {}
    problems: list[RowProblem] = []
    failed: set[str] = set()
    for column in kind.columns:
        if column.key not in raw:
            continue
        cell = raw[column.key]
        if isinstance(cell, readers.CellError):
            problems.append(RowProblem(number, str(column.label), cell.text, cell.reason.capitalize() + "."))
            failed.add(column.key)
            values[column.key] = None
            continue
        try:
            parsed = column.parser(cell)
        except parsing.ParseError as error:
            problems.append(RowProblem(number, str(column.label), _display(cell), error.message))
            failed.add(column.key)
            values[column.key] = None
            continue
        values[column.key] = parsed.value
        problems.extend(RowProblem(number, str(column.label), _display(cell), w, True) for w in parsed.warnings)
    result = kind.check_row(values, context)
    for key, messages in result.errors.items():
        if key in failed:
            continue  # the parser already said what is wrong with that cell
        label = "" if key == NON_FIELD or key not in kind.column_keys else str(kind.column(key).label)
        problems.extend(RowProblem(number, label, _display(raw.get(key)), m) for m in messages)
    for key, messages in result.warnings.items():
        label = "" if key not in kind.column_keys else str(kind.column(key).label)
        problems.extend(RowProblem(number, label, _display(raw.get(key)), m, True) for m in messages)
    ok = result.ok and not failed
    return CheckedRow(number, raw, values, dict(result.cleaned) if ok else None, problems)


def iter_checked_rows(
    run: ImportRun, kind: ImportKind, context: ImportContext, *, limit: int | None = None
) -> Iterable[CheckedRow]:
    """Every data row of the run's file, parsed and validated; a natural key seen twice is an error."""
    workbook = open_run_file(run)
    try:
        found = structure.Structure(sheet=run.sheet_name, header_row=run.header_row, headers=list(run.headers))
        seen: dict[str, int] = {}
        for count, (number, raw) in enumerate(structure.data_rows(workbook, found, run.mapping), start=1):
            if limit is not None and count > limit:
                return
            row = check_row(kind, number, raw, context)
            if row.cleaned is not None:
                key = str(kind.natural_key(row.cleaned) or "")
                if key:
                    if key in seen:
                        row.problems.append(
                            RowProblem(
                                number,
                                "",
                                key,
                                _("The same reference “%(key)s” is already on row %(row)s of the file.")
                                % {"key": key, "row": seen[key]},
                            )
                        )
                        row.cleaned = None
                    else:
                        seen[key] = number
            yield row
    finally:
        workbook.close()


def estimated_rows(run: ImportRun) -> int | None:
    """About how many data rows the run's file has (for a progress bar), without reading them."""
    workbook = open_run_file(run)
    try:
        declared = workbook.declared_rows(run.sheet_name)
    finally:
        workbook.close()
    return None if declared is None else max(0, declared - run.header_row)


def check_across_rows(kind: ImportKind, rows: list[CheckedRow], context: ImportContext) -> None:
    """The kind's rules across rows (`ImportKind.check_rows`) on rows already checked one by one: a row they
    refuse gets their problems and is no longer valid. The preview (first rows) and the full check (every
    row) both end here, so the import refuses what the check showed."""
    if kind.check_rows is None:
        return
    by_number = {row.number: row for row in rows if row.cleaned is not None}
    flagged = kind.check_rows([(number, row.cleaned) for number, row in by_number.items()], context)  # type: ignore[misc]
    for number, found in flagged.items():
        row = by_number[number]
        for key, message in found:
            known = key != NON_FIELD and key in kind.column_keys
            label = context.column_name(kind, key) if known else ""
            value = _display(row.raw.get(key)) if known else ""
            row.problems.append(RowProblem(number, label, value, message))
        row.cleaned = None


@dataclass
class CheckResult:
    total: int = 0
    valid: list[dict[str, Any]] = field(default_factory=list)
    invalid: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def check_all(
    run: ImportRun,
    kind: ImportKind,
    context: ImportContext,
    progress: Callable[[int], None] | None = None,
    checkpoint: Callable[[], None] | None = None,
) -> CheckResult:
    """Every row checked, then the kind's rules across rows; `checkpoint` (which raises to stop) is called
    between batches of rows."""
    result = CheckResult()
    valid: list[CheckedRow] = []
    for row in iter_checked_rows(run, kind, context):
        result.total += 1
        if row.cleaned is not None:
            # what the rules across rows need: the number, the cleaned values and the cells they may quote
            valid.append(CheckedRow(row.number, row.raw if kind.check_rows else {}, {}, row.cleaned, row.problems))
        else:
            result.problems.extend(row.problems)
            result.invalid += 1
        if result.total % CHECK_EVERY == 0:
            if checkpoint:
                checkpoint()
            if progress:
                progress(result.total)
    check_across_rows(kind, valid, context)
    for row in valid:
        result.problems.extend(row.problems)
        if row.cleaned is not None:
            result.valid.append(row.cleaned)
        else:
            result.invalid += 1
    result.problems.sort(key=lambda problem: problem.row_number)
    return result


def store_check(run: ImportRun, result: CheckResult) -> None:
    """Set the counts on `run` (saving `CHECK_FIELDS` is the caller's) and replace its stored problems."""
    summary: dict[str, int] = {}
    for problem in result.problems:
        if not problem.is_warning:
            summary[problem.column or "—"] = summary.get(problem.column or "—", 0) + 1
    run.total_rows = result.total
    run.valid_rows = len(result.valid)
    run.invalid_rows = result.invalid
    run.errors_summary = summary
    ImportRowError.objects.filter(run=run).delete()
    ImportRowError.objects.bulk_create(
        (
            ImportRowError(
                run=run,
                row_number=p.row_number,
                column=p.column[:200],
                value=p.value,
                message=p.message,
                is_warning=p.is_warning,
            )
            for p in result.problems
        ),
        batch_size=1000,
    )
