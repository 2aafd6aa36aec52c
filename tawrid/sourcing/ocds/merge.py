"""The compiled release of a record: OCDS 1.1 merging of a contracting process's releases, oldest first.

The rules (https://standard.open-contracting.org/1.1/en/schema/merging/), read against the shipped release
schema so that `wholeListMerge` and `omitWhenMerged` come from the standard itself, never from a download:
- a field set to null in a later release is removed;
- objects merge field by field;
- arrays of objects merge by their `id` (by position when an object has none), unless the schema marks the
  array `wholeListMerge`; every other array is replaced whole;
- fields marked `omitWhenMerged` (the release's `id`, `date`, `tag`) are dropped; the compiled release gets
  `id` = `"{ocid}-{date}"`, the latest `date`, and `tag` = ["compiled"].

`ocdsmerge` does the same and more (versioned releases), but it is not among the project's dependencies.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

Schema = dict[str, Any]


def _resolve(node: Any, root: Schema) -> Schema:
    """Follow local `$ref`s ("#/definitions/Name"); anything else (or nothing) is an empty schema."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
        seen += 1
    return node if isinstance(node, dict) else {}


def _child(schema: Schema, key: str, root: Schema) -> Schema:
    return _resolve(schema.get("properties", {}).get(key, {}), root)


def _merge_object(target: dict[str, Any], source: dict[str, Any], schema: Schema, root: Schema) -> None:
    for key, value in source.items():
        child = _child(schema, key, root)
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            existing = target.get(key)
            if not isinstance(existing, dict):
                existing = {}
                target[key] = existing
            _merge_object(existing, value, child, root)
        elif isinstance(value, list) and _identifier_merge(value, child):
            target[key] = _merge_array(target.get(key), value, _resolve(child.get("items"), root), root)
        else:
            target[key] = copy.deepcopy(value)


def _identifier_merge(value: list[Any], schema: Schema) -> bool:
    return not schema.get("wholeListMerge", False) and bool(value) and all(isinstance(v, dict) for v in value)


def _merge_array(existing: Any, incoming: list[dict[str, Any]], schema: Schema, root: Schema) -> list[Any]:
    merged: dict[Any, dict[str, Any]] = {}
    if isinstance(existing, list):
        for position, entry in enumerate(existing):
            if isinstance(entry, dict):
                merged[entry.get("id", ("position", position))] = entry
    for position, entry in enumerate(incoming):
        key = entry.get("id", ("position", position))
        target = merged.setdefault(key, {})
        _merge_object(target, entry, schema, root)
    return list(merged.values())


def _omitted(schema: Schema) -> set[str]:
    return {key for key, field in schema.get("properties", {}).items() if field.get("omitWhenMerged")}


def compile_releases(releases: Sequence[dict[str, Any]], schema: Schema) -> dict[str, Any]:
    """The compiled release of releases that share one ocid, by the rules above."""
    if not releases:
        raise ValueError("Nothing to compile.")
    ocids = {release["ocid"] for release in releases}
    if len(ocids) != 1:
        raise ValueError(f"Releases of several contracting processes cannot be compiled together: {sorted(ocids)}")
    ordered = sorted(releases, key=lambda r: datetime.fromisoformat(r["date"]))
    omitted = _omitted(schema)
    compiled: dict[str, Any] = {}
    for release in ordered:
        _merge_object(compiled, {k: v for k, v in release.items() if k not in omitted}, schema, schema)
    latest = ordered[-1]["date"]
    ocid = ordered[-1]["ocid"]
    return {"ocid": ocid, "id": f"{ocid}-{latest}", "date": latest, "tag": ["compiled"], **compiled}
