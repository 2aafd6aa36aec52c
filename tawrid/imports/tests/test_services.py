"""The import flow through its services: upload, mapping, preview, checks, all-or-nothing import."""

import hashlib
from decimal import Decimal

import pytest

from tawrid.accounts.models import Membership, Role, User
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.core.errors import DomainError, NotFound
from tawrid.core.models import JobStatus
from tawrid.core.permissions import actor_for
from tawrid.imports import services
from tawrid.imports.models import ColumnMapping, ImportRowError, ImportRun, ImportStatus
from tawrid.imports.tests import files
from tawrid.imports.tests.kind import KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(name="CHU Ibn Rochd")


@pytest.fixture
def buyer(org):
    return person_in(org, role=Role.MEMBER)


def upload(user, org, data, name="personnel.xlsx", **kwargs):
    return services.import_upload(
        actor=actor_for(user), user=user, kind_name=KIND, organisation=org, filename=name, data=data, **kwargs
    )


def run_to_end(user, run, capture, **kwargs):
    actor = actor_for(user)
    run = services.import_set_mapping(actor=actor, run=run, **kwargs)
    with capture(execute=True):
        services.import_execute(actor=actor, run=run, user=user)
    run.refresh_from_db()
    return run


def people_of(org):
    return set(Membership.objects.filter(organisation=org, role=Role.READ_ONLY).values_list("user__email", flat=True))


def test_upload_detects_structure_and_keeps_the_file(buyer, org):
    data = files.messy_workbook()
    run = upload(buyer, org, data)
    assert run.status == ImportStatus.UPLOADED
    assert (run.sheet_name, run.header_row, run.file_format) == ("Personnel", 4, "xlsx")
    assert run.sheets == ["Notes", "Personnel"]
    assert run.mapping["Quantité"] == "quantity"
    assert run.sha256 == hashlib.sha256(data).hexdigest() and run.size == len(data)
    with run.file.open("rb") as stored:
        assert stored.read() == data


def test_preview_shows_parsed_values_warnings_and_errors(buyer, org):
    rows = [
        ["amina@example.ma", "Amina", "", "1 234,50", "12 500,00 DH", "31/12/2026", "oui"],
        ["bad@example.ma", "Bad", "", "beaucoup", "", "", ""],
        ["neg@example.ma", "Neg", "", "-5", "", "32/13/2026", ""],
        ["not-an-email", "X", "", "", "", "", ""],
    ]
    run = upload(buyer, org, files.messy_workbook(rows))
    run = services.import_set_mapping(actor=actor_for(buyer), run=run)
    preview = services.import_preview(actor=actor_for(buyer), run=run)
    first, beaucoup, negative, email = preview.rows
    assert first.ok and first.values["quantity"] == Decimal("1234.50") and first.values["budget"] == Decimal("12500.00")
    assert first.warnings and "DH" in first.warnings[0].message
    assert not beaucoup.ok and "beaucoup" in beaucoup.errors[0].message
    assert not negative.ok and {p.column for p in negative.errors} == {"Quantité", "Date d'arrivée"}
    assert not email.ok and email.errors[0].column == "E-mail"
    assert [r.number for r in preview.rows] == [5, 6, 7, 8]


