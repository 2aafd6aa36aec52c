import pytest

from tawrid.catalog.tests.factories import CatalogWorld


@pytest.fixture
def world(db) -> CatalogWorld:
    return CatalogWorld()
