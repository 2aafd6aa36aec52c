"""CPV and HS codes suggested from a product's EMDN code, where the correspondence is obvious.

The suggestion fills the CPV (tenders) and HS (trade) fields of a new product; the manufacturer may change
them. The table goes from the most specific EMDN prefix to the category; unknown categories get the
general medical-consumables CPV class and HS heading 9018.
"""

from tawrid.nomenclature.models import CpvCode, EmdnCode, HsCode

# EMDN prefix → (CPV numeric code, HS code)
SUGGESTIONS: dict[str, tuple[int, str]] = {
    "A0201": (33141310, "901831"),  # syringes
    "A01": (33141320, "901832"),  # needles
    "A": (33141000, "901839"),  # administration and withdrawal devices
    "C": (33140000, "901839"),  # cardiocirculatory devices
    "M02": (33141110, "300590"),  # gauze and dressings
    "M": (33141110, "300510"),  # dressings
    "T01": (33141420, "401512"),  # gloves
    "T0206": (33199000, "630790"),  # medical masks
    "T02": (33199000, "621010"),  # drapes, gowns, caps: non-woven garments
    "T": (33140000, "901890"),
    "V08": (33192000, "940290"),  # hospital furniture
    "V": (33140000, "901890"),
    "R": (33157000, "901920"),  # respiratory devices
    "P": (33140000, "902139"),  # implantable prostheses
    "U": (33141600, "901839"),  # urogenital devices
    "W": (33696500, "382219"),  # in vitro diagnostics
    "Z": (33100000, "901890"),  # medical equipment
}
DEFAULT = (33140000, "9018")


def suggest(emdn: EmdnCode | None) -> tuple[CpvCode | None, HsCode | None]:
    """The CPV and HS codes that usually go with an EMDN code (None where the reference data lacks them)."""
    if emdn is None:
        return None, None
    numeric, hs = DEFAULT
    for length in range(len(emdn.code), 0, -1):
        if emdn.code[:length] in SUGGESTIONS:
            numeric, hs = SUGGESTIONS[emdn.code[:length]]
            break
    cpv_code = CpvCode.objects.filter(numeric_code=numeric).first()
    hs_code = HsCode.objects.filter(code=hs).first() or HsCode.objects.filter(code=hs[:4]).first()
    return cpv_code, hs_code
