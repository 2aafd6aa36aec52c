"""Typed specification values: parsing what people type, converting units, showing values back."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tawrid.core.errors import DomainError
from tawrid.core.text import fold

from .attributes import ATTRIBUTES, SUTURE_SIZES, AttributeDef, AttributeKind
from .units import UNITS, clean_float, convert, dimensionality, format_number, normalise_dimension, parse_number
from .units import unit_code as lookup_unit_code


class SpecError(DomainError):
    """A specification value that cannot be accepted; `message` is translated and meant for the user."""

    def __init__(self, message: str, *, attribute: str = "", code: str = "invalid_spec") -> None:
        super().__init__(message, code=code, details={attribute: [message]} if attribute else None)
        self.attribute = attribute


@dataclass(frozen=True, slots=True)
class SpecValue:
    """One attribute's value. QUANTITY values are floats in the attribute's canonical unit (`unit`);
    `entered_unit` remembers the unit it was given in, for display. Equality ignores `raw` and
    `entered_unit`: 25 mm typed as "2,5 cm" is the same specification."""

    attribute: str
    value: float | str | bool
    unit: str = ""
    raw: str = field(default="", compare=False)
    entered_unit: str = field(default="", compare=False)

    @property
    def definition(self) -> AttributeDef:
        return ATTRIBUTES[self.attribute]

    @property
    def display(self) -> str:
        """French-style rendering: "0,8 mm", "21 G", "4/0", "stérile"."""
        return format_value(self, "fr")

    def __str__(self) -> str:
        return self.display


def _definition(attribute_key: str) -> AttributeDef:
    try:
        return ATTRIBUTES[attribute_key]
    except KeyError:
        raise SpecError(
            _("Unknown specification attribute “%(key)s”.") % {"key": attribute_key},
            attribute=attribute_key,
            code="unknown_attribute",
        ) from None


def _symbols(codes: tuple[str, ...]) -> str:
    return ", ".join(UNITS[c].symbol for c in codes)


# A number followed by an optional unit: "0,8 mm", "2.5cm", "1 234,50 ml", "5/8 in".
_NUMBER_AND_UNIT = re.compile(
    r"^\s*(?P<number>[+-]?\s*[\d.,\u00a0\u202f\u2009 '’]*\d(?:\s*/\s*\d+)?|[+-]?[.,]\d+)\s*(?P<unit>[^\d\s].*?)?\s*$"
)
_GAUGE = re.compile(r"^\s*(?:g\s*\.?\s*(?P<a>\d+)|(?P<b>\d+)\s*g(?:auge)?|(?P<c>\d+))\s*$", re.IGNORECASE)
_FRENCH = re.compile(
    r"^\s*(?:(?:ch|fr|f|charri[eè]re|french)\s*\.?\s*(?P<a>\d+(?:[.,]\d+)?)|(?P<b>\d+(?:[.,]\d+)?)\s*"
    r"(?:ch|fr|f|charri[eè]re|french)?\.?)\s*$",
    re.IGNORECASE,
)
_SUTURE = re.compile(r"^\s*(?:usp\s*)?(?P<n>\d{1,2})\s*(?:(?P<sep>[/-])\s*0)?\s*$", re.IGNORECASE)
_ZEROS = re.compile(r"^\s*(?:usp\s*)?(?P<z>0{1,12})\s*$", re.IGNORECASE)

_SCALE_NAMES = {"gauge": ("g", "gauge"), "french_size": ("ch", "fr", "f", "french", "charriere")}
_TRUE_WORDS = {"oui", "yes", "true", "vrai", "1", "y", "o", "x", "نعم"}
_FALSE_WORDS = {"non", "no", "false", "faux", "0", "n", "لا"}
# Attribute-specific words, folded: (True words, False words).
_BOOLEAN_WORDS: dict[str, tuple[set[str], set[str]]] = {
    "sterile": ({"sterile", "steril", "معقم"}, {"non sterile", "non-sterile", "nonsterile", "non steril", "غير معقم"}),
    "single_use": (
        {
            "usage unique",
            "a usage unique",
            "u.u.",
            "u.u",
            "uu",
            "single use",
            "single-use",
            "jetable",
            "disposable",
            "استعمال واحد",
            "للاستعمال مرة واحدة",
        },
        {"reutilisable", "reusable", "multi-usage", "multiusage", "قابل لإعادة الاستعمال"},
    ),
    "latex_free": (
        {"sans latex", "latex free", "latex-free", "non latex", "exempt de latex", "بدون لاتكس", "خال من اللاتكس"},
        {"latex", "avec latex", "contient du latex", "contains latex", "يحتوي على اللاتكس"},
    ),
    "powder_free": (
        {
            "non poudre",
            "non poudres",
            "non poudree",
            "non poudrees",
            "sans poudre",
            "powder free",
            "powder-free",
            "بدون بودرة",
        },
        {"poudre", "poudres", "poudree", "poudrees", "powdered", "talque", "talques", "ببودرة"},
    ),
    "absorbable": (
        {"resorbable", "absorbable", "قابل للامتصاص"},
        {"non resorbable", "non-resorbable", "non absorbable", "non-absorbable", "غير قابل للامتصاص"},
    ),
}


def parse_value(attribute_key: str, raw: str | float | bool, unit: str | None = None) -> SpecValue:
    """Parse and check one attribute's value; quantities are converted to the attribute's canonical unit.

    `unit` is a Rec 20 code or a symbol; for a string `raw` the unit may also be written inside it
    ("0,8 mm"). Raises SpecError with a translated message."""
    definition = _definition(attribute_key)
    raw_text = raw if isinstance(raw, str) else str(raw)
    if isinstance(raw, str) and not raw.strip():
        raise SpecError(_("No value given for %(label)s.") % {"label": definition.label}, attribute=attribute_key)
    kind = definition.kind
    if kind is AttributeKind.QUANTITY:
        return _parse_quantity(definition, raw, unit, raw_text)
    if unit:
        raise SpecError(
            _("%(label)s takes no unit (“%(unit)s” given).") % {"label": definition.label, "unit": unit},
            attribute=attribute_key,
            code="unit_not_allowed",
        )
    if kind is AttributeKind.BOOLEAN:
        return SpecValue(attribute_key, _parse_boolean(definition, raw), "", raw_text)
    if kind is AttributeKind.ENUM:
        return SpecValue(attribute_key, _parse_choice(definition, raw_text), "", raw_text)
    if kind is AttributeKind.SIZE_CODE:
        if attribute_key == "suture_size":
            return SpecValue(attribute_key, _parse_suture(definition, raw_text), "", raw_text)
        return SpecValue(attribute_key, _parse_choice(definition, raw_text), "", raw_text)
    text = " ".join(raw_text.split())
    return SpecValue(attribute_key, text, "", raw_text)


def _not_a_number(definition: AttributeDef, raw: object) -> SpecError:
    return SpecError(
        _("“%(value)s” is not a number (%(label)s).") % {"value": raw, "label": definition.label},
        attribute=definition.key,
        code="not_a_number",
    )


def _resolve_unit(definition: AttributeDef, unit: str) -> str:
    code = lookup_unit_code(unit)
    allowed = definition.allowed_units
    if code is None or (code not in allowed and not _same_dimension(definition, code)):
        if allowed:
            message = _("Unknown unit “%(unit)s” for %(label)s; expected one of: %(units)s") % {
                "unit": unit,
                "label": definition.label,
                "units": _symbols(allowed),
            }
        else:
            message = _("%(label)s takes no unit (“%(unit)s” given).") % {"label": definition.label, "unit": unit}
        raise SpecError(message, attribute=definition.key, code="unknown_unit")
    return code


def _same_dimension(definition: AttributeDef, code: str) -> bool:
    return bool(definition.dimension) and dimensionality(code) == normalise_dimension(definition.dimension)


def _parse_quantity(definition: AttributeDef, raw: str | float | bool, unit: str | None, raw_text: str) -> SpecValue:
    key = definition.key
    if isinstance(raw, bool):
        raise _not_a_number(definition, raw)
    number: float
    written_unit = unit.strip() if unit else ""
    if fold(written_unit).strip(".") in _SCALE_NAMES.get(key, ()):
        written_unit = ""  # "G" for a gauge, "CH" for a Charrière size: the scale itself, not a unit
    if isinstance(raw, int | float):
        number = float(raw)
    elif key == "gauge":
        match = _GAUGE.match(raw)
        if not match:
            raise _not_a_number(definition, raw)
        number = float(match.group("a") or match.group("b") or match.group("c"))
    elif key == "french_size" and _FRENCH.match(raw):
        match = _FRENCH.match(raw)
        assert match is not None
        number = parse_number(match.group("a") or match.group("b"))
    else:
        match = _NUMBER_AND_UNIT.match(raw)
        if not match:
            raise _not_a_number(definition, raw)
        try:
            number = parse_number(match.group("number"))
        except ValueError:
            raise _not_a_number(definition, raw) from None
        inline = (match.group("unit") or "").strip()
        if inline:
            if written_unit and lookup_unit_code(inline) != lookup_unit_code(written_unit):
                raise SpecError(
                    _("Two different units given for %(label)s: “%(a)s” and “%(b)s”.")
                    % {"label": definition.label, "a": inline, "b": written_unit},
                    attribute=key,
                    code="unknown_unit",
                )
            written_unit = inline
    if number != number or number in (float("inf"), float("-inf")):
        raise _not_a_number(definition, raw)
    if number < 0:
        raise SpecError(
            _("%(label)s cannot be negative (%(value)s).") % {"label": definition.label, "value": raw_text},
            attribute=key,
            code="negative",
        )
    canonical = definition.canonical_unit
    entered = ""
    if written_unit:
        code = _resolve_unit(definition, written_unit)
        if key == "french_size":  # a diameter in mm given for a Charrière size
            number = clean_float(convert(number, code, "MMT") * 3.0)
        else:
            entered = code
            number = convert(number, code, canonical)
    elif definition.has_units:
        raise SpecError(
            _("A unit is needed for %(label)s; expected one of: %(units)s")
            % {"label": definition.label, "units": _symbols(definition.allowed_units)},
            attribute=key,
            code="missing_unit",
        )
    if definition.integer and number != int(number):
        raise SpecError(
            _("%(label)s must be a whole number (%(value)s).") % {"label": definition.label, "value": raw_text},
            attribute=key,
            code="not_integer",
        )
    if (definition.minimum is not None and number < definition.minimum) or (
        definition.maximum is not None and number > definition.maximum
    ):
        raise SpecError(
            _("%(value)s is outside the plausible range of %(label)s.")
            % {
                "value": raw_text + (f" {UNITS[entered].symbol}" if unit and entered else ""),
                "label": definition.label,
            },
            attribute=key,
            code="out_of_range",
        )
    return SpecValue(key, clean_float(number), canonical, raw_text, entered or canonical)


def _parse_boolean(definition: AttributeDef, raw: str | float | bool) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = fold(str(raw)).replace("\u2019", "'")
    text = re.sub(r"[\s_]+", " ", text).strip(" .")
    true_words, false_words = _BOOLEAN_WORDS.get(definition.key, (set(), set()))
    if text in false_words or text in _FALSE_WORDS:
        return False
    if text in true_words or text in _TRUE_WORDS:
        return True
    raise SpecError(
        _("“%(value)s” is not a yes/no value for %(label)s.") % {"value": raw, "label": definition.label},
        attribute=definition.key,
        code="not_boolean",
    )


@lru_cache(maxsize=64)
def _choice_index(attribute_key: str) -> dict[str, str]:
    """Folded code or synonym → choice code, built once per attribute."""
    index: dict[str, str] = {}
    for choice in ATTRIBUTES[attribute_key].choices:
        for name in (choice.code, *choice.synonyms):
            index.setdefault(fold(name), choice.code)
    return index


_GLOVE_PREFIX = re.compile(r"^(?:taille|size|t)\s*\.?\s*")


def _parse_choice(definition: AttributeDef, raw: str) -> str:
    wanted = fold(raw).strip(" .")
    if definition.key == "glove_size":
        wanted = _glove_number(_GLOVE_PREFIX.sub("", wanted))
    code = _choice_index(definition.key).get(wanted)
    if code is not None:
        return code
    for choice in definition.choices:  # the translated label, in the active language
        if wanted == fold(str(choice.label)):
            return choice.code
    raise SpecError(
        _("“%(value)s” is not a known %(label)s; expected one of: %(choices)s")
        % {
            "value": raw,
            "label": definition.label,
            "choices": ", ".join(str(c.label) for c in definition.choices[:12]),
        },
        attribute=definition.key,
        code="unknown_choice",
    )


def _glove_number(text: str) -> str:
    """ "7 1/2", "7,5", "7.5" → "7.5"; "8" → "8"; other text unchanged."""
    match = re.fullmatch(r"(?:n°?\s*)?(\d{1,2})(?:\s*1\s*/\s*2|[.,]5)?", text)
    if not match:
        return text
    return match.group(1) + (".5" if match.group(0) != match.group(1) and not match.group(0).startswith("n") else "")


def _parse_suture(definition: AttributeDef, raw: str) -> str:
    text = raw.strip()
    zeros = _ZEROS.match(text)
    if zeros:
        n = len(zeros.group("z"))
        code = "0" if n == 1 else f"{n}/0"
    else:
        match = _SUTURE.match(text)
        if not match:
            raise SpecError(
                _("“%(value)s” is not a suture size (such as 4/0, 3-0, 0, 1 or 2).") % {"value": raw},
                attribute=definition.key,
                code="unknown_choice",
            )
        n = int(match.group("n"))
        # "3-0" and "3/0" mean 000; "1-0" is plain 0; a bare number is a size above 0.
        code = ("0" if n == 1 else f"{n}/0") if match.group("sep") else str(n)
    if code not in SUTURE_SIZES:
        raise SpecError(
            _("“%(value)s” is not a suture size (such as 4/0, 3-0, 0, 1 or 2).") % {"value": raw},
            attribute=definition.key,
            code="unknown_choice",
        )
    return code


# --- showing values ------------------------------------------------------------------------------------------

_DECIMAL = {"fr": ",", "ar": ",", "en": "."}

# Counts read with the plural rules of the language ("1 pièce", "3 pièces"; Arabic has six forms).
_COUNTED = {
    "pieces": lambda n: ngettext("%(count)s piece", "%(count)s pieces", n),
    "plies": lambda n: ngettext("%(count)s ply", "%(count)s plies", n),
}


def format_value(value: SpecValue, language: str = "fr") -> str:
    """The value as a person reads it in `language` ("0,8 mm" in French, "0.8 mm" in English)."""
    definition = ATTRIBUTES.get(value.attribute)
    decimal = _DECIMAL.get(language.split("-")[0], ",")
    with translation.override(language):
        if definition is None:
            return str(value.value)
        kind = definition.kind
        if kind is AttributeKind.QUANTITY:
            assert isinstance(value.value, int | float)
            number = float(value.value)
            if definition.has_units:
                shown = value.entered_unit if value.entered_unit in UNITS else definition.canonical_unit
                magnitude = convert(number, definition.canonical_unit, shown)
                return f"{format_number(magnitude, decimal)} {UNITS[shown].symbol}"
            text = format_number(number, decimal)
            if definition.key in _COUNTED:
                return _COUNTED[definition.key](int(number)) % {"count": text}
            if definition.prefix:
                return f"{definition.prefix} {text}"
            return f"{text} {definition.suffix}" if definition.suffix else text
        if kind is AttributeKind.BOOLEAN:
            return str(definition.true_label if value.value else definition.false_label)
        if kind is AttributeKind.ENUM:
            choice = definition.choice(str(value.value))
            return str(choice.label) if choice else str(value.value)
        if definition.key == "glove_size":
            return str(value.value).replace(".", decimal)
        return str(value.value)


def unit_choices(attribute_key: str) -> list[tuple[str, str]]:
    """(Rec 20 code, symbol) pairs for a form's unit select, canonical unit first; [] when unitless."""
    definition = _definition(attribute_key)
    return [(code, UNITS[code].symbol) for code in definition.allowed_units]


def canonical_symbol(attribute_key: str) -> str:
    definition = _definition(attribute_key)
    return UNITS[definition.canonical_unit].symbol if definition.canonical_unit else ""
