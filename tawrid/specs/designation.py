"""Reading specifications out of a free-text designation, as hospitals write them.

`AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 25 X 8 / 10 G 21` → needle length 25 mm, outer diameter
0.8 mm, gauge 21, sterile, single use. The parser is conservative: a pattern only counts in a context
where it cannot mean something else (`21 G` is a gauge on a needle but 21 grams of a powder; `4/0` is a
suture size on a thread), and an attribute read twice with two different values is dropped.

Everything runs on the folded text (lower case, no accents, single spaces) with regular expressions
compiled once at import.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tawrid.core.text import fold

from .attributes import ATTRIBUTES
from .units import clean_float, convert, parse_number, unit_code
from .values import SpecError, SpecValue, parse_value

_NUM = r"\d+(?:[.,]\d+)?"


def _starts(words: str) -> re.Pattern[str]:
    """Any of the `|`-separated words, as the start of a word ("gant" also finds "gants")."""
    return re.compile(rf"\b(?:{words})")


def _whole(words: str) -> re.Pattern[str]:
    """Any of the `|`-separated words, as whole words ("fil" but not "filtre" or "film")."""
    return re.compile(rf"\b(?:{words})\b")


# Contexts, matched on the folded text: what kind of product the line is about.
_NEEDLE_CTX = _starts(
    "aiguille|needle|epicran|microperfuseur|perfuseur|trocart|huber|ponction|catheter|cathlon|intranule|venflon"
    "|canule|biopsie|seringue|insuline|stylo|cannula|rachi|peridural|jelco|abbocath|introducteur"
)
_NEEDLE_NAME = _starts("aiguille|needle|trocart|stylo")
_SUTURE_CTX = _whole(
    "fil|fils|sutures?|vicryl|catgut|soie|prolene|ethilon|polyglactine?|monofil|monofilament|mersilene|dafilon"
    "|safil|monocryl|pds|resorbables?|serti|tresse|lin|ethibond|supramid|surgipro"
)
_GLOVE_CTX = _starts("gant|glove")
_SURGICAL_CTX = _starts("chirurg|surgical")
_TUBE_CTX = _starts("sonde|catheter|drain|canule|tube|aspiration")
_METRE_CTX = _starts(
    "bande|rouleau|sparadrap|tubulure|tube|fil|drain|extension|ligne|sonde|jersey|bandage|gaze|elastoplast|velpeau"
)
# Devices sold by weight; and words that make a line a medicine, on which "1 G" is a dose.
_WEIGHT_CTX = _starts("coton|ouate|platre|cire|vaseline|gel\\b|savon|talc|sparadrap|gaze|compresse|sachet de steril")
_MEDICINE_CTX = _whole(
    "inj|injectable|sol|solution|sirop|cp|cpr|comp|comprimes?|gelules?|pdre|susp|buv|pde|pommade|creme|collyre"
    "|suppo|amp|ampoules?|dialyse|perf|lyoph|lyophilisat|flacon|fl|granules?|unidose"
)
_STENT_CTX = _starts("stent|ballon|endoprothese")
_TRACHEAL_CTX = _starts("endotracheal|intubation|tracheotomie|tracheostomie|sonde de monro")
_DRUG_CTX = _whole(
    "inj|injectable|sol|sirop|cp|cpr|gelules?|pdre|susp|buv|pommade|creme|collyre|suppo|amp|ampoules?|lyoph"
)
_DRUG_PREFIX = re.compile(r"\bhuile de\b")

_UNIT_LEN = r"(mm|cm|m|metres?)"
# "25 X 8 / 10": length in mm × diameter in tenths of mm (needles, lumbar-puncture needles, catheters).
_NEEDLE_SIZE = re.compile(rf"(?<![\w.,/])({_NUM})\s*(?:mm)?\s*x\s*(\d{{1,2}})\s*/\s*10\b(?![.,]\d)")
_DIM3 = re.compile(
    rf"(?<![\w.,/])({_NUM})\s*{_UNIT_LEN}?\s*x\s*({_NUM})\s*{_UNIT_LEN}?\s*x\s*({_NUM})\s*{_UNIT_LEN}?\b"
)
_DIM2 = re.compile(rf"(?<![\w.,/])({_NUM})\s*{_UNIT_LEN}?\s*x\s*({_NUM})\s*{_UNIT_LEN}?\b(?!\s*/)")
# "2 A 5 CM", "25 - 26 MM", "50 - 75 ML": a range is not one value; it is read as nothing.
_RANGE = re.compile(
    rf"(?<![\w.,/])({_NUM})\s*(?:mm|cm|ml|m|l|g)?\s*(?:-|a|to)\s*({_NUM})(?:\s*-\s*{_NUM})*\s*(mm|cm|ml|m|l|g|kg|cc)\b"
)
_GAUGE_PREFIX = re.compile(rf"\bg\s*\.?\s*(\d{{1,2}})(?![\d.,])(?:\s*x\s*({_NUM})\s*(mm|cm)\b)?")
_GAUGE_SUFFIX = re.compile(r"(?<![\d.,/-])\b(\d{2})\s*g(?:auge)?(?:\b|(?=x))(?!\s*/)")
_FRENCH_PREFIX = re.compile(r"\b(?:ch|fr|charr?iere|french|f)\s*\.?\s*(\d{1,2}(?:[.,]\d)?)(?![\d.,])(?!\s*-\s*\d)")
_FRENCH_SUFFIX = re.compile(r"(?<![\d.,/-])\b(\d{1,2})\s*(?:ch|fr|charr?iere)\b(?!\s*\.?\s*\d)")
_SUTURE = re.compile(r"(?<![\d.,/])\b(\d{1,2})\s*[/-]\s*0(?![\d.,])")
# A bare USP size before the needle's description: "TRESSE 0 AR 26 MM", "SOIE NOIRE 1 AT 30", "TRESSE 1 BOBINE".
_SUTURE_BARE = re.compile(r"(?<![\d.,/x-])\b([0-7])\s*(?=(?:ar|at|ac|ct|taper|bobine|spatulee|sabre|cobra|250)\b)")
_SUTURE_USP = re.compile(r"\busp\s*(\d{1,2})(?:\s*[/-]\s*(0))?\b")
_VOLUME = re.compile(rf"(?<![\d.,])({_NUM})\s*(ml|cc|cl|l|litres?|ltr?)\b(?!\s*[/%]|[.,]\d)")
_MASS = re.compile(rf"(?<![\d.,-])({_NUM})\s*(kg|g|gr|grs|grammes?|kilos?)\b(?!\s*[/+%-]|[.,]\d)")
# "DIAM 0,4 LONG 23MM" on a needle: a diameter without unit is in mm.
_NEEDLE_DIAMETER = re.compile(rf"\bdiam(?:etre)?\s*\.?\s*[:=]?\s*({_NUM})(?!\s*(?:mm|cm|[\d.,]))(?:\s*l\b)?")
_INNER_DIAMETER = re.compile(
    rf"\b(?:d|diam(?:etre)?)\s*\.?\s*int(?:erne|erieur)?\s*\.?\s*[:=/]?\s*({_NUM})\s*(mm|cm)\b"
)
_DIAMETER = re.compile(
    rf"\b(?:diam(?:etre)?|ø|d)\s*\.?\s*(?:ext(?:erne|erieur)?\s*\.?\s*)?[:=/]?\s*({_NUM})\s*(mm|cm)\b"
)
_LENGTH_L = re.compile(rf"\b(?:l|lg|long(?:ueur)?)\s*\.?\s*[:=/]?\s*({_NUM})\s*(mm|cm|m)\b")
_NUMBERED = re.compile(rf"\bn\s*°\s*({_NUM})(?![\d.,])")
_LENGTH = re.compile(rf"(?<![\d.,/x-])({_NUM})\s*(mm|cm)\b(?!\s*[/x])")
_METRES = re.compile(rf"(?<![\d.,/x-])({_NUM})\s*(m|metres?)\b(?!\s*[/x])")
_PIECES = re.compile(r"\b([1-4])\s*(?:pieces?|pcs?|corps)\b")
_PLIES = re.compile(r"\b(\d{1,2})\s*plis\b")
_GLOVE_LETTER = re.compile(r"\b(?:t|taille|size|tl)\s*\.?\s*(xxl|xl|xs|s|m|l|p|g)\b")
_GLOVE_WORD = re.compile(
    r"\b(tres petite?s?|tres grande?s?|petite?s?|moyen(?:ne)?s?|grande?s?|small|medium|large|"
    r"extra[ -]?large|extra[ -]?small)\b"
)
_GLOVE_NUMBER = re.compile(r"(?:\b(?:t|taille|size|n\s*°)\s*\.?\s*)(\d{1,2}(?:[.,]5)?(?:\s+1\s*/\s*2)?)\b(?![.,]\d)")
_GLOVE_BARE_NUMBER = re.compile(r"(?<![\d.,/x])\b(5[.,]5|6|6[.,]5|7|7[.,]5|8|8[.,]5|9)\b(?![.,]\d|\s*(?:x|mm|cm|ml|/))")

# "STERILE", "STERILES", "STERILISE(E)S", "STERIL" — not "STERILISATION", "STERILISANT" (a process, a product).
_STERILE_WORD = r"steril(?:e|es|ee|ees|ise|ises|isee|isees)?\b"
_NON_STERILE = re.compile(rf"\b(?:non[\s-]*|n\s*/\s*){_STERILE_WORD}")
_STERILE = re.compile(rf"\b{_STERILE_WORD}")
_SINGLE_USE = re.compile(r"\busage unique\b|(?<![a-z])u\s*\.\s*u\b\.?|\buu\b|\bjetables?\b|\bsingle[\s-]use\b")
_REUSABLE = re.compile(r"\breutilisables?\b|\breusable\b|\bresterilisables?\b")
_LATEX_FREE = re.compile(r"\bsans latex\b|\blatex[\s-]*free\b|\bnon[\s-]latex\b|\bexempts? de latex\b")
_POWDER_FREE = re.compile(r"\bnon[\s-]*(?:poudr|talqu)|\bsans (?:poudre|talc)\b|\bpowder[\s-]*free\b")
_POWDERED = re.compile(r"\bpoudr|\btalqu|\bpowdered\b")
_NON_ABSORBABLE = re.compile(r"\bnon[\s-]*(?:resorbable|absorbable)s?\b")
_ABSORBABLE = re.compile(r"\b(?:resorbable|absorbable)s?\b")
_LUER_LOCK = re.compile(r"\blue?r?[\s-]*lock\b")  # "LUER LOCK", "LUER-LOCK", "LU LOCK"
_LUER_SLIP = re.compile(r"\bluer[\s-]*slip\b")

# Materials by the words that name them (folded). A set look-up per word is much faster than a regex with
# one alternative per spelling.
_MATERIAL_WORDS: dict[str, str] = {
    word: code
    for code, words in (
        ("latex", ("latex",)),
        ("nitrile", ("nitrile", "nitriles", "nitril")),
        ("vinyl", ("vinyle", "vinyles", "vinyl")),
        ("pvc", ("pvc",)),
        ("polypropylene", ("polypropylene", "polypropylenes")),
        ("polyethylene", ("polyethylene", "polyethylenes")),
        ("polyester", ("polyester", "polyesters")),
        ("polyamide", ("polyamide", "polyamides", "nylon")),
        ("polyurethane", ("polyurethane", "polyurethanes")),
        ("silicone", ("silicone", "silicones")),
        ("ptfe", ("ptfe", "teflon")),
        ("cotton", ("coton",)),
        ("viscose", ("viscose",)),
        ("silk", ("soie",)),
        ("stainless_steel", ("inox", "inoxydable")),
        ("titanium", ("titane",)),
        ("glass", ("verre",)),
        ("paper", ("papier",)),
        ("nonwoven", ("intisse", "intisses", "intissee", "intissees")),
        ("polyglactin", ("polyglactine", "polyglactin")),
        ("catgut", ("catgut",)),
    )
    for word in words
}
_WORD = re.compile(r"[a-z0-9]+")
_NON_WOVEN = re.compile(r"\bnon[\s-]*tiss(?:e|es|ee|ees)\b")
_NOT_MATERIAL = re.compile(r"\b(?:sans|non|exempts? de|hors)[\s-]+(?!tiss)\w+|\b\w+[\s-]*free\b")


@dataclass(slots=True)
class _Found:
    position: int
    value: SpecValue


class _Reader:
    """Collects what the patterns find, remembering which characters are already explained."""

    __slots__ = ("text", "found", "taken", "_contexts")

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: list[_Found] = []
        self.taken: list[tuple[int, int]] = []
        self._contexts: dict[re.Pattern[str], bool] = {}

    def has(self, context: re.Pattern[str]) -> bool:
        """Whether the line mentions a context (each context is searched once per line)."""
        known = self._contexts.get(context)
        if known is None:
            known = self._contexts[context] = context.search(self.text) is not None
        return known

    def free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.taken)

    def take(self, match: re.Match[str]) -> None:
        self.taken.append(match.span())

    def add(self, position: int, attribute: str, raw: str | float | bool, unit: str | None = None) -> bool:
        try:
            value = parse_value(attribute, raw, unit)
        except SpecError:
            return False
        if isinstance(value.value, float) and value.value <= 0:
            return False  # "0 ML" says nothing about a product
        self.found.append(_Found(position, value))
        return True

    def matches(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """The pattern's matches that do not overlap what is already read."""
        found = pattern.finditer(self.text)
        if not self.taken:
            return found
        return (match for match in found if self.free(*match.span()))


