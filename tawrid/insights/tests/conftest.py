import pytest


@pytest.fixture
def media_on_disk(settings, tmp_path):
    """Trade files are read from disk by path: the default storage (in memory in tests) is a folder here."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
