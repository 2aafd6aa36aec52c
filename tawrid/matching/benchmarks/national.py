"""Benchmark "matching national run": a national match run end to end, through the real services and real worker
processes — 50,000 published plan lines of one year against 100,000 catalogue products, allocation included.

The catalogue is the development EUDAMED devices (/work/shared/data/eval/eudamed_emdn_dev.csv, 2,901 rows) cycled
to 100,000 products: each copy is the same device family listed by another manufacturer (300 of them) under its
own reference, price, capacity and lead time, so products share texts (embedded once per text, as
`embeddings_refresh` does). About 88 % are eligible (ISO 13485 of the manufacturer, approved DMP registration).
The plan lines are the real designations of an Algerian hospital (tawrid/specs/tests/data/hospital_lines_dz.csv,
1,670 of them), each of 30 hospitals publishing its list (rotated) with its own quantities and prices.

Timed: the product embeddings (once per catalogue load, not per run) and the national run with two worker
processes, from `match_run_start` to the run's status `done` (workers start cold: each loads the catalogue, its
embeddings and the classifier). Not timed: the data setup, and the warm-up of the EMDN classifier's vectors in
the benchmark process (the ~8,500 EMDN terms and the catalogue's labelled examples, cached on disk under
var/cache/embeddings; a machine does it once). Baseline, same run: ONE worker on a 5,000-line slice (3 other
hospitals' plans of another year, same catalogue), its steady rate extrapolated to 50,000 lines.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.test import override_settings
from django.utils import timezone

from tawrid.core.bench import Figure, benchmark, database_url, stopwatch

NAME = "matching national run"
LINES = 50_000
PRODUCTS = 100_000
BUYERS = 30
MANUFACTURERS = 300
BASELINE_LINES = 5_000
BASELINE_BUYERS = 3
YEAR, BASELINE_YEAR = 2026, 2025
WORKERS = 2
TIMEOUT = 3 * 3600
EUDAMED = Path("/work/shared/data/eval/eudamed_emdn_dev.csv")
HOSPITAL = Path(__file__).resolve().parents[2] / "specs/tests/data/hospital_lines_dz.csv"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RISK = {"EU_CLASS_I": "I", "EU_CLASS_IIA": "IIa", "EU_CLASS_IIB": "IIb", "EU_CLASS_III": "III"}


@dataclass
class RunMeasure:
    run: Any
    seconds: float
    peak_rss_mb: float  # the largest peak resident set of the run's workers
    startup_seconds: float  # the slowest worker's engine load (first chunk's time less its usual chunk time)
    steady_lines_per_second: float


def _emdn_resolver() -> Any:
    from tawrid.nomenclature.models import EmdnCode

    known = dict(EmdnCode.objects.values_list("code", "pk"))

    def resolve(code: str) -> int | None:
        while code:
            if code in known:
                return known[code]
            code = code[:-2] if len(code) > 1 else ""
        return None

    return resolve


def build_catalogue(products: int, manufacturers: int, seed: int = 2026) -> int:
    """`products` published products of `manufacturers` organisations; returns how many are eligible."""
    from tawrid.accounts.models import Organisation, OrganisationKind
    from tawrid.catalog.models import (
        Certificate,
        CertificateKind,
        CertificateStatus,
        Product,
        ProductStatus,
        RegistrationApplication,
        RegistrationStatus,
    )
    from tawrid.core.text import fold

    rng = random.Random(seed)
    resolve = _emdn_resolver()
    with EUDAMED.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["trade_name"].strip() and resolve(r["emdn"]) is not None]
    orgs = Organisation.objects.bulk_create(
        Organisation(
            name=f"Fabricant national {n:03d}",
            slug=f"bench-national-mfr-{n:03d}",
            kind=OrganisationKind.STARTUP if n % 10 == 0 else OrganisationKind.MANUFACTURER,
            region="Casablanca-Settat",
            search_text=fold(f"Fabricant national {n:03d}"),
        )
        for n in range(manufacturers)
    )
    org_ids = [o.pk for o in orgs]
    by_name: dict[str, int] = {}
    now = timezone.now()
    batch: list[Any] = []
    for i in range(products):
        row = rows[i % len(rows)]
        copy = i // len(rows)
        home = by_name.setdefault(row["manufacturer"], len(by_name))
        name = row["trade_name"].strip()[:255]
        description = (row["description"] or "").strip()
        french = row["lang"] == "fr"
        capacity = None if rng.random() < 0.03 else int(rng.lognormvariate(11.5, 1.2))
        reference = f"NAT-{i:06d}"
        batch.append(
            Product(
                manufacturer_id=org_ids[(home * 7 + copy * 13) % len(org_ids)],
                reference=reference,
                name_fr=name,
                description_fr=description if french else "",
                description_en="" if french else description,
                emdn_id=resolve(row["emdn"]),
                risk_class=RISK.get(row["risk_class"], ""),
                status=ProductStatus.PUBLISHED,
                published_at=now,
                unit_price=Decimal(rng.randint(50, 200_000)) / 100,
                capacity_per_year=capacity,
                lead_time_days=rng.randint(7, 120),
                local_content_share=Decimal(rng.randint(20, 90)),
                search_text=fold(f"{reference} {name}"),
            )
        )
    created = Product.objects.bulk_create(batch, batch_size=2000)
    certified = set(org_ids[: int(len(org_ids) * 0.93)])
    Certificate.objects.bulk_create(
        Certificate(
            holder_id=org,
            kind=CertificateKind.ISO_13485,
            number=f"ISO-NAT-{org}",
            issuer="Bureau Veritas Maroc",
            issued_on=date(2024, 1, 1),
            expires_on=date(2030, 1, 1),
            status=CertificateStatus.ACTIVE,
            verified=True,
        )
        for org in sorted(certified)
    )
    registered = [p for p in created if rng.random() < 0.95]
    RegistrationApplication.objects.bulk_create(
        (
            RegistrationApplication(
                product_id=p.pk,
                status=RegistrationStatus.APPROVED,
                number=f"DMP-NAT-{p.pk}",
                valid_from=date(2024, 1, 1),
                valid_until=date(2031, 1, 1),
            )
            for p in registered
        ),
        batch_size=2000,
    )
    return sum(1 for p in registered if p.manufacturer_id in certified)


def build_plans(*, lines: int, buyers: int, year: int, first_buyer: int = 0, seed: int = 7) -> list[int]:
    """`buyers` hospitals each publish a plan of `year`: their share of `lines` lines, the real designations
    rotated (each hospital starts its list elsewhere), with their own quantities and prices."""
    from tawrid.accounts.models import Organisation, OrganisationKind
    from tawrid.core.text import fold
    from tawrid.demand.models import PlanLine, PlanStatus, PurchasePlan
    from tawrid.demand.services import line_values

    with HOSPITAL.open(encoding="utf-8") as handle:
        source = [(r["code"], r["designation"], r["unit"]) for r in csv.DictReader(handle)]
    computed: dict[tuple[str, str, str], dict[str, Any]] = {}
    rng = random.Random(seed + year)
    hospitals = []
    for n in range(first_buyer, first_buyer + buyers):
        slug = f"bench-national-chu-{n:02d}"
        org = Organisation.objects.filter(slug=slug).first() or Organisation.objects.create(
            name=f"CHU national {n:02d}", slug=slug, kind=OrganisationKind.HOSPITAL, region="Rabat-Salé-Kénitra",
            search_text=fold(f"CHU national {n:02d}"),
        )  # fmt: skip
        hospitals.append(org)
    now = timezone.now()
    plans = PurchasePlan.objects.bulk_create(
        PurchasePlan(buyer=org, year=year, title=f"Plan {year}", status=PlanStatus.PUBLISHED, published_at=now)
        for org in hospitals
    )
    rows: list[PlanLine] = []
    per_plan = -(-lines // buyers)
    for b, plan in enumerate(plans):
        count = min(per_plan, lines - b * per_plan)
        for k in range(count):
            key = source[(k + b * 157) % len(source)]
            if key not in computed:
                computed[key] = line_values(
                    {"buyer_reference": key[0], "designation": key[1], "unit": key[2], "quantity": Decimal(1)}
                )
            base = computed[key]
            quantity = Decimal(rng.randint(1, 500))
            price = Decimal(rng.randint(20, 50_000)) / 100 if rng.random() < 0.9 else None
            rows.append(
                PlanLine(
                    plan=plan,
                    line_number=k + 1,
                    buyer_reference=base["buyer_reference"],
                    designation=key[1],
                    search_text=base["search_text"],
                    natural_key=base["natural_key"],
                    quantity=quantity,
                    unit=base["unit"],
                    packaging=base["packaging"],
                    units_per_purchase_unit=base["units_per_purchase_unit"],
                    base_quantity=(quantity * base["units_per_purchase_unit"]).quantize(Decimal("0.001")),
                    unit_price=price,
                    estimated_value=(quantity * price).quantize(Decimal("0.01")) if price is not None else None,
                    parsed_attributes=base["parsed_attributes"],
                )
            )
    PlanLine.objects.bulk_create(rows, batch_size=2000)
    return [p.pk for p in plans]


def _peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set) of a running process, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _between(start: Any, end: Any) -> float:
    """Seconds between two stored datetimes (the chunks of a finished run have both)."""
    return float((end - start).total_seconds())


def run_national(*, actor: Any, year: int, workers: int) -> RunMeasure:
    """Start the national run of `year` and `workers` real worker processes; wait until they have drained the
    queue (chunks, then the allocation)."""
    from tawrid.matching import services
    from tawrid.matching.models import MatchChunk, MatchRun

    env = {**os.environ, "DATABASE_URL": database_url(), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    peaks: dict[int, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="natbench-") as logdir,
        ExitStack() as stack,
        override_settings(TASKS=DATABASE_TASKS),
    ):
        logs = [stack.enter_context(open(Path(logdir) / f"worker-{n}.log", "wb")) for n in range(workers)]
        start = time.perf_counter()
        run = services.match_run_start(actor=actor, year=year)
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "tawrid.cli", "worker", "--batch", "--interval", "0.05"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for log in logs
        ]
        try:
            while any(p.poll() is None for p in processes):
                for p in processes:
                    peak = _peak_rss_mb(p.pid)
                    if peak is not None:
                        peaks[p.pid] = max(peaks.get(p.pid, 0.0), peak)
                if time.perf_counter() - start > TIMEOUT:
                    raise RuntimeError(f"national run of {year} still running after {TIMEOUT} s")
                time.sleep(0.5)
        finally:
            for p in processes:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        seconds = time.perf_counter() - start
        run = MatchRun.objects.get(pk=run.pk)
        failures = [p.returncode for p in processes if p.returncode]
        if run.status != "done" or failures:
            stack.close()
            tail = (Path(logdir) / "worker-0.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"run {run.pk} ended {run.status} ({run.error[:500]}), workers {failures}: {tail}")
    chunks = list(MatchChunk.objects.filter(run=run).order_by("finished_at").values_list(
        "worker", "started_at", "finished_at", "line_ids"))  # fmt: skip
    first_finished, last_finished = chunks[0][2], chunks[-1][2]
    span = _between(first_finished, last_finished)
    steady = sum(len(c[3]) for c in chunks[1:]) / span if span > 0 else len(chunks[0][3]) / seconds
    # A worker's first chunk also loads the engine (catalogue, embeddings, classifier): its start-up is that
    # chunk's time less the median time of its other chunks.
    durations: dict[str, list[float]] = {}
    for worker, started, finished, _ids in chunks:
        durations.setdefault(worker, []).append(_between(started, finished))
    startup = max(
        (times[0] - statistics.median(times[1:]) if len(times) > 1 else times[0]) for times in durations.values()
    )
    return RunMeasure(run, seconds, max(peaks.values(), default=0.0), startup, steady)


def _clean_up() -> None:
    """Remove what this benchmark wrote, for the benchmarks that run after it on the same database (the
    nomenclature benchmark reloads EMDN, which products and lines reference). Raw deletes, children first:
    the ORM's cascade would load 100,000 products and write an audit entry for each."""
    from tawrid.catalog.models import Certificate, Product, RegistrationApplication, Variant, VariantSpecification
    from tawrid.demand.models import PlanLine, PurchasePlan
    from tawrid.matching.models import (
        LineResult,
        MatchCandidate,
        MatchChunk,
        MatchDecision,
        MatchRun,
        ProductEmbedding,
    )

    for model in (
        MatchCandidate,
        MatchDecision,
        LineResult,
        MatchChunk,
        MatchRun,
        ProductEmbedding,
        PlanLine,
        PurchasePlan,
        RegistrationApplication,
        Certificate.products.through,
        Certificate.sites.through,
        Certificate,
        VariantSpecification,
        Variant,
        Product,
    ):
        queryset = model.objects.all()
        queryset._raw_delete(queryset.db)  # type: ignore[attr-defined]