_RATIO_BEFORE = re.compile(r"\d\s*[^\W\d]*\s*%?\s*/\s*$")


def _ratio_before(text: str, start: int) -> bool:
    """True when the number at `start` is the denominator of a ratio such as `1G/100ML` or `250 MG / 5 ML`."""
    return bool(_RATIO_BEFORE.search(text, max(0, start - 14), start))


def _length_key(r: _Reader, unit: str = "mm") -> str:
    """Lengths on a needle, and lengths in mm on a suture (those of its needle), are needle lengths."""
    if r.has(_NEEDLE_NAME) or (unit == "mm" and r.has(_SUTURE_CTX)):
        return "needle_length"
    return "length"


def _read_ranges(r: _Reader) -> None:
    for m in r.matches(_RANGE):
        r.take(m)


def _read_needle_size(r: _Reader) -> None:
    for m in r.matches(_NEEDLE_SIZE):
        r.take(m)
        r.add(m.start(), _length_key(r), m.group(1), "MMT")
        r.add(m.start(2), "outer_diameter", str(int(m.group(2)) / 10), "MMT")


def _unit(symbol: str | None) -> str | None:
    if not symbol:
        return None
    return "MTR" if symbol.startswith("metre") else unit_code(symbol)


def _read_dimensions(r: _Reader) -> None:
    for m in r.matches(_DIM3):
        r.take(m)  # three dimensions: which is which is not said; leave them (conservative)
    stent = r.has(_STENT_CTX)
    for m in r.matches(_DIM2):
        r.take(m)  # read or not, its numbers are not read again one by one
        first_unit, second_unit = _unit(m.group(2)), _unit(m.group(4))
        if second_unit is None:
            if not (stent and first_unit is None):
                continue  # "FILM 18 X 24": no unit, no guess
            second_unit = "MMT"  # stents and angioplasty balloons: always diameter × length in mm
        try:
            a = convert(parse_number(m.group(1)), first_unit or second_unit, "MMT")
            b = convert(parse_number(m.group(3)), second_unit, "MMT")
        except ValueError:
            continue
        if stent:
            r.add(m.start(), "outer_diameter", clean_float(a), "MMT")
            r.add(m.start(3), "length", clean_float(b), "MMT")
            continue
        longer, shorter = max(a, b), min(a, b)
        r.add(m.start(), "length", clean_float(longer), "MMT")
        r.add(m.start(), "width", clean_float(shorter), "MMT")


