import pytest

from tawrid.matching.tests.factories import MatchingWorld


@pytest.fixture
def world(db) -> MatchingWorld:
    return MatchingWorld()
