"""A buyer's purchase plan in the browser: create the plan, upload a messy workbook, map the column that was
not recognised, import the valid rows, add the two rows that were in error on screen, publish; a manufacturer
then sees the published lines without prices and without the buyer's name, and — the national demand figures
being refreshed by the job publishing queued — the demand of its EMDN category in "National demand", with
quantities, without prices and without buyers' names."""

import pytest

from tawrid.accounts.models import Membership, OrganisationKind, Role
from tawrid.accounts.tests.factories import TEST_PASSWORD, OrganisationFactory, person_in
from tawrid.catalog.tests.factories import emdn
from tawrid.demand.models import PlanStatus, PurchasePlan
from tawrid.demand.tests import files
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _messy_file(tmp_path):
    rows = [list(r) for r in files.GOOD_ROWS]
    rows.insert(1, [5, "CAT-18", "CATHETER COURT IV G 18", None, "-5", "B/50", "310,00", "T1"])
    rows.append([6, "FOL-16", "SONDE DE FOLEY 2 VOIES CH 16", "LATEX SILICONE", "beaucoup", "U", "7,40", None])
    header = list(files.HEADER)
    header[4] = "Besoin exprimé 2026"  # not a known name: the buyer maps it by hand
    workbook = files.xlsx(
        {
            "Instructions": [["Plan annuel des achats locaux"], ["Remplir la feuille Besoins."]],
            "Besoins": [["GROUPE SANTÉ ATLAS — PLAN 2026"], ["Direction des achats"], [], header, *rows],
        },
        merge={"Besoins": ["A1:H1"]},
    )
    path = tmp_path / "plan achats 2026.xlsx"
    path.write_bytes(workbook)
    return path