def _read_gauge(r: _Reader) -> None:
    if not r.has(_NEEDLE_CTX):
        return
    for m in r.matches(_GAUGE_PREFIX):  # "G 21", "G22", "G10X10CM" (gauge × length)
        if 7 <= int(m.group(1)) <= 34:
            r.take(m)
            r.add(m.start(), "gauge", m.group(1))
            if m.group(2):
                r.add(m.start(2), "needle_length", m.group(2), m.group(3))
    for m in r.matches(_GAUGE_SUFFIX):  # "21G", "22 GX 1 1/4"; two digits only: "8 G" may be grams
        if 14 <= int(m.group(1)) <= 34 and not _ratio_before(r.text, m.start()):
            r.take(m)
            r.add(m.start(), "gauge", m.group(1))


def _read_french(r: _Reader) -> None:
    for pattern in (_FRENCH_PREFIX, _FRENCH_SUFFIX):
        for m in r.matches(pattern):
            bare_f = pattern is _FRENCH_PREFIX and r.text[m.start()] == "f" and not r.text.startswith("fr", m.start())
            if bare_f and not r.has(_TUBE_CTX):
                continue  # a bare "F 18" only on tubes and catheters
            if 2 <= parse_number(m.group(1)) <= 40:
                r.take(m)
                r.add(m.start(), "french_size", m.group(1))


