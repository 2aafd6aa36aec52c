"""Every write of the insights: trade files (upload, check, load, replace), the HS ↔ EMDN crosswalk, exchange
rates and the indicator snapshots. Keyword-only, typed, each in a transaction; long work runs as jobs."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.jobs import JobContext, job_enqueue
from tawrid.core.permissions import Actor
from tawrid.core.storage import client_filename, local_path
from tawrid.insights import complexity, tradefiles
from tawrid.insights.models import (
    DatasetStatus,
    ExchangeRate,
    GroupFigures,
    GroupYearFigures,
    HsEmdnLink,
    IndicatorSnapshot,
    OrganisationFigures,
    OrganisationYearFigures,
    Report,
    ReportedBy,
    ReportKind,
    ReportStatus,
    SnapshotStatus,
    TradeDataset,
    TradeFlow,
)
from tawrid.insights.policies import can_manage as can_manage_insights
from tawrid.nomenclature.models import EmdnCode, HsCode, HsConcordance

logger = logging.getLogger(__name__)

IMPORT_JOB = "insights.trade_import"
SNAPSHOT_JOB = "insights.snapshot"
REPORTER = "MAR"
WORLD = "WLD"
KEPT_PROBLEMS = 200
WRITE_CHUNK = 5000
CROSSWALK_FILE = "crosswalk/hs2022_emdn.csv"
CROSSWALK_HEADER = ["hs6", "emdn_group", "share_percent", "note"]
HUNDRED = Decimal(100)


def _require_manager(actor: Actor) -> None:
    if not can_manage_insights(actor):
        raise Forbidden(_("Only the cluster secretariat may do this."))


# --------------------------------------------------------------------------------------------- trade files


def _max_upload_bytes() -> int:
    return int(getattr(settings, "TRADE_UPLOAD_MAX_BYTES", 512 * 1024 * 1024))


def trade_dataset_upload(
    *,
    actor: Actor,
    user: Any,
    upload: Any,
    name: str = "",
    hs_revision: str = "",
    illustrative: bool = False,
    replace_existing: bool = False,
) -> TradeDataset:
    """Keep an uploaded trade file and queue its check and load. The layout is recognised here (an unknown layout
    is refused at once, nothing kept); the rows are checked by the job, which loads nothing unless every row is
    valid."""
    _require_manager(actor)
    size = int(getattr(upload, "size", 0) or 0)
    filename = client_filename(getattr(upload, "name", "")) or "trade.csv"
    if size <= 0:
        raise DomainError(_("The file is empty."), code="empty_file")
    if size > _max_upload_bytes():
        raise DomainError(
            _("The file is too large (%(size)s MB; at most %(max)s MB).")
            % {"size": size // (1024 * 1024), "max": _max_upload_bytes() // (1024 * 1024)},
            code="file_too_large",
        )
    if not filename.lower().endswith((".csv", ".txt")):
        raise DomainError(
            _("A trade file is a CSV file (.csv) as UN Comtrade or CEPII BACI deliver it."), code="bad_extension"
        )
    if hs_revision and hs_revision not in tradefiles.HS_REVISIONS:
        raise DomainError(_("Unknown HS revision: %(value)s.") % {"value": hs_revision}, code="bad_revision")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha = digest.hexdigest()
    already = TradeDataset.objects.filter(file_sha256=sha, status=DatasetStatus.READY).first()
    if already is not None:
        raise DomainError(
            _("This file is already loaded (data set “%(name)s”).") % {"name": already.name}, code="already_loaded"
        )
    with transaction.atomic():
        dataset = TradeDataset(
            name=(name or filename)[:200],
            source="comtrade",
            hs_revision=hs_revision,
            illustrative=illustrative,
            original_filename=filename[:255],
            file_sha256=sha,
            file_size=size,
            replace_existing=replace_existing,
            uploaded_by=user if getattr(user, "pk", None) else None,
        )
        upload.seek(0)
        # A generated name, never the client's (kept as data in original_filename); the extension checked above.
        dataset.file.save(f"{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}", File(upload), save=False)
        try:
            with local_path(dataset.file) as path:
                trade_file = tradefiles.open_trade_file(path, filename=filename, hs_revision=hs_revision or None)
        except tradefiles.TradeFileError as error:
            dataset.file.delete(save=False)
            raise DomainError(error.message, code="bad_trade_file") from error
        dataset.source = trade_file.layout.source
        dataset.layout = trade_file.layout.key
        dataset.encoding = trade_file.encoding
        if not dataset.hs_revision and trade_file.layout.hs_revision:
            dataset.hs_revision = trade_file.layout.hs_revision
        dataset.save()
        dataset.job = job_enqueue(
            kind=IMPORT_JOB,
            title=_("Load trade file %(name)s") % {"name": filename},
            params={"dataset_id": dataset.pk},
            created_by=dataset.uploaded_by,
        )
        dataset.save(update_fields=["job"])
    return dataset


def hs_converter() -> tradefiles.HsConverter:
    rows = [
        tradefiles.ConcordanceRow(after, before, relationship, adjustment)
        for after, before, relationship, adjustment in HsConcordance.objects.filter(
            revision_before__startswith="HS"
        ).values_list("code_after", "code_before", "relationship", "adjustment")
    ]
    codes = HsCode.objects.filter(level=6).values_list("code", flat=True)
    return tradefiles.HsConverter(rows, codes)


@dataclass
class _Checked:
    """What the first pass learned of a file: enough to refuse it, or to write it in a second pass."""

    rows_read: int = 0
    problem_count: int = 0
    years: set[int] | None = None
    declaring: set[str] | None = None
    detailed: set[tuple[str, str, int, str]] | None = None  # (declaring, side, year, code) with a partner row
    total: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        self.years, self.declaring, self.detailed = set(), set(), set()


def _declaring(record: tradefiles.TradeRecord) -> str:
    if record.reported_by == ReportedBy.RECONCILED:
        return "*"
    return record.importer if record.reported_by == ReportedBy.IMPORTER else record.exporter


def _partner(record: tradefiles.TradeRecord) -> str:
    return record.exporter if record.reported_by == ReportedBy.IMPORTER else record.importer


def _problem(problems: list[dict[str, Any]], checked: _Checked, **problem: Any) -> None:
    checked.problem_count += 1
    if len(problems) < KEPT_PROBLEMS:
        problems.append(problem)


def _check_pass(
    context: JobContext | None, dataset: TradeDataset, trade_file: Any, converter: tradefiles.HsConverter
) -> tuple[_Checked, list[dict[str, Any]]]:
    checked, problems = _Checked(), []  # type: tuple[_Checked, list[dict[str, Any]]]
    seen: dict[tuple[Any, ...], int] = {}
    assert checked.years is not None and checked.declaring is not None and checked.detailed is not None
    for item in trade_file.rows():
        checked.rows_read += 1
        if context is not None and checked.rows_read % 20000 == 0:
            context.advance(20000, step=_("Checking: %(n)s rows") % {"n": checked.rows_read})
        if isinstance(item, tradefiles.TradeProblem):
            _problem(problems, checked, line=item.line, column=item.column, value=item.value, message=item.message)
            continue
        if not converter.is_valid(item.hs6_original, item.hs_revision):
            _problem(
                problems,
                checked,
                line=item.line,
                column="HS",
                value=item.hs6_original,
                message=_("Code %(code)s does not exist in %(revision)s: is the file in another HS revision?")
                % {"code": item.hs6_original, "revision": item.hs_revision},
            )
            continue
        key = (item.year, item.reported_by, item.exporter, item.importer, item.hs6_original)
        if key in seen:
            _problem(
                problems,
                checked,
                line=item.line,
                column="",
                value=item.hs6_original,
                message=_("Same year, countries and product as line %(line)s.") % {"line": seen[key]},
            )
            continue
        seen[key] = item.line
        checked.years.add(item.year)
        checked.declaring.add(_declaring(item))
        checked.total += item.value_usd
        if _partner(item) != WORLD:
            checked.detailed.add((_declaring(item), item.reported_by, item.year, item.hs6_original))
    return checked, problems


def _overlapping(dataset: TradeDataset, checked: _Checked) -> list[TradeDataset]:
    """Loaded data sets of the same source that declare one of this file's years for one of its countries."""
    assert checked.years is not None and checked.declaring is not None
    others = TradeDataset.objects.filter(source=dataset.source, status=DatasetStatus.READY).exclude(pk=dataset.pk)
    clashing = []
    for other in others:
        if set(other.years) & checked.years and (
            "*" in checked.declaring or "*" in other.countries or set(other.countries) & checked.declaring
        ):
            clashing.append(other)
    return clashing


