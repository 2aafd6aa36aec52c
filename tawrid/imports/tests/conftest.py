import pytest

from tawrid.imports.registry import register
from tawrid.imports.tests import kind


@pytest.fixture(autouse=True)
def _people_kind():
    """The test kind, registered again in case a test replaced it."""
    register(kind.PEOPLE)
    yield
