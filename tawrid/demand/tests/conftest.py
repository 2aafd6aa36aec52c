import pytest

from tawrid.demand.tests.factories import DemandWorld


@pytest.fixture
def world(db) -> DemandWorld:
    return DemandWorld()
