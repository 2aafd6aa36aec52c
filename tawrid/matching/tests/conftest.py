import pytest

from tawrid.matching.tests.factories import FoleyWorld, MatchingWorld


@pytest.fixture
def world(db) -> MatchingWorld:
    return MatchingWorld()


@pytest.fixture
def foley(db) -> FoleyWorld:
    return FoleyWorld()
