"""Loading the reference nomenclatures from `settings.REFERENCE_DATA_DIR` (all writes of this app are here).

`reference_load` reads and validates every selected file first (a missing file or a wrong header raises a
`DomainError` before anything is written), then writes each nomenclature in one transaction: new codes with
`bulk_create`, changed ones with `bulk_update`, tree levels in order so that each code's parent exists when
it is inserted. Running it twice changes nothing; a file whose digest matches the last load is skipped
unless `force=True`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError
from tawrid.core.jobs import JobContext
from tawrid.core.text import fold
from tawrid.nomenclature.models import (
    CpvCode,
    CpvKind,
    EmdnCode,
    FdaDeviceClass,
    FdaProductCode,
    HsCode,
    HsConcordance,
    HsSection,
    ReferenceDataset,
)

NOMENCLATURES = ("emdn", "cpv", "hs", "fda")
# Bumped when the way files are turned into rows changes, so that `load_reference` reloads unchanged files.
LOADER_VERSION = "1"
BATCH_SIZE = 1000

FILES: dict[str, tuple[str, ...]] = {
    "emdn": ("emdn/emdn_v2_en.csv",),
    "cpv": ("cpv/cpv2008_en_fr_it.csv",),
    "hs": (
        "hs/hs2022_sections.csv",
        "hs/hs2022_harmonized_system.csv",
        "hs/hs_consolidated_comtrade_concordances.csv",
    ),
    "fda": ("fda/fda_product_classification.csv",),
}

HEADERS: dict[str, tuple[str, ...]] = {
    "emdn/emdn_v2_en.csv": ("category", "category_description", "code", "term", "level", "terminal"),
    "cpv/cpv2008_en_fr_it.csv": ("code", "numeric_code", "parent", "type", "name_en", "name_fr", "name_it"),
    "hs/hs2022_sections.csv": ("section", "name"),
    "hs/hs2022_harmonized_system.csv": ("section", "hscode", "description", "parent", "level"),
    "hs/hs_consolidated_comtrade_concordances.csv": ("code.after", "code.before", "Relationship", "adjustment"),
    "fda/fda_product_classification.csv": (
        "REVIEW_PANEL",
        "MEDICALSPECIALTY",
        "PRODUCTCODE",
        "DEVICENAME",
        "DEVICECLASS",
        "REGULATIONNUMBER",
        "SUBMISSION_TYPE_ID",
        "GMPEXEMPTFLAG",
        "THIRDPARTYFLAG",
        "Implant_Flag",
        "Life_Sustain_support_flag",
        "DEFINITION",
    ),
}

# The years of the concordance file's "adjustment" column and the classification each one names.
# From 1992 back, UN Comtrade continues with SITC revisions (5-digit codes, not HS).
REVISIONS: dict[str, str] = {
    "2022": "HS 2022",
    "2017": "HS 2017",
    "2012": "HS 2012",
    "2007": "HS 2007",
    "2002": "HS 2002",
    "1996": "HS 1996",
    "1992": "HS 1992",
    "1988": "SITC Rev. 3",
    "1976": "SITC Rev. 2",
    "1962": "SITC Rev. 1",
}
CPV_KINDS = {"1": CpvKind.SUPPLIES, "2": CpvKind.WORKS, "3": CpvKind.SERVICES}
ROMAN = {
    r: n
    for n, r in enumerate(
        [
            "I",
            "II",
            "III",
            "IV",
            "V",
            "VI",
            "VII",
            "VIII",
            "IX",
            "X",
            "XI",
            "XII",
            "XIII",
            "XIV",
            "XV",
            "XVI",
            "XVII",
            "XVIII",
            "XIX",
            "XX",
            "XXI",
        ],
        start=1,
    )
}

_EMDN_CODE = re.compile(r"^[A-Z]([0-9]{2}){0,6}$")
_CPV_CODE = re.compile(r"^[0-9]{8}-[0-9]$")
_HS_CODE = re.compile(r"^[0-9]{2}([0-9]{2}){0,2}$")
_FDA_CODE = re.compile(r"^[A-Z]{3}$")
_ADJUSTMENT = re.compile(r"^([0-9]{4}) to ([0-9]{4})$")


@dataclass
class LoadResult:
    """What loading one nomenclature did: rows created, updated and left unchanged (per model)."""

    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: bool = False
    seconds: float = 0.0
    details: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, label: str, created: int, updated: int, unchanged: int) -> None:
        self.created += created
        self.updated += updated
        self.unchanged += unchanged
        self.details[label] = {"created": created, "updated": updated, "unchanged": unchanged}

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 2),
            "details": self.details,
        }


class _FileError(DomainError):
    def __init__(self, path: str, line: int | None, problem: str) -> None:
        where = _("%(file)s, line %(line)s") % {"file": path, "line": line} if line else path
        super().__init__(
            _("Reference file %(where)s: %(problem)s") % {"where": where, "problem": problem},
            code="bad_reference_file",
            details={"file": [path]},
        )


# ----------------------------------------------------------------------------------------------- reading


def _read_bytes(data_dir: Path, relative: str) -> bytes:
    path = data_dir / relative
    if not path.is_file():
        raise DomainError(
            _("Reference file missing: %(path)s (see data/reference/README.md).") % {"path": path},
            code="reference_file_missing",
            details={"file": [relative]},
        )
    return path.read_bytes()


def _rows(relative: str, content: bytes) -> Iterable[tuple[int, dict[str, str]]]:
    """The rows of a CSV file as dicts, after checking its header; yields (line number, row)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _FileError(relative, None, _("not UTF-8 text (%(error)s).") % {"error": exc}) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    expected = HEADERS[relative]
    found = tuple(name.strip() for name in (reader.fieldnames or ()))
    if found != expected:
        raise _FileError(
            relative,
            1,
            _("unexpected header %(found)s; expected %(expected)s.")
            % {"found": ", ".join(found) or "—", "expected": ", ".join(expected)},
        )
    for row in reader:
        if None in row or any(value is None for value in row.values()):
            raise _FileError(relative, reader.line_num, _("wrong number of columns."))
        yield reader.line_num, {key: value.strip() for key, value in row.items()}