def test_all_or_nothing_one_bad_row_writes_nothing(buyer, org, django_capture_on_commit_callbacks):
    rows = [
        ["amina@example.ma", "Amina", "", "1", "", "", ""],
        ["bad@example.ma", "Bad", "", "beaucoup", "", "", ""],
    ]
    run = run_to_end(buyer, upload(buyer, org, files.messy_workbook(rows)), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED
    assert (run.total_rows, run.valid_rows, run.invalid_rows) == (2, 1, 1)
    assert "nothing was imported" in run.message or "rien" in run.message
    assert people_of(org) == set()
    assert not User.objects.filter(email="amina@example.ma").exists()
    error = ImportRowError.objects.get(run=run, is_warning=False)
    assert (error.row_number, error.column, error.value) == (6, "Quantité", "beaucoup")
    assert run.job.status == JobStatus.SUCCEEDED


def test_keep_valid_rows_writes_the_valid_ones_and_reports_the_rest(buyer, org, django_capture_on_commit_callbacks):
    rows = [
        ["amina@example.ma", "Amina", "", "1", "", "", ""],
        ["bad@forbidden.test", "Bad", "", "", "", "", ""],
        ["karim@example.ma", "Karim", "", "", "", "", ""],
    ]
    run = upload(buyer, org, files.messy_workbook(rows))
    run = run_to_end(buyer, run, django_capture_on_commit_callbacks, keep_valid_rows=True)
    assert run.status == ImportStatus.IMPORTED
    assert (run.created_count, run.invalid_rows) == (2, 1)
    assert people_of(org) == {"amina@example.ma", "karim@example.ma"}
    assert ImportRowError.objects.get(run=run).message == "Les adresses @forbidden.test sont refusées."


def test_duplicate_references_in_one_file_are_errors(buyer, org, django_capture_on_commit_callbacks):
    rows = [["a@example.ma", "A", "", "", "", "", ""], ["A@example.ma", "A bis", "", "", "", "", ""]]
    run = run_to_end(buyer, upload(buyer, org, files.messy_workbook(rows)), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED
    assert "row 5" in ImportRowError.objects.get(run=run).message or "5" in ImportRowError.objects.get(run=run).message


def test_reimport_is_detected_and_changes_nothing(buyer, org, django_capture_on_commit_callbacks):
    data = files.messy_workbook()
    first = run_to_end(buyer, upload(buyer, org, data), django_capture_on_commit_callbacks)
    assert first.status == ImportStatus.IMPORTED and first.created_count == 3
    before = {u.email: (u.pk, u.full_name) for u in User.objects.filter(email__endswith="@example.ma")}

    with pytest.raises(DomainError) as refused:
        upload(buyer, org, data)
    assert refused.value.code == "already_imported"
    assert f"#{first.pk}" in refused.value.message

    again = upload(buyer, org, data, confirm_reimport=True)
    assert again.reimport_of == first
    again = run_to_end(buyer, again, django_capture_on_commit_callbacks)
    assert again.status == ImportStatus.IMPORTED
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert {u.email: (u.pk, u.full_name) for u in User.objects.filter(email__endswith="@example.ma")} == before


def test_changed_rows_are_updated_not_duplicated(buyer, org, django_capture_on_commit_callbacks):
    run_to_end(buyer, upload(buyer, org, files.messy_workbook()), django_capture_on_commit_callbacks)
    rows = [["amina@example.ma", "Amina Alaoui-Idrissi", "Acheteuse", "", "", "", ""]]
    run = run_to_end(buyer, upload(buyer, org, files.messy_workbook(rows)), django_capture_on_commit_callbacks)
    assert (run.created_count, run.updated_count) == (0, 1)
    assert User.objects.filter(email="amina@example.ma").count() == 1
    assert User.objects.get(email="amina@example.ma").full_name == "Amina Alaoui-Idrissi"


def test_a_column_missing_from_the_file_is_left_alone(buyer, org, django_capture_on_commit_callbacks):
    run_to_end(buyer, upload(buyer, org, files.messy_workbook()), django_capture_on_commit_callbacks)
    data = files.xlsx({"S": [["E-mail", "Nom complet"], ["amina@example.ma", "Amina Alaoui"]]})
    run = run_to_end(buyer, upload(buyer, org, data), django_capture_on_commit_callbacks)
    assert (run.updated_count, run.unchanged_count) == (0, 1)
    assert Membership.objects.get(user__email="amina@example.ma", organisation=org).job_title == "Acheteuse"


def test_a_failing_write_leaves_nothing_behind(buyer, org, django_capture_on_commit_callbacks):
    from tawrid.imports.tests import kind

    def write_then_fail(rows, context):
        kind.write_people(rows, context)
        raise DomainError("La base refuse.")

    import dataclasses

    from tawrid.imports.registry import register

    register(dataclasses.replace(kind.PEOPLE, write=write_then_fail))
    run = run_to_end(buyer, upload(buyer, org, files.messy_workbook()), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED and run.message == "La base refuse."
    assert people_of(org) == set()


def test_mapping_is_remembered_for_next_time(buyer, org):
    data = files.xlsx({"S": [["Col A", "Col B", "Autre"], ["a@example.ma", "A", "z"]]})
    run = upload(buyer, org, data, sheet="S", header_row=1)
    assert run.mapping == {"Col A": None, "Col B": None, "Autre": None}
    with pytest.raises(DomainError) as refused:
        services.import_set_mapping(actor=actor_for(buyer), run=run)
    assert refused.value.code == "invalid_mapping"
    services.import_set_mapping(actor=actor_for(buyer), run=run, mapping={"Col A": "email", "Col B": "full_name"})
    remembered = ColumnMapping.objects.get(organisation=org, kind=KIND)
    assert remembered.mapping == {"col a": "email", "col b": "full_name", "autre": None}

    data2 = files.xlsx({"S": [["Titre"], ["COL A", "col b"], ["b@example.ma", "B"]]})
    run2 = upload(buyer, org, data2)
    assert (run2.header_row, run2.mapping) == (2, {"COL A": "email", "col b": "full_name"})


def test_mapping_refuses_a_column_twice_or_unknown(buyer, org):
    run = upload(buyer, org, files.messy_workbook())
    with pytest.raises(DomainError) as refused:
        services.import_set_mapping(
            actor=actor_for(buyer), run=run, mapping={"E-mail": "email", "Nom complet": "email", "Fonction": "nope"}
        )
    assert set(refused.value.details) >= {"Nom complet", "Fonction", "__all__"}


def test_changing_the_header_row_reads_the_headers_again(buyer, org):
    run = upload(buyer, org, files.messy_workbook())
    run = services.import_set_mapping(actor=actor_for(buyer), run=run, sheet="Personnel", header_row=1)
    assert run.headers == ["CHU IBN ROCHD — PERSONNEL 2026"] and run.status == ImportStatus.UPLOADED


def test_csv_cp1252_semicolons_and_french_numbers(buyer, org, django_capture_on_commit_callbacks):
    data = files.csv_bytes(
        [["Courriel", "Nom", "Qté", "Date"], ["helene@example.ma", "Hélène Benjelloun", "1 200,5", "01/02/2026"]],
        encoding="cp1252",
    )
    run = upload(buyer, org, data, name="plan.csv")
    assert run.mapping == {"Courriel": "email", "Nom": "full_name", "Qté": "quantity", "Date": "start_date"}
    run = services.import_set_mapping(actor=actor_for(buyer), run=run)
    row = services.import_preview(actor=actor_for(buyer), run=run).rows[0]
    assert row.ok and row.values["full_name"] == "Hélène Benjelloun" and row.values["quantity"] == Decimal("1200.5")


def test_formula_without_value_is_a_row_error(buyer, org):
    data = files.xlsx({"S": [["E-mail", "Nom", "Quantité"], ["a@example.ma", "A", "=B2*2"]]})
    run = services.import_set_mapping(actor=actor_for(buyer), run=upload(buyer, org, data))
    row = services.import_preview(actor=actor_for(buyer), run=run).rows[0]
    assert not row.ok and row.errors[0].value == "=B2*2"


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"", "x.xlsx"), (files.PNG, "x.xlsx"), (files.encrypted_xlsx(), "x.xlsx"), (b"PK\x03\x04zz", "x.xlsx")],
)
def test_refused_files_write_nothing(buyer, org, data, name):
    with pytest.raises(DomainError):
        upload(buyer, org, data, name=name)
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("name", ["long.csv", "long.xlsx"])
def test_a_file_with_too_many_rows_is_refused_at_upload(buyer, org, settings, name):
    settings.IMPORT_MAX_ROWS = 50
    rows = [["E-mail", "Nom"]] + [[f"p{i}@example.ma", f"P {i}"] for i in range(60)]
    data = files.csv_bytes(rows) if name.endswith(".csv") else files.xlsx({"S": rows})
    with pytest.raises(DomainError) as refused:
        upload(buyer, org, data, name=name)
    assert refused.value.code == "too_many_rows"
    assert not ImportRun.objects.exists()


