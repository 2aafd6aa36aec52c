"""An imported file is stored under a name made from its content (issue 15, finding 13): its hash and the
extension of the format found, never the client's name or extension."""

import re

import pytest

from tawrid.accounts.models import Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.core.permissions import actor_for
from tawrid.imports import services
from tawrid.imports.tests import files
from tawrid.imports.tests.kind import KIND

pytestmark = pytest.mark.django_db


def a_csv() -> bytes:
    return files.csv_bytes([files.HEADER, ["amina@example.ma", "Amina B.", "Infirmière", "2", "1 200,50", "", "oui"]])


@pytest.mark.parametrize(
    ("name", "data", "extension"),
    [
        ("personnel.xlsm", files.messy_workbook, "xlsx"),  # a macro-enabled name for a plain workbook
        ("personnel.xls", files.messy_workbook, "xlsx"),  # an xlsx saved with the old extension
        ("liste.txt", a_csv, "csv"),
        ("liste.tsv", a_csv, "csv"),
    ],
)
def test_the_stored_name_is_the_hash_and_the_format_found(name, data, extension):
    org = OrganisationFactory(name="CHU Ibn Rochd")
    user = person_in(org, role=Role.MEMBER)
    run = services.import_upload(
        actor=actor_for(user), user=user, kind_name=KIND, organisation=org, filename=name, data=data()
    )
    assert re.fullmatch(rf"imports/\d{{4}}/\d{{2}}/[0-9a-f]{{16}}(_\w+)?\.{extension}", run.file.name), run.file.name
    assert run.original_filename == name