def _int(relative: str, line: int, value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise _FileError(
            relative, line, _("%(what)s is not a number: %(value)r.") % {"what": what, "value": value}
        ) from None


def _bad(relative: str, line: int, what: str, value: str) -> _FileError:
    return _FileError(relative, line, _("invalid %(what)s: %(value)r.") % {"what": what, "value": value})


def _parse_emdn(files: dict[str, bytes]) -> dict[str, Any]:
    relative = FILES["emdn"][0]
    rows: dict[str, dict[str, Any]] = {}
    for line, row in _rows(relative, files[relative]):
        code, level = row["code"], _int(relative, line, row["level"], "level")
        if not _EMDN_CODE.match(code) or len(code) != 2 * level - 1:
            raise _bad(relative, line, _("code"), code)
        if row["category"] != code[0]:
            raise _bad(relative, line, _("category"), row["category"])
        if row["terminal"] not in ("YES", "NO"):
            raise _bad(relative, line, _("terminal flag"), row["terminal"])
        if not row["term"]:
            raise _bad(relative, line, _("term"), row["term"])
        if code in rows:
            raise _FileError(relative, line, _("code %(code)s appears twice.") % {"code": code})
        rows[code] = {
            "term": row["term"],
            "category": code[0],
            "level": level,
            "is_terminal": row["terminal"] == "YES",
            "search_text": fold(f"{code} {row['term']}"),
            "_parent": None if level == 1 else (code[0] if level == 2 else code[:-2]),
        }
    _check_parents(relative, rows)
    return {"codes": rows}


def _cpv_level(code: str) -> int:
    significant = code[:8].rstrip("0")
    return max(len(significant), 2) - 1


def _parse_cpv(files: dict[str, bytes]) -> dict[str, Any]:
    relative = FILES["cpv"][0]
    rows: dict[str, dict[str, Any]] = {}
    for line, row in _rows(relative, files[relative]):
        code = row["code"]
        if not _CPV_CODE.match(code):
            raise _bad(relative, line, _("code"), code)
        if row["type"] not in CPV_KINDS:
            raise _bad(relative, line, _("type"), row["type"])
        numeric = _int(relative, line, row["numeric_code"], "numeric_code")
        if numeric != int(code[:8]):
            raise _bad(relative, line, _("numeric code"), row["numeric_code"])
        if not (row["name_fr"] and row["name_en"]):
            raise _FileError(relative, line, _("a French and an English label are required."))
        level = _cpv_level(code)
        parent = row["parent"] or None
        if (level == 1) != (parent is None):
            raise _bad(relative, line, _("parent"), row["parent"])
        if code in rows:
            raise _FileError(relative, line, _("code %(code)s appears twice.") % {"code": code})
        rows[code] = {
            "numeric_code": numeric,
            "kind": CPV_KINDS[row["type"]].value,
            "level": level,
            "label_fr": row["name_fr"],
            "label_en": row["name_en"],
            "label_it": row["name_it"],
            "search_text": fold(f"{code} {row['name_fr']} {row['name_en']}"),
            "_parent": parent,
        }
    _check_parents(relative, rows)
    return {"codes": rows}


def _parse_hs(files: dict[str, bytes]) -> dict[str, Any]:
    sections_file, codes_file, concordance_file = FILES["hs"]
    sections: dict[str, dict[str, Any]] = {}
    for line, row in _rows(sections_file, files[sections_file]):
        roman = row["section"]
        if roman not in ROMAN or roman in sections:
            raise _bad(sections_file, line, _("section"), roman)
        sections[roman] = {"number": ROMAN[roman], "name": row["name"], "search_text": fold(f"{roman} {row['name']}")}
    codes: dict[str, dict[str, Any]] = {}
    for line, row in _rows(codes_file, files[codes_file]):
        code = row["hscode"]
        if code == "TOTAL":  # the file's grand total of all commodities, not a code
            continue
        level = _int(codes_file, line, row["level"], "level")
        if not _HS_CODE.match(code) or len(code) != level:
            raise _bad(codes_file, line, _("code"), code)
        # Chapter 99 (UN Comtrade's "commodities not specified according to kind") has section "TOTAL": none.
        if row["section"] not in sections and row["section"] != "TOTAL":
            raise _bad(codes_file, line, _("section"), row["section"])
        parent = None if level == 2 else row["parent"]
        if parent is not None and parent != code[: level - 2]:
            raise _bad(codes_file, line, _("parent"), row["parent"])
        if code in codes:
            raise _FileError(codes_file, line, _("code %(code)s appears twice.") % {"code": code})
        codes[code] = {
            "description": row["description"],
            "level": level,
            "_section": row["section"],
            "search_text": fold(f"{code} {row['description']}"),
            "_parent": parent,
        }
    _check_parents(codes_file, codes)
    concordances: dict[tuple[str, str, str], dict[str, Any]] = {}
    for line, row in _rows(concordance_file, files[concordance_file]):
        match = _ADJUSTMENT.match(row["adjustment"])
        if not match or match[1] not in REVISIONS or match[2] not in REVISIONS:
            raise _bad(concordance_file, line, _("adjustment"), row["adjustment"])
        if row["Relationship"] not in ("1:1", "1:n", "n:1", "n:n"):
            raise _bad(concordance_file, line, _("relationship"), row["Relationship"])
        after_rev, before_rev = REVISIONS[match[1]], REVISIONS[match[2]]
        after, before = row["code.after"], row["code.before"]
        if not after or not before or len(after) > 6 or len(before) > 6:
            raise _bad(concordance_file, line, _("code"), f"{after} / {before}")
        # The source stores codes as integers: HS codes get their leading zeros back (SITC codes are kept).
        if after_rev.startswith("HS"):
            after = after.zfill(6)
        if before_rev.startswith("HS"):
            before = before.zfill(6)
        concordances[(after, before, row["adjustment"])] = {  # four exact duplicates in the source collapse here
            "relationship": row["Relationship"],
            "revision_after": after_rev,
            "revision_before": before_rev,
        }
    return {"sections": sections, "codes": codes, "concordances": concordances}


def _parse_fda(files: dict[str, bytes]) -> dict[str, Any]:
    relative = FILES["fda"][0]
    rows: dict[str, dict[str, Any]] = {}
    classes = {c.value for c in FdaDeviceClass}
    for line, row in _rows(relative, files[relative]):
        code = row["PRODUCTCODE"]
        if not _FDA_CODE.match(code):
            raise _bad(relative, line, _("product code"), code)
        device_class = row["DEVICECLASS"].upper()  # the source writes HDE as "f"
        if device_class not in classes:
            raise _bad(relative, line, _("device class"), row["DEVICECLASS"])
        flags = {}
        for column in ("GMPEXEMPTFLAG", "Implant_Flag", "Life_Sustain_support_flag"):
            if row[column] not in ("Y", "N"):
                raise _bad(relative, line, column, row[column])
            flags[column] = row[column] == "Y"
        if row["THIRDPARTYFLAG"] not in ("", "Y", "N", "P"):
            raise _bad(relative, line, "THIRDPARTYFLAG", row["THIRDPARTYFLAG"])
        if code in rows:
            raise _FileError(relative, line, _("code %(code)s appears twice.") % {"code": code})
        rows[code] = {
            "device_name": row["DEVICENAME"],
            "device_class": device_class,
            "review_panel": row["REVIEW_PANEL"],
            "medical_specialty": row["MEDICALSPECIALTY"],
            "regulation_number": row["REGULATIONNUMBER"],
            "submission_type": row["SUBMISSION_TYPE_ID"],
            "gmp_exempt": flags["GMPEXEMPTFLAG"],
            "third_party_review": row["THIRDPARTYFLAG"],
            "implant": flags["Implant_Flag"],
            "life_sustaining": flags["Life_Sustain_support_flag"],
            "definition": row["DEFINITION"],
            "search_text": fold(f"{code} {row['DEVICENAME']}"),
        }
    return {"codes": rows}


def _check_parents(relative: str, rows: dict[str, dict[str, Any]]) -> None:
    missing = sorted(code for code, row in rows.items() if row["_parent"] and row["_parent"] not in rows)
    if missing:
        raise _FileError(relative, None, _("parent codes missing for: %(codes)s.") % {"codes": ", ".join(missing[:10])})


PARSERS: dict[str, Callable[[dict[str, bytes]], dict[str, Any]]] = {
    "emdn": _parse_emdn,
    "cpv": _parse_cpv,
    "hs": _parse_hs,
    "fda": _parse_fda,
}


# ----------------------------------------------------------------------------------------------- writing


def _values(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if not key.startswith("_")}


def _sync(
    model: type[models.Model],
    *,
    key: Sequence[str],
    rows: dict[Any, dict[str, Any]],
    fields: Sequence[str],
) -> tuple[int, int, int, dict[Any, int]]:
    """Insert new rows, update changed ones (flat tables, or tree levels in order); returns counts and key → pk.

    For a tree, each row has `level` and `_parent` (the parent's key, or None): the levels are written from the
    top so that a parent always exists (with its pk) when its children are written.
    """
    manager = model._default_manager
    tree = "parent" in {f.name for f in model._meta.get_fields()}
    write_fields = [*fields, "parent"] if tree else list(fields)
    existing: dict[Any, Any] = {}
    obj: Any
    for obj in manager.only("pk", *key, *write_fields).iterator(chunk_size=5000):
        existing[tuple(getattr(obj, k) for k in key) if len(key) > 1 else getattr(obj, key[0])] = obj
    pks: dict[Any, int] = {k: obj.pk for k, obj in existing.items()}
    created = updated = unchanged = 0
    changed: list[Any] = []
    levels = sorted({row["level"] for row in rows.values()}) if tree else [None]
    for level in levels:
        new: list[Any] = []
        new_keys: list[Any] = []
        for row_key, row in rows.items():
            if tree and row["level"] != level:
                continue
            values = _values(row)
            if tree:
                values["parent_id"] = pks[row["_parent"]] if row["_parent"] is not None else None
            obj = existing.get(row_key)
            if obj is None:
                keys = row_key if len(key) > 1 else (row_key,)
                new.append(model(**dict(zip(key, keys, strict=True)), **values))
                new_keys.append(row_key)
                continue
            differs = [name for name, value in values.items() if getattr(obj, name) != value]
            if differs:
                for name in differs:
                    setattr(obj, name, values[name])
                changed.append(obj)
            else:
                unchanged += 1
        manager.bulk_create(new, batch_size=BATCH_SIZE)
        created += len(new)
        for row_key, obj in zip(new_keys, new, strict=True):
            pks[row_key] = obj.pk  # bulk_create sets pks on SQLite and PostgreSQL
    if changed:
        manager.bulk_update(changed, write_fields, batch_size=500)
        updated = len(changed)
    return created, updated, unchanged, pks


def _write(name: str, parsed: dict[str, Any]) -> LoadResult:
    result = LoadResult(name)
    if name == "emdn":
        c, u, n, _pks = _sync(
            EmdnCode,
            key=("code",),
            rows=parsed["codes"],
            fields=("term", "category", "level", "is_terminal", "search_text"),
        )
        result.add("codes", c, u, n)
    elif name == "cpv":
        c, u, n, _pks = _sync(
            CpvCode,
            key=("code",),
            rows=parsed["codes"],
            fields=("numeric_code", "kind", "level", "label_fr", "label_en", "label_it", "search_text"),
        )
        result.add("codes", c, u, n)
    elif name == "hs":
        c, u, n, section_pks = _sync(
            HsSection, key=("roman",), rows=parsed["sections"], fields=("number", "name", "search_text")
        )
        result.add("sections", c, u, n)
        for row in parsed["codes"].values():
            row["section_id"] = section_pks.get(row["_section"])
        c, u, n, _pks = _sync(
            HsCode, key=("code",), rows=parsed["codes"], fields=("description", "level", "section_id", "search_text")
        )
        result.add("codes", c, u, n)
        c, u, n, _pks = _sync(
            HsConcordance,
            key=("code_after", "code_before", "adjustment"),
            rows=parsed["concordances"],
            fields=("relationship", "revision_after", "revision_before"),
        )
        result.add("concordances", c, u, n)
    elif name == "fda":
        c, u, n, _pks = _sync(
            FdaProductCode,
            key=("product_code",),
            rows=parsed["codes"],
            fields=(
                "device_name",
                "device_class",
                "review_panel",
                "medical_specialty",
                "regulation_number",
                "submission_type",
                "gmp_exempt",
                "third_party_review",
                "implant",
                "life_sustaining",
                "definition",
                "search_text",
            ),
        )
        result.add("codes", c, u, n)
    return result


def _row_count(name: str) -> int:
    if name == "emdn":
        return EmdnCode.objects.count()
    if name == "cpv":
        return CpvCode.objects.count()
    if name == "hs":
        return HsSection.objects.count() + HsCode.objects.count() + HsConcordance.objects.count()
    return FdaProductCode.objects.count()


# ----------------------------------------------------------------------------------------------- service


def reference_load(
    *,
    which: list[str] | None = None,
    progress: JobContext | None = None,
    force: bool = False,
    data_dir: Path | None = None,
) -> list[LoadResult]:
    """Load the selected nomenclatures (all by default) idempotently; returns what each load did."""
    names = list(dict.fromkeys(which or NOMENCLATURES))
    unknown = [name for name in names if name not in NOMENCLATURES]
    if unknown:
        raise DomainError(
            _("Unknown nomenclature: %(names)s (choose among %(known)s).")
            % {"names": ", ".join(unknown), "known": ", ".join(NOMENCLATURES)},
            code="unknown_nomenclature",
        )
    directory = Path(data_dir or settings.REFERENCE_DATA_DIR)
    if progress:
        progress.set_total(len(names) * 2)

    # 1. Read and validate everything before writing anything.
    plans: list[tuple[str, str, dict[str, Any] | None, LoadResult | None]] = []
    for name in names:
        started = time.perf_counter()
        files = {relative: _read_bytes(directory, relative) for relative in FILES[name]}
        digest = hashlib.sha256(LOADER_VERSION.encode())
        for relative in FILES[name]:
            digest.update(relative.encode() + b"\0" + files[relative])
        sha = digest.hexdigest()
        known = ReferenceDataset.objects.filter(name=name).first()
        if not force and known is not None and known.sha256 == sha and known.row_count == _row_count(name):
            unchanged = LoadResult(name, unchanged=known.row_count, skipped=True)
            unchanged.seconds = time.perf_counter() - started
            plans.append((name, sha, None, unchanged))
        else:
            plans.append((name, sha, PARSERS[name](files), None))
        if progress:
            progress.advance(step=_("%(name)s: files checked") % {"name": name.upper()})

    # 2. Write each nomenclature in its own transaction.
    results: list[LoadResult] = []
    for name, sha, parsed, skipped in plans:
        if skipped is not None:
            results.append(skipped)
            if progress:
                progress.log(f"{name}: unchanged files, skipped ({skipped.unchanged} rows)")
                progress.advance(step=_("%(name)s: unchanged") % {"name": name.upper()})
            continue
        assert parsed is not None
        started = time.perf_counter()
        with transaction.atomic():
            result: LoadResult = _write(name, parsed)
            ReferenceDataset.objects.update_or_create(
                name=name, defaults={"sha256": sha, "row_count": _row_count(name), "loaded_at": timezone.now()}
            )
        result.seconds = time.perf_counter() - started
        results.append(result)
        if progress:
            progress.log(
                f"{name}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged "
                f"in {result.seconds:.1f} s"
            )
            progress.advance(step=_("%(name)s: loaded") % {"name": name.upper()})
    return results
