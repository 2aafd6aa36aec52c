"""A file sent to the upload page that was refused (no header found, a sheet that does not exist, a file already
imported, an option to correct…): kept on the server so the person corrects the options and sends the page again
without choosing the file again — a browser never keeps a chosen file on a page it shows again.

The file is stored under a random token (never the client's name); the token is known to the person's session
only, so nobody else can use it. A session keeps its last `MAX_KEPT` files; older ones, and each file once
its import is made, are deleted."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

SESSION_KEY = "imports_pending_uploads"
MAX_KEPT = 3
FOLDER = "imports/pending"


@dataclass(frozen=True)
class KeptFile:
    token: str
    name: str
    size: int

    def read(self, session: SessionBase) -> bytes | None:
        entry = session.get(SESSION_KEY, {}).get(self.token)
        if entry is None or not default_storage.exists(entry["path"]):
            return None
        with default_storage.open(entry["path"], "rb") as stored:
            return bytes(stored.read())


def keep(session: SessionBase, *, name: str, data: bytes, kind: str) -> KeptFile:
    token = secrets.token_urlsafe(18)
    path = default_storage.save(f"{FOLDER}/{token}", ContentFile(data))
    entries: dict[str, dict[str, object]] = dict(session.get(SESSION_KEY, {}))
    entries[token] = {"path": path, "name": name, "size": len(data), "kind": kind}
    while len(entries) > MAX_KEPT:
        oldest = next(iter(entries))
        _delete(entries.pop(oldest))
    session[SESSION_KEY] = entries
    return KeptFile(token=token, name=name, size=len(data))


def find(session: SessionBase, token: str | None, *, kind: str) -> KeptFile | None:
    """The file kept under `token` for this import kind in this session, or None (unknown, or not this
    session's: a token copied from another session finds nothing)."""
    entry = session.get(SESSION_KEY, {}).get(token or "")
    if entry is None or entry.get("kind") != kind:
        return None
    return KeptFile(token=str(token), name=str(entry["name"]), size=int(entry["size"]))


def drop(session: SessionBase, token: str | None) -> None:
    entries: dict[str, dict[str, object]] = dict(session.get(SESSION_KEY, {}))
    entry = entries.pop(token or "", None)
    if entry is not None:
        _delete(entry)
        session[SESSION_KEY] = entries


def _delete(entry: dict[str, object]) -> None:
    path = str(entry.get("path") or "")
    if path.startswith(f"{FOLDER}/") and default_storage.exists(path):
        default_storage.delete(path)
