"""The catalogue as a spreadsheet: the "catalog.products" import kind (through the import framework's services,
as the pages and the API use it), the xlsx export, and the bad files manufacturers really send."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tawrid.catalog import exports, imports
from tawrid.catalog.models import Product, Variant, VariantSpecification
from tawrid.catalog.tests.factories import ProductFactory, VariantFactory, emdn
from tawrid.core.errors import Forbidden
from tawrid.core.permissions import actor_for
from tawrid.imports import parsing, services
from tawrid.imports.models import ImportRowError, ImportRun, ImportStatus
from tawrid.imports.registry import get_kind

pytestmark = pytest.mark.django_db


HEADERS = [
    "Référence",
    "Désignation",
    "Code EMDN",
    "Stérile",
    "Usage unique",
    "Unités par boîte",
    "Prix unitaire",
    "Part locale",
    "Référence variante",
    "Libellé variante",
    "GTIN",
    "calibre (G)",
    "longueur (mm)",
    "Spécifications",
]


def row(ref="AIG-21", name="Aiguille hypodermique stérile", vref="AIG-21-25", label="G21 25 mm", **extra):
    values = {
        "Référence": ref,
        "Désignation": name,
        "Code EMDN": "A010101",
        "Stérile": "oui",
        "Usage unique": "oui",
        "Unités par boîte": "100",
        "Prix unitaire": "1 234,50",
        "Part locale": "60 %",
        "Référence variante": vref,
        "Libellé variante": label,
        "GTIN": "",
        "calibre (G)": "21",
        "longueur (mm)": "25",
        "Spécifications": "",
    }
    values.update(extra)
    return [values[h] for h in HEADERS]


def workbook(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Catalogue"
    sheet.append(["Catalogue 2026 — Alpha Gants"])  # a title above the header row
    sheet.append([])
    sheet.append(list(headers))
    for values in rows:
        sheet.append(list(values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_file(rows, encoding="utf-8", headers=HEADERS) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for values in rows:
        writer.writerow(values)
    return buffer.getvalue().encode(encoding)


@pytest.fixture(autouse=True)
def codes(db):
    emdn("A010101", "Aiguilles hypodermiques")
    emdn("T010101", "Gants d'examen")


@pytest.fixture(autouse=True)
def _kind():
    imports.register_kind()


def upload(user, org, data, name="catalogue.xlsx", **kwargs):
    return services.import_upload(
        actor=actor_for(user), user=user, kind_name=imports.KIND, organisation=org, filename=name, data=data, **kwargs
    )


def run_import(user, org, data, capture, name="catalogue.xlsx", keep_valid_rows=False, confirm_reimport=False):
    actor = actor_for(user)
    run = upload(user, org, data, name=name, confirm_reimport=confirm_reimport)
    run = services.import_set_mapping(actor=actor, run=run, keep_valid_rows=keep_valid_rows)
    with capture(execute=True):
        services.import_execute(actor=actor, run=run, user=user)
    run.refresh_from_db()
    return run


def problems(run):
    return list(ImportRowError.objects.filter(run=run, is_warning=False).values_list("row_number", "column", "message"))


def counts(run):
    return (run.created_count, run.updated_count, run.unchanged_count)


def three_products():
    return [
        row("AIG-21", vref="AIG-21-25", label="G21 25 mm"),
        row("AIG-21", vref="AIG-21-40", label="G21 40 mm", **{"longueur (mm)": "4 cm"}),
        row(
            "GANT-N",
            name="Gant nitrile",
            vref="GANT-N-M",
            label="Taille M",
            **{
                "Code EMDN": "T010101",
                "calibre (G)": "",
                "longueur (mm)": "",
                "Spécifications": "taille de gant=M; couleur=bleu",
            },
        ),
    ]


# The happy path -----------------------------------------------------------------------------------------------


def test_import_creates_products_variants_and_converted_specifications(world, django_capture_on_commit_callbacks):
    run = run_import(world.admin_a, world.org_a, workbook(three_products()), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.IMPORTED, (run.message, problems(run))
    assert counts(run) == (3, 0, 0)
    needle = Product.objects.get(manufacturer=world.org_a, reference="AIG-21")
    assert needle.name_fr == "Aiguille hypodermique stérile"
    assert needle.sterile and needle.single_use and needle.units_per_box == 100
    assert needle.unit_price == Decimal("1234.50")
    assert needle.local_content_share == Decimal("60")
    assert needle.emdn.code == "A010101"
    assert list(needle.variants.values_list("reference", flat=True)) == ["AIG-21-25", "AIG-21-40"]
    long = VariantSpecification.objects.get(variant__reference="AIG-21-40", attribute="length")
    assert (long.value_number, long.unit, long.entered_unit) == (Decimal("40"), "MMT", "CMT")
    gauge = VariantSpecification.objects.get(variant__reference="AIG-21-25", attribute="gauge")
    assert gauge.value_number == Decimal("21")
    glove = Variant.objects.get(reference="GANT-N-M")
    assert set(glove.specifications.values_list("attribute", flat=True)) == {"glove_size", "colour"}
    assert run.job.status == "succeeded"


def test_reimporting_the_same_file_changes_nothing(world, django_capture_on_commit_callbacks):
    data = workbook(three_products())
    run_import(world.admin_a, world.org_a, data, django_capture_on_commit_callbacks)
    before = list(Variant.objects.order_by("pk").values("pk", "product_id", "updated_at"))
    product_stamps = list(Product.objects.filter(manufacturer=world.org_a).order_by("pk").values("pk", "updated_at"))
    again = run_import(world.admin_a, world.org_a, data, django_capture_on_commit_callbacks, confirm_reimport=True)
    assert again.status == ImportStatus.IMPORTED
    assert counts(again) == (0, 0, 3)
    assert list(Variant.objects.order_by("pk").values("pk", "product_id", "updated_at")) == before
    assert (
        list(Product.objects.filter(manufacturer=world.org_a).order_by("pk").values("pk", "updated_at"))
        == product_stamps
    )


def test_a_changed_row_is_updated_in_place(world, django_capture_on_commit_callbacks):
    run_import(world.admin_a, world.org_a, workbook(three_products()), django_capture_on_commit_callbacks)
    changed = three_products()
    changed[1] = row("AIG-21", vref="AIG-21-40", label="G21 40 mm", **{"longueur (mm)": "38"})
    run = run_import(world.admin_a, world.org_a, workbook(changed), django_capture_on_commit_callbacks)
    assert counts(run) == (0, 1, 2)
    spec = VariantSpecification.objects.get(variant__reference="AIG-21-40", attribute="length")
    assert spec.value_number == Decimal("38")
    assert Variant.objects.filter(product__manufacturer=world.org_a, reference="AIG-21-40").count() == 1


# Bad input --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_csv_in_windows_encodings_with_french_decimals(world, django_capture_on_commit_callbacks, encoding):
    rows = [
        row(
            "SER-5",
            name="Seringue stérile à usage unique, 5 ml",
            vref="SER-5-A",
            label="5 ml Luer",
            **{"Prix unitaire": "1 234,50 DH", "calibre (G)": "", "longueur (mm)": "", "Spécifications": "volume=5 ml"},
        )
    ]
    data = csv_file(rows, encoding=encoding)
    run = upload(world.admin_a, world.org_a, data, name="catalogue.csv")
    preview = services.import_preview(
        actor=actor_for(world.admin_a), run=services.import_set_mapping(actor=actor_for(world.admin_a), run=run)
    )
    warnings = [p.message for p in preview.rows[0].problems if p.is_warning]
    assert any("DH" in w for w in warnings)  # the currency sign removed, with a warning
    run = run_import(
        world.admin_a,
        world.org_a,
        data,
        django_capture_on_commit_callbacks,
        name="catalogue.csv",
        confirm_reimport=True,
    )
    assert run.status == ImportStatus.IMPORTED, problems(run)
    product = Product.objects.get(reference="SER-5")
    assert product.name_fr == "Seringue stérile à usage unique, 5 ml"
    assert product.unit_price == Decimal("1234.50")
    assert VariantSpecification.objects.get(attribute="volume").value_number == Decimal("5")


def test_an_unknown_unit_is_a_row_error_naming_the_unit(world, django_capture_on_commit_callbacks):
    rows = [row(), row("AIG-22", vref="AIG-22-25", **{"longueur (mm)": "12 furlongs"})]
    run = run_import(world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED
    [(number, column, message)] = problems(run)
    assert number == 5 and "furlongs" in message and column == str(get_kind(imports.KIND).column("spec_length").label)
    assert not Product.objects.filter(manufacturer=world.org_a, reference__startswith="AIG").exists()


def test_an_unknown_emdn_code_a_bad_gtin_and_a_bad_spec_cell_are_row_errors(world, django_capture_on_commit_callbacks):
    rows = [
        row("X-1", vref="X-1-A", **{"Code EMDN": "Z999999"}),
        row("X-2", vref="X-2-A", GTIN="03760123456780"),
        row("X-3", vref="X-3-A", **{"Spécifications": "calibre 21"}),
        row("X-4", vref="X-4-A", **{"Spécifications": "couleur=bleu; pression=3 bar"}),
    ]
    run = run_import(world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED
    found = {number: message for number, _column, message in problems(run)}
    assert set(found) == {4, 5, 6, 7}
    assert "EMDN" in found[4]
    assert "GTIN" in found[5]
    assert "calibre 21" in found[6]
    assert "pression" in found[7]
    assert not Product.objects.filter(reference__startswith="X-").exists()


def test_a_valid_gtin_is_kept_with_its_fourteen_digits(world, django_capture_on_commit_callbacks):
    run = run_import(
        world.admin_a, world.org_a, workbook([row(GTIN=3760123456784)]), django_capture_on_commit_callbacks
    )
    assert run.status == ImportStatus.IMPORTED, problems(run)
    assert Variant.objects.get(reference="AIG-21-25").udi_di == "03760123456784"


def test_a_duplicate_variant_reference_in_the_file_is_an_error(world, django_capture_on_commit_callbacks):
    rows = [row(), row(label="Autre libellé")]
    run = run_import(world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED
    [(number, _column, message)] = problems(run)
    assert number == 5 and "AIG-21-25" in message
    assert not Product.objects.filter(reference="AIG-21").exists()


def test_one_bad_row_writes_nothing_unless_valid_rows_are_kept(world, django_capture_on_commit_callbacks):
    rows = [*three_products(), row("BAD", vref="BAD-1", **{"Prix unitaire": "12 EUR"})]
    failed = run_import(world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks)
    assert failed.status == ImportStatus.FAILED
    assert (failed.valid_rows, failed.invalid_rows) == (3, 1)
    assert not Product.objects.filter(manufacturer=world.org_a, reference__in=["AIG-21", "GANT-N", "BAD"]).exists()

    kept = run_import(
        world.admin_a,
        world.org_a,
        workbook(rows),
        django_capture_on_commit_callbacks,
        keep_valid_rows=True,
        confirm_reimport=True,
    )
    assert kept.status == ImportStatus.IMPORTED
    assert counts(kept) == (3, 0, 0)
    assert set(
        Product.objects.filter(manufacturer=world.org_a, reference__in=["AIG-21", "GANT-N", "BAD"]).values_list(
            "reference", flat=True
        )
    ) == {"AIG-21", "GANT-N"}


def test_a_formula_in_an_xlsx_cell_is_refused_for_that_cell(world, django_capture_on_commit_callbacks):
    rows = [row(**{"Unités par boîte": "=10*10"})]  # written by a program: never computed, no cached value
    run = run_import(world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED
    [(number, column, _message)] = problems(run)
    assert number == 4 and column == str(get_kind(imports.KIND).column("units_per_box").label)
    assert not Product.objects.filter(reference="AIG-21").exists()


def test_rows_of_one_product_must_agree_on_the_product(world, django_capture_on_commit_callbacks):
    # the packaging is the product's; only the price may differ from variant to variant
    rows = [row(**{"Unités par boîte": "1200"}), row(vref="AIG-21-40", **{"Unités par boîte": "50"})]
    run = run_import(world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED
    assert (run.valid_rows, run.invalid_rows) == (0, 2)
    [(first, column, message), (second, column_again, message_again)] = problems(run)
    assert (first, second) == (4, 5)
    # the column as the file calls it, the rows, the values; no internal field name
    assert column == column_again == "Unités par boîte" and message == message_again
    assert "Les lignes 4, 5" in message and "AIG-21" in message and "(1\xa0200 / 50)" in message
    assert "units_per_box" not in message
    assert not Product.objects.filter(reference="AIG-21").exists()


def test_a_product_whose_rows_disagree_is_the_only_one_left_out_when_valid_rows_are_kept(
    world, django_capture_on_commit_callbacks
):
    rows = [*three_products(), row("CAT-7", vref="CAT-7-S"), row("CAT-7", vref="CAT-7-L", **{"Code EMDN": "T010101"})]
    run = run_import(
        world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks, keep_valid_rows=True
    )
    assert run.status == ImportStatus.IMPORTED
    assert (run.valid_rows, run.invalid_rows) == (3, 2)
    assert {number for number, _column, _message in problems(run)} == {7, 8}
    assert set(Product.objects.filter(manufacturer=world.org_a).values_list("reference", flat=True)) >= {
        "AIG-21",
        "GANT-N",
    }
    assert not Product.objects.filter(manufacturer=world.org_a, reference="CAT-7").exists()


def test_the_preview_and_the_check_report_what_the_import_refuses(world, django_capture_on_commit_callbacks):
    rows = [row(), row(vref="AIG-21-40", **{"Unités par boîte": "50"})]
    actor = actor_for(world.admin_a)
    run = services.import_set_mapping(actor=actor, run=upload(world.admin_a, world.org_a, workbook(rows)))
    preview = services.import_preview(actor=actor, run=run)
    assert [row.ok for row in preview.rows] == [False, False]
    assert [p.column for p in preview.rows[0].problems] == ["Unités par boîte"]
    checked = services.import_validate(actor=actor, run=run, user=world.admin_a)
    assert (checked.valid_rows, checked.invalid_rows) == (0, 2)
    assert [p.message for p in preview.rows[0].problems] == [
        message for number, _column, message in problems(checked) if number == 4
    ]


def test_a_product_column_left_empty_on_a_variant_takes_the_value_of_the_other_rows(
    world, django_capture_on_commit_callbacks
):
    rows = [row(), row(vref="AIG-21-40", **{"Prix unitaire": "", "Unités par boîte": ""})]
    run = run_import(world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.IMPORTED, problems(run)
    product = Product.objects.get(reference="AIG-21")
    assert (product.unit_price, product.units_per_box, product.variants.count()) == (Decimal("1234.50"), 100, 2)


def test_a_failed_import_imports_its_valid_rows_on_request(world, client, django_capture_on_commit_callbacks):
    rows = [*three_products(), row("BAD", vref="BAD-1", **{"Prix unitaire": "12 EUR"})]
    failed = run_import(world.admin_a, world.org_a, workbook(rows), django_capture_on_commit_callbacks)
    assert failed.status == ImportStatus.FAILED and "importez seulement les 3 lignes valides" in failed.message
    client.force_login(world.admin_a)
    page = client.get(reverse("imports:detail", args=[failed.pk])).content.decode()
    assert 'data-testid="import-valid-rows"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:execute", args=[failed.pk]), {"keep_valid_rows": "on"})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == ImportStatus.IMPORTED and counts(failed) == (3, 0, 0)
    assert not failed.may_keep_valid_rows
    assert not Product.objects.filter(manufacturer=world.org_a, reference="BAD").exists()


def test_the_import_matches_only_the_manufacturers_own_catalogue(world, django_capture_on_commit_callbacks):
    # B already has a product with the reference A imports: A's import creates A's own product, B's is untouched.
    theirs = ProductFactory(manufacturer=world.org_b, reference="AIG-21", name_fr="Produit de B")
    run = run_import(world.admin_a, world.org_a, workbook([row()]), django_capture_on_commit_callbacks)
    assert counts(run) == (1, 0, 0)
    theirs.refresh_from_db()
    assert theirs.name_fr == "Produit de B" and not theirs.variants.exists()


@pytest.mark.parametrize("who", ["admin_b", "reader_a", "secretariat"])
def test_others_cannot_import_into_a_manufacturers_catalogue(world, who):
    with pytest.raises(Forbidden):
        upload(world.people[who], world.org_a, workbook([row()]))
    assert not ImportRun.objects.exists()


def test_only_suppliers_have_a_catalogue_to_import(world):
    with pytest.raises(Forbidden):
        upload(world.buyer, world.hospital, workbook([row()]))


# Export -------------------------------------------------------------------------------------------------------


def read_xlsx(data):
    book = openpyxl.load_workbook(io.BytesIO(data))
    return book, [list(r) for r in book.active.iter_rows(values_only=True)]


def test_export_then_import_again_changes_nothing(world, django_capture_on_commit_callbacks):
    run_import(world.admin_a, world.org_a, workbook(three_products()), django_capture_on_commit_callbacks)
    data, name = exports.export_catalogue(actor=actor_for(world.member_a), manufacturer=world.org_a)
    assert name.endswith(".xlsx")
    _book, rows = read_xlsx(data)
    # A-001 (with a variant from the world), AIG-21 ×2, GANT-N; A-002 has no variant and is left out
    assert len(rows) == 1 + 4
    stamps = list(Variant.objects.order_by("pk").values_list("pk", "updated_at"))
    again = run_import(world.admin_a, world.org_a, data, django_capture_on_commit_callbacks, name="export.xlsx")
    assert again.status == ImportStatus.IMPORTED, (again.message, problems(again))
    assert counts(again) == (0, 0, 4)
    assert list(Variant.objects.order_by("pk").values_list("pk", "updated_at")) == stamps


def test_export_never_lets_a_cell_start_a_formula(world):
    product = ProductFactory(
        manufacturer=world.org_a, reference="+SUM(A1)", name_fr='=HYPERLINK("http://evil.test","clic")'
    )
    VariantFactory(product=product, reference="-1", label="@cmd")
    data, _name = exports.export_catalogue(actor=actor_for(world.admin_a), manufacturer=world.org_a)
    book, rows = read_xlsx(data)
    sheet = book.active
    for cells in sheet.iter_rows():
        for cell in cells:
            assert cell.data_type != "f"
    cells = [
        c
        for r in sheet.iter_rows()
        for c in r
        if c.value in ('=HYPERLINK("http://evil.test","clic")', "+SUM(A1)", "-1", "@cmd")
    ]
    assert len(cells) == 4
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


@pytest.mark.parametrize("who", ["admin_b", "buyer", "anonymous"])
def test_others_cannot_export_a_catalogue(world, who):
    with pytest.raises(Forbidden):
        exports.export_catalogue(actor=actor_for(world.people[who]), manufacturer=world.org_a)


def test_export_page_and_api(world, client):
    VariantFactory(product=world.product_a, reference="A-001-L")
    client.force_login(world.member_a)
    response = client.get(reverse("catalog:product_export") + f"?organisation={world.org_a.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    _book, rows = read_xlsx(b"".join(response.streaming_content) if response.streaming else response.content)
    assert [r[0] for r in rows[1:]] == ["A-001", "A-001"]
    api = client.get(f"/api/v1/catalog/products/export.xlsx?organisation_id={world.org_a.pk}")
    assert api.status_code == 200 and api.content[:2] == b"PK"
    client.force_login(world.admin_b)
    assert client.get(f"/api/v1/catalog/products/export.xlsx?organisation_id={world.org_a.pk}").status_code in (
        403,
        404,
    )
    assert client.get(reverse("catalog:product_export") + f"?organisation={world.org_a.pk}").status_code in (403, 404)


def test_template_has_the_kinds_columns(world, client):
    client.force_login(world.admin_a)
    response = client.get(reverse("imports:template", args=[imports.KIND]))
    assert response.status_code == 200
    _book, rows = read_xlsx(response.content)
    assert str(get_kind(imports.KIND).column("variant_reference").label) in rows[0]


# The specification cell -----------------------------------------------------------------------------------------


def test_specification_cell_examples():
    assert imports.parse_specification_cell("calibre=21 G; longueur=25 mm") == {"gauge": "21 G", "length": "25 mm"}
    assert imports.parse_specification_cell("Diamètre extérieur : 0,8 mm\nTAILLE DE GANT = M") == {
        "outer_diameter": "0,8 mm",
        "glove_size": "M",
    }
    assert imports.parse_specification_cell("  ;  ") == {}
    for bad in ("calibre", "calibre=", "calibre=21; calibre=22", "furlongs=3"):
        with pytest.raises(parsing.ParseError):
            imports.parse_specification_cell(bad)


_attribute = st.sampled_from(sorted(imports._attribute_index().items()))
_value = st.text(
    alphabet=st.characters(blacklist_characters=";|=:\n\r", blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=20,
).filter(lambda v: v.strip())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_attribute, _value), max_size=8, unique_by=lambda pair: pair[0][1]),
    st.sampled_from(["; ", ";", "\n", " | "]),
    st.sampled_from(["=", " = ", ":"]),
)
def test_specification_cell_round_trips(pairs, separator, equals):
    text = separator.join(f"{name}{equals}{value}" for (name, _key), value in pairs)
    parsed = imports.parse_specification_cell(text)
    assert parsed == {key: value.strip() for (_name, key), value in pairs}
    assert imports.parse_specification_cell(imports.format_specification_cell(parsed)) == parsed


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_specification_cell_parser_never_crashes(text):
    try:
        result = imports.parse_specification_cell(text)
    except parsing.ParseError as error:
        assert error.message
    else:
        assert all(value and value == value.strip() for value in result.values())


def test_without_a_variant_label_column_the_label_is_the_reference_or_kept(world, django_capture_on_commit_callbacks):
    headers = ["Référence", "Désignation", "Code EMDN", "Référence variante"]
    run = run_import(
        world.admin_a,
        world.org_a,
        workbook([["K-1", "Kit", "A010101", "K-1-A"]], headers),
        django_capture_on_commit_callbacks,
    )
    assert run.status == ImportStatus.IMPORTED, problems(run)
    variant = Variant.objects.get(reference="K-1-A")
    assert variant.label == "K-1-A"
    Variant.objects.filter(pk=variant.pk).update(label="Kit complet")
    again = run_import(
        world.admin_a,
        world.org_a,
        workbook([["K-1", "Kit", "A010101", "K-1-A"]], headers),
        django_capture_on_commit_callbacks,
        confirm_reimport=True,
    )
    assert counts(again) == (0, 0, 1)
    assert Variant.objects.get(pk=variant.pk).label == "Kit complet"


def test_a_file_exported_in_english_is_imported_in_french(world, django_capture_on_commit_callbacks):
    from django.utils import translation

    run_import(world.admin_a, world.org_a, workbook(three_products()), django_capture_on_commit_callbacks)
    with translation.override("en"):
        data, _name = exports.export_catalogue(actor=actor_for(world.admin_a), manufacturer=world.org_a)
    with translation.override("fr"):
        again = run_import(world.admin_a, world.org_a, data, django_capture_on_commit_callbacks, name="export-en.xlsx")
    assert again.status == ImportStatus.IMPORTED, (again.message, problems(again))
    assert counts(again) == (0, 0, 4)
    assert set(again.mapping.values()) >= {
        "reference",
        "variant_reference",
        "unit_price",
        "spec_length",
        "specifications",
    }


def test_import_through_the_imports_api(world, client, django_capture_on_commit_callbacks):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    base = "/api/v1/imports"
    client.force_login(world.member_a)
    kinds = {k["name"]: k for k in client.get(f"{base}/kinds").json()}
    assert {"reference", "variant_reference", "spec_gauge"} <= {c["key"] for c in kinds[imports.KIND]["columns"]}
    data = workbook(three_products())
    response = client.post(
        f"{base}/runs",
        {"kind": imports.KIND, "organisation_id": world.org_a.pk, "file": SimpleUploadedFile("c.xlsx", data)},
    )
    assert response.status_code == 201, response.content
    run = response.json()
    response = client.put(
        f"{base}/runs/{run['id']}/mapping", json.dumps({"mapping": run["mapping"]}), content_type="application/json"
    )
    assert response.status_code == 200
    preview = client.get(f"{base}/runs/{run['id']}/preview")
    assert preview.status_code == 200 and len(preview.json()["rows"]) == 3
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/runs/{run['id']}/execute", json.dumps({}), content_type="application/json")
    assert response.status_code == 202
    status = client.get(f"{base}/runs/{run['id']}").json()
    assert (status["status"], status["created_count"]) == ("imported", 3)

    # Another manufacturer cannot import into A's catalogue through the API.
    client.force_login(world.admin_b)
    response = client.post(
        f"{base}/runs",
        {"kind": imports.KIND, "organisation_id": world.org_a.pk, "file": SimpleUploadedFile("c.xlsx", data)},
    )
    assert response.status_code in (403, 404)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("IIa", "IIa"),
        ("classe 2a", "IIa"),
        ("Class III", "III"),
        ("iib", "IIb"),
        ("IVD class C", "C"),
        ("", ""),
        (None, ""),
    ],
)
def test_risk_class_cells(cell, expected):
    assert imports.parse_risk_class(cell).value == expected


def test_an_unknown_risk_class_is_refused():
    with pytest.raises(parsing.ParseError):
        imports.parse_risk_class("classe 5")


def test_a_formula_typed_in_a_csv_stays_text_and_is_exported_harmless(world, django_capture_on_commit_callbacks):
    name = '=HYPERLINK("http://evil.test","Gant")'
    data = csv_file([row("F-1", name=name, vref="F-1-A")], encoding="cp1252")
    run = run_import(world.admin_a, world.org_a, data, django_capture_on_commit_callbacks, name="formules.csv")
    assert run.status == ImportStatus.IMPORTED, problems(run)
    assert Product.objects.get(reference="F-1").name_fr == name  # kept as the text it is, never evaluated
    exported, _name = exports.export_catalogue(actor=actor_for(world.admin_a), manufacturer=world.org_a)
    book = openpyxl.load_workbook(io.BytesIO(exported))
    [cell] = [c for r in book.active.iter_rows() for c in r if c.value == name]
    assert cell.data_type == "s" and cell.quotePrefix


@pytest.mark.parametrize(
    ("language", "in_that_language"), [("ar", "بعملة أخرى"), ("en", "is in another currency"), ("fr", "autre devise")]
)
def test_row_errors_are_stored_in_the_language_of_the_person_who_started_the_import(
    world, django_capture_on_commit_callbacks, language, in_that_language
):
    actor = actor_for(world.admin_a)
    with translation.override(language):  # the request of the person who starts the import
        run = upload(world.admin_a, world.org_a, workbook([row("BAD", vref="BAD-1", **{"Prix unitaire": "12 EUR"})]))
        run = services.import_set_mapping(actor=actor, run=run)
        with django_capture_on_commit_callbacks() as queued:
            services.import_execute(actor=actor, run=run, user=world.admin_a)
    assert run.job.language == language
    worker_language = "ar" if language != "ar" else "fr"
    with translation.override(worker_language):  # the worker: another process, in its own language
        for put_on_queue in queued:
            put_on_queue()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    [(_number, _column, message)] = problems(run)
    assert in_that_language in message, message
