"""The messy plan of the journey test (tests/browser/test_journey.py): 25 real designations of the Consommables
category of an Algerian hospital's list (tawrid/specs/tests/data/hospital_lines_dz.csv) — needles, syringes,
gloves, compresses, Foley catheters — laid out the way hospital files arrive: a notes sheet, a merged title,
a second title row, the header on row 4, French numbers, an empty row and a subtotal, and no EMDN column."""

from pathlib import Path

from tawrid.imports.tests.files import xlsx

HEADER = ["N°", "Code article", "Désignation", "Qté", "Unité", "PU estimé"]

# (code article, designation, quantity, unit, estimated unit price) — quantities in boxes are whole numbers.
LINES: list[tuple[str, str, str, str, str]] = [
    ("14185", "AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 25 X 8 / 10 G 21", "1 200", "B/100", "35,50"),
    ("10143", "AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 30 X 6 / 10 G 23", "800", "B/100", "36,00"),
    ("12926", "AIGUILLE JETABLE 40 X 8 / 10 21 GX 1 1 / 2", "650", "B/100", "34,00"),
    ("11376", "AIGUILLE JETABLE 40 X 9 / 10 20 GX 1 1 / 2", "500", "B/100", "34,00"),
    ("14433", "AIGUILLE JETABLE 25 X 5 / 10 25 GX 1", "300", "B/100", "33,00"),
    ("4103", "SERINGUE JETABLE 5ML", "2 500", "B/1", "0,90"),
    ("4104", "SERINGUE JETABLE 10ML", "1 800", "B/1", "1,10"),
    ("4156", "SERINGUE JETABLE 20ML", "900", "B/1", "1,60"),
    ("4053", "SERINGUE JETABLE A INSULINE 100 UI", "1 000", "B/1", "1,20"),
    ("14423", "SERINGUE 50 ML LUER LOCK", "400", "B/1", "4,50"),
    ("14942", "GANT CHIRURGICAL STERILE EN LATEX T7", "3 000", "B/1", "3,20"),
    ("14943", "GANT CHIRURGICAL STERILE EN LATEX T7.5", "3 500", "B/1", "3,20"),
    ("14944", "GANT CHIRURGICAL STERILE EN LATEX T8", "2 000", "B/1", "3,20"),
    ("27119", "GANT D'EXAMEN EN LATEX N/STERILE MOYEN", "900", "B/100", "45,00"),
    ("27120", "GANT D'EXAMEN EN LATEX N/STERILE GRAND", "700", "B/100", "45,00"),
    ("40980", "COMPRESSE STERILE 10 CMX 10 CM", "1 500", "B/100", "28,00"),
    ("40979", "COMPRESSE STERILE 5 CMX 5 CM", "600", "B/100", "18,00"),
    ("40868", "COMPRESSE PURIFIEE 10 X 10 CM", "1 100", "B/100", "22,50"),
    ("40864", "COMPRESSE PURIFIEE 5 X 5 CM", "400", "B/100", "14,00"),
    ("12286", "SONDE DE FOLEY 2 VOIES A / B P / F CH 16", "250", "B/1", "7,40"),
    ("12276", "SONDE DE FOLEY 2 VOIES A / B P / H  CH 16", "300", "B/1", "7,40"),
    ("12277", "SONDE DE FOLEY 2 VOIES A / B P / H  CH 18", "300", "B/1", "7,40"),
    ("13085", "SONDE DE FOLEY 3 VOIES P / IRRIGATION CH 16", "120", "B/1", "12,00"),
    ("12291", "SONDE DE FOLEY 2 VOIES A / B P / ENF CH 10", "80", "B/1", "7,90"),
    ("4037", "BANDE DE CREPE 4 MX 10 CM", "1 200", "B/1", "4,20"),
]


def messy_plan(directory: Path, year: int) -> Path:
    """The workbook, written under `directory`; an empty row and a subtotal row split the lines in two."""
    rows: list[list[object]] = []
    for number, (code, designation, quantity, unit, price) in enumerate(LINES, start=1):
        rows.append([number, code, designation, quantity, unit, price])
        if number == 10:
            rows.append([None] * len(HEADER))
            rows.append([None, "SOUS-TOTAL SERINGUES ET AIGUILLES", None, "10 050", None, None])
    workbook = xlsx(
        {
            "Notes": [["Plan annuel des achats locaux"], ["Remplir la feuille Besoins, une ligne par article."]],
            "Besoins": [
                [f"GROUPE SANTÉ ATLAS — PLAN ANNUEL D'ACHATS {year} — CONSOMMABLES"],
                ["Direction des achats", None, None, None, None, f"Édité le 05/10/{year - 1}"],
                [],
                HEADER,
                *rows,
            ],
        },
        merge={"Besoins": ["A1:F1"]},
    )
    path = directory / f"plan consommables {year}.xlsx"
    path.write_bytes(workbook)
    return path
