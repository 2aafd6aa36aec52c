"""Benchmark of the designation parser (run by `tawrid bench`) on 50,000 real hospital lines."""

import csv
from pathlib import Path

from tawrid.core.bench import Figure, benchmark, stopwatch
from tawrid.core.text import fold
from tawrid.specs import parse_designation

HOSPITAL_LINES = Path(__file__).resolve().parent / "tests" / "data" / "hospital_lines_dz.csv"


@benchmark("specifications")
def designation_parsing() -> list[Figure]:
    with HOSPITAL_LINES.open(encoding="utf-8") as handle:
        lines = [row["designation"] for row in csv.DictReader(handle)]
    batch = (lines * (50_000 // len(lines) + 1))[:50_000]
    with stopwatch() as folding:
        for text in batch:
            fold(text)
    with stopwatch() as parsing:
        found = sum(1 for text in batch if parse_designation(text))
    return [
        Figure(
            "specifications",
            "designations parsed (50,000 real hospital lines, scaled)",
            len(batch) / parsing[0],
            len(batch) / folding[0],
            "lines/s",
            "accent/case folding alone",
        ),
        Figure("specifications", "share of lines yielding at least one attribute", 100 * found / len(batch), None, "%"),
    ]
