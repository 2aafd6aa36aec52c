"""Text pipeline of the matching engine, for French, English and Arabic: what hospitals, manufacturers and the
nomenclatures write, brought to comparable words.

`normalise(text)` folds case and accents (`tawrid.core.text.fold`), expands the abbreviations of hospital
designations (`AIG.` → aiguille, `STER.` → sterile, `U.U.` → usage unique, `S/` → sans, `P/` → pour, `CH` →
charriere…), drops packaging counts (`B/100`, `BTE DE 50`) and keeps sizes together (`38 x 7/10`, `10 ml`). It
is readable text, fed to the dense model and used as a dedup key; it is idempotent.

`tokens(text)` is what the lexical index sees: the words of `normalise(text)` without stop words, stemmed
with the Snowball stemmer of the text's script (Arabic script → Arabic; Latin → French then English: the
two stemmers agree on most device words and this keeps "aiguilles"/"aiguille", "needles"/"needle" together),
"non sterile" kept as one distinguishable token `nonsterile`, numbers joined to their unit (`10ml`, `7/10`,
`38x7`), and for French device words the English word of the nomenclatures added as an extra token
(aiguille → needle), so a French plan line meets the English EMDN terms on the lexical side too.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from tawrid.core.text import fold

# Abbreviations of designations, on folded text; whole words only. Values must be fixed points.
_ABBREVIATIONS: dict[str, str] = {
    "aig": "aiguille",
    "aigs": "aiguilles",
    "ster": "sterile",
    "steril": "sterile",
    "sterilise": "sterile",
    "uu": "usage unique",
    "ch": "charriere",
    "charr": "charriere",
    "fr": "french",
    "sering": "seringue",
    "ser": "seringue",
    "comp": "compresse",
    "compr": "compresse",
    "cpr": "compresse",
    "cath": "catheter",
    "perf": "perfusion",
    "inj": "injectable",
    "sol": "solution",
    "chir": "chirurgical",
    "chirurg": "chirurgical",
    "pans": "pansement",
    "trans": "transfusion",
    "ped": "pediatrique",
    "enf": "enfant",
    "adt": "adulte",
    "lg": "long",
    "pdre": "poudre",
    "buv": "buvable",
    "susp": "suspension",
    "colly": "collyre",
    "gttes": "gouttes",
    "gles": "gelules",
    "resor": "resorbable",
    "hypo": "hypodermique",
    "opht": "ophtalmique",
    "derm": "dermique",
    "elast": "elastique",
    "adh": "adhesif",
    "bte": "boite",
    "sach": "sachet",
    "usp": "usp",
}
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![a-z0-9])u\s*\.\s*u\b\.?"), " usage unique "),
    (re.compile(r"(?<![a-z0-9])s\s*/\s*(?=[a-z])"), " sans "),
    (re.compile(r"(?<![a-z0-9])p\s*/\s*(?=[a-z])"), " pour "),
    (re.compile(r"(?<![a-z0-9])a\s*/\s*(?=[a-z])"), " a "),
    (re.compile(r"(?<![a-z0-9])(?:t|taille)\s*/\s*(xxl|xl|xs|s|m|l|p|g|\d{1,2}(?:[.,]5)?)\b"), r" taille \1 "),
    # Packaging counts: "B/100", "BTE/50", "BOITE DE 100", "FL/500ML" say how it is sold, not what it is.
    (re.compile(r"(?<![a-z0-9])(?:b|bte|bt|boite|bo)\s*(?:/|de)\s*\d+\b"), " "),
    (re.compile(r"(?<![a-z0-9])(?:pqt|paquet|sachet|carton|ctn)\s*(?:/|de)\s*\d+\b"), " "),
)
_PUNCTUATION = re.compile(r"[^\w\s/.,%+×x-]|_")
_SPACES = re.compile(r"\s+")
# Dots and commas inside numbers stay (decimal separators); elsewhere they separate words.
_LOOSE_DOT = re.compile(r"(?<!\d)[.,]|[.,](?!\d)")
_LOOSE_SLASH = re.compile(r"(?<!\d)\s*/\s*|\s*/\s*(?!\d)")
_LOOSE_DASH = re.compile(r"(?<![a-z0-9])-|-(?![a-z0-9])")
_SIZE_SLASH = re.compile(r"(\d)\s*/\s*(\d)")
_TIMES = re.compile(r"(\d)\s*[x×]\s*(\d)")
_NUMBER_UNIT = re.compile(r"(?<![/\d.,])\b(\d+(?:[.,]\d+)?)\s+(mm|cm|m|ml|cl|l|mg|g|kg|mcg|ug|ui|cc|g|ch|fr|%)\b")
_GAUGE_AFTER = re.compile(r"(?<![/\d.,])\b(\d{2})g\b")

_ARABIC = re.compile(r"[\u0600-\u06ff]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FRENCH_STOP = _words(
    "a au aux avec ce ces d da dans de des du en et il la le les l leur lui ma mais me meme mes moi mon "
    "n ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos "
    "votre vous y est sont etre cet cette type pieces piece unite unites"
)
_ENGLISH_STOP = _words(
    "a an and are as at be by for from has have in into is it its of on or that the their this to was "
    "were which with without other than all any"
)
_ARABIC_STOP = frozenset(
    ["في", "من", "على", "الى", "إلى", "عن", "مع", "او", "أو", "و", "ذو", "ذات", "هذا", "هذه", "ل", "ب"]
)
STOP_WORDS = _FRENCH_STOP | _ENGLISH_STOP | frozenset(fold(w) for w in _ARABIC_STOP)
# French device words → the English words of the nomenclatures (EMDN is published in English only).
GLOSSARY: dict[str, str] = {
    "aiguille": "needle",
    "seringue": "syringe",
    "gant": "glove",
    "compresse": "swab gauze",
    "pansement": "dressing",
    "sonde": "catheter probe",
    "fil": "suture",
    "suture": "suture",
    "tresse": "braided suture",
    "resorbable": "absorbable",
    "perfuseur": "infusion set",
    "perfusion": "infusion",
    "transfusion": "transfusion",
    "tubulure": "tubing",
    "poche": "bag",
    "bistouri": "scalpel",
    "ciseaux": "scissors",
    "pince": "forceps",
    "ecarteur": "retractor",
    "attelle": "splint",
    "bioprothese": "bioprosthesis",
    "valve": "valve",
    "canule": "cannula",
    "drain": "drain",
    "masque": "mask",
    "blouse": "gown",
    "champ": "drape",
    "coton": "cotton",
    "gaze": "gauze",
    "sparadrap": "adhesive tape",
    "adhesif": "adhesive",
    "electrode": "electrode",
    "filtre": "filter",
    "robinet": "stopcock",
    "tube": "tube",
    "flacon": "bottle",
    "lunette": "spectacles",
    "lentille": "lens",
    "implant": "implant",
    "vis": "screw",
    "plaque": "plate",
    "clou": "nail",
    "broche": "wire pin",
    "agrafe": "staple",
    "agrafeuse": "stapler",
    "trocart": "trocar",
    "ballon": "balloon",
    "stimulateur": "stimulator pacemaker",
    "gelule": "capsule",
    "comprime": "tablet",
    "injectable": "injection",
    "reactif": "reagent",
    "bandelette": "strip",
    "test": "test",
    "poignee": "handle",
    "lit": "bed",
    "matelas": "mattress",
    "couche": "diaper",
    "chirurgical": "surgical",
    "hypodermique": "hypodermic",
    "ponction": "puncture",
    "lombaire": "spinal lumbar",
    "urinaire": "urinary",
    "vesicale": "bladder urinary",
    "aspiration": "suction",
    "gastrique": "gastric",
    "rectale": "rectal",
    "dentaire": "dental",
    "sterile": "sterile",
    "nonsterile": "nonsterile",
    "examen": "examination",
    "usage": "use",
    "unique": "single",
    "jetable": "disposable",
    "endotracheale": "endotracheal tracheal",
    "intubation": "intubation",
    "oxygene": "oxygen",
    "catheter": "catheter",
    "microperfuseur": "infusion butterfly",
    "prolongateur": "extension",
    "robinets": "stopcock",
    "alese": "underpad",
    "film": "film",
    "radiologique": "radiographic",
    "platre": "plaster cast",
    "abaisse": "depressor",
    "langue": "tongue",
    "thermometre": "thermometer",
    "stethoscope": "stethoscope",
    "tensiometre": "sphygmomanometer",
    "ecouvillon": "swab",
    "embout": "tip",
    "pipette": "pipette",
    "lancette": "lancet",
    "collecteur": "collector container",
    "urine": "urine",
    "sang": "blood",
    "chambre": "chamber port",
    "implantable": "implantable",
    "cupule": "cup",
    "tige": "stem",
    "genou": "knee",
    "hanche": "hip",
    "rachis": "spinal",
    "os": "bone",
    "ciment": "cement",
    "panier": "basket container",
    "couvercle": "lid cover",
    "plateau": "tray",
    "boite": "box container",
    "conteneur": "container",
    "gabarit": "template gauge",
    "rape": "rasp",
    "rugine": "raspatory elevator",
    "cale": "spacer wedge",
    "spatule": "spatula",
    "essai": "trial",
    "essais": "trial",
    "impacteur": "impactor",
    "ancillaire": "instrument",
    "instrument": "instrument",
    "guide": "guide",
    "coupe": "cutting",
    "fraise": "bur reamer",
    "foret": "drill",
    "alesoir": "reamer",
    "mandrin": "chuck",
    "tournevis": "screwdriver",
    "extracteur": "extractor",
    "viseur": "aiming guide",
    "bouchon": "cap",
    "manche": "handle",
    "insert": "insert",
    "bande": "bandage",
    "orthese": "orthosis brace",
    "genouillere": "knee brace",
    "ceinture": "belt",
    "collier": "collar",
    "minerve": "cervical collar",
    "chaussure": "shoe",
    "semelle": "insole",
    "coussin": "cushion",
    "bas": "stocking",
    "contention": "compression",
    "nettoyant": "cleaner",
    "desinfectant": "disinfectant",
    "solution": "solution",
    "pulverisateur": "spray",
    "nasal": "nasal",
    "oculaire": "eye ocular",
    "auditive": "hearing",
    "prothese": "prosthesis",
    "fauteuil": "wheelchair chair",
    "deambulateur": "walker",
    "canne": "cane stick",
    "bequille": "crutch",
    "brancard": "stretcher",
    "chariot": "trolley cart",
    "seau": "bucket",
    "tabouret": "stool",
    "table": "table",
    "lampe": "lamp",
    "moniteur": "monitor",
    "capteur": "sensor",
    "cable": "cable",
    "pompe": "pump",
    "aspirateur": "aspirator suction",
    "ventilateur": "ventilator",
    "nebuliseur": "nebuliser",
    "humidificateur": "humidifier",
    "reactifs": "reagents",
    "calibrateur": "calibrator",
    "controle": "control",
    "diluant": "diluent",
    "tampon": "buffer",
    "colonne": "column",
    "milieu": "medium",
    "culture": "culture",
    "lame": "blade slide",
}


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


@lru_cache(maxsize=200_000)
def normalise(text: str) -> str:
    """Folded, abbreviations expanded, packaging counts dropped, sizes kept together. Idempotent."""
    folded = fold(text)
    if not folded:
        return ""
    folded = _PUNCTUATION.sub(" ", folded)
    for pattern, replacement in _PHRASES:
        folded = pattern.sub(replacement, folded)
    folded = _SIZE_SLASH.sub(r"\1/\2", folded)
    folded = _LOOSE_DOT.sub(" ", folded)
    folded = _LOOSE_DASH.sub(" ", folded)
    folded = _LOOSE_SLASH.sub(" ", folded)
    folded = _TIMES.sub(r"\1 x \2", folded)
    words = []
    for word in folded.split():
        words.append(_ABBREVIATIONS.get(word, word))
    out = " ".join(words)
    if out != folded.strip():  # an expansion can make a new phrase ("u.u" was handled, "p/" too): settle
        out = _SPACES.sub(" ", out)
    return out.strip()


def dense_text(text: str) -> str:
    """What the dense model reads: `normalise(text)` followed, for French device words, by the English words
    of the nomenclatures in brackets ("aiguille hypodermique (needle hypodermic)"): the small multilingual
    model links French and English far better with the hint."""
    normalised = normalise(text)
    glosses: dict[str, None] = {}
    for word in normalised.split():
        gloss = GLOSSARY.get(word) or GLOSSARY.get(_strip_plural(word))
        if gloss and gloss != word and gloss != _strip_plural(word):
            glosses.setdefault(gloss, None)
    return f"{normalised} ({' '.join(glosses)})" if glosses else normalised


def _is_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    if _is_arabic(word):
        return _stemmer("arabic").stemWord(word)
    if not word.isalpha():
        return word
    return _stemmer("english").stemWord(_stemmer("french").stemWord(word))


def _base_words(normalised: str) -> list[str]:
    """Words with sizes joined: "38 x 7/10" → "38x7/10", "10 ml" → "10ml", "non sterile" → "nonsterile"."""
    joined = _NUMBER_UNIT.sub(r"\1\2", normalised)
    joined = re.sub(r"(\d) x (\d)", r"\1x\2", joined)
    joined = _GAUGE_AFTER.sub(r"g\1", joined)
    words = joined.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else ""
        if word in {"non", "sans", "not", "without"} and following.startswith(("steril", "latex", "poudr", "powder")):
            out.append(word[:3] + following)
            i += 2
            continue
        if word in {"g", "charriere", "french", "gauge"} and following.isdigit():
            out.append(word[0] + following)
            i += 2
            continue
        if word == "taille" and following:
            out.append("taille" + following)
            i += 2
            continue
        out.append(word)
        i += 1
    return out


def _strip_plural(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@lru_cache(maxsize=200_000)
def _tokens(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for word in _base_words(normalise(text)):
        if word in STOP_WORDS or len(word) == 1 and not word.isdigit():
            continue
        if word.replace(".", "").replace(",", "").isdigit() and len(word) > 6:
            continue  # reference numbers, GTINs
        out.append(_stem(word))
        gloss = GLOSSARY.get(word) or GLOSSARY.get(_strip_plural(word))
        if gloss:
            out.extend(_stem(g) for g in gloss.split() if _stem(g) != out[-1])
    return tuple(out)


def tokens(text: str) -> list[str]:
    """The lexical tokens of a text (see the module's docstring)."""
    return list(_tokens(text or ""))