def _refuse(dataset: TradeDataset, *, message: str, problems: list[dict[str, Any]], checked: _Checked) -> None:
    TradeDataset.objects.filter(pk=dataset.pk).update(
        status=DatasetStatus.REFUSED,
        error=message,
        problems=problems,
        problem_count=checked.problem_count,
        rows_read=checked.rows_read,
        updated_at=timezone.now(),
    )


def trade_dataset_load(*, dataset_id: int, context: JobContext | None = None) -> TradeDataset:
    """Check every row of the file, then load it; all or nothing.

    Pass 1 reads the whole file: any invalid row, a code of the wrong HS revision, a repeated row, or years
    already loaded for the same countries from the same source (unless the upload asked to replace them)
    refuse the file, and nothing is written. Pass 2 writes the flows in chunks while the data set is
    `loading` (indicators read only `ready` data sets); a failure deletes what was written. The switch to
    `ready`, and the retirement of the data sets it replaces, happen in one transaction."""
    dataset = TradeDataset.objects.get(pk=dataset_id)
    if dataset.status == DatasetStatus.READY:
        return dataset  # a job delivered twice loads nothing twice
    TradeDataset.objects.filter(pk=dataset.pk).update(status=DatasetStatus.VALIDATING, updated_at=timezone.now())
    with local_path(dataset.file) as path:
        return _load(dataset, path, context)


