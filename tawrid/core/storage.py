"""Reading stored files by path, whatever the storage."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def local_path(stored: Any) -> Iterator[Path]:
    """A path on this machine to read a stored file (a `FieldFile`) from, for readers that need one (several passes
    over a large CSV file): the file itself on a file-system storage, else a temporary copy that is removed on
    exit (object storage; the tests' in-memory storage)."""
    try:
        path: Path | None = Path(stored.path)
    except NotImplementedError:
        path = None
    if path is not None and path.is_file():  # an in-memory storage names a path where nothing is
        yield path
        return
    with tempfile.NamedTemporaryFile(suffix=Path(stored.name).suffix) as copy:
        with stored.open("rb") as source:
            shutil.copyfileobj(source, copy, length=1024 * 1024)
        copy.flush()
        yield Path(copy.name)
