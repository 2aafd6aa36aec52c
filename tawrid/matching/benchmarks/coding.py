"""How many lines of a plan without EMDN codes reach national demand once matched: a 150-line plan of real
designations (the 'Consommables' of an Algerian hospital's list, tawrid/specs/tests/data/hospital_lines_dz.csv,
a deterministic sample, no codes) imported as an xlsx without an EMDN column through the plan import, published,
matched by a plan run with the real engine (nomenclature terms; no catalogue), and national demand refreshed.

Run by `tawrid plan_coding_check` (prints the figures) and by `tawrid bench` (records them). The designations are
never labelled here: the figures count lines coded, not right codes (precision is measured on the labelled
development data, docs/matching.md)."""

from __future__ import annotations

import csv
import io
import random
import time
from collections import Counter
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.test import override_settings

from tawrid.core.bench import Figure, benchmark

NAME = "plan coding"
LINES = 150
YEAR = 2026
CATEGORY = "Consommables"
DATA = settings.BASE_DIR / "tawrid/specs/tests/data/hospital_lines_dz.csv"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def sample_rows(lines: int = LINES, seed: int = 2026) -> list[tuple[str, str]]:
    """(designation, unit) of `lines` distinct designations of the category, the same at every run."""
    with DATA.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["category"] == CATEGORY and r["designation"].strip()]
    unique = list({r["designation"].strip(): (r["designation"].strip(), r["unit"]) for r in rows}.values())
    unique.sort()
    return sorted(random.Random(seed).sample(unique, min(lines, len(unique))))


def plan_workbook(rows: list[tuple[str, str]], seed: int = 7) -> bytes:
    """The plan as a hospital sends it, without any EMDN column."""
    import openpyxl

    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(f"Besoins {YEAR}")
    sheet.append(["Code article", "Désignation", "Qté", "Unité", "PU estimé"])
    for number, (designation, unit) in enumerate(rows, start=1):
        price = f"{Decimal(rng.randint(50, 50_000)) / 100:.2f}".replace(".", ",")
        sheet.append([f"CONS-{number:04d}", designation, str(rng.randint(1, 500)), unit, price])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plan_coding_check(lines: int = LINES) -> dict[str, Any]:
    """Build, import, publish and match the plan; returns the figures (run it on a throw-away database)."""
    from tawrid.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from tawrid.core.permissions import actor_for
    from tawrid.demand import services as demand
    from tawrid.demand.imports import KIND
    from tawrid.demand.models import DemandAggregate, EmdnSource, PlanLine
    from tawrid.imports import services as imports
    from tawrid.imports.models import ImportStatus
    from tawrid.matching import services
    from tawrid.matching.models import RunStatus
    from tawrid.nomenclature.models import EmdnCode
    from tawrid.nomenclature.services import reference_load

    if not EmdnCode.objects.exists():
        reference_load(which=["emdn"])
    buyer = Organisation.objects.create(name="Coding check CHU", slug="coding-check-chu",
                                        kind=OrganisationKind.HOSPITAL, region="Casablanca-Settat")  # fmt: skip
    user = User.objects.create_user("coding-check@example.ma", full_name="Coding Check")
    Membership.objects.create(user=user, organisation=buyer, role=Role.ADMIN)
    actor = actor_for(user)
    plan = demand.plan_create(actor=actor, buyer=buyer, year=YEAR)
    with override_settings(TASKS=IMMEDIATE):
        run = imports.import_upload(actor=actor, user=user, kind_name=KIND, organisation=buyer,
                                    filename="plan.xlsx", data=plan_workbook(sample_rows(lines)),
                                    params={"plan": str(plan.pk)})  # fmt: skip
        run = imports.import_set_mapping(actor=actor, run=run, mapping=run.mapping)
        run = imports.import_execute(actor=actor, run=run, user=user)
        run.refresh_from_db()
        if run.status != ImportStatus.IMPORTED or plan.lines.count() != lines:
            raise RuntimeError(f"import failed: {run.status} {run.message}")
        plan = demand.plan_publish(actor=actor, plan=plan)
        started = time.perf_counter()
        services.code_classifier()  # the warm-up: 8,454 EMDN terms embedded once (then read from the disk cache)
        warm_up = time.perf_counter() - started
        started = time.perf_counter()
        match = services.match_run_start(actor=actor, plan=plan)
        match.refresh_from_db()
        matched = time.perf_counter() - started
    if match.status != RunStatus.DONE:
        raise RuntimeError(f"run {match.pk} {match.status}: {match.error}")
    demand.demand_aggregate_refresh(year=YEAR)
    coded = PlanLine.objects.filter(plan=plan, emdn_source=EmdnSource.SUGGESTED).select_related("emdn")
    levels = Counter(line.emdn_level for line in coded)
    national = DemandAggregate.objects.filter(year=YEAR, scheme="emdn", level=1, region="", buyer_kind="")
    return {
        "lines": lines,
        "coded": sum(levels.values()),
        "levels": dict(sorted(levels.items())),
        "national_lines": sum(national.values_list("lines_count", flat=True)),
        "national_suggested": sum(national.values_list("lines_suggested", flat=True)),
        "warm_up_seconds": round(warm_up, 1),
        "run_seconds": round(matched, 1),
    }


@benchmark(NAME)
def plan_coding() -> list[Figure]:
    found = plan_coding_check()
    return [
        Figure(NAME, f"lines of a {found['lines']}-line plan without codes in national demand after a run",
               found["national_lines"], 0, "lines", "before the run"),
        Figure(NAME, "plan run with the codes applied (classifier warm)", found["run_seconds"], None, "s"),
    ]  # fmt: skip
