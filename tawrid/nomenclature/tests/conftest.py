import pytest

from tawrid.nomenclature.services import reference_load


@pytest.fixture
def emdn(db):
    """EMDN loaded from the real file (0.5 s): enough for trees, pages and most searches."""
    return reference_load(which=["emdn"])


@pytest.fixture
def cpv(db):
    return reference_load(which=["cpv"])
