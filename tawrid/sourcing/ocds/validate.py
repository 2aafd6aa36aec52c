"""Validate an OCDS package with libcoveocds, offline, against the standard archive shipped with the project.

libcoveocds downloads the standard from the internet unless its `standard_zip` setting points at a local copy,
and even then, for a record package, it resolves the record schema's `versionedRelease` reference
(`https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json`) with
jsonref's default loader, which goes online; no setting changes that. `OfflineSchema` gives jsonref a loader
that serves the standard's schemas from the archive and refuses every other address. Extensions would be
fetched too: a package that names extensions is refused before libcoveocds sees it.

Errors: JSON-schema validation errors, closed-codelist values that are not in the codelist, malformed ocid
prefixes, a schema that could not be dereferenced, a wrong version. Warnings: libcoveocds' additional checks
(empty fields), values outside open codelists, fields the schema does not know, deprecated fields.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from typing import Any

from tawrid.sourcing.ocds.standard import STANDARD_TAG, archive_uri


@dataclass(frozen=True)
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def _offline_schema_class() -> Any:
    import functools

    import jsonref
    from libcoveocds.schema import SchemaOCDS

    class OfflineSchema(SchemaOCDS):
        """libcoveocds' schema, whose record-package references are resolved from the archive only."""

        def _load(self, uri: str) -> Any:
            prefix = f"/schema/{STANDARD_TAG}/"
            _scheme, _, rest = uri.partition("://")
            host, _, path = rest.partition("/")
            if host != "standard.open-contracting.org" or not f"/{path}".startswith(prefix):
                raise ValueError(f"{uri} is not in the shipped OCDS standard; nothing is downloaded.")
            return self._get_schema(f"/{path}"[len(prefix) :])

        @functools.lru_cache  # noqa: B019 (one instance per validation)
        def get_pkg_schema_obj(self, *, deref: bool = False, use_extensions: bool = True, proxies: bool = False) -> Any:
            if not (deref and self.package_schema_name == "record-package-schema.json"):
                return super().get_pkg_schema_obj(deref=deref, use_extensions=use_extensions, proxies=proxies)
            # What libcoveocds does, with the archive's loader instead of jsonref's default (the network).
            schema = self._get_schema(self.package_schema_name)
            patched = self.get_schema_obj(deref=True, proxies=proxies)
            record = schema["definitions"]["record"]["properties"]
            record["compiledRelease"] = patched
            record["releases"]["oneOf"][1]["items"] = patched
            return jsonref.replace_refs(schema, loader=self._load, **self._jsonref_kwarg(proxies=proxies))

    return OfflineSchema


def config() -> Any:
    from libcoveocds.config import LibCoveOCDSConfig

    return LibCoveOCDSConfig({"standard_zip": archive_uri(), "context": "api"})


def _located(path: Any, message: str) -> str:
    return f"{path}: {message}" if path not in ("", None) else message


def _libcoveocds(data: dict[str, Any]) -> dict[str, Any]:
    """libcoveocds.api.ocds_json_output in its API context (no conversion), with the offline schema."""
    from libcoveocds.common_checks import common_checks_ocds
    from libcoveocds.lib.api import context_api_transform

    schema = _offline_schema_class()(None, data, config(), record_pkg="records" in data)
    # libcove looks for cached results in the directory it is given: give it an empty one.
    with tempfile.TemporaryDirectory() as directory:
        context = common_checks_ocds({"file_type": "json"}, directory, data, schema, cache=False)
    if schema.json_deref_error:
        # The checks stopped before validating: there is nothing else to report.
        return {"json_deref_error": schema.json_deref_error}
    return dict(context_api_transform(context))


def check(package: Any) -> Report:
    """Every problem libcoveocds finds in `package` (a release or record package as a dict)."""
    from libcoveocds.exceptions import OCDSVersionError

    if not isinstance(package, dict) or not package:
        return Report(errors=["The package must be a non-empty JSON object."])
    if package.get("extensions"):
        return Report(errors=["extensions: packages with extensions are not supported (they would be downloaded)."])
    try:
        # A copy through JSON: the validator must see exactly what a reader of the file would see.
        data = json.loads(json.dumps(package))
        context = _libcoveocds(data)
    except OCDSVersionError as version_error:
        return Report(errors=[f"version: {version_error}"])
    errors: list[str] = []
    warnings: list[str] = []
    if context.get("json_deref_error"):
        errors.append(f"schema: {context['json_deref_error']}")
    for error in context.get("validation_errors", []):
        errors.append(_located(error.get("path") or error.get("field"), error.get("description", "")))
    for path, details in context.get("additional_closed_codelist_values", {}).items():
        values = ", ".join(str(v) for v in details.get("values", []))
        errors.append(_located(path, f"value(s) not in the closed codelist {details.get('codelist')}: {values}"))
    for ocid, path in context.get("conformance_errors", {}).get("ocds_prefixes_bad_format", []):
        errors.append(_located(path, f"the ocid {ocid!r} does not start with a prefix of the form ocds-xxxxxx"))
    for check_name, results in (context.get("additional_checks") or {}).items():
        for result in results:
            warnings.append(_located(result.get("json_location"), check_name.replace("_", " ")))
    for path, details in context.get("additional_open_codelist_values", {}).items():
        values = ", ".join(str(v) for v in details.get("values", []))
        warnings.append(_located(path, f"value(s) outside the open codelist {details.get('codelist')}: {values}"))
    for extra in context.get("additional_fields", []):
        warnings.append(_located(extra.get("path"), f"field not in the schema: {extra.get('field')}"))
    for deprecated in context.get("deprecated_fields", []):
        warnings.append(_located(deprecated.get("field"), "deprecated field"))
    return Report(errors=errors, warnings=warnings)


def validate(package: Any) -> list[str]:
    """The errors of `package`; an empty list when it is valid OCDS 1.1."""
    return check(package).errors
