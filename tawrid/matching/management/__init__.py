"""Command-line tools of the matching engine (`tawrid classify`, `tawrid match`) on plain CSV files.

`read_table` and `write_table` are shared by the commands: UTF-8 (BOM tolerated) CSV with a header; every
problem becomes a `CommandError` with a translated message, so the command exits non-zero."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def read_table(
    path: str | Path, required: Sequence[str], *, optional: Sequence[str] = (), unique: str | None = None
) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts of the required and optional columns (stripped strings)."""
    path = Path(path)
    names = {"file": str(path)}
    if not path.is_file():
        raise CommandError(_("File not found: %(file)s") % names)
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CommandError(_("%(file)s is not UTF-8 text; save it as CSV UTF-8.") % names) from None
    if not content.strip():
        raise CommandError(_("%(file)s is empty.") % names)
    try:
        reader = csv.DictReader(content.splitlines(), strict=True)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise CommandError(
                _("%(file)s: missing column(s) %(missing)s; found %(found)s.")
                % {**names, "missing": ", ".join(missing), "found": ", ".join(header) or "—"}
            )
        reader.fieldnames = header
        rows: list[dict[str, str]] = []
        seen: set[str] = set()
        for row in reader:
            if None in row:
                raise CommandError(_("%(file)s, line %(line)d: too many values.") % {**names, "line": reader.line_num})
            values = {c: (row.get(c) or "").strip() for c in (*required, *optional) if c in header or c in required}
            if unique is not None:
                key = values[unique]
                if not key:
                    raise CommandError(
                        _("%(file)s, line %(line)d: empty %(column)s.")
                        % {**names, "line": reader.line_num, "column": unique}
                    )
                if key in seen:
                    raise CommandError(
                        _("%(file)s, line %(line)d: %(column)s %(value)s appears twice.")
                        % {**names, "line": reader.line_num, "column": unique, "value": key}
                    )
                seen.add(key)
            rows.append(values)
    except csv.Error as error:
        raise CommandError(_("%(file)s is not a valid CSV file: %(error)s") % {**names, "error": error}) from None
    if not rows:
        raise CommandError(_("%(file)s has a header but no rows.") % names)
    return rows


def write_table(path: str | Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    path = Path(path)
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    except OSError as error:
        raise CommandError(
            _("Cannot write %(file)s: %(error)s") % {"file": str(path), "error": error.strerror}
        ) from None
