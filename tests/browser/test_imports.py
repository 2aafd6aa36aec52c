"""A buyer imports a messy spreadsheet: upload, check the detected columns, see the row in error in the
preview, choose to keep the valid rows, import, and read the result with its error report."""

import pytest

from tawrid.accounts.models import Membership, OrganisationKind, Role
from tawrid.accounts.tests.factories import TEST_PASSWORD, OrganisationFactory, person_in
from tawrid.imports.models import ImportRun, ImportStatus
from tawrid.imports.tests import files
from tawrid.imports.tests.kind import KIND  # registers the test kind in this process (the live server's too)
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_map_preview_and_import_a_messy_workbook(page, tmp_path):
    organisation = OrganisationFactory(name="Groupe Hospitalier Atlas", kind=OrganisationKind.HOSPITAL_GROUP)
    buyer = person_in(organisation, Role.MEMBER, full_name="Salma Acheteuse", email="salma@atlas.example.ma")
    rows = [
        ["amina@example.ma", "Amina Alaoui", "Acheteuse", "1 234,50", "12 500,00 DH", "31/12/2026", "oui"],
        ["bad@example.ma", "Ligne fausse", "", "beaucoup", "", "", ""],
        [None] * 7,
        ["SOUS-TOTAL", None, None, "1 234,50", None, None, None],
        ["karim@example.ma", "Karim Idrissi", "", "3", "MAD 99", 46387, "x"],
    ]
    path = tmp_path / "personnel 2026.xlsx"
    path.write_bytes(files.messy_workbook(rows))

    login(page, buyer.email, TEST_PASSWORD)
    page.goto(f"/imports/new/{KIND}/")
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=upload-form] button[type=submit]")

    # The header was found on row 4 of the second sheet, under the merged title, and every column mapped.
    page.wait_for_selector("[data-testid=mapping-form]")
    assert page.input_value("input[name=header_row]") == "4"
    assert page.input_value("select[name=sheet]") == "Personnel"
    assert page.input_value("select[name=col_3]") == "quantity"
    page.select_option("select[name=col_2]", "")  # the buyer decides to ignore "Fonction"
    page.click("[data-testid=save-mapping]")

    # The preview (loaded by htmx) shows the parsed values and flags the bad row.
    page.wait_for_selector("[data-testid=preview] table")
    error_row = page.locator("[data-testid=preview] tr.row-error")
    assert error_row.count() == 1 and "beaucoup" in error_row.inner_text()
    assert page.locator("[data-testid=preview] tr[data-row]").count() == 3  # empty and subtotal rows skipped

    page.check("input[name=keep_valid_rows]")
    page.click("[data-testid=save-mapping]")
    page.wait_for_selector("[data-testid=preview] table")
    page.click("[data-testid=execute]")

    page.wait_for_selector("[data-testid=run-status]:text-matches('Imported|Importé', 'i')")
    assert page.inner_text("[data-testid=created-count]") == "2"
    assert page.inner_text("[data-testid=invalid-rows]") == "1"
    assert "beaucoup" in page.inner_text("[data-testid=error-list]")
    with page.expect_download() as download:
        page.click("[data-testid=error-report-xlsx]")
    assert download.value.suggested_filename.endswith("-errors.xlsx")

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.IMPORTED and run.mapping["Fonction"] is None
    people = Membership.objects.filter(organisation=organisation, role=Role.READ_ONLY)
    assert set(people.values_list("user__email", flat=True)) == {"amina@example.ma", "karim@example.ma"}


def test_cancelling_an_import_asks_for_confirmation(page):
    from tawrid.core.permissions import actor_for
    from tawrid.imports import services

    organisation = OrganisationFactory(name="Clinique Annulation", kind=OrganisationKind.HOSPITAL_GROUP)
    buyer = person_in(organisation, Role.MEMBER, full_name="Nadia Acheteuse", email="nadia@clinique.example.ma")
    actor = actor_for(buyer)
    run = services.import_upload(
        actor=actor,
        user=buyer,
        kind_name=KIND,
        organisation=organisation,
        filename="personnel.xlsx",
        data=files.messy_workbook(),
    )
    run = services.import_set_mapping(actor=actor, run=run)

    login(page, buyer.email, TEST_PASSWORD)
    page.goto(f"/imports/{run.pk}/")
    page.click("[data-testid=cancel]")
    page.wait_for_selector("[data-testid=cancel-confirmation]")
    run.refresh_from_db()
    assert run.status == ImportStatus.MAPPED  # one click cancelled nothing

    page.click("[data-testid=keep-import]")  # changed their mind
    page.wait_for_selector("[data-testid=run-status]")
    run.refresh_from_db()
    assert run.status == ImportStatus.MAPPED

    page.click("[data-testid=cancel]")
    page.click("[data-testid=confirm-cancel]")
    page.wait_for_selector("[data-testid=run-status]:text-matches('Cancelled|Annulé', 'i')")
    run.refresh_from_db()
    assert run.status == ImportStatus.CANCELLED
