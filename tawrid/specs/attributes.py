"""The typed specification attributes shared by the catalogue, the demand parser and the matching engine."""

import enum
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AttributeKind(enum.StrEnum):
    QUANTITY = "quantity"  # a number in a unit (or a dimensionless count / scale such as gauge)
    ENUM = "enum"  # one of `choices`
    BOOLEAN = "boolean"
    TEXT = "text"
    SIZE_CODE = "size_code"  # a code on a size scale: suture "4/0", glove "M"


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How far an offered quantity may be from the asked one and still be a compatible fit.

    The allowed gap is the larger of `absolute` (in the attribute's canonical unit) and `relative` times
    the larger of the two values (so that the check is symmetric)."""

    relative: float = 0.0
    absolute: float = 0.0

    def allows(self, a: float, b: float) -> bool:
        return abs(a - b) <= max(self.absolute, self.relative * max(abs(a), abs(b))) + 1e-12


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    label: Any  # lazy translation
    synonyms: tuple[str, ...] = ()  # French, English, Arabic spellings; matched after `fold`


@dataclass(frozen=True, slots=True)
class AttributeDef:
    key: str
    label: Any  # gettext_lazy, English msgid
    kind: AttributeKind
    dimension: str = ""  # pint dimensionality for QUANTITY with units, e.g. "[length]"; "" when dimensionless
    canonical_unit: str = ""  # Rec 20 code values are stored in; "" for dimensionless quantities
    allowed_units: tuple[str, ...] = ()  # Rec 20 codes accepted on input (and offered in forms)
    tolerance: Tolerance = field(default_factory=Tolerance)
    choices: tuple[Choice, ...] = ()
    suffix: Any = ""  # how a dimensionless quantity is shown after its number ("G", "Ch", "plis")
    prefix: Any = ""  # or before it
    true_label: Any = ""  # BOOLEAN: how True and False read ("sterile" / "non-sterile")
    false_label: Any = ""
    true_covers_false: bool = False  # BOOLEAN: offering True when False is asked is still compatible
    minimum: float | None = None  # plausible range of a QUANTITY in its canonical unit (inclusive)
    maximum: float | None = None
    integer: bool = False  # a QUANTITY that only takes whole values (gauge, pieces)

    @property
    def has_units(self) -> bool:
        return self.kind is AttributeKind.QUANTITY and bool(self.canonical_unit)

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)


_LENGTH_UNITS = ("MMT", "CMT", "MTR", "4H", "DMT", "INH")
_VOLUME_UNITS = ("MLT", "LTR", "CLT", "DLT", "4G", "MTQ")
_MASS_UNITS = ("GRM", "KGM", "MGM", "MC")


def _length(key: str, label: Promise, *, rel: float = 0.02, maximum: float = 100_000.0) -> AttributeDef:
    return AttributeDef(
        key=key,
        label=label,
        kind=AttributeKind.QUANTITY,
        dimension="[length]",
        canonical_unit="MMT",
        allowed_units=_LENGTH_UNITS,
        tolerance=Tolerance(relative=rel),
        minimum=0.0,
        maximum=maximum,
    )


MATERIALS: tuple[Choice, ...] = (
    Choice("latex", _("latex"), ("latex", "caoutchouc naturel", "natural rubber", "لاتكس", "مطاط طبيعي")),
    Choice("nitrile", _("nitrile"), ("nitrile", "nitril", "نتريل", "نيتريل")),
    Choice("vinyl", _("vinyl"), ("vinyl", "vinyle", "فينيل")),
    Choice("pvc", _("PVC"), ("pvc", "polychlorure de vinyle", "polyvinyl chloride", "بولي فينيل كلوريد")),
    Choice("polypropylene", _("polypropylene"), ("polypropylene", "polypropylène", "pp", "بولي بروبيلين")),
    Choice("polyethylene", _("polyethylene"), ("polyethylene", "polyéthylène", "pe", "بولي إيثيلين")),
    Choice("polyester", _("polyester"), ("polyester", "بوليستر")),
    Choice("polyamide", _("polyamide (nylon)"), ("polyamide", "nylon", "بولي أميد", "نايلون")),
    Choice("polyurethane", _("polyurethane"), ("polyurethane", "polyuréthane", "pur", "بولي يوريثان")),
    Choice("silicone", _("silicone"), ("silicone", "silicon", "سيليكون")),
    Choice("ptfe", _("PTFE (Teflon)"), ("ptfe", "teflon", "téflon", "تفلون")),
    Choice("cotton", _("cotton"), ("cotton", "coton", "قطن")),
    Choice("viscose", _("viscose"), ("viscose", "فسكوز")),
    Choice("silk", _("silk"), ("silk", "soie", "حرير")),
    Choice(
        "stainless_steel",
        _("stainless steel"),
        ("stainless steel", "acier inoxydable", "acier inox", "inox", "فولاذ مقاوم للصدأ"),
    ),
    Choice("titanium", _("titanium"), ("titanium", "titane", "تيتانيوم")),
    Choice("glass", _("glass"), ("glass", "verre", "زجاج")),
    Choice("paper", _("paper"), ("paper", "papier", "ورق")),
    Choice(
        "nonwoven",
        _("non-woven"),
        ("non-woven", "nonwoven", "non tisse", "non tissé", "intissé", "intisse", "غير منسوج"),
    ),
    Choice("polyglactin", _("polyglactin 910"), ("polyglactin", "polyglactine", "بوليغلاكتين")),
    Choice("catgut", _("catgut"), ("catgut", "كاتغوت")),
)

GLOVE_SIZES: tuple[Choice, ...] = (
    Choice("XS", pgettext_lazy("glove size", "XS"), ("xs", "tres petit", "très petit", "extra small")),
    Choice("S", pgettext_lazy("glove size", "S"), ("s", "petit", "small", "p")),
    Choice("M", pgettext_lazy("glove size", "M"), ("m", "moyen", "medium")),
    Choice("L", pgettext_lazy("glove size", "L"), ("l", "grand", "large", "g")),
    Choice("XL", pgettext_lazy("glove size", "XL"), ("xl", "tres grand", "très grand", "extra large")),
    Choice("XXL", pgettext_lazy("glove size", "XXL"), ("xxl",)),
) + tuple(Choice(s, s, ()) for s in ("5.5", "6", "6.5", "7", "7.5", "8", "8.5", "9", "9.5", "10"))

# USP suture sizes, finest to thickest: "11/0" … "2/0", "0", "1" … "7".
SUTURE_SIZES: tuple[str, ...] = tuple(f"{n}/0" for n in range(12, 1, -1)) + ("0", "1", "2", "3", "4", "5", "6", "7")

CONNECTORS: tuple[Choice, ...] = (
    Choice("luer_lock", _("Luer lock"), ("luer lock", "luer-lock", "luerlock", "a vis", "à vis")),
    Choice("luer_slip", _("Luer slip"), ("luer slip", "luer-slip", "luer", "embout luer", "luer simple")),
    Choice("catheter_tip", _("catheter tip"), ("catheter tip", "embout conique", "cone catheter")),
)


ATTRIBUTES: dict[str, AttributeDef] = {
    a.key: a
    for a in (
        _length("length", _("length")),
        _length("needle_length", _("needle length"), rel=0.0, maximum=500.0),
        _length("width", _("width")),
        _length("thickness", _("thickness"), rel=0.05, maximum=1000.0),
        _length("height", _("height")),
        _length("outer_diameter", _("outer diameter"), rel=0.03, maximum=2000.0),
        _length("inner_diameter", _("inner diameter"), rel=0.03, maximum=2000.0),
        AttributeDef(
            key="gauge",
            label=_("gauge"),
            kind=AttributeKind.QUANTITY,
            suffix=pgettext_lazy("needle gauge unit", "G"),
            minimum=7,
            maximum=34,
            integer=True,
        ),
        AttributeDef(
            key="french_size",
            label=_("French (Charrière) size"),
            kind=AttributeKind.QUANTITY,
            prefix=pgettext_lazy("Charrière unit", "CH"),
            # Accepted with a length unit too: 1 Fr (Ch) = 1/3 mm of outer diameter.
            allowed_units=("MMT",),
            minimum=1,
            maximum=40,
        ),
        AttributeDef(
            key="volume",
            label=_("volume"),
            kind=AttributeKind.QUANTITY,
            dimension="[volume]",
            canonical_unit="MLT",
            allowed_units=_VOLUME_UNITS,
            tolerance=Tolerance(relative=0.0),
            minimum=0.0,
            maximum=1_000_000.0,
        ),
        AttributeDef(
            key="weight",
            label=_("weight"),
            kind=AttributeKind.QUANTITY,
            dimension="[mass]",
            canonical_unit="GRM",
            allowed_units=_MASS_UNITS,
            tolerance=Tolerance(relative=0.05),
            minimum=0.0,
            maximum=1_000_000.0,
        ),
        AttributeDef(
            key="pieces",
            label=_("number of pieces"),
            kind=AttributeKind.QUANTITY,
            minimum=1,
            maximum=10,
            integer=True,
        ),
        AttributeDef(
            key="plies",
            label=_("number of plies"),
            kind=AttributeKind.QUANTITY,
            minimum=1,
            maximum=64,
            integer=True,
        ),
        AttributeDef(key="material", label=_("material"), kind=AttributeKind.ENUM, choices=MATERIALS),
        AttributeDef(key="connector", label=_("connector"), kind=AttributeKind.ENUM, choices=CONNECTORS),
        AttributeDef(
            key="suture_size",
            label=_("suture size (USP)"),
            kind=AttributeKind.SIZE_CODE,
            choices=tuple(Choice(s, s) for s in SUTURE_SIZES),
        ),
        AttributeDef(key="glove_size", label=_("glove size"), kind=AttributeKind.SIZE_CODE, choices=GLOVE_SIZES),
        AttributeDef(
            key="sterile",
            label=_("sterile"),
            kind=AttributeKind.BOOLEAN,
            true_label=_("sterile"),
            false_label=_("non-sterile"),
            true_covers_false=True,
        ),
        AttributeDef(
            key="single_use",
            label=_("single use"),
            kind=AttributeKind.BOOLEAN,
            true_label=_("single use"),
            false_label=_("reusable"),
        ),
        AttributeDef(
            key="latex_free",
            label=_("latex-free"),
            kind=AttributeKind.BOOLEAN,
            true_label=_("latex-free"),
            false_label=_("contains latex"),
            true_covers_false=True,
        ),
        AttributeDef(
            key="powder_free",
            label=_("powder-free"),
            kind=AttributeKind.BOOLEAN,
            true_label=_("powder-free"),
            false_label=_("powdered"),
        ),
        AttributeDef(
            key="absorbable",
            label=_("absorbable"),
            kind=AttributeKind.BOOLEAN,
            true_label=_("absorbable"),
            false_label=_("non-absorbable"),
        ),
        AttributeDef(key="colour", label=_("colour"), kind=AttributeKind.TEXT),
    )
}


# ISO 9626:2016, table 1: outer diameter of needle tubing, minimum and maximum in mm, for its 25 sizes from
# 10 G (3,4 mm) to 34 G (0,18 mm); the gauge is what needles and catheters are labelled with. The hospital
# fixture's lines that give both a gauge and a diameter in tenths of mm agree with it (a test checks this).
# Gauges outside the table (bone-marrow trocars of 8 G) parse, but cannot be compared with a diameter.
GAUGE_OUTER_DIAMETER_MM: dict[int, tuple[float, float]] = {
    10: (3.300, 3.500),
    11: (2.950, 3.150),
    12: (2.650, 2.850),
    13: (2.300, 2.500),
    14: (2.000, 2.200),
    15: (1.750, 1.900),
    16: (1.600, 1.690),
    17: (1.400, 1.510),
    18: (1.200, 1.300),
    19: (1.030, 1.100),
    20: (0.860, 0.920),
    21: (0.800, 0.830),
    22: (0.698, 0.730),
    23: (0.600, 0.673),
    24: (0.550, 0.580),
    25: (0.500, 0.530),
    26: (0.440, 0.470),
    27: (0.400, 0.420),
    28: (0.349, 0.370),
    29: (0.324, 0.351),
    30: (0.298, 0.320),
    31: (0.254, 0.267),
    32: (0.229, 0.241),
    33: (0.203, 0.216),
    34: (0.181, 0.194),
}


def gauge_outer_diameter(gauge: float) -> tuple[float, float] | None:
    """ISO 9626 outer-diameter range (mm) of a needle gauge, or None when the gauge is not in the table."""
    if gauge != int(gauge):
        return None
    return GAUGE_OUTER_DIAMETER_MM.get(int(gauge))


def gauge_nominal_diameter(gauge: float) -> float | None:
    """Middle of the ISO 9626 range, rounded to 0.01 mm (21 G → 0.82 mm)."""
    span = gauge_outer_diameter(gauge)
    return None if span is None else round((span[0] + span[1]) / 2, 2)


def french_to_mm(french: float) -> float:
    """Charrière / French scale: 1 Ch = 1/3 mm of outer diameter."""
    return round(french / 3.0, 4)
