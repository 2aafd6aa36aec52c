"""The OpenAPI document tells the truth: one schema per name, every error answer documented, bounds declared."""

import enum
import typing
from collections import defaultdict

from pydantic import BaseModel

from config.api import api

ERROR_REF = "#/components/schemas/ErrorOut"


def _schema() -> dict:
    return api.get_openapi_schema(path_prefix="/api/v1/")


def _collect(annotation: typing.Any, found: dict[str, set[type]], visited: set) -> None:
    if annotation in visited:
        return
    if isinstance(annotation, type):
        visited.add(annotation)
        if issubclass(annotation, BaseModel):
            if annotation.__module__.startswith(("tawrid", "config")):
                found[annotation.__name__].add(annotation)
            for field in annotation.model_fields.values():
                _collect(field.annotation, found, visited)
            return
        if issubclass(annotation, enum.Enum):
            found[annotation.__name__].add(annotation)
            return
    for argument in typing.get_args(annotation):
        _collect(argument, found, visited)


def test_no_two_schemas_share_a_component_name():
    """django-ninja names a component after its class: two classes of one name make one component, and the
    operations of one of them are documented with the other's body (the catalogue's decisions once showed
    matching's)."""
    found: dict[str, set[type]] = defaultdict(set)
    visited: set = set()
    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.response_models.values(), *operation.models]:
                    _collect(model, found, visited)
    collisions = {name: sorted(c.__module__ for c in classes) for name, classes in found.items() if len(classes) > 1}
    assert collisions == {}


def test_decision_endpoints_document_their_own_bodies():
    schema = _schema()
    paths = schema["paths"]
    certificate = paths["/api/v1/catalog/certificates/{certificate_id}/decisions"]["post"]
    ref = certificate["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "action" in body["properties"] and "line_id" not in body["properties"]
    matching = paths["/api/v1/matching/decisions"]["post"]
    ref = matching["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "line_id" in schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]


def test_every_operation_documents_its_error_answers():
    schema = _schema()
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"message", "code", "details"}
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = {int(status): response for status, response in operation["responses"].items()}
            expected = set()
            if operation.get("parameters") or "requestBody" in operation:
                expected |= {400, 422}
            if operation.get("security"):
                expected |= {401, 403}
            if "{" in path:
                expected.add(404)
            for status in sorted(expected):
                content = responses.get(status, {}).get("content", {})
                if content.get("application/json", {}).get("schema", {}).get("$ref") != ERROR_REF:
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


def test_bounds_are_declared_in_the_document():
    paths = _schema()["paths"]
    parameters = {p["name"]: p["schema"] for p in paths["/api/v1/catalog/products"]["get"]["parameters"]}
    assert parameters["offset"]["minimum"] == 0
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 500)
    product = {p["name"]: p["schema"] for p in paths["/api/v1/catalog/products/{product_id}"]["get"]["parameters"]}
    assert (product["product_id"]["minimum"], product["product_id"]["maximum"]) == (1, 2**63 - 1)


def test_national_code_lines_match_their_documented_schema():
    """`exclude_none` drops null fields: a field documented as required must then have a default."""
    schema = _schema()["components"]["schemas"]
    line = schema["PublishedLineOut"]
    nullable_required = [
        name
        for name in line.get("required", [])
        if any(option.get("type") == "null" for option in line["properties"][name].get("anyOf", []))
    ]
    assert nullable_required == []