def _read_suture(r: _Reader) -> None:
    if not r.has(_SUTURE_CTX):
        return
    for m in r.matches(_SUTURE):
        r.take(m)
        r.add(m.start(), "suture_size", f"{m.group(1)}/0")
    for m in r.matches(_SUTURE_USP):
        r.take(m)
        r.add(m.start(), "suture_size", f"{m.group(1)}/0" if m.group(2) else m.group(1))
    for m in r.matches(_SUTURE_BARE):
        r.take(m)
        r.add(m.start(), "suture_size", m.group(1))


def _read_needle_diameter(r: _Reader) -> None:
    if not r.has(_NEEDLE_NAME):
        return
    for m in r.matches(_NEEDLE_DIAMETER):
        r.take(m)
        if parse_number(m.group(1)) < 5:
            r.add(m.start(), "outer_diameter", m.group(1), "MMT")


def _read_volume(r: _Reader) -> None:
    for m in r.matches(_VOLUME):
        if _ratio_before(r.text, m.start()):
            continue
        r.take(m)
        r.add(m.start(), "volume", m.group(1), "LTR" if m.group(2).startswith("l") else m.group(2))


def _read_mass(r: _Reader) -> None:
    if r.has(_NEEDLE_CTX):
        return
    device = r.has(_WEIGHT_CTX) and not r.has(_MEDICINE_CTX)
    for m in r.matches(_MASS):
        if _ratio_before(r.text, m.start()):
            continue
        if not device:
            continue
        r.take(m)
        r.add(m.start(), "weight", m.group(1), "GRM" if m.group(2).startswith("g") else "KGM")


