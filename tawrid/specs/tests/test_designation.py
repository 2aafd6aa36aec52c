"""parse_designation on the brief's examples, on a hand-checked sample of real hospital lines and, for
properties that must hold everywhere, on all 1,670 lines of tests/data/hospital_lines_dz.csv."""

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tawrid.specs import ATTRIBUTES, AttributeKind, gauge_outer_diameter, parse_designation

DATA = Path(__file__).parent / "data" / "hospital_lines_dz.csv"


def attrs(text: str) -> dict[str, object]:
    values = parse_designation(text)
    keys = [v.attribute for v in values]
    assert len(keys) == len(set(keys)), f"an attribute came out twice: {keys}"
    return {v.attribute: v.value for v in values}


@pytest.fixture(scope="module")
def hospital_lines() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 25 X 8 / 10 G 21",
            {"needle_length": 25.0, "outer_diameter": 0.8, "gauge": 21.0, "sterile": True, "single_use": True},
        ),
        ("SERINGUE 5 ML 3 PIECES", {"volume": 5.0, "pieces": 3.0}),
        ("SONDE DE FOLEY CH 16", {"french_size": 16.0}),
        ("FIL RESORBABLE 4/0", {"suture_size": "4/0", "absorbable": True}),
        (
            "GANTS D'EXAMEN NITRILE NON POUDRES T M",
            {"material": "nitrile", "powder_free": True, "glove_size": "M"},
        ),
        ("COMPRESSE DE GAZE 10 X 10 CM 12 PLIS", {"length": 100.0, "width": 100.0, "plies": 12.0}),
        ("CATHETER IV G22", {"gauge": 22.0}),
        ("POCHE A URINE 2L", {"volume": 2000.0}),
        ("U.U.", {"single_use": True}),
        ("NON STERILE", {"sterile": False}),
        ("SANS LATEX", {"latex_free": True}),
        # lower case, accents and typographic apostrophes are read the same way
        (
            "Gants d’examen nitrile non poudrés taille M",
            {"material": "nitrile", "powder_free": True, "glove_size": "M"},
        ),
        ("Sonde de Foley 18 Fr stérile", {"french_size": 18.0, "sterile": True}),
        (
            "Seringue 10 cc Luer-Lock stérile usage unique",
            {"volume": 10.0, "connector": "luer_lock", "sterile": True, "single_use": True},
        ),
        ("Fil de suture USP 3-0 non résorbable", {"suture_size": "3/0", "absorbable": False}),
        ("GANTS EN VINYLE POUDRES T L", {"material": "vinyl", "powder_free": False, "glove_size": "L"}),
        ("CANULE 21G", {"gauge": 21.0}),
        ("SONDE D'ASPIRATION SANS PVC CH 12", {"french_size": 12.0}),  # "SANS PVC" is not a material
    ],
)
def test_brief_examples(text, expected):
    assert attrs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # nothing a product can be matched on: nothing extracted
        ("ABAISSE LANGUE", {}),
        ("PARACETAMOL 500 MG CP", {}),
        ("AMOXICILLINE INJ 1 G", {}),  # a dose in grams is not a weight, a "1 G" is not a gauge
        ("FILM CONVENTIONNEL 18 X 24 GAMME BLEUE", {}),  # no unit, no guess
        ("SONDE RECTALE CH 21 - 22", {}),  # a range is not one size
        ("POCHE A URINE ENFANT 150 - 200 ML", {}),
        ("LIDOCAINE VISQUEUSE GEL 2G%", {}),
        ("PARACETAMOL INJ 10MG/ML 100ML", {"volume": 100.0}),  # the denominator "/ML" is not read
        ("SIROP 250 MG / 5 ML", {}),
        ("GANTS T M", {"glove_size": "M"}),
        ("T M", {}),  # a glove size only on gloves
        ("FIL 4/0", {"suture_size": "4/0"}),
        ("DATE 4/0", {}),  # a suture size only on sutures
        ("COTON 21 G", {"material": "cotton", "weight": 21.0}),  # grams on cotton, not a gauge
        ("SERINGUE 2 ML 2 ML", {"volume": 2.0}),  # the same value twice is one value
        ("SERINGUE 2 ML 5 ML", {}),
        ("SERINGUE 0 ML", {}),
        ("GAZ STERILISANT AMPROLENE AN 79", {}),
        ("SACHET DE STERILISATION 10 X 20 CM", {"length": 200.0, "width": 100.0}),
        ("CHAMP OPERATOIRE STERILISE", {"sterile": True}),
        ("POCHE AVEC FILTRE 4/0", {}),  # "filtre" is not "fil": no suture context
        ("PLAQUE EN POLYPROPYLENE 30 MM", {"material": "polypropylene", "length": 30.0}),  # not a needle length
        ("FIL POLYPROPYLENE 30 MM", {"material": "polypropylene", "needle_length": 30.0}),  # a suture's needle
        ("COMPRESSE DE GAZE 500 G", {"weight": 500.0}),
        ("HYDROXYETHYLCELLULOSE GEL UNIDOSE 0.5G", {}),  # two different volumes: ambiguous, dropped
        ("GANTS LATEX NITRILE", {}),  # two materials: ambiguous, dropped
        ("", {}),
        ("   ", {}),
    ],
)
def test_conservative(text, expected):
    assert attrs(text) == expected