def test_big_files_are_checked_by_a_job(buyer, org, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_BYTES = 10
    rows = [[f"p{i}@example.ma", f"P {i}", "", str(i), "", "", ""] for i in range(1200)]
    run = services.import_set_mapping(actor=actor_for(buyer), run=upload(buyer, org, files.messy_workbook(rows)))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.import_validate(actor=actor_for(buyer), run=run, user=buyer)
    run.refresh_from_db()
    assert run.status == ImportStatus.VALIDATED and run.total_rows == 1200 and run.job.status == JobStatus.SUCCEEDED
    assert run.job.progress_total == 1200 and run.job.progress_done == run.job.progress_total


def test_permissions(buyer, org):
    run = upload(buyer, org, files.messy_workbook())
    stranger = person_in(OrganisationFactory())
    with pytest.raises(NotFound):
        services.import_preview(actor=actor_for(stranger), run=run)
    reader = person_in(org, role=Role.READ_ONLY)
    with pytest.raises(DomainError) as refused:
        services.import_set_mapping(actor=actor_for(reader), run=run)
    assert refused.value.status == 403
    with pytest.raises(DomainError):
        upload(reader, org, files.messy_workbook())
    with pytest.raises(DomainError):
        upload(stranger, org, files.messy_workbook())


def test_cancel_and_closed_runs(buyer, org):
    run = upload(buyer, org, files.messy_workbook())
    services.import_cancel(actor=actor_for(buyer), run=run)
    assert run.status == ImportStatus.CANCELLED
    with pytest.raises(DomainError) as refused:
        services.import_set_mapping(actor=actor_for(buyer), run=run)
    assert refused.value.code == "import_closed"


def test_error_report_downloads(buyer, org, django_capture_on_commit_callbacks):
    import io

    import openpyxl

    rows = [["a@example.ma", "A", "", "beaucoup", "", "", ""]]
    run = run_to_end(buyer, upload(buyer, org, files.messy_workbook(rows)), django_capture_on_commit_callbacks)
    content, content_type, name = services.error_report(actor=actor_for(buyer), run=run, fmt="xlsx")
    values = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert values[1][:3] == (5, "Quantité", "beaucoup")
    content, _, _ = services.error_report(actor=actor_for(buyer), run=run, fmt="csv")
    assert "beaucoup" in content.decode("utf-8-sig")
