"""Pure loaders of the reference nomenclatures for the engine and the command line (no database): the EMDN
and CPV files shipped under data/reference (see their PROVENANCE.md)."""

from __future__ import annotations

import csv
from pathlib import Path

from tawrid.nomenclature.codes import emdn_parent

__all__ = ["emdn_parent", "load_cpv", "load_emdn"]

EMDN_FILE = "emdn/emdn_v2_en.csv"
CPV_FILE = "cpv/cpv2008_en_fr_it.csv"


def load_emdn(path: Path | str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(code, term) rows and the parent of each code, from `emdn_v2_en.csv`."""
    terms: list[tuple[str, str]] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code, term = (row.get("code") or "").strip(), (row.get("term") or "").strip()
            if code and term:
                terms.append((code, term))
    codes = {c for c, _ in terms}
    parents = {c: p for c, _ in terms if (p := emdn_parent(c)) and p in codes}
    return terms, parents


def load_cpv(path: Path | str, *, division: str = "33") -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(code, "French label / English label") rows of the CPV main vocabulary (by default division 33,
    medical equipment and pharmaceuticals) and the parent of each code."""
    terms: list[tuple[str, str]] = []
    parents: dict[str, str] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("code") or "").strip()
            if not code or row.get("type") != "1" or (division and not code.startswith(division)):
                continue
            label = " / ".join(x for x in ((row.get("name_fr") or "").strip(), (row.get("name_en") or "").strip()) if x)
            terms.append((code, label))
            if row.get("parent"):
                parents[code] = row["parent"].strip()
    codes = {c for c, _ in terms}
    return terms, {c: p for c, p in parents.items() if p in codes}
