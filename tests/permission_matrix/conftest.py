"""One world shared by every matrix of this package (built once: it runs a consultation to its deliveries).

It is made inside a transaction opened for the package and rolled back after its last test; each test runs in
a savepoint of it (pytest-django's `db`), so what one test changes is undone before the next. The settings the
project's autouse fixture gives each test are given to the building too (fast hasher, tasks, in-memory files).
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from tests.permission_matrix.framework import Scene
from tests.permission_matrix.world import MatrixWorld

BUILD_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "TASKS": {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    "LANGUAGE_CODE": "fr",
}


@pytest.fixture(scope="package")
def matrix_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(**BUILD_SETTINGS):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield MatrixWorld()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def scene_for(matrix_world, db):
    # Each test has its own in-memory storage (the autouse settings): the documents' files are put back in it.
    for document in (matrix_world.evidence, matrix_world.data_sheet):
        default_storage.save(document.file.name, ContentFile(b"%PDF-1.4\n"))

    def build(role: str) -> Scene:
        return Scene(matrix_world, role, Client())

    return build
