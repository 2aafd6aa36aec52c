"""The buyer's correction of the attributes read from a designation, written as text:
`calibre=21 G; longueur=25 mm` (pairs separated by `;`, `|` or new lines; names are the attributes' keys, their
labels in French, English or Arabic, or a usual alias; accents and case do not matter)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError
from tawrid.core.text import fold

ALIASES: dict[str, tuple[str, ...]] = {
    "gauge": ("calibre", "jauge", "g"),
    "french_size": ("charriere", "ch", "french", "fr"),
    "outer_diameter": ("diametre", "diametre ext", "diameter"),
    "inner_diameter": ("diametre int",),
    "length": ("long", "longueur totale"),
    "volume": ("contenance", "capacite"),
    "glove_size": ("taille", "size"),
    "suture_size": ("fil", "usp"),
    "sterile": ("sterilite",),
    "single_use": ("usage unique", "uu"),
    "latex_free": ("sans latex",),
}


@cache
def _index(language: str) -> dict[str, str]:
    from tawrid.specs import ATTRIBUTES

    index: dict[str, str] = {}
    for key, definition in ATTRIBUTES.items():
        names = {key, key.replace("_", " "), *ALIASES.get(key, ())}
        for code in ("fr", "en", "ar"):
            with translation.override(code):
                names.add(str(definition.label))
        for name in names:
            index.setdefault(fold(name), key)
    return index


def parse_attribute_text(text: str) -> list[Any]:
    """SpecValues from the correction text; DomainError (details on "attributes") naming what is wrong."""
    from tawrid.specs import SpecError, parse_value

    def refuse(message: str) -> DomainError:
        return DomainError(message, details={"attributes": [message]})

    index = _index("all")
    values: list[Any] = []
    seen: set[str] = set()
    for part in re.split(r"[;\n|]", text or ""):
        part = part.strip()
        if not part:
            continue
        separator = "=" if "=" in part else ":" if ":" in part else ""
        if not separator:
            raise refuse(_("“%(part)s”: write each attribute as name=value, separated by “;”.") % {"part": part})
        name, raw = (piece.strip() for piece in part.split(separator, 1))
        key = index.get(fold(name))
        if key is None:
            raise refuse(_("Unknown attribute “%(name)s”.") % {"name": name})
        if not raw:
            raise refuse(_("No value given for “%(name)s”.") % {"name": name})
        if key in seen:
            raise refuse(_("The attribute “%(name)s” is given twice.") % {"name": name})
        seen.add(key)
        try:
            values.append(parse_value(key, raw))
        except SpecError as error:
            raise refuse(error.message) from None
    return values
