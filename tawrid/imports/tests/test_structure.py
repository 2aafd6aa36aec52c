"""Finding the table: sheet and header row detection, mapping proposals, subtotal and empty rows."""

import pytest

from tawrid.core.errors import DomainError
from tawrid.imports import readers, structure
from tawrid.imports.registry import get_kind
from tawrid.imports.tests import files
from tawrid.imports.tests.kind import KIND


def test_the_data_sheet_and_header_row_are_found_under_titles_and_merged_cells():
    workbook = readers.open_workbook(files.messy_workbook(), "p.xlsx")
    found = structure.detect_structure(workbook, get_kind(KIND))
    assert (found.sheet, found.header_row) == ("Personnel", 4)
    assert found.mapping == {
        "E-mail": "email",
        "Nom complet": "full_name",
        "Fonction": "job_title",
        "Quantité": "quantity",
        "Budget": "budget",
        "Date d'arrivée": "start_date",
        "Actif": "active",
    }


def test_synonyms_accents_and_case_do_not_matter():
    data = files.xlsx({"S": [["NOM ET PRÉNOM", "Courriel", "QTÉ", "Colonne inconnue"], ["A", "a@b.ma", 1, "z"]]})
    found = structure.detect_structure(readers.open_workbook(data, "s.xlsx"), get_kind(KIND))
    assert found.mapping == {
        "NOM ET PRÉNOM": "full_name",
        "Courriel": "email",
        "QTÉ": "quantity",
        "Colonne inconnue": None,
    }


def test_a_remembered_mapping_comes_first():
    data = files.xlsx({"S": [["Col A", "Col B"], ["a@b.ma", "Nom"]]})
    found = structure.detect_structure(
        readers.open_workbook(data, "s.xlsx"),
        get_kind(KIND),
        sheet="S",
        header_row=1,
        remembered={"col a": "email", "col b": "full_name"},
    )
    assert found.mapping == {"Col A": "email", "Col B": "full_name"}


def test_no_header_found_is_a_clear_error_and_the_user_can_say_where_it_is():
    data = files.xlsx({"S": [["foo", "bar"], ["1", "2"]]})
    workbook = readers.open_workbook(data, "s.xlsx")
    with pytest.raises(DomainError) as refused:
        structure.detect_structure(workbook, get_kind(KIND))
    assert refused.value.code == "no_header"
    found = structure.detect_structure(workbook, get_kind(KIND), sheet="S", header_row=1)
    assert found.headers == ["foo", "bar"]


def test_data_rows_skip_empty_subtotal_and_repeated_header_rows():
    workbook = readers.open_workbook(files.messy_workbook(), "p.xlsx")
    found = structure.detect_structure(workbook, get_kind(KIND))
    rows = list(structure.data_rows(workbook, found, found.mapping))
    assert [number for number, _ in rows] == [5, 6, 9]
    assert rows[0][1]["email"] == "amina@example.ma"


@pytest.mark.parametrize("text", ["TOTAL", "Sous-total", "SOUS TOTAL CHIRURGIE", "Total général", "Subtotal"])
def test_subtotals(text):
    assert structure.is_subtotal([None, text, 12])


def test_a_designation_is_not_a_subtotal():
    assert not structure.is_subtotal(["TOTALEMENT STERILE", 1])
    assert not structure.is_subtotal([])


def test_a_header_row_given_without_a_sheet_is_looked_for_in_every_sheet():
    data = files.xlsx(
        {
            "Notes": [["a"], ["b"], ["c"], ["d"], ["e"]],
            "Personnel": [["Titre"], [], [], files.HEADER, ["a@example.ma", "A"]],
            "Annexe": [["x"], ["y"], ["z"], ["Remarques", "Visa"], ["ok", "ok"]],
        }
    )
    found = structure.detect_structure(readers.open_workbook(data, "p.xlsx"), get_kind(KIND), header_row=4)
    assert (found.sheet, found.header_row) == ("Personnel", 4)
