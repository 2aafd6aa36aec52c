"""Country names from ISO 3166 codes, in the reader's language, from the `pycountry` package (its names and
their French and Arabic translations come from the Debian iso-codes project)."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext as _

WORLD = "WLD"


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


def name(code: str, *, language: str | None = None) -> str:
    """The country's common name (e.g. “France”, “Maroc”, “ألمانيا”); the code itself when unknown."""
    if code == WORLD:
        return _("World")
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    language = (language or get_language() or "fr").split("-")[0]
    if language == "en":
        return english
    translated = _catalog(language).gettext(english)
    if translated == english and english != country.name:
        translated = _catalog(language).gettext(country.name)
    return translated