def _read_lengths(r: _Reader) -> None:
    for m in r.matches(_INNER_DIAMETER):
        r.take(m)
        r.add(m.start(), "inner_diameter", m.group(1), m.group(2))
    for m in r.matches(_DIAMETER):
        r.take(m)
        r.add(m.start(), "outer_diameter", m.group(1), m.group(2))
    for m in r.matches(_LENGTH_L):
        if m.group(2) == "m" and not r.has(_METRE_CTX):
            continue
        r.take(m)
        r.add(m.start(), _length_key(r, m.group(2)), m.group(1), m.group(2))
    tracheal = r.has(_TRACHEAL_CTX)
    if tracheal and r.has(_TUBE_CTX):  # "SONDE ENDOTRACHEALE N° 7.5": tracheal tubes are numbered by inner diameter
        for m in r.matches(_NUMBERED):
            r.take(m)
            r.add(m.start(), "inner_diameter", m.group(1), "MMT")
    for m in r.matches(_LENGTH):
        if _ratio_before(r.text, m.start()):
            continue
        r.take(m)
        if tracheal and m.group(2) == "mm":  # tracheal tubes are sized by inner diameter: "SONDE ... 7.5 MM"
            r.add(m.start(), "inner_diameter", m.group(1), "mm")
        else:
            r.add(m.start(), _length_key(r, m.group(2)), m.group(1), m.group(2))
    if r.has(_METRE_CTX):
        for m in r.matches(_METRES):
            r.take(m)
            r.add(m.start(), "length", m.group(1), "MTR")


def _read_counts(r: _Reader) -> None:
    for m in r.matches(_PIECES):
        r.take(m)
        r.add(m.start(), "pieces", m.group(1))
    for m in r.matches(_PLIES):
        r.take(m)
        r.add(m.start(), "plies", m.group(1))


def _read_glove(r: _Reader) -> None:
    if not r.has(_GLOVE_CTX):
        return
    for pattern in (_GLOVE_LETTER, _GLOVE_NUMBER, _GLOVE_WORD):
        for m in r.matches(pattern):
            r.take(m)
            r.add(m.start(), "glove_size", m.group(1))
    if r.has(_SURGICAL_CTX):
        for m in r.matches(_GLOVE_BARE_NUMBER):
            r.take(m)
            r.add(m.start(), "glove_size", m.group(1))


def _flag(r: _Reader, attribute: str, first: re.Pattern[str], first_value: bool, then: re.Pattern[str]) -> None:
    """`first` is looked for first because `then` matches inside it ("non stérile" contains "stérile")."""
    match = first.search(r.text)
    if match:
        r.add(match.start(), attribute, first_value)
        return
    match = then.search(r.text)
    if match:
        r.add(match.start(), attribute, not first_value)


