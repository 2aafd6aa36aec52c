"""Stored files: names for uploads (from their content, never the client's), and reading them by path whatever
the storage."""

from __future__ import annotations

import mimetypes
import shutil
import tempfile
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError


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


# Uploads --------------------------------------------------------------------------------------------------------------
# A file people send is stored under a name this code makes (a random hex name and the extension of the type its
# content shows), never the client's: a name like `x.pdf\0.html` would otherwise become `x.pdf.html`, and a PDF
# named `x.png` would be kept as a PNG. The client's name is only data (sanitised): shown, and sent back as the
# download's file name with the extension of the type found.


@dataclass(frozen=True)
class FileType:
    """A kind of file the platform accepts, as found in the content (filetype's magic numbers)."""

    mime: str
    extension: str  # the one files of this type are stored and downloaded with
    label: str  # as people know it


PDF = FileType("application/pdf", "pdf", "PDF")
PNG = FileType("image/png", "png", "PNG")
JPEG = FileType("image/jpeg", "jpg", "JPEG")
FILE_TYPES = {kind.mime: kind for kind in (PDF, PNG, JPEG)}


def client_filename(name: str | None, *, limit: int = 200) -> str:
    """The name a client gave a file, fit to be shown and sent back: no directory part, no control or format
    character (NUL, terminal escapes, right-to-left overrides that disguise an extension), NFC, trimmed."""
    text = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(char for char in text if not unicodedata.category(char).startswith("C"))
    return " ".join(text.split()).strip(" .")[:limit]


def detect_upload(upload: Any, accepted: Sequence[FileType]) -> FileType:
    """The type of an uploaded file, from its content; refused (DomainError `bad_file_type`, under `file`) when it
    is not one of `accepted`, or when its name claims another type (a PDF named `x.png` or `x.pdf.html`)."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    found = FILE_TYPES.get(kind.mime) if kind else None
    if found is None or found not in accepted:
        message = _("Only %(types)s files are accepted here; this file is not one, whatever its name says.") % {
            "types": ", ".join(item.label for item in accepted)
        }
        raise DomainError(message, code="bad_file_type", details={"file": [message]})
    name = client_filename(getattr(upload, "name", ""))
    claimed, encoding = mimetypes.guess_type(name, strict=False)
    if (claimed or encoding) and (claimed != found.mime or encoding):
        message = _(
            "This file is a %(type)s file but its name ends in .%(extension)s: rename it or choose the right file."
        ) % {"type": found.label, "extension": name.rsplit(".", 1)[-1]}
        raise DomainError(message, code="bad_file_type", details={"file": [message]})
    return found


def generated_name(kind: FileType) -> str:
    """A fresh name to store an upload under (the storage's `upload_to` adds the directory)."""
    return f"{uuid.uuid4().hex}.{kind.extension}"


def download_filename(display: str, kind: FileType, *, fallback: str) -> str:
    """The file name a download is sent with: the sanitised display name (or `fallback`) ending with the extension
    of the type found — a name claiming another type loses that extension first."""
    name = client_filename(display.replace("/", "-").replace("\\", "-")) or fallback  # a title "Fiche 1/2"
    claimed, _encoding = mimetypes.guess_type(name, strict=False)
    if claimed == kind.mime:
        return name
    if claimed:
        name = name.rsplit(".", 1)[0]
        if mimetypes.guess_type(name, strict=False)[0] == kind.mime:
            return name
    return f"{name}.{kind.extension}"
