"""The OCDS 1.1.5 standard as shipped with the project (data/reference/ocds/standard-1__1__5.zip, see its
PROVENANCE.md): the validator and the merge read it from there, never from the internet."""

from __future__ import annotations

import json
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

STANDARD_TAG = "1__1__5"
ARCHIVE_NAME = f"standard-{STANDARD_TAG}.zip"


def archive_path() -> Path:
    return Path(settings.REFERENCE_DATA_DIR) / "ocds" / ARCHIVE_NAME


def archive_uri() -> str:
    """The archive as a file:// URI, the form libcoveocds' `standard_zip` setting expects."""
    return archive_path().resolve().as_uri()


@cache
def _schema(path: str, name: str) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        text = archive.read(f"standard-{STANDARD_TAG}/schema/{name}").decode("utf-8")
    # The placeholders the standard's own publishing step fills in.
    return json.loads(text.replace("{{lang}}", "en").replace("{{version}}", "1.1"))


def release_schema() -> dict[str, Any]:
    return _schema(str(archive_path()), "release-schema.json")
