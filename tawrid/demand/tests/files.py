"""Hospital plan files the way they arrive: titles and merged cells above the header, a notes sheet, the
designation split over two columns, French numbers, subtotals, empty rows, prices with "DH"."""

from collections.abc import Sequence
from typing import Any

from tawrid.imports.tests.files import csv_bytes, xlsx

HEADER = ["N°", "Code article", "Désignation", "Suite désignation", "Qté", "Unité", "PU estimé", "Livraison"]

GOOD_ROWS: list[list[Any]] = [
    [
        1,
        "AIG-21",
        "AIGUILLE HYPODERMIQUE STERILE",
        "A USAGE UNIQUE 25 X 8 / 10 G 21",
        "1 200",
        "B/100",
        "35,50",
        "T1; T3",
    ],
    [2, "SER-05", "SERINGUE 3 PIECES LUER LOCK 5 ML", None, "2 500", "B/100", "48 DH", "T2: 2000; T4: 500"],
    [None, None, None, None, None, None, None, None],
    [None, "SOUS-TOTAL CONSOMMABLES", None, None, "3 700", None, None, None],
    [3, None, "COMPRESSE DE GAZE HYDROPHILE 10 X 10 STERILE", None, 400, "PQT/10", 12.5, None],
    [4, "SOL-01", "SOLUTION HYDRO-ALCOOLIQUE", None, "60", "FL/1L", "1 234,50", "janvier=30, juin=30"],
]


def plan_workbook(rows: Sequence[Sequence[Any]] | None = None) -> bytes:
    return xlsx(
        {
            "Instructions": [["Plan annuel des achats locaux"], ["Remplir la feuille Besoins."]],
            "Besoins": [
                ["GROUPE SANTÉ ATLAS — PLAN ANNUEL D'ACHATS LOCAUX 2026"],
                ["Direction des achats", None, None, None, None, None, "Édité le 05/01/2026"],
                [],
                HEADER,
                *(rows if rows is not None else GOOD_ROWS),
            ],
        },
        merge={"Besoins": ["A1:H1", "A2:F2"]},
    )


def plan_csv_cp1252() -> bytes:
    rows = [
        ["Référence", "Libellé", "Quantité", "Conditionnement", "Prix unitaire"],
        ["GNT-7", "GANT D'EXAMEN NON STÉRILE SANS LATEX TAILLE 7", "1 000", "BTE/100", "45,00"],
        ["SND-16", "SONDE DE FOLEY CH 16 STÉRILE", "250", "U", "6,80"],
    ]
    return csv_bytes(rows, encoding="cp1252")
