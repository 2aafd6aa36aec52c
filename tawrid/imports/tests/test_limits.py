"""Limits that keep one upload from holding a web thread: columns (finding 6) and rows counted while the file
is read, even when the xlsx does not declare its size (finding 7)."""

import io
import re
import time
import zipfile

import pytest

from tawrid.accounts.models import Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for
from tawrid.imports import readers, registry, services, structure
from tawrid.imports.models import ImportRun
from tawrid.imports.registry import get_kind
from tawrid.imports.tests import files
from tawrid.imports.tests.kind import KIND


@pytest.fixture
def org(db):
    return OrganisationFactory()


@pytest.fixture
def buyer(org):
    return person_in(org, role=Role.MEMBER)


def upload(user, org, data, name="wide.xlsx"):
    return services.import_upload(
        actor=actor_for(user), user=user, kind_name=KIND, organisation=org, filename=name, data=data
    )


def test_a_sheet_16384_columns_wide_is_refused_at_once(buyer, org):
    data = files.wide_xlsx()
    readers.open_workbook(files.xlsx({"S": [["x"]]}), "warm-up.xlsx")  # openpyxl's first import is not ours
    started = time.process_time()  # CPU time: the test machine may be busy
    with pytest.raises(DomainError) as refused:
        upload(buyer, org, data)
    elapsed = time.process_time() - started
    assert refused.value.code == "too_many_columns"
    assert "200" in refused.value.message
    assert not ImportRun.objects.exists()
    assert elapsed < 1.5, elapsed  # 56 s before (minutes of CPU)


def test_the_column_limit_is_a_setting_and_counts_only_filled_cells(settings):
    settings.IMPORT_MAX_COLUMNS = 5
    ok = files.xlsx({"S": [["a", "b", "c", "d", "e", None, None, ""]]})
    assert list(readers.open_workbook(ok, "ok.xlsx").rows()) == [["a", "b", "c", "d", "e"]]
    too_wide = files.csv_bytes([["a", "b"], ["1", "2", "3", "4", "5", "6"]])
    with pytest.raises(readers.FileRefused) as refused:
        list(readers.open_workbook(too_wide, "wide.csv").rows())
    assert refused.value.code == "too_many_columns"


def _fold_calls(monkeypatch, headers):
    calls = [0]
    real = structure.fold

    def counting(text):
        calls[0] += 1
        return real(text)

    monkeypatch.setattr(structure, "fold", counting)
    monkeypatch.setattr(registry, "fold", counting)
    structure.propose_mapping(headers, get_kind(KIND))
    return calls[0]


def test_header_mapping_folds_each_header_once(monkeypatch):
    few = _fold_calls(monkeypatch, [f"Colonne {i}" for i in range(100)])
    many = _fold_calls(monkeypatch, [f"Colonne {i}" for i in range(1000)])
    # Linear: 900 more headers cost about 900 more folds, not 900 × every name of the kind.
    assert many - few <= 1000, (few, many)


def test_mapping_proposals_are_unchanged_by_the_index():
    kind = get_kind(KIND)
    headers = ["Courriel", "NOM ET PRÉNOM", "Qté commandée", "Prix unitaire", "Inconnue", "Date", "Mail"]
    assert structure.propose_mapping(headers, kind) == {
        "Courriel": "email",
        "NOM ET PRÉNOM": "full_name",
        "Qté commandée": "quantity",
        "Prix unitaire": "budget",
        "Inconnue": None,
        "Date": "start_date",
        "Mail": None,  # e-mail is already given by “Courriel”
    }


def test_an_xlsx_without_dimension_over_the_row_limit_is_refused_at_upload(buyer, org, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = [["E-mail", "Nom complet"]] + [[f"p{i}@example.ma", f"P {i}"] for i in range(55)]
    data = files.without_dimension(files.xlsx({"S": rows}))
    assert b"<dimension" not in data
    with pytest.raises(DomainError) as refused:
        upload(buyer, org, data, name="long.xlsx")
    assert refused.value.code == "too_many_rows"
    assert not ImportRun.objects.exists()


def test_an_xlsx_without_dimension_under_the_limit_is_accepted(buyer, org, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = [["E-mail", "Nom complet"]] + [[f"p{i}@example.ma", f"P {i}"] for i in range(45)]
    run = upload(buyer, org, files.without_dimension(files.xlsx({"S": rows})), name="ok.xlsx")
    assert run.headers == ["E-mail", "Nom complet"]


def test_a_dimension_that_understates_the_rows_neither_hides_rows_nor_bypasses_the_limit(buyer, org, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = [["E-mail", "Nom complet"]] + [[f"p{i}@example.ma", f"P {i}"] for i in range(55)]
    lying = _with_dimension(files.xlsx({"S": rows}), b'<dimension ref="A1:B3"/>')
    with pytest.raises(DomainError) as refused:
        upload(buyer, org, lying, name="lying.xlsx")
    assert refused.value.code == "too_many_rows"
    settings.IMPORT_MAX_ROWS = 100
    assert len(list(readers.open_workbook(lying, "lying.xlsx").rows("S"))) == 56  # openpyxl alone gives 3


def _with_dimension(data, element):
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<dimension [^>]*/>", element, content)
            target.writestr(member.filename, content)
    return buffer.getvalue()


def test_a_single_far_row_counts_by_its_position(settings):
    settings.IMPORT_MAX_ROWS = 1000
    data = files.without_dimension(files.xlsx({"S": [["a"]]}))
    readers.open_workbook(data, "one.xlsx").check_size("S")  # one row: fine

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename.startswith("xl/worksheets/"):
                content = content.replace(b'<row r="1"', b'<row r="1048576"').replace(b'r="A1"', b'r="A1048576"')
            target.writestr(member.filename, content)
    with pytest.raises(readers.FileRefused) as refused:
        readers.open_workbook(buffer.getvalue(), "far.xlsx").check_size("S")
    assert refused.value.code == "too_many_rows"