# Real lines of the fixture, each checked by hand against what the line says.
SAMPLE: dict[str, dict[str, object]] = {
    "AIGUILLE A / PONCTION LOMBAIRE 38 X 7 / 10 G 22": {"needle_length": 38.0, "outer_diameter": 0.7, "gauge": 22.0},
    "AIGUILLE A / PONCTION LOMBAIRE 90 X 11 / 10 G 19": {"needle_length": 90.0, "outer_diameter": 1.1, "gauge": 19.0},
    "AIGUILLE A PLATEAU P / PRELEVEMENT DE SANG G 21": {"gauge": 21.0},
    "AIGUILLE DE HUBER COURBEE 22G 20MM": {"gauge": 22.0, "needle_length": 20.0},
    "AIGUILLE DE HUBER DROITE G 20 25 MM": {"gauge": 20.0, "needle_length": 25.0},
    "AIGUILLE DE NEUROSTIMULATION  L 100 MM": {"needle_length": 100.0},
    "AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 30 X 6 / 10 G 23": {
        "sterile": True,
        "single_use": True,
        "needle_length": 30.0,
        "outer_diameter": 0.6,
        "gauge": 23.0,
    },
    "AIGUILLE JETABLE 16 X 5 / 10 25 GX 5 / 8": {
        "single_use": True,
        "needle_length": 16.0,
        "outer_diameter": 0.5,
        "gauge": 25.0,
    },
    "AIGUILLE JETABLE 40 X 8 / 10 21 GX 1 1 / 2": {
        "single_use": True,
        "needle_length": 40.0,
        "outer_diameter": 0.8,
        "gauge": 21.0,
    },
    "AIGUILLE P / PONCTION LOMBAIRE G 27": {"gauge": 27.0},
    "BALLON D ' ANGIOPLASTIE  2.5 X 15": {"outer_diameter": 2.5, "length": 15.0},
    "BALLON D ' ANGIOPLASTIE 4X 10": {"outer_diameter": 4.0, "length": 10.0},
    "BANDE A GAZE 4 CM X 10 CM": {"length": 100.0, "width": 40.0},
    "BANDE A GAZE 6 CMX 4 M": {"length": 4000.0, "width": 60.0},
    "BANDE DE CREPE 4 MX 15 CM": {"length": 4000.0, "width": 150.0},
    "BANDE PLATREE 3 MX 20 CM": {"length": 3000.0, "width": 200.0},
    "CANULE DE GUEDEL ADULTE N ° 4": {},
    "CANULE TRACHEOTOMIE A / B BASSE PRESSION CH 30": {"french_size": 30.0},
    "CATHETER  CENTRAL BILUMIERE  CH14  L15": {"french_size": 14.0},
    "CATHETER  MONOLUMIERE   CENTRAL  G14  L18CM": {"gauge": 14.0, "length": 180.0},
    "CATHETER BILUMIERE P/DIALY LG 150MM CH10": {"length": 150.0, "french_size": 10.0},
    "CATHETER COURT A AILETTES A/SITE D'INJECTION G16": {"gauge": 16.0},
    "CATHETER P / EMBOLECTOMIE ( FOGARTY ) CH 02": {"french_size": 2.0},
    "COLLECTEUR P / URINES 2 L + TUBE DECOULEMENT VALVE ANTI - RETOUR": {"volume": 2000.0},
    "COMPRESSE PURIFIEE 7 . 5 X 7 . 5 CM": {"length": 75.0, "width": 75.0},
    "COMPRESSE STERILE 10 CMX 10 CM": {"sterile": True, "length": 100.0, "width": 100.0},
    "COMPRESSE STERILE 7 . 5 X 7 . 5 ( 30 X 30 )": {"sterile": True},
    "COTON HYDROPHILE P / 1 KG": {"material": "cotton", "weight": 1000.0},
    "DRAIN DE KHER LATEX CH 16": {"material": "latex", "french_size": 16.0},
    "DRAIN TRANSCYSTIQUE 10 X 8  L/40 CM": {"length": 400.0},
    "EXTRACTEUR DE CALCULS  4FILS HELICOIDAUX CH 2.5 L/90CM": {"french_size": 2.5, "length": 900.0},
    "FIL RESORBABLE TRESSE 0 AR 30 MM": {"absorbable": True, "suture_size": "0", "needle_length": 30.0},
    "FIL RESORBABLE TRESSE 1 250 BOBINE": {"absorbable": True, "suture_size": "1"},
    "FIL RESORBABLE TRESSE 2 / 0 AR 36 - 37 MM": {"absorbable": True, "suture_size": "2/0"},
    "FIL RESORBABLE TRESSE 3/0 AR 36MM": {"absorbable": True, "suture_size": "3/0", "needle_length": 36.0},
    "FIL RESORBABLE 6/0 SPATULEE 8MM 2AIG": {"absorbable": True, "suture_size": "6/0", "needle_length": 8.0},
    "GANT CHIRURGICAL STERILE EN LATEX T7.5": {"sterile": True, "material": "latex", "glove_size": "7.5"},
    "GANT D'EXAMEN EN LATEX N/STERILE GRAND": {"material": "latex", "sterile": False, "glove_size": "L"},
    "GANT D'EXAMEN EN LATEX N/STERILE PETIT": {"material": "latex", "sterile": False, "glove_size": "S"},
    "GAZE HYDROPHILE 0.6 X 100M": {"length": 100000.0, "width": 600.0},
    "KIT POUR BIOPSIE RENAL G18": {"gauge": 18.0},
    "MICROPERFUSEUR G 23": {"gauge": 23.0},
    "MONOFIL RESORBABLE EN POLYDIOXANONE 4/0 AR 17MM 2AIG": {
        "absorbable": True,
        "suture_size": "4/0",
        "needle_length": 17.0,
    },
    "PANSEMENT ADHESIF ( MICROPORE ) 5M X 2.5CM": {"length": 5000.0, "width": 25.0},
    "POCHE P / COLOSTOMIE MONO PIECE DECOUPABLE D 20 A 70 MM": {},
    "POLYAMIDE MONOFIL 10 / 0 COBRA 6 . 6 MM 2 AIG": {
        "material": "polyamide",
        "suture_size": "10/0",
        "needle_length": 6.6,
    },
    "POLYPROPYLENE MONOFIL 4 / 0 AR 22 MM 3 / 8 C 2AIG": {
        "material": "polypropylene",
        "suture_size": "4/0",
        "needle_length": 22.0,
    },
    "PROLONGATEUR POLY D . INT / 2 . 5 MM L / 100 CM MF LUER LOCK": {
        "inner_diameter": 2.5,
        "length": 1000.0,
        "connector": "luer_lock",
    },
    "RUBAN NYLON LONG 6 MM X 70 CM": {"material": "polyamide", "length": 700.0, "width": 6.0},
    "SERINGUE 50 ML LUER LOCK": {"volume": 50.0, "connector": "luer_lock"},
    "SERINGUE JETABLE 2.5ML/3ML": {"single_use": True},
    "SERINGUE JETABLE SOUS CUTANEE 2.5 ML G 25": {"single_use": True, "volume": 2.5, "gauge": 25.0},
    "SOIE NOIRE  4/0AR 18 MM": {"material": "silk", "suture_size": "4/0", "needle_length": 18.0},
    "SOIE NOIRE 0 TAPER 26 MM": {"material": "silk", "suture_size": "0", "needle_length": 26.0},
    "SONDE ALIMENTATION / GAVAGE PVC CH 08 LG 40 CM": {"material": "pvc", "french_size": 8.0, "length": 400.0},
    "SONDE A OXYGENE CH 12 LONG 40CM": {"french_size": 12.0, "length": 400.0},
    "SONDE DOUBLE J CH 4.8 L / 12 CM": {"french_size": 4.8, "length": 120.0},
    "SONDE ENDOTRACHEALE A / B 7 . 5 MM": {"inner_diameter": 7.5},
    "SONDE ENDOTRACHEALE A / B N ° 3": {"inner_diameter": 3.0},
    "SONDE ENDOTRACHEALE ARMEE A/B N°2.5": {"inner_diameter": 2.5},
    "SONDE ENDOTRACHEALE ARMEE N ° 4 . 5": {"inner_diameter": 4.5},
    "CANULE DE GUEDEL PEDIATRIQUE N ° 00": {},  # a Guedel number is not a diameter
    "ROBINET A 3 V LU LOCK": {"connector": "luer_lock"},
    "LAME POUR BISTOURI N 11": {},
    "VALVE CARDIAQUE BIOPROTHESE AORTIQUE N°21": {},
    "SONDE PROSTATIQUE A / B 3 VOIES 50 - 75 ML CH 20": {"french_size": 20.0},
    "STENT ACTIF 2.75 X 22 MM": {"outer_diameter": 2.75, "length": 22.0},
    "TROCART P/BIOPSIE OSSEUSE G8X15CM": {"gauge": 8.0, "needle_length": 150.0},
    "TROCART P/PONCTION DE MOELLE/ G16 REGLABLE 2 A 5 CM": {"gauge": 16.0},
    "TUBE A HEMOLYSE ( A ESSAIS ) EN VERRE FOND ROND 75 X 12 X 0 . 6 MM 5 CC": {"material": "glass", "volume": 5.0},
    "TUBE SEC EN PLASTIQUE 10 CC AVEC BOUCHON": {"volume": 10.0},
    "AIGUILLES DENTAIRES SILICONEES DIAM 0,4 LONG 23MM": {"outer_diameter": 0.4, "needle_length": 23.0},
    "GLUCOSE INJ 5%    FL /500ML    SANS PVC POUR UCC": {"volume": 500.0},
    "SODIUM CHLORURE INJ 0 . 9 % 1 L": {"volume": 1000.0},
    "SOLUTION DP AUTOMATISEE 15 G / L(1.50%) P/ 5 L+BOUCHON BETADINE": {"volume": 5000.0},
    "IMMUNOGLOBULINE HUMAINE POLYVALENTE INJ 10-12G": {},
    "CYCLOPHOSPHAMIDE INJ 1G": {},
    "FEREDETATE DE SODIUM SIROP 4.75G/100ML": {},
    "PEGINTERFERON ALFA-2A INJ SC 180µG/0.5ML": {},
    "HUILE DE SILICONE 5700 INJ 10ML": {"volume": 10.0},
}


