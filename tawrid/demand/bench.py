"""Benchmark of the purchase plans (run by `tawrid bench`): a 50,000-line plan imported through the real import
services, and the refresh of a year's national demand, each beside a baseline measured in the same run."""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.test import override_settings

from tawrid.core.bench import Figure, benchmark, stopwatch

NAME = "purchase plans"
LINES = 50_000
DATA = settings.BASE_DIR / "tawrid/specs/tests/data/hospital_lines_dz.csv"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def french(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def plan_workbook(lines: int, emdn_codes: list[str], seed: int = 7) -> bytes:
    """A hospital's plan as it comes: a title row, French headers, the real designations of an Algerian
    hospital's list (1,670 of them, cycled with a numbered suffix), quantities and prices written in French."""
    import openpyxl

    with DATA.open(encoding="utf-8") as handle:
        source = [(row["designation"], row["unit"]) for row in csv.DictReader(handle)]
    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Besoins 2026")
    sheet.append(["Plan prévisionnel d'achat 2026"])
    sheet.append([])
    sheet.append(["Code article", "Désignation", "Qté", "Unité", "PU estimé", "Code EMDN"])
    for number in range(lines):
        designation, unit = source[number % len(source)]
        if number >= len(source):
            designation = f"{designation} (lot {number // len(source) + 1})"
        price = Decimal(rng.randint(50, 50_000)) / 100
        sheet.append([f"ART-{number + 1:06d}", designation, str(rng.randint(1, 500)), unit, french(price),
                      emdn_codes[number % len(emdn_codes)]])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@benchmark(NAME)
def purchase_plan_benchmarks() -> list[Figure]:
    from tawrid.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from tawrid.core.permissions import actor_for
    from tawrid.demand import services
    from tawrid.demand.imports import KIND
    from tawrid.demand.models import DemandAggregate, PlanLine
    from tawrid.imports import services as imports
    from tawrid.imports.models import ImportStatus
    from tawrid.nomenclature.models import EmdnCode
    from tawrid.nomenclature.services import reference_load

    if not EmdnCode.objects.exists():
        reference_load(which=["emdn"])
    emdn_codes = list(
        EmdnCode.objects.filter(is_terminal=True, category__in=["A", "T"])
        .order_by("code")
        .values_list("code", flat=True)[:400]
    )
    buyer = Organisation.objects.create(name="Bench CHU", slug="bench-chu", kind=OrganisationKind.HOSPITAL,
                                        region="Casablanca-Settat")  # fmt: skip
    user = User.objects.create_user("bench-buyer@example.ma", full_name="Bench Buyer")
    Membership.objects.create(user=user, organisation=buyer, role=Role.ADMIN)
    actor = actor_for(user)
    data = plan_workbook(LINES, emdn_codes)

    def upload(plan: object) -> object:
        run = imports.import_upload(actor=actor, user=user, kind_name=KIND, organisation=buyer,
                                    filename="plan_2026.xlsx", data=data, params={"plan": str(plan.pk)})  # type: ignore[attr-defined]  # fmt: skip
        return imports.import_set_mapping(actor=actor, run=run, mapping=run.mapping)

    # Baseline: the same 50,000 rows read and checked only (the validation pass), nothing written.
    check_plan = services.plan_create(actor=actor, buyer=buyer, year=2025)
    run = upload(check_plan)
    with stopwatch() as checked:
        imports.run_validation(run, actor=actor)  # type: ignore[arg-type]

    plan = services.plan_create(actor=actor, buyer=buyer, year=2026)
    with override_settings(TASKS=IMMEDIATE), stopwatch() as imported:
        run = upload(plan)
        run = imports.import_execute(actor=actor, run=run, user=user)  # type: ignore[arg-type]
    run.refresh_from_db()  # type: ignore[attr-defined]
    if run.status != ImportStatus.IMPORTED or plan.lines.count() != LINES:  # type: ignore[attr-defined]
        raise RuntimeError(f"bench import failed: {run.status} {run.message}")  # type: ignore[attr-defined]
    services.plan_publish(actor=actor, plan=plan)  # the refresh job is queued, not run: timed below

    with stopwatch() as refreshed:
        rows = services.demand_aggregate_refresh(year=2026)
    # Baseline: the all-regions totals only, one query per code (what a page would do without the table).
    codes = list(DemandAggregate.objects.filter(year=2026, scheme="emdn", region="", buyer_kind="")
                 .values_list("code", flat=True))  # fmt: skip
    counted = PlanLine.objects.filter(plan__in=services.counted_plans().filter(year=2026))
    with stopwatch() as per_code:
        for code in codes:
            counted.filter(emdn__code__startswith=code).aggregate(
                b=Count("plan__buyer", distinct=True), n=Count("pk"), q=Sum("base_quantity"), v=Sum("estimated_value")
            )
    return [
        Figure(NAME, f"import of a {LINES:,}-line plan (upload, mapping, job)", LINES / imported[0],
               LINES / checked[0], "lines/s", "same rows read and checked only"),
        Figure(NAME, "import of the plan, wall time", imported[0], None, "s"),
        Figure(NAME, f"national demand refresh of the year ({rows:,} rows, every EMDN level × region × kind)",
               refreshed[0], per_code[0], "s", f"all-regions totals only, one query per code ({len(codes)} codes)"),
    ]  # fmt: skip
