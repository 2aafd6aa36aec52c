"""Fails when a French or Arabic catalogue has an untranslated or fuzzy entry, or when the compiled .mo
files do not match their .po files. Run by `make lint`; `make messages` regenerates the catalogues."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("fr", "ar")


def _entries(catalogue: polib._BaseFile) -> dict:
    """Translated entries by (context, id), as compiled: what the .mo must contain."""
    return {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in catalogue
        if e.msgid and e.translated() and not e.obsolete
    }


def main() -> int:
    problems: list[str] = []
    for language in REQUIRED:
        po_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            problems.append(f"{po_path.relative_to(ROOT)} is missing")
            continue
        catalogue = polib.pofile(str(po_path))
        for entry in catalogue.untranslated_entries():
            problems.append(f"{language}: untranslated: {entry.msgid!r}")
        for entry in catalogue.fuzzy_entries():
            problems.append(f"{language}: fuzzy: {entry.msgid!r}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or _entries(polib.mofile(str(mo_path))) != _entries(catalogue):
            problems.append(f"{mo_path.relative_to(ROOT)} does not match its .po file: run `make messages`")
    for problem in problems[:50]:
        print(problem)
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