def test_sample_is_from_the_fixture(hospital_lines):
    designations = {row["designation"] for row in hospital_lines}
    assert len(SAMPLE) >= 40
    missing = [text for text in SAMPLE if text not in designations]
    assert not missing


@pytest.mark.parametrize(("text", "expected"), list(SAMPLE.items()))
def test_hand_checked_sample(text, expected):
    assert attrs(text) == expected


def test_every_line_parses_sensibly(hospital_lines):
    assert len(hospital_lines) == 1670
    read = 0
    for row in hospital_lines:
        values = parse_designation(row["designation"])
        read += bool(values)
        seen = set()
        for value in values:
            assert value.attribute in ATTRIBUTES
            assert value.attribute not in seen
            seen.add(value.attribute)
            definition = ATTRIBUTES[value.attribute]
            if definition.kind is AttributeKind.QUANTITY:
                assert isinstance(value.value, float)
                assert value.value > 0, row
                assert definition.minimum is None or value.value >= definition.minimum
                assert definition.maximum is None or value.value <= definition.maximum
            if value.attribute == "gauge":
                assert 7 <= value.value <= 34
            if value.attribute == "volume":
                assert 0 < value.value <= 25_000  # ml: nothing in a hospital order is bigger than a 25 l can
            if value.attribute in ("outer_diameter", "inner_diameter"):
                assert 0 < value.value <= 50  # mm
            if value.attribute == "french_size":
                assert 2 <= value.value <= 40
            assert value.raw, value
    # A third of the lines are devices with sizes; medicines mostly say nothing we read.
    assert read >= 530


def test_gauge_and_diameter_agree_with_iso_9626(hospital_lines):
    """Where a line gives both a gauge and a diameter in tenths of mm, they agree with the ISO 9626 table:
    a check of the table and of the parser against each other on real data."""
    checked = 0
    for row in hospital_lines:
        found = attrs(row["designation"])
        if "gauge" in found and "outer_diameter" in found:
            span = gauge_outer_diameter(float(found["gauge"]))  # type: ignore[arg-type]
            assert span is not None
            assert span[0] - 0.05 <= float(found["outer_diameter"]) <= span[1] + 0.05, row  # type: ignore[arg-type]
            checked += 1
    assert checked >= 10


@given(st.text(max_size=80) | st.from_regex(r"[A-Z0-9 /,.X-]{0,60}", fullmatch=True))
def test_any_text_parses_without_error(text):
    for value in parse_designation(text):
        definition = ATTRIBUTES[value.attribute]
        if definition.kind is AttributeKind.QUANTITY:
            assert value.value > 0
            assert definition.maximum is None or value.value <= definition.maximum
