"""Fails when a French or Arabic catalogue (the project's locale/ or an app's tawrid/<app>/locale/) has an
untranslated or fuzzy entry, or when a compiled .mo file does not match its .po file.
Run by `make lint`; `make messages` regenerates the catalogues."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("fr", "ar")


def _entries(catalogue: polib.POFile | polib.MOFile) -> dict:
    """Translated entries by (context, id), as compiled: what the .mo must contain."""
    return {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in catalogue
        if e.msgid and not getattr(e, "obsolete", False) and (not hasattr(e, "translated") or e.translated())
    }


def main() -> int:
    problems: list[str] = []
    catalogues = sorted(p for p in ROOT.glob("**/locale/*/LC_MESSAGES/django.po") if ".venv" not in p.parts)
    for locale_dir in sorted({p.parents[2] for p in catalogues} | {ROOT / "locale"}):
        for language in REQUIRED:
            if not (locale_dir / language / "LC_MESSAGES" / "django.po").exists():
                problems.append(f"{(locale_dir / language).relative_to(ROOT)}/LC_MESSAGES/django.po is missing")
    for po_path in catalogues:
        language = po_path.parents[1].name
        if language not in REQUIRED:
            continue
        catalogue = polib.pofile(str(po_path))
        for entry in catalogue.untranslated_entries():
            problems.append(f"{language}: untranslated: {entry.msgid!r}")
        plural_forms = catalogue.metadata.get("Plural-Forms", "")
        expected = int(plural_forms.split("nplurals=")[1].split(";")[0]) if "nplurals=" in plural_forms else 2
        for entry in catalogue:
            if entry.msgid_plural and len(entry.msgstr_plural) != expected:
                found = len(entry.msgstr_plural)
                problems.append(f"{language}: {found} plural forms, {expected} needed: {entry.msgid!r}")
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
