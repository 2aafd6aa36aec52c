"""Benchmarks of the nomenclatures (run by `tawrid bench`): loading and searching, each beside a baseline."""

import random

from django.conf import settings
from django.db import transaction

from tawrid.core.bench import Figure, benchmark, percentiles_ms, stopwatch
from tawrid.core.text import fold, search_terms
from tawrid.nomenclature import selectors, services
from tawrid.nomenclature.models import CpvCode, EmdnCode

QUERIES = [
    "aiguille",
    "needles",
    "hypodermic",
    "pansements adhesifs",
    "seringue",
    "gants",
    "catheter",
    "suture",
    "sonde urinaire",
    "compresses",
    "ventilateur",
    "orthopaedic",
    "dental",
    "implant",
    "A0101",
    "3314",
    "bandages",
    "masques",
    "stérilisation",
    "lit médical",
    "wound dressings",
    "infusion",
    "blood",
    "test",
]


def _delete_emdn() -> None:
    with transaction.atomic():
        for level in range(7, 0, -1):  # children first: parents are protected
            EmdnCode.objects.filter(level=level).delete()


@benchmark("nomenclatures")
def nomenclature_benchmarks() -> list[Figure]:
    figures: list[Figure] = []

    with stopwatch() as first_load:
        services.reference_load()
    with stopwatch() as unchanged:
        services.reference_load()
    with stopwatch() as forced:
        services.reference_load(force=True)
    figures += [
        Figure(
            "nomenclatures", "first load of EMDN, CPV, HS (+ concordances), FDA: 96 k rows", first_load[0], None, "s"
        ),
        Figure(
            "nomenclatures",
            "re-run with unchanged files (what `make demo` does)",
            unchanged[0],
            forced[0],
            "s",
            "forced reload",
        ),
    ]

    # EMDN through the bulk loader against the same rows written one by one with the ORM.
    parsed = services._parse_emdn(
        {services.FILES["emdn"][0]: (settings.REFERENCE_DATA_DIR / "emdn/emdn_v2_en.csv").read_bytes()}
    )
    rows = parsed["codes"]
    _delete_emdn()
    with stopwatch() as bulk:
        services.reference_load(which=["emdn"], force=True)
    _delete_emdn()
    with stopwatch() as one_by_one, transaction.atomic():
        by_code: dict[str, EmdnCode] = {}
        for code, row in sorted(rows.items(), key=lambda item: item[1]["level"]):
            values = {k: v for k, v in row.items() if not k.startswith("_")}
            by_code[code] = EmdnCode.objects.create(code=code, parent=by_code.get(row["_parent"] or ""), **values)
    _delete_emdn()
    services.reference_load(which=["emdn"], force=True)
    figures.append(
        Figure("nomenclatures", f"EMDN load ({len(rows)} codes)", bulk[0], one_by_one[0], "s", "one ORM insert per row")
    )

    # Search: folded `search_text` column filtered in the database, against folding every label in Python.
    rng = random.Random(7)
    queries = [rng.choice(QUERIES) for _ in range(200)]
    indexed: list[float] = []
    for query in queries:
        with stopwatch() as elapsed:
            list(selectors.search(key="cpv", query=query)[:50])
        indexed.append(elapsed[0])
    naive: list[float] = []
    for query in queries:
        with stopwatch() as elapsed:
            words = search_terms(query)
            hits = [
                code
                for code, fr, en in CpvCode.objects.values_list("code", "label_fr", "label_en")
                if all(word in fold(f"{code} {fr} {en}") for word in words)
            ][:50]
            del hits
        naive.append(elapsed[0])
    p50, p95 = percentiles_ms(indexed)
    base50, base95 = percentiles_ms(naive)
    figures += [
        Figure(
            "nomenclatures", "CPV search (9,454 codes, FR+EN), p50", p50, base50, "ms", "fold every label per query"
        ),
        Figure("nomenclatures", "CPV search, p95", p95, base95, "ms", "fold every label per query"),
    ]
    return figures
