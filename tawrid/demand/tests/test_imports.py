"""The "demand.plan_lines" import on ugly files, re-import, and `tawrid import_plan`."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from tawrid.core.permissions import actor_for
from tawrid.demand.imports import KIND
from tawrid.demand.models import PlanStatus
from tawrid.demand.tests import files
from tawrid.imports import services as imports
from tawrid.imports.models import ImportRowError, ImportStatus

pytestmark = pytest.mark.django_db


def upload(world, plan, data, name="plan_2026.xlsx", **kwargs):
    return imports.import_upload(
        actor=actor_for(world.buyer),
        user=world.buyer,
        kind_name=KIND,
        organisation=world.group,
        filename=name,
        data=data,
        params={"plan": str(plan.pk)},
        **kwargs,
    )


def run_to_end(world, run, capture, **kwargs):
    actor = actor_for(world.buyer)
    run = imports.import_set_mapping(actor=actor, run=run, **kwargs)
    with capture(execute=True):
        imports.import_execute(actor=actor, run=run, user=world.buyer)
    run.refresh_from_db()
    return run


def test_messy_workbook_is_detected_and_mapped(world):
    run = upload(world, world.plan(lines=0), files.plan_workbook())
    assert (run.sheet_name, run.header_row) == ("Besoins", 4)
    assert run.mapping["Désignation"] == "designation"
    assert run.mapping["Suite désignation"] == "designation_2"
    assert run.mapping["Qté"] == "quantity"
    assert run.mapping["Unité"] == "unit"
    assert run.mapping["PU estimé"] == "unit_price"
    assert run.mapping["Code article"] == "buyer_reference"
    assert run.mapping["Livraison"] == "delivery_schedule"


def test_import_writes_lines_with_joined_designation_and_french_numbers(world, django_capture_on_commit_callbacks):
    plan = world.plan(lines=0)
    run = run_to_end(world, upload(world, plan, files.plan_workbook()), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.IMPORTED, run.message
    assert run.created_count == 4
    lines = {line.line_number: line for line in plan.lines.all()}
    needle = lines[1]
    assert needle.designation == "AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 25 X 8 / 10 G 21"
    assert (needle.quantity, needle.base_quantity, needle.unit_price) == (
        Decimal(1200),
        Decimal(120000),
        Decimal("35.50"),
    )
    assert any(a["attribute"] == "gauge" and a["value"] == 21 for a in needle.parsed_attributes)
    assert needle.delivery_schedule == {"period": "quarter", "quantities": {"1": None, "3": None}}
    assert lines[2].quantity == Decimal("2500") and lines[2].unit_price == Decimal(48)
    assert lines[3].buyer_reference == "" and lines[3].base_quantity == Decimal(4000)
    assert lines[4].unit_price == Decimal("1234.50") and lines[4].estimated_value == Decimal("74070.00")
    # the price written with "DH" is a warning, not an error
    warning = ImportRowError.objects.get(run=run, is_warning=True)
    assert "DH" in warning.message
    # the subtotal row was not taken as a line
    assert not plan.lines.filter(designation__icontains="TOTAL").exists()


def test_reimport_changes_nothing(world, django_capture_on_commit_callbacks):
    plan = world.plan(lines=0)
    data = files.plan_workbook()
    run_to_end(world, upload(world, plan, data), django_capture_on_commit_callbacks)
    before = list(plan.lines.order_by("pk").values_list("pk", "updated_at"))
    again = run_to_end(world, upload(world, plan, data, confirm_reimport=True), django_capture_on_commit_callbacks)
    assert again.status == ImportStatus.IMPORTED
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 4)
    assert list(plan.lines.order_by("pk").values_list("pk", "updated_at")) == before


def test_changed_file_updates_matching_lines(world, django_capture_on_commit_callbacks):
    plan = world.plan(lines=0)
    run_to_end(world, upload(world, plan, files.plan_workbook()), django_capture_on_commit_callbacks)
    rows = [list(r) for r in files.GOOD_ROWS]
    rows[0][4] = "1 500"
    run = run_to_end(world, upload(world, plan, files.plan_workbook(rows), confirm_reimport=True),
                     django_capture_on_commit_callbacks)  # fmt: skip
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 1, 3)
    assert plan.lines.get(buyer_reference="AIG-21").base_quantity == Decimal(150000)


def test_bad_quantities_fail_the_whole_file(world, django_capture_on_commit_callbacks):
    plan = world.plan(lines=0)
    rows = [list(r) for r in files.GOOD_ROWS]
    rows[1][4] = "-5"
    rows[4][4] = "beaucoup"
    run = run_to_end(world, upload(world, plan, files.plan_workbook(rows)), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED
    errors = ImportRowError.objects.filter(run=run, is_warning=False).order_by("row_number")
    assert [(e.row_number, e.value) for e in errors] == [(6, "-5"), (9, "beaucoup")]
    assert plan.lines.count() == 0


def test_keep_valid_rows_imports_the_others(world, django_capture_on_commit_callbacks):
    plan = world.plan(lines=0)
    rows = [list(r) for r in files.GOOD_ROWS]
    rows[1][4] = "-5"
    run = run_to_end(
        world, upload(world, plan, files.plan_workbook(rows)), django_capture_on_commit_callbacks, keep_valid_rows=True
    )
    assert run.status == ImportStatus.IMPORTED and run.created_count == 3 and run.invalid_rows == 1
    assert not plan.lines.filter(buyer_reference="SER-05").exists()


def test_cp1252_csv(world, django_capture_on_commit_callbacks):
    plan = world.plan(lines=0)
    run = run_to_end(world, upload(world, plan, files.plan_csv_cp1252(), name="plan.csv"),
                     django_capture_on_commit_callbacks)  # fmt: skip
    assert run.status == ImportStatus.IMPORTED, run.message
    glove = plan.lines.get(buyer_reference="GNT-7")
    assert glove.designation == "GANT D'EXAMEN NON STÉRILE SANS LATEX TAILLE 7"
    assert glove.base_quantity == Decimal(100000)


def test_import_into_a_published_plan_is_refused(world):
    plan = world.plan(lines=1, publish=True)
    from tawrid.core.errors import DomainError

    with pytest.raises(DomainError) as error:
        upload(world, plan, files.plan_workbook())
    assert error.value.code == "plan_read_only"


def test_another_buyer_cannot_import_into_the_plan(world):
    plan = world.plan(lines=0)
    from tawrid.core.errors import DomainError

    with pytest.raises(DomainError):
        imports.import_upload(
            actor=actor_for(world.other_buyer), user=world.other_buyer, kind_name=KIND, organisation=world.hospital,
            filename="x.xlsx", data=files.plan_workbook(), params={"plan": str(plan.pk)},
        )  # fmt: skip


def test_import_plan_command(world, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(files.plan_workbook())
    call_command("import_plan", str(path), "--buyer", "gsa", "--year", "2027")
    out = capsys.readouterr().out
    assert "4 lines created" in out and "row 6" in out  # the "48 DH" warning
    plan = world.group.purchase_plans.get(year=2027)
    assert plan.status == PlanStatus.DRAFT and plan.lines.count() == 4
    call_command("import_plan", str(path), "--buyer", "gsa", "--year", "2027")
    assert "0 lines created, 0 updated, 4 unchanged" in capsys.readouterr().out


def test_import_plan_command_fails_on_bad_rows(world, tmp_path, capsys):
    rows = [list(r) for r in files.GOOD_ROWS]
    rows[0][4] = "beaucoup"
    path = tmp_path / "plan.xlsx"
    path.write_bytes(files.plan_workbook(rows))
    with pytest.raises(CommandError, match="nothing was imported|rien"):
        call_command("import_plan", str(path), "--buyer", "gsa", "--year", "2027")
    assert "beaucoup" in capsys.readouterr().out
    assert world.group.purchase_plans.get(year=2027).lines.count() == 0
    call_command("import_plan", str(path), "--buyer", "gsa", "--year", "2027", "--keep-valid-rows")
    assert world.group.purchase_plans.get(year=2027).lines.count() == 3
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), "--buyer", "nobody", "--year", "2027")


def test_a_fractional_count_of_boxes_is_a_row_error(world, django_capture_on_commit_callbacks):
    plan = world.plan(lines=0)
    rows = [list(r) for r in files.GOOD_ROWS]
    rows[1][4] = "600,5"  # boxes of 100 syringes
    run = run_to_end(world, upload(world, plan, files.plan_workbook(rows)), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED
    error = ImportRowError.objects.get(run=run, is_warning=False)
    assert (error.row_number, error.value) == (6, "600,5")
    assert "B/100" in error.message and ("whole number" in error.message or "entier" in error.message)
    assert plan.lines.count() == 0
