"""Every string marked for translation is in the French and Arabic catalogues (scripts/check_translations.py then
checks that each entry is translated). Extraction runs Django's makemessages on a copy of the sources."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE_SUFFIXES = {".py", ".html", ".txt"}


def _catalogue_roots() -> list[Path]:
    apps = sorted(p.parent for p in ROOT.glob("tawrid/*/apps.py"))
    return [ROOT, *apps]


def _copy_sources(source: Path, target: Path, skip: set[str]) -> None:
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if (
            relative.parts
            and relative.parts[0] in skip
            or "locale" in relative.parts
            or "__pycache__" in relative.parts
        ):
            continue
        if path.is_file() and path.suffix in SOURCE_SUFFIXES:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
@pytest.mark.parametrize("root", _catalogue_roots(), ids=lambda p: str(p.relative_to(ROOT)) or "project")
def test_catalogues_contain_every_marked_string(root, tmp_path):
    skip = (
        {".venv", "var", "tawrid", "tests", "data", "docs", "static", "node_modules", ".git"} if root == ROOT else set()
    )
    _copy_sources(root, tmp_path, skip)
    (tmp_path / "locale").mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "translations-test"}
    # Not `python -m django`: that puts the copy first on sys.path, where an app's selectors.py shadows the stdlib.
    subprocess.run(
        [
            str(Path(sys.executable).parent / "django-admin"),
            "makemessages",
            "-l",
            "fr",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    extracted = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(tmp_path / "locale/fr/LC_MESSAGES/django.po")) if e.msgid
    }
    for language in ("fr", "ar"):
        committed = {
            (e.msgctxt, e.msgid)
            for e in polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))
            if e.msgid and not e.obsolete
        }
        missing = sorted(msgid for _ctx, msgid in extracted - committed)
        assert not missing, f"{language} catalogue of {root.relative_to(ROOT) or 'the project'} lacks: {missing[:10]}"