def test_buyer_imports_fixes_and_publishes_then_a_manufacturer_sees_the_lines(page, tmp_path):
    group = OrganisationFactory(name="Groupe Santé Atlas", slug="gsa", kind=OrganisationKind.HOSPITAL_GROUP)
    buyer = person_in(group, Role.MEMBER, full_name="Nadia Achats", email="nadia@gsa.example.ma")
    maker = OrganisationFactory(name="Maroc Seringues", slug="maroc-seringues", kind=OrganisationKind.MANUFACTURER)
    manufacturer = person_in(maker, Role.MEMBER, full_name="Karim Fabricant", email="karim@ms.example.ma")
    emdn("C0102", "Peripheral venous catheters")
    emdn("U0102", "Urethral catheters")

    login(page, buyer.email, TEST_PASSWORD)
    page.goto("/plans/")
    page.click("[data-testid=plan-create]")
    page.fill("input[name=year]", "2026")
    page.fill("input[name=title]", "Plan annuel 2026")
    page.click("[data-testid=plan-form] button[type=submit]")
    page.wait_for_selector("[data-testid=plan-actions]")
    plan = PurchasePlan.objects.get(buyer=group, year=2026)

    page.click("[data-testid=plan-import]")
    page.set_input_files("input[name=file]", str(_messy_file(tmp_path)))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=mapping-form]")
    assert page.input_value("select[name=sheet]") == "Besoins"
    assert page.input_value("input[name=header_row]") == "4"
    assert page.input_value("select[name=col_2]") == "designation"
    assert page.input_value("select[name=col_3]") == "designation_2"
    page.select_option("select[name=col_4]", "quantity")
    page.click("[data-testid=save-mapping]")

    page.wait_for_selector("[data-testid=preview] table")
    errors = page.locator("[data-testid=preview] tr.row-error")
    assert errors.count() == 2
    assert "-5" in errors.nth(0).inner_text() and "beaucoup" in errors.nth(1).inner_text()
    page.check("input[name=keep_valid_rows]")
    page.click("[data-testid=save-mapping]")
    page.wait_for_selector("[data-testid=preview] table")
    page.click("[data-testid=execute]")
    page.wait_for_selector("[data-testid=run-status]:text-matches('Imported|Importé', 'i')")
    assert page.inner_text("[data-testid=created-count]") == "4"
    assert plan.lines.count() == 4

    # The two rows in error are added on screen, corrected.
    for reference, designation, quantity, unit, price, code in (
        ("CAT-18", "CATHETER COURT IV G 18", "5", "B/50", "310,00", "C0102"),
        ("FOL-16", "SONDE DE FOLEY 2 VOIES CH 16 LATEX SILICONE", "120", "U", "7,40", "U0102"),
    ):
        page.goto(f"/plans/{plan.pk}/lines/new/")
        page.fill("input[name=buyer_reference]", reference)
        page.fill("input[name=designation]", designation)
        page.fill("input[name=quantity]", quantity)
        page.fill("input[name=unit]", unit)
        page.fill("input[name=unit_price]", price)
        page.fill("input[name=emdn_code]", code)
        page.click("[data-testid=line-form] button[type=submit]")
        page.wait_for_selector("[data-testid=line-table]")
    assert plan.lines.count() == 6
    table = page.inner_text("[data-testid=line-table]")
    assert "CATHETER COURT IV G 18" in table and "18 G" in table  # the gauge read from the designation

    page.click("[data-testid=plan-publish]")
    page.wait_for_selector("[data-testid=plan-amend]")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED

    page.context.clear_cookies()
    login(page, manufacturer.email, TEST_PASSWORD)
    page.goto("/plans/published/")
    listing = page.inner_text("[data-testid=published-lines]")
    assert "SONDE DE FOLEY 2 VOIES CH 16 LATEX SILICONE" in listing
    assert "AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 25 X 8 / 10 G 21" in listing
    assert "Groupe Santé Atlas" not in page.content()
    assert "310" not in listing and "7,40" not in listing and "35,50" not in listing

    # National demand: refreshed by the job that publishing queued (run at once in tests).
    page.click('.main-nav [data-menu="demand"]')
    page.wait_for_selector("[data-testid=national-filters]")
    page.select_option("select[name=category]", "U")
    page.select_option("select[name=level]", "all")
    page.click("[data-testid=national-filter]")
    page.wait_for_selector("[data-testid=national-table] >> text=U0102")
    national = page.inner_text("[data-testid=national-table]")
    assert "U0102" in national and "120" in national and "C0102" not in national
    assert "888" not in page.content() and "7,40" not in page.content()  # no value, no price
    assert "Groupe Santé Atlas" not in page.content()
    assert page.locator("[data-testid=national-chart] rect").count() == 3  # U, U01 and U0102
    page.click("[data-testid=national-table] >> text=U0102")
    page.wait_for_selector("[data-testid=national-lines]")
    lines = page.inner_text("[data-testid=national-lines]")
    assert "SONDE DE FOLEY 2 VOIES CH 16 LATEX SILICONE" in lines and "7,40" not in lines
    assert "Groupe Santé Atlas" not in page.content()


def test_the_plan_is_made_for_the_second_buyer_chosen_in_the_select_without_csp_errors(page):
    """The buyer select used an inline `onchange` handler that the Content-Security-Policy blocks: the plan
    was then made for the first buyer. The buyer is now a field of the form itself."""
    group = OrganisationFactory(name="Groupe Santé Atlas", slug="gsa", kind=OrganisationKind.HOSPITAL_GROUP)
    hospital = OrganisationFactory(name="CHU Oued Ziz", slug="chu-oz", kind=OrganisationKind.HOSPITAL)
    buyer = person_in(group, Role.MEMBER, full_name="Nadia Achats", email="nadia@gsa.example.ma")
    Membership.objects.create(user=buyer, organisation=hospital, role=Role.MEMBER)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    login(page, buyer.email, TEST_PASSWORD)
    page.goto("/plans/")
    page.click("[data-testid=plan-create]")
    page.select_option("[data-testid=plan-form] select[name=buyer]", str(hospital.pk))
    page.fill("input[name=year]", "2026")
    page.click("[data-testid=plan-form] button[type=submit]")
    page.wait_for_selector("[data-testid=plan-actions]")
    plan = PurchasePlan.objects.get(year=2026)
    assert plan.buyer_id == hospital.pk
    assert "CHU Oued Ziz" in page.inner_text("h1")
    assert not [p for p in problems if "Content Security Policy" in p or "Content-Security-Policy" in p], problems
    assert not problems, problems