def _read_flags(r: _Reader) -> None:
    _flag(r, "sterile", _NON_STERILE, False, _STERILE)
    reusable, single = _REUSABLE.search(r.text), _SINGLE_USE.search(r.text)
    if reusable and not single:
        r.add(reusable.start(), "single_use", False)
    elif single and not reusable:
        r.add(single.start(), "single_use", True)
    latex_free = _LATEX_FREE.search(r.text)
    if latex_free:
        r.add(latex_free.start(), "latex_free", True)
    if r.has(_GLOVE_CTX):
        _flag(r, "powder_free", _POWDER_FREE, True, _POWDERED)
    if r.has(_SUTURE_CTX):
        _flag(r, "absorbable", _NON_ABSORBABLE, False, _ABSORBABLE)
    lock, slip = _LUER_LOCK.search(r.text), _LUER_SLIP.search(r.text)
    if lock and not slip:
        r.add(lock.start(), "connector", "luer_lock")
    elif slip and not lock:
        r.add(slip.start(), "connector", "luer_slip")


def _read_material(r: _Reader) -> None:
    if r.has(_DRUG_CTX) or r.has(_DRUG_PREFIX):
        return  # "HUILE DE SILICONE INJ": a medicine, not a device made of silicone
    text = (
        _NOT_MATERIAL.sub(" ", r.text)
        if ("sans" in r.text or "non" in r.text or "free" in r.text or "exempt" in r.text or "hors" in r.text)
        else r.text
    )
    found: dict[str, int] = {}
    for word in _WORD.findall(text):
        code = _MATERIAL_WORDS.get(word)
        if code is not None:
            found.setdefault(code, text.find(word))
    non_woven = _NON_WOVEN.search(text)
    if non_woven:
        found.setdefault("nonwoven", non_woven.start())
    if len(found) == 1:
        ((code, position),) = found.items()
        r.add(position, "material", code)


# Readers of numbers (skipped on lines without a digit), then readers of words.
_NUMBER_READERS: tuple[Callable[[_Reader], None], ...] = (
    _read_needle_size,
    _read_ranges,
    _read_dimensions,
    _read_gauge,
    _read_french,
    _read_suture,
    _read_needle_diameter,
    _read_volume,
    _read_mass,
    _read_lengths,
    _read_counts,
)
_WORD_READERS: tuple[Callable[[_Reader], None], ...] = (_read_glove, _read_flags, _read_material)
_DIGIT = re.compile(r"\d")

_CLEAN = re.compile(r"\s*([/°x])\s*")
_APOSTROPHE = re.compile(r"\s*'\s*")
_SPACED_DECIMAL = re.compile(r"(\d) \. (\d)")  # "7 . 5" → "7.5" (some exports space out every sign)


def _normalise(text: str) -> str:
    # For ASCII text (most lines) `fold` comes down to lower case and single spaces: take the short way.
    folded = " ".join(text.lower().split()) if text.isascii() else fold(text)
    folded = folded.replace("\u2019", "'").replace("×", "x").replace("*", "x")
    folded = _APOSTROPHE.sub("' ", folded)
    folded = _SPACED_DECIMAL.sub(r"\1.\2", folded)
    # "N ° 4" → "n° 4"; "8 / 10" → "8 / 10" stays readable for the patterns, which allow spaces anyway.
    return folded.replace("n °", "n°")


def parse_designation(text: str) -> list[SpecValue]:
    """The specifications a designation states, in the order they appear. Attributes found twice with
    different values are left out (the text is ambiguous); nothing is guessed."""
    if not text or not text.strip():
        return []
    reader = _Reader(_normalise(text))
    if _DIGIT.search(reader.text):
        for read in _NUMBER_READERS:
            read(reader)
    for read in _WORD_READERS:
        read(reader)
    by_attribute: dict[str, _Found] = {}
    ambiguous: set[str] = set()
    for item in sorted(reader.found, key=lambda f: f.position):
        key = item.value.attribute
        previous = by_attribute.get(key)
        if previous is None:
            by_attribute[key] = item
        elif previous.value != item.value:
            ambiguous.add(key)
    return [item.value for key, item in by_attribute.items() if key not in ambiguous and key in ATTRIBUTES]
