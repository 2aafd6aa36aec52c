"""A trade file is stored under a generated name (issue 15, finding 13), never the client's: the client's name is
kept as data (`original_filename`), sanitised."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tawrid.insights import services
from tawrid.insights.tests.factories import InsightsPeople, comtrade_csv, comtrade_row, reference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_on_disk")]


@pytest.mark.parametrize(
    ("name", "extension", "original"),
    [("Comtrade 2023 (Maroc).csv", "csv", "Comtrade 2023 (Maroc).csv"), ("flux\x1b[0m.txt", "txt", "flux[0m.txt")],
)
def test_the_trade_file_is_stored_under_a_generated_name(name, extension, original):
    reference()
    people = InsightsPeople()
    content = comtrade_csv([comtrade_row(partner="FRA", code="901831", value="1234.50")])
    dataset = services.trade_dataset_upload(
        actor=people.manager_actor, user=people.manager, upload=SimpleUploadedFile(name, content)
    )
    assert re.fullmatch(rf"trade/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{extension}", dataset.file.name), dataset.file.name
    assert dataset.original_filename == original