@benchmark(NAME)
def national_run_benchmark(
    lines: int = LINES, products: int = PRODUCTS, baseline_lines: int = BASELINE_LINES
) -> list[Figure]:
    from tawrid.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from tawrid.core.permissions import actor_for
    from tawrid.matching import services
    from tawrid.matching.models import LineResult
    from tawrid.nomenclature.models import EmdnCode
    from tawrid.nomenclature.services import reference_load

    with stopwatch() as setup:
        if not EmdnCode.objects.exists():
            reference_load(which=["emdn"])
        eligible = build_catalogue(products, MANUFACTURERS)
        build_plans(lines=lines, buyers=BUYERS, year=YEAR)
        build_plans(lines=baseline_lines, buyers=BASELINE_BUYERS, year=BASELINE_YEAR, first_buyer=BUYERS)
        cluster = Organisation.objects.create(name="Cluster national", slug="bench-national-cluster",
                                              kind=OrganisationKind.CLUSTER)  # fmt: skip
        user = User.objects.create_user("bench-national@example.ma", full_name="Secrétariat national")
        Membership.objects.create(user=user, organisation=cluster, role=Role.ADMIN)
        actor = actor_for(user)
    with stopwatch() as embedding:
        embedded = services.embeddings_refresh()
    with stopwatch() as warm:  # the EMDN terms' and labelled examples' vectors, on disk for the workers
        services.code_classifier()

    baseline = run_national(actor=actor, year=BASELINE_YEAR, workers=1)
    measured = run_national(actor=actor, year=YEAR, workers=WORKERS)
    run = measured.run
    results = LineResult.objects.filter(run=run).count()
    if results != lines:
        raise RuntimeError(f"{results} line results for {lines} lines")
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    coverage = float(run.covered_quantity / run.total_quantity) if run.total_quantity else 0.0
    value_coverage = float(run.covered_value / run.total_value) if run.total_value else 0.0
    # Baseline wall time for the full run: one worker's start-up, then its steady rate, plus the allocation.
    one_worker = baseline.startup_seconds + lines / baseline.steady_lines_per_second + (run.allocation_seconds or 0)
    label = f"1 worker on a {baseline_lines:,}-line slice, extrapolated (start-up + steady rate)"
    _clean_up()
    return [
        Figure(NAME, f"setup: {products:,} products ({eligible:,} eligible), {lines + baseline_lines:,} lines",
               setup[0], None, "s"),
        Figure(NAME, f"product embeddings ({embedded:,} products, deduplicated by text; once per catalogue load)",
               embedding[0], None, "s"),
        Figure(NAME, "classifier warm-up in the benchmark process (EMDN terms + examples, disk cache)", warm[0],
               None, "s"),
        Figure(NAME, f"national run, {lines:,} lines × {products:,} products, {WORKERS} workers, wall time "
               "(start → done, allocation included)", measured.seconds, one_worker, "s", label),
        Figure(NAME, f"national run throughput ({WORKERS} workers, start-up included)", lines / measured.seconds,
               baseline_lines / baseline.seconds, "lines/s",
               f"1 worker, {baseline_lines:,}-line slice, start-up included"),
        Figure(NAME, f"steady matching rate ({WORKERS} workers, after the first chunk)",
               measured.steady_lines_per_second, baseline.steady_lines_per_second, "lines/s", "1 worker"),
        Figure(NAME, "worker start-up (catalogue, embeddings, classifier; to the first chunk)",
               measured.startup_seconds, baseline.startup_seconds, "s", "1 worker"),
        Figure(NAME, "allocation (HiGHS LP, in the worker)", run.allocation_seconds or 0.0, None, "s"),
        Figure(NAME, "peak resident memory of a worker", measured.peak_rss_mb, None, "MB"),
        Figure(NAME, "peak resident memory of any child process (getrusage)", children_peak, None, "MB"),
        Figure(NAME, "demand covered by eligible proposals (quantity)", 100 * coverage, None, "%"),
        Figure(NAME, "demand covered (estimated value)", 100 * value_coverage, None, "%"),
    ]  # fmt: skip


if __name__ == "__main__":  # DATABASE_URL=sqlite:////tmp/natbench.sqlite3 python -m ...national [lines products]
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    arguments = [int(a) for a in sys.argv[1:]]
    started = time.perf_counter()
    for figure in national_run_benchmark(*arguments):
        base = (
            ""
            if figure.baseline is None
            else f"   [baseline {figure.baseline:.4g} {figure.unit}: {figure.baseline_label}]"
        )
        print(f"{figure.metric}: {figure.value:.4g} {figure.unit}{base}")  # noqa: T201
    print(f"total benchmark duration: {time.perf_counter() - started:.0f} s")  # noqa: T201
