"""A manufacturer imports its catalogue from a spreadsheet: 3 products and 6 variants with one bad row (a unit
that does not exist), sees the row error with its reason, keeps the valid rows, imports, finds the products
in its list, then exports its catalogue to xlsx and reads the download."""

import io

import openpyxl
import pytest

from tawrid.accounts.tests.factories import TEST_PASSWORD
from tawrid.catalog.models import Product, Variant
from tawrid.catalog.tests.factories import CatalogWorld, emdn
from tawrid.imports.models import ImportRun, ImportStatus
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADERS = [
    "Référence",
    "Désignation",
    "Code EMDN",
    "Stérile",
    "Prix unitaire",
    "Référence variante",
    "Libellé",
    "calibre (G)",
    "longueur (mm)",
    "Spécifications",
]


def catalogue_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Catalogue"
    sheet.append(["Catalogue Alpha Gants 2026"])
    sheet.append(HEADERS)
    rows = [
        ["AIG-HYPO", "Aiguille hypodermique stérile", "A010101", "oui", "0,35", "AIG-21-25", "G21 25 mm", 21, 25, None],
        [
            "AIG-HYPO",
            "Aiguille hypodermique stérile",
            "A010101",
            "oui",
            "0,35",
            "AIG-21-40",
            "G21 40 mm",
            21,
            "4 cm",
            None,
        ],
        [
            "AIG-HYPO",
            "Aiguille hypodermique stérile",
            "A010101",
            "oui",
            "0,35",
            "AIG-23-25",
            "G23 25 mm",
            23,
            "12 furlongs",
            None,
        ],
        [
            "GANT-NIT",
            "Gant d'examen nitrile non poudré",
            "T010101",
            "non",
            "12,5 DH",
            "GANT-NIT-S",
            "Taille S",
            None,
            None,
            "taille de gant=S",
        ],
        [
            "GANT-NIT",
            "Gant d'examen nitrile non poudré",
            "T010101",
            "non",
            "12,5 DH",
            "GANT-NIT-M",
            "Taille M",
            None,
            None,
            "taille de gant=M",
        ],
        [
            "SER-5",
            "Seringue 5 ml Luer",
            "A010101",
            "oui",
            "1 234,50",
            "SER-5-LL",
            "5 ml Luer lock",
            None,
            None,
            "volume=5 ml",
        ],
    ]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_a_catalogue_keep_valid_rows_then_export(page, tmp_path):
    world = CatalogWorld()
    emdn("A010101", "Hypodermic needles")
    emdn("T010101", "Examination gloves")
    path = tmp_path / "catalogue alpha.xlsx"
    path.write_bytes(catalogue_xlsx())

    login(page, world.admin_a.email, TEST_PASSWORD)
    page.click("nav.main-nav a[data-menu=products]")
    page.click("[data-testid=catalogue-spreadsheet] a[href*='/imports/new/catalog.products/']")
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=upload-form] button[type=submit]")

    page.wait_for_selector("[data-testid=mapping-form]")
    assert page.input_value("input[name=header_row]") == "2"
    page.click("[data-testid=save-mapping]")

    # The bad row is flagged with its reason: the unit does not exist.
    page.wait_for_selector("[data-testid=preview] table")
    error_row = page.locator("[data-testid=preview] tr.row-error")
    assert error_row.count() == 1 and "furlongs" in error_row.inner_text()
    assert page.locator("[data-testid=preview] tr[data-row]").count() == 6

    page.check("input[name=keep_valid_rows]")
    page.click("[data-testid=save-mapping]")
    page.wait_for_selector("[data-testid=preview] table")
    page.click("[data-testid=execute]")
    page.wait_for_selector("[data-testid=run-status]:text-matches('Imported|Importé', 'i')")
    assert page.inner_text("[data-testid=created-count]") == "5"
    assert page.inner_text("[data-testid=invalid-rows]") == "1"
    assert "furlongs" in page.inner_text("[data-testid=error-list]")

    # The products are in the list.
    page.click("nav.main-nav a[data-menu=products]")
    listing = page.inner_text("#product-rows")
    for reference in ("AIG-HYPO", "GANT-NIT", "SER-5"):
        assert reference in listing
    assert ImportRun.objects.get().status == ImportStatus.IMPORTED
    assert set(
        Variant.objects.filter(product__manufacturer=world.org_a, product__reference="AIG-HYPO").values_list(
            "reference", flat=True
        )
    ) == {"AIG-21-25", "AIG-21-40"}
    assert Product.objects.get(manufacturer=world.org_a, reference="SER-5").unit_price == 1234.5

    # Export to xlsx: one row per variant, with the import's columns.
    with page.expect_download() as download:
        page.click("[data-testid=catalogue-spreadsheet] a[href*='/products/export.xlsx']")
    assert download.value.suggested_filename.endswith(".xlsx")
    exported = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(exported.active.iter_rows(values_only=True))
    references = sorted(r[0] for r in rows[1:] if r[0] in ("AIG-HYPO", "GANT-NIT", "SER-5"))
    assert references == ["AIG-HYPO", "AIG-HYPO", "GANT-NIT", "GANT-NIT", "SER-5"]