def _load(dataset: TradeDataset, path: Path, context: JobContext | None) -> TradeDataset:
    try:
        trade_file = tradefiles.open_trade_file(
            path, filename=dataset.original_filename, hs_revision=dataset.hs_revision or None
        )
    except tradefiles.TradeFileError as error:
        _refuse(dataset, message=error.message, problems=[], checked=_Checked())
        return TradeDataset.objects.get(pk=dataset.pk)
    converter = hs_converter()
    if context is not None:
        context.set_total(max(1, dataset.file_size // 60) * 2)  # about 60 bytes a row: refined as we go
    checked, problems = _check_pass(context, dataset, trade_file, converter)
    if context is not None:
        context.set_total(checked.rows_read * 2)
    if checked.problem_count:
        _refuse(
            dataset,
            message=_("%(n)s problem(s) in the file: nothing was loaded. Correct the file and upload it again.")
            % {"n": checked.problem_count},
            problems=problems,
            checked=checked,
        )
        return TradeDataset.objects.get(pk=dataset.pk)
    if not checked.rows_read or not checked.years:
        _refuse(dataset, message=_("The file has no trade flow to load."), problems=[], checked=checked)
        return TradeDataset.objects.get(pk=dataset.pk)
    clashing = _overlapping(dataset, checked)
    if clashing and not dataset.replace_existing:
        _refuse(
            dataset,
            message=_(
                "Years already loaded for the same countries from the same source (data set “%(name)s”): nothing "
                "was loaded. Upload again with “replace the years already loaded” ticked to replace them."
            )
            % {"name": clashing[0].name},
            problems=[],
            checked=checked,
        )
        return TradeDataset.objects.get(pk=dataset.pk)

    TradeDataset.objects.filter(pk=dataset.pk).update(
        status=DatasetStatus.LOADING,
        rows_read=checked.rows_read,
        years=sorted(checked.years or ()),
        countries=sorted(checked.declaring or ()),
        total_value_usd=checked.total,
        updated_at=timezone.now(),
    )
    if context is not None:
        context.job.progress_done = checked.rows_read
        context.advance(0, step=_("Loading"))
    try:
        written, skipped = _write_pass(context, dataset, trade_file, converter, checked)
    except Exception:
        TradeFlow.objects.filter(dataset=dataset).delete()
        TradeDataset.objects.filter(pk=dataset.pk).update(status=DatasetStatus.FAILED, updated_at=timezone.now())
        raise
    with transaction.atomic():
        for other in clashing:
            TradeFlow.objects.filter(dataset=other).delete()
            TradeDataset.objects.filter(pk=other.pk).update(
                status=DatasetStatus.REPLACED, flow_count=0, updated_at=timezone.now()
            )
        TradeDataset.objects.filter(pk=dataset.pk).update(
            status=DatasetStatus.READY,
            flow_count=written,
            skipped=skipped,
            loaded_at=timezone.now(),
            error="",
            updated_at=timezone.now(),
        )
    return TradeDataset.objects.get(pk=dataset.pk)


FLOW_COLUMNS = (
    "dataset_id", "year", "exporter", "importer", "reported_by", "hs6", "hs6_original", "share", "value_usd",
    "quantity", "quantity_unit", "line",
)  # fmt: skip


def _insert_flows(rows: list[tuple[Any, ...]]) -> None:
    """Insert flow rows (FLOW_COLUMNS order) in one transaction with the driver's executemany: building a model
    instance per flow costs more than the insert itself (docs/benchmarks.md, the insights benchmark)."""
    quote = connection.ops.quote_name
    table, columns = quote(TradeFlow._meta.db_table), ", ".join(quote(c) for c in FLOW_COLUMNS)
    placeholders = ", ".join(["%s"] * len(FLOW_COLUMNS))
    # Only the model's own table and column names enter the statement; the values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _write_pass(
    context: JobContext | None,
    dataset: TradeDataset,
    trade_file: Any,
    converter: tradefiles.HsConverter,
    checked: _Checked,
) -> tuple[int, dict[str, int]]:
    assert checked.detailed is not None
    skipped: dict[str, int] = defaultdict(int)
    batch: list[tuple[Any, ...]] = []
    written = 0
    cent, thousandth, millionth = Decimal("0.01"), Decimal("0.001"), Decimal("0.000001")

    def flush() -> None:
        nonlocal written
        _insert_flows(batch)
        written += len(batch)
        if context is not None:
            context.advance(0, step=_("Loading: %(n)s flows") % {"n": written})
        batch.clear()

    read = 0
    for item in trade_file.rows():
        read += 1
        if context is not None and read % 20000 == 0:
            context.advance(20000)
        if isinstance(item, tradefiles.TradeProblem):  # pragma: no cover — pass 1 refused such files
            raise DomainError(_("The file changed while it was being loaded."), code="file_changed")
        if _partner(item) == WORLD and (_declaring(item), item.reported_by, item.year, item.hs6_original) in (
            checked.detailed
        ):
            skipped["world_total_with_partners"] += 1
            continue
        for hs6, share in converter.to_hs2022(item.hs6_original, item.hs_revision):
            whole = share == 1
            batch.append(
                (
                    dataset.pk,
                    item.year,
                    item.exporter,
                    item.importer,
                    item.reported_by,
                    hs6,
                    item.hs6_original,
                    Decimal(1) if whole else share.quantize(millionth),
                    item.value_usd.quantize(cent) if whole else (item.value_usd * share).quantize(cent),
                    None
                    if item.quantity is None
                    else (item.quantity if whole else item.quantity * share).quantize(thousandth),
                    item.quantity_unit[:12],
                    item.line,
                )
            )
        if len(batch) >= WRITE_CHUNK:
            flush()
    if batch:
        flush()
    for reason, count in getattr(trade_file, "skipped", {}).items():
        skipped[reason] += count
    return written, dict(skipped)


def trade_dataset_delete(*, actor: Actor, dataset: TradeDataset) -> None:
    """Remove a data set and its flows (the indicators change at the next computation)."""
    _require_manager(actor)
    if dataset.status in (DatasetStatus.VALIDATING, DatasetStatus.LOADING):
        raise DomainError(_("The file is being loaded: wait until it is done."), code="dataset_busy")
    with transaction.atomic():
        TradeFlow.objects.filter(dataset=dataset).delete()
        file = dataset.file
        dataset.delete()
        transaction.on_commit(lambda: file.delete(save=False) if file else None)


# ------------------------------------------------------------------------------------------------- crosswalk


@dataclass(frozen=True)
class LinkInput:
    group: str
    share_percent: Decimal
    note: str = ""


def _crosswalk_problems(hs6: str, links: Sequence[LinkInput]) -> list[str]:
    problems = []
    if not HsCode.objects.filter(code=hs6, level=6).exists():
        problems.append(_("%(code)s is not an HS 2022 subheading (six digits).") % {"code": hs6})
    if not links:
        problems.append(_("%(code)s would be left without an EMDN group: give it at least one group.") % {"code": hs6})
    groups = [link.group for link in links]
    if len(set(groups)) != len(groups):
        problems.append(_("The same EMDN group appears twice."))
    known = set(EmdnCode.objects.filter(code__in=groups, level=2).values_list("code", flat=True))
    for group in groups:
        if group not in known:
            problems.append(_("%(code)s is not an EMDN group (a letter and two digits, e.g. A01).") % {"code": group})
    for link in links:
        if not (Decimal(0) < link.share_percent <= HUNDRED):
            problems.append(_("A share is a percentage above 0 and at most 100."))
            break
    total = sum((link.share_percent for link in links), Decimal(0))
    if links and total != HUNDRED:
        problems.append(_("The shares add up to %(total)s %%, not 100 %%.") % {"total": total})
    return problems


@transaction.atomic
def crosswalk_set_links(*, actor: Actor, hs6: str, links: Sequence[LinkInput]) -> list[HsEmdnLink]:
    """Replace the EMDN groups of one HS code. Refused, and nothing changed, when the code would be left without
    a group or the shares do not add up to 100. Each created, changed or removed link enters the audit trail."""
    _require_manager(actor)
    hs6 = (hs6 or "").strip()
    problems = _crosswalk_problems(hs6, links)
    if problems:
        raise DomainError(" ".join(problems), code="invalid_crosswalk")
    emdn = {code.code: code for code in EmdnCode.objects.filter(code__in=[link.group for link in links])}
    existing = {link.emdn_group.code: link for link in HsEmdnLink.objects.filter(hs6=hs6).select_related("emdn_group")}
    kept = []
    for link in links:
        current = existing.pop(link.group, None)
        if current is None:
            current = HsEmdnLink.objects.create(
                hs6=hs6, emdn_group=emdn[link.group], share_percent=link.share_percent, note=link.note[:300]
            )
        elif current.share_percent != link.share_percent or current.note != link.note[:300]:
            current.share_percent, current.note = link.share_percent, link.note[:300]
            current.save(update_fields=["share_percent", "note", "updated_at"])
        kept.append(current)
    for removed in existing.values():
        removed.delete()
    return kept


def _crosswalk_rows(content: bytes) -> list[tuple[str, str, Decimal, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(_("The crosswalk file is not UTF-8."), code="bad_crosswalk_file") from error
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    if [h.strip() for h in header] != CROSSWALK_HEADER:
        raise DomainError(
            _("The crosswalk file must have the columns %(columns)s.") % {"columns": ", ".join(CROSSWALK_HEADER)},
            code="bad_crosswalk_file",
        )
    rows = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            hs6, group, share, note = (cell.strip() for cell in row)
            rows.append((hs6.zfill(6), group, Decimal(share), note))
        except (ValueError, InvalidOperation) as error:
            raise DomainError(
                _("Crosswalk file, line %(line)s: unreadable row.") % {"line": number}, code="bad_crosswalk_file"
            ) from error
    return rows


def crosswalk_load(*, data_dir: Path | None = None, force: bool = False) -> dict[str, int]:
    """Load the crosswalk the project ships, once: after that the database copy, edited on screen, is the
    reference and a new load never overwrites it (unless `force`, which replaces every link)."""
    path = Path(data_dir or settings.REFERENCE_DATA_DIR) / CROSSWALK_FILE
    present = HsEmdnLink.objects.count()
    if present and not force:
        return {"created": 0, "kept": present}
    rows = _crosswalk_rows(path.read_bytes())
    by_code: dict[str, list[LinkInput]] = defaultdict(list)
    for hs6, group, share, note in rows:
        by_code[hs6].append(LinkInput(group, share, note))
    problems = []
    for hs6, links in by_code.items():
        problems += [f"{hs6}: {problem}" for problem in _crosswalk_problems(hs6, links)]
    if problems:
        raise DomainError(
            _("The crosswalk file is refused: %(problems)s") % {"problems": "; ".join(problems[:10])},
            code="bad_crosswalk_file",
        )
    emdn = {code.code: code for code in EmdnCode.objects.filter(level=2)}
    with transaction.atomic():
        HsEmdnLink.objects.all().delete()
        HsEmdnLink.objects.bulk_create(
            HsEmdnLink(hs6=hs6, emdn_group=emdn[link.group], share_percent=link.share_percent, note=link.note[:300])
            for hs6, links in by_code.items()
            for link in links
        )
    return {"created": len(rows), "kept": 0}


# -------------------------------------------------------------------------------------------- exchange rates


def exchange_rate_set(
    *, actor: Actor, year: int, mad_per_unit: Decimal, source: str, currency: str = "USD", illustrative: bool = False
) -> ExchangeRate:
    _require_manager(actor)
    if mad_per_unit <= 0:
        raise DomainError(_("A rate is a positive number of dirhams."), code="invalid_rate")
    if not source.strip():
        raise DomainError(_("Say where the rate comes from."), code="invalid_rate")
    rate, _created = ExchangeRate.objects.update_or_create(
        year=year,
        currency=currency,
        defaults={"mad_per_unit": mad_per_unit, "source": source.strip()[:300], "illustrative": illustrative},
    )
    return rate


# --------------------------------------------------------------------------------------------- snapshots


def snapshot_request(*, actor: Actor, user: Any = None) -> IndicatorSnapshot:
    """Queue a new computation of the indicators (pages keep showing the previous one until it is ready)."""
    _require_manager(actor)
    return _snapshot_enqueue(user=user if getattr(user, "pk", None) else None)


def _snapshot_enqueue(*, user: Any = None) -> IndicatorSnapshot:
    with transaction.atomic():
        snapshot = IndicatorSnapshot.objects.create(created_by=user)
        snapshot.job = job_enqueue(
            kind=SNAPSHOT_JOB, title=_("Compute the indicators"), params={"snapshot_id": snapshot.pk}, created_by=user
        )
        snapshot.save(update_fields=["job"])
    return snapshot


def snapshot_refresh_after_change() -> IndicatorSnapshot | None:
    """Queue a computation of the indicators because what they are made of changed (a matching run finished its
    allocation): the system asks, not a person. At most one computation waits in the queue: a change while one
    waits is counted by it, since it reads everything when it starts."""
    from tawrid.core.models import JobStatus

    waiting = IndicatorSnapshot.objects.filter(status=SnapshotStatus.COMPUTING, job__status=JobStatus.QUEUED)
    if waiting.exists():
        return None
    return _snapshot_enqueue()


def snapshot_compute_now(*, actor: Actor) -> IndicatorSnapshot:
    """Compute the indicators in this process (the demo set-up and the command line), without the queue."""
    _require_manager(actor)
    snapshot = IndicatorSnapshot.objects.create()
    try:
        return snapshot_compute(snapshot_id=snapshot.pk)
    except Exception as error:
        snapshot_failed(snapshot_id=snapshot.pk, message=getattr(error, "message", str(error)))
        raise


def _crosswalk_shares() -> dict[str, list[tuple[str, Decimal]]]:
    shares: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for hs6, group, percent in HsEmdnLink.objects.values_list("hs6", "emdn_group__code", "share_percent"):
        shares[hs6].append((group, percent / HUNDRED))
    return shares


def _ready_flows() -> Any:
    return TradeFlow.objects.filter(dataset__status=DatasetStatus.READY)


def _imports_by_group(
    crosswalk: dict[str, list[tuple[str, Decimal]]], rates: dict[int, Decimal]
) -> tuple[dict[tuple[str, int], dict[str, Any]], set[int]]:
    """Imports of the reporting country per (EMDN group, year), as its customs declared them (or as BACI
    reconciled them); the world-total rows count only where the file had no partner detail (see the load)."""
    rows = (
        _ready_flows()
        .filter(importer=REPORTER, reported_by__in=[ReportedBy.IMPORTER, ReportedBy.RECONCILED], hs6__in=crosswalk)
        .values("year", "hs6", "exporter")
        .annotate(value=Sum("value_usd"))
        .order_by()
    )
    cells: dict[tuple[str, int], dict[str, Any]] = defaultdict(lambda: {"usd": Decimal(0), "origins": set()})
    years: set[int] = set()
    for row in rows:
        years.add(row["year"])
        for group, share in crosswalk[row["hs6"]]:
            cell = cells[(group, row["year"])]
            cell["usd"] += row["value"] * share
            if row["exporter"] != WORLD:
                cell["origins"].add(row["exporter"])
    for (_group, year), cell in cells.items():
        rate = rates.get(year)
        cell["mad"] = (cell["usd"] * rate).quantize(Decimal("0.01")) if rate is not None else None
        cell["usd"] = cell["usd"].quantize(Decimal("0.01"))
    return cells, years


def _exports_by_group(crosswalk: dict[str, list[tuple[str, Decimal]]]) -> dict[tuple[str, int], Decimal]:
    rows = (
        _ready_flows()
        .filter(exporter=REPORTER, reported_by__in=[ReportedBy.EXPORTER, ReportedBy.RECONCILED], hs6__in=crosswalk)
        .exclude(importer=WORLD)
        .values("year", "hs6")
        .annotate(value=Sum("value_usd"))
        .order_by()
    )
    cells: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for row in rows:
        for group, share in crosswalk[row["hs6"]]:
            cells[(group, row["year"])] += (row["value"] * share).quantize(Decimal("0.01"))
    return cells


def _complexity(notes: list[str]) -> complexity.ComplexityResult | None:
    """The measures of the latest year for which at least three countries' exports are loaded."""
    exports = (
        _ready_flows()
        .filter(reported_by__in=[ReportedBy.EXPORTER, ReportedBy.RECONCILED])
        .exclude(importer=WORLD)
        .exclude(exporter=WORLD)
    )
    years = (
        exports.values("year")
        .annotate(countries=Count("exporter", distinct=True))
        .filter(countries__gte=complexity.MIN_COUNTRIES)
        .order_by("-year")
        .values_list("year", flat=True)
    )
    for year in years:
        rows = exports.filter(year=year).values("exporter", "hs6").annotate(value=Sum("value_usd")).order_by()
        result = complexity.complexity_for(
            ((row["exporter"], row["hs6"], float(row["value"])) for row in rows), reporter=REPORTER, year=year
        )
        if result is not None:
            notes.extend(result.warnings)
            return result
    return None


def _demand_by_group() -> dict[tuple[str, int], dict[str, Any]]:
    from tawrid.demand.models import PlanLine
    from tawrid.demand.services import counted_plans

    rows = (
        PlanLine.objects.filter(plan__in=counted_plans(), emdn__isnull=False)
        .values("emdn__code", "plan__year", "plan__buyer_id")
        .annotate(lines=Count("pk"), value=Sum("estimated_value"))
        .order_by()
    )
    cells: dict[tuple[str, int], dict[str, Any]] = defaultdict(
        lambda: {"value": Decimal(0), "lines": 0, "buyers": set()}
    )
    for row in rows:
        cell = cells[(row["emdn__code"][:3], row["plan__year"])]
        cell["value"] += row["value"] or 0
        cell["lines"] += row["lines"]
        cell["buyers"].add(row["plan__buyer_id"])
    return cells


@dataclass
class Coverage:
    """Demand value covered by eligible local products, per (EMDN group, year), per (buyer, year) and — the
    demand allocated to each supplier's products — per (supplier, year)."""

    by_group: dict[tuple[str, int], Decimal]
    by_buyer: dict[tuple[int, int], Decimal]
    by_supplier: dict[tuple[int, int], Decimal]


def coverage_runs(year: int, *, buyer: Any = None) -> tuple[list[Any], bool]:
    """The match runs whose allocation gives a year's local coverage, and whether it is the national one: the
    latest national run of the year (capacities shared between all buyers), else the latest run of each plan in
    force (of one buyer, when given)."""
    from tawrid.demand.services import counted_plans
    from tawrid.matching.selectors import latest_run

    operator = Actor(is_superuser=True)
    national = latest_run(operator, year=year)
    if national is not None:
        return [national], True
    plans = counted_plans().filter(year=year)
    if buyer is not None:
        plans = plans.filter(buyer=buyer)
    return [run for plan in plans if (run := latest_run(operator, plan=plan))], False


def _coverage(years: Iterable[int], notes: list[str]) -> Coverage:
    """Demand value covered by eligible local products (the allocation's covered quantity × the line's value per
    unit), from the latest national match run of each year — capacities shared between all buyers. A year
    without a national run falls back on the latest run of each plan in force, which may count one
    manufacturer's capacity for several buyers: the snapshot notes it."""
    from tawrid.matching.models import LineResult, MatchCandidate

    by_group: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    by_buyer: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    by_supplier: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for year in years:
        runs, national = coverage_runs(year)
        if runs and not national:
            notes.append(
                _("%(year)s: no national matching run; local coverage added up plan by plan.") % {"year": year}
            )
        for run in runs:
            rows = (
                LineResult.objects.filter(run=run, covered_quantity__gt=0)
                .values_list("line__emdn__code", "line__plan__buyer_id", "line__estimated_value", "quantity",
                             "covered_quantity")
                .order_by()
            )  # fmt: skip
            for code, buyer, value, quantity, covered in rows:
                if value and quantity:
                    worth = value * min(covered, quantity) / quantity
                    by_buyer[(buyer, year)] += worth
                    if code:
                        by_group[(code[:3], year)] += worth
            allocations = (
                MatchCandidate.objects.filter(result__run=run, allocated_quantity__gt=0)
                .values_list("product__manufacturer_id", "result__line__estimated_value", "result__quantity",
                             "allocated_quantity")
                .order_by()
            )  # fmt: skip
            for supplier, value, quantity, allocated in allocations:
                if value and quantity:
                    by_supplier[(supplier, year)] += value * min(allocated, quantity) / quantity
    cent = Decimal("0.01")
    return Coverage(
        by_group={key: value.quantize(cent) for key, value in by_group.items()},
        by_buyer={key: value.quantize(cent) for key, value in by_buyer.items()},
        by_supplier={key: value.quantize(cent) for key, value in by_supplier.items()},
    )


def _demand_by_buyer() -> dict[tuple[int, int], tuple[Decimal, int]]:
    """Declared value and lines of each buyer's plans in force, per plan year (unclassified lines included)."""
    from tawrid.demand.models import PlanLine
    from tawrid.demand.services import counted_plans

    rows = (
        PlanLine.objects.filter(plan__in=counted_plans())
        .values_list("plan__buyer_id", "plan__year")
        .annotate(value=Sum("estimated_value"), lines=Count("pk"))
        .order_by()
    )
    return {(buyer, year): (value or Decimal(0), lines) for buyer, year, value, lines in rows}


@dataclass
class Orders:
    """Value ordered and ordered locally per (EMDN group, year) and per (buyer, year); value ordered from each
    supplier per (supplier, year). Years of orders in Casablanca time, as the local-purchase rates count them."""

    by_group: dict[tuple[str, int], tuple[Decimal, Decimal]]
    by_buyer: dict[tuple[int, int], tuple[Decimal, Decimal]]
    by_supplier: dict[tuple[int, int], Decimal]


def _orders() -> Orders:
    from tawrid.sourcing.models import OrderLine
    from tawrid.sourcing.selectors import local_purchase_rates

    rates = local_purchase_rates(Actor(is_superuser=True))
    sold: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for supplier, ordered_at, value in OrderLine.objects.values_list(
        "order__supplier_id", "order__ordered_at", "value"
    ).order_by():
        sold[(supplier, timezone.localtime(ordered_at).year)] += value
    return Orders(
        by_group={key: (rate.total_value, rate.local_value) for key, rate in rates.by_group_year.items() if key[0]},
        by_buyer={
            (int(buyer), year): (rate.total_value, rate.local_value)
            for (buyer, year), rate in rates.by_buyer_year.items()
        },
        by_supplier=dict(sold),
    )


EXPIRY_HORIZON_DAYS = 90


@dataclass
class Supply:
    """Published products of manufacturers established in Morocco and their regulatory state on one day, per
    EMDN group and per manufacturer."""

    by_group: dict[str, dict[str, Any]]
    by_maker: dict[int, dict[str, Any]]


def _supply() -> Supply:
    from tawrid.catalog.models import Product, ProductStatus, RegistrationApplication, RegistrationStatus
    from tawrid.catalog.selectors import certified_products_on, labelled_product_ids, registered_products_on

    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=EXPIRY_HORIZON_DAYS)
    local = Product.objects.filter(status=ProductStatus.PUBLISHED, manufacturer__country="MA")

    def ids(queryset: Any) -> set[int]:
        return set(queryset.values_list("pk", flat=True))

    certified, registered = ids(certified_products_on(today, local)), ids(registered_products_on(today, local))
    eligible = certified & registered
    certificate_lapses = certified - ids(certified_products_on(horizon, local))
    registration_lapses = registered - ids(registered_products_on(horizon, local))
    labelled = labelled_product_ids(today)
    pending = set(
        RegistrationApplication.objects.filter(
            product__in=local, status__in=[RegistrationStatus.SUBMITTED, RegistrationStatus.UNDER_REVIEW]
        ).values_list("product_id", flat=True)
    )

    def cell() -> dict[str, Any]:
        return {"makers": set(), "groups": set(), "products": 0, "eligible": 0, "certified": 0, "registered": 0,
                "labelled": 0, "pending": 0, "certificate_lapses": 0, "registration_lapses": 0, "capacity": 0,
                "classes": defaultdict(int)}  # fmt: skip

    groups: dict[str, dict[str, Any]] = defaultdict(cell)
    makers: dict[int, dict[str, Any]] = defaultdict(cell)
    for pk, code, maker, capacity, risk in local.values_list(
        "pk", "emdn__code", "manufacturer_id", "capacity_per_year", "risk_class"
    ):
        for target in (groups[code[:3]], makers[maker]):
            target["makers"].add(maker)
            target["groups"].add(code[:3])
            target["products"] += 1
            target["eligible"] += pk in eligible
            target["certified"] += pk in certified
            target["registered"] += pk in registered
            target["labelled"] += pk in labelled
            target["pending"] += pk in pending
            target["certificate_lapses"] += pk in certificate_lapses
            target["registration_lapses"] += pk in registration_lapses
            target["capacity"] += capacity or 0
            if risk:
                target["classes"][risk] += 1
    return Supply(by_group=dict(groups), by_maker=dict(makers))


RISK_ORDER = ["I", "A", "IIa", "B", "IIb", "C", "III", "D"]


def _typical_class(classes: dict[str, int]) -> str:
    """The most common class of the group's local products; ties go to the stricter class."""
    if not classes:
        return ""
    return max(classes, key=lambda c: (classes[c], RISK_ORDER.index(c) if c in RISK_ORDER else -1))


def snapshot_compute(*, snapshot_id: int, context: JobContext | None = None) -> IndicatorSnapshot:
    """Compute every figure of a snapshot from what is loaded now; the snapshot is `ready` only when all its
    rows are written (in one transaction), so pages never see half a snapshot."""
    snapshot = IndicatorSnapshot.objects.get(pk=snapshot_id)
    if snapshot.status == SnapshotStatus.READY:
        return snapshot
    started = time.perf_counter()
    steps = 7
    if context is not None:
        context.set_total(steps)

    def step(label: str) -> None:
        if context is not None:
            context.advance(step=label)

    notes: list[str] = []
    crosswalk = _crosswalk_shares()
    rates = dict(ExchangeRate.objects.filter(currency="USD").values_list("year", "mad_per_unit"))
    imports, trade_years = _imports_by_group(crosswalk, rates)
    exports = _exports_by_group(crosswalk)
    step(pgettext("international trade", "Imports"))
    demand = _demand_by_group()
    buyer_demand = _demand_by_buyer()
    step(_("Declared demand"))
    # The years of every plan in force, coded or not: a year whose lines have no EMDN code yet still has buyers.
    demand_years = sorted({year for _group, year in demand} | {year for _buyer, year in buyer_demand})
    covered = _coverage(demand_years, notes)
    coverage = covered.by_group
    step(_("Local coverage"))
    ordered_all = _orders()
    orders = ordered_all.by_group
    step(_("Orders"))
    supplied = _supply()
    supply = supplied.by_group
    step(_("Local supply"))
    measures = _complexity(notes)
    step(_("Economic complexity"))

    labels = dict(EmdnCode.objects.filter(level=2).values_list("code", "term"))
    hs_of_group: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for hs6, links in crosswalk.items():
        for group, share in links:
            hs_of_group[group].append((hs6, share))
    makers_by_category: dict[str, set[int]] = defaultdict(set)
    for group, offered in supply.items():
        makers_by_category[group[:1]] |= offered["makers"]

    year_keys = set(imports) | set(demand) | set(coverage) | set(orders) | set(exports)
    year_rows = []
    for group, year in sorted(year_keys):
        trade = imports.get((group, year), {})
        declared = demand.get((group, year), {})
        ordered, ordered_local = orders.get((group, year), (Decimal(0), Decimal(0)))
        year_rows.append(
            GroupYearFigures(
                snapshot=snapshot,
                group=group,
                year=year,
                imports_usd=trade.get("usd", Decimal(0)),
                imports_mad=trade.get("mad"),
                import_origins=len(trade.get("origins", ())),
                exports_usd=exports.get((group, year), Decimal(0)),
                demand_mad=declared.get("value", Decimal(0)),
                demand_lines=declared.get("lines", 0),
                demand_buyers=len(declared.get("buyers", ())),
                covered_mad=coverage.get((group, year), Decimal(0)),
                ordered_mad=ordered,
                ordered_local_mad=ordered_local,
            )
        )
    groups = {group for group, _year in year_keys} | set(supply) | set(hs_of_group)
    group_rows = []
    for group in sorted(groups):
        cell: dict[str, Any] | None = supply.get(group)
        hs_codes = sorted(hs_of_group.get(group, []))
        weighted: dict[str, float | None] = {"rca": None, "density": None, "pci": None, "cog": None}
        if measures is not None and hs_codes:
            for name in weighted:
                pairs = [
                    (getattr(measures.measures[hs6], name), float(share))
                    for hs6, share in hs_codes
                    if hs6 in measures.measures and getattr(measures.measures[hs6], name) is not None
                ]
                total = sum(share for _value, share in pairs)
                if total > 0:
                    weighted[name] = sum(value * share for value, share in pairs) / total
        group_rows.append(
            GroupFigures(
                snapshot=snapshot,
                group=group,
                label=labels.get(group, "")[:300],
                manufacturers=len(cell["makers"]) if cell else 0,
                products=cell["products"] if cell else 0,
                eligible_products=cell["eligible"] if cell else 0,
                capacity_units=cell["capacity"] if cell else 0,
                risk_class=_typical_class(cell["classes"]) if cell else "",
                risk_class_from_products=bool(cell and cell["classes"]),
                hs_codes=[[hs6, format((share * HUNDRED).normalize(), "f")] for hs6, share in hs_codes],
                category_makers=len(makers_by_category.get(group[:1], ())),
                certified_products=cell["certified"] if cell else 0,
                registered_products=cell["registered"] if cell else 0,
                labelled_products=cell["labelled"] if cell else 0,
                registrations_pending=cell["pending"] if cell else 0,
                certificates_expiring=cell["certificate_lapses"] if cell else 0,
                registrations_expiring=cell["registration_lapses"] if cell else 0,
                **weighted,
            )
        )
    organisation_year_rows = _organisation_year_rows(snapshot, buyer_demand, covered, ordered_all)
    organisation_rows = [
        OrganisationFigures(
            snapshot=snapshot,
            organisation_id=maker,
            products=cell["products"],
            eligible_products=cell["eligible"],
            certified_products=cell["certified"],
            registered_products=cell["registered"],
            labelled_products=cell["labelled"],
            groups=len(cell["groups"]),
            capacity_units=cell["capacity"],
        )
        for maker, cell in sorted(supplied.by_maker.items())
    ]
    datasets = list(
        TradeDataset.objects.filter(status=DatasetStatus.READY).values_list("pk", "name", "illustrative", "source")
    )
    with transaction.atomic():
        GroupYearFigures.objects.bulk_create(year_rows, batch_size=2000)
        GroupFigures.objects.bulk_create(group_rows, batch_size=2000)
        OrganisationYearFigures.objects.bulk_create(organisation_year_rows, batch_size=2000)
        OrganisationFigures.objects.bulk_create(organisation_rows, batch_size=2000)
        IndicatorSnapshot.objects.filter(pk=snapshot.pk).update(
            status=SnapshotStatus.READY,
            trade_years=sorted(trade_years),
            demand_years=demand_years,
            datasets=[{"id": pk, "name": name, "illustrative": ill, "source": src} for pk, name, ill, src in datasets],
            illustrative=any(ill for _pk, _name, ill, _src in datasets),
            complexity_countries=measures.countries if measures else 0,
            complexity_year=measures.year if measures else None,
            notes=notes[:20],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    step(_("Saved"))
    if context is not None:
        context.log(
            f"{len(group_rows)} groups, {len(year_rows)} group-years, trade years {sorted(trade_years)}, "
            f"plan years {demand_years} in {time.perf_counter() - started:.2f} s"
        )
    return IndicatorSnapshot.objects.get(pk=snapshot.pk)


def _organisation_year_rows(
    snapshot: IndicatorSnapshot,
    demand: dict[tuple[int, int], tuple[Decimal, int]],
    covered: Coverage,
    orders: Orders,
) -> list[OrganisationYearFigures]:
    keys = set(demand) | set(covered.by_buyer) | set(covered.by_supplier) | set(orders.by_buyer)
    keys |= set(orders.by_supplier)
    rows = []
    for organisation, year in sorted(keys):
        value, lines = demand.get((organisation, year), (Decimal(0), 0))
        ordered, ordered_local = orders.by_buyer.get((organisation, year), (Decimal(0), Decimal(0)))
        rows.append(
            OrganisationYearFigures(
                snapshot=snapshot,
                organisation_id=organisation,
                year=year,
                demand_mad=value,
                demand_lines=lines,
                covered_mad=covered.by_buyer.get((organisation, year), Decimal(0)),
                ordered_mad=ordered,
                ordered_local_mad=ordered_local,
                allocated_mad=covered.by_supplier.get((organisation, year), Decimal(0)),
                sold_mad=orders.by_supplier.get((organisation, year), Decimal(0)),
            )
        )
    return rows


def snapshot_failed(*, snapshot_id: int, message: str) -> None:
    IndicatorSnapshot.objects.filter(pk=snapshot_id).exclude(status=SnapshotStatus.READY).update(
        status=SnapshotStatus.FAILED, error=message[:2000], updated_at=timezone.now()
    )


def snapshots_prune(*, keep: int = 10) -> int:
    """Keep the latest `keep` ready snapshots (and those reports refer to); older ones go."""
    ready = IndicatorSnapshot.objects.filter(status=SnapshotStatus.READY).order_by("-created_at", "-pk")
    old = ready[keep:]
    doomed = IndicatorSnapshot.objects.filter(pk__in=[s.pk for s in old]).exclude(Q(report__isnull=False))
    count = doomed.count()
    doomed.delete()
    return count


# ------------------------------------------------------------------------------------------------- reports

REPORT_JOB = "insights.report"
REPORT_LANGUAGES = ("fr", "ar", "en")


def current_quarter(moment: Any = None) -> str:
    local = timezone.localtime(moment or timezone.now())
    return f"{local.year}-T{(local.month - 1) // 3 + 1}"


def report_request(*, actor: Actor, user: Any, kind: str, language: str, group: str = "", period: str = "") -> Report:
    """Queue a PDF report on the latest indicators. The quarterly report is requested by the secretariat (for the
    ministries); an opportunity report by anyone signed in. Each request makes a new, archived report."""
    from tawrid.insights import policies, reports

    if actor.is_anonymous and not actor.is_superuser:
        raise Forbidden(_("Sign in to request a report."))
    if kind == ReportKind.QUARTERLY and not policies.can_manage(actor):
        raise Forbidden(_("Only the cluster secretariat may do this."))
    if kind not in (ReportKind.QUARTERLY, ReportKind.OPPORTUNITY):
        raise DomainError(_("Unknown kind of report."), code="invalid_report")
    if language not in REPORT_LANGUAGES:
        raise DomainError(_("A report is written in French, Arabic or English."), code="invalid_report")
    snapshot = IndicatorSnapshot.objects.filter(status=SnapshotStatus.READY).order_by("-created_at", "-pk").first()
    if snapshot is None:
        raise DomainError(_("The indicators have not been computed yet."), code="no_snapshot")
    group = group.upper()
    if kind == ReportKind.OPPORTUNITY and not EmdnCode.objects.filter(code=group, level=2).exists():
        raise DomainError(_("No such EMDN group."), code="invalid_report")
    period = period or current_quarter()
    if kind == ReportKind.QUARTERLY and not re.fullmatch(r"\d{4}-T[1-4]", period):
        raise DomainError(_("A period is written like 2026-T3."), code="invalid_report")
    with transaction.atomic():
        report = Report.objects.create(
            kind=kind,
            language=language,
            title=reports.report_title(kind=kind, language=language, period=period, group=group)[:300],
            period=period if kind == ReportKind.QUARTERLY else "",
            group=group if kind == ReportKind.OPPORTUNITY else "",
            snapshot=snapshot,
            requested_by=user if getattr(user, "pk", None) else None,
        )
        report.job = job_enqueue(
            kind=REPORT_JOB,
            title=report.title,
            params={"report_id": report.pk},
            created_by=report.requested_by,
        )
        report.save(update_fields=["job"])
    return report


def report_generate(*, report_id: int) -> Report:
    """Lay the report out and archive its PDF (a report delivered twice is generated once)."""
    from pypdf import PdfReader

    from tawrid.insights import reports

    report = Report.objects.get(pk=report_id)
    if report.status == ReportStatus.READY:
        return report
    try:
        content = reports.render_report(report)
    except Exception as error:
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED, error=str(error)[:2000], updated_at=timezone.now()
        )
        raise
    pages = len(PdfReader(io.BytesIO(content)).pages)
    name = f"{report.kind}-{report.group or report.period}-{report.language}-{report.pk}.pdf"
    with transaction.atomic():
        report.file.save(name, ContentFile(content), save=False)
        report.status, report.pages, report.size = ReportStatus.READY, pages, len(content)
        report.finished_at, report.error = timezone.now(), ""
        report.save(update_fields=["file", "status", "pages", "size", "finished_at", "error", "updated_at"])
    return report
