"""The JSON API under /api/v1/: one NinjaAPI, one error format, personal tokens or the browser session.

Error format (every 4xx/5xx): {"message": "...", "code": "...", "details": {"field": ["..."]}}
"""

import logging
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from tawrid.accounts.api_auth import OptionalAuth, TokenAuth
from tawrid.core.api_schemas import ErrorOut
from tawrid.core.errors import DomainError

logger = logging.getLogger("tawrid.api")

WRITE_METHODS = ("post", "put", "patch", "delete")
ERROR_DESCRIPTIONS = {
    400: "Refused: the request cannot be carried out as it is (the message says why).",
    401: "Authentication required: no valid token or session.",
    403: "Forbidden: the caller may see the object but not do this.",
    404: "Not found, or not visible to the caller.",
    409: "Conflict: the object changed meanwhile.",
    422: "The data sent is not valid (details per field).",
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers each operation can give to an OpenAPI document, all with the ErrorOut body.

    Done on the document rather than in each route's `response={...}`: django-ninja picks a route's success status
    from its only response model, so adding error models to every route would change what routes answer. The
    rules follow how the API fails: 422 when pydantic or a form refuses the input, 400 when a service refuses it
    (DomainError), 409 when a write meets a concurrent change, 401/403 on authenticated routes, 404 wherever an
    object is looked up (ids in the path, the query or the body) or a result may not exist yet. A route may declare
    more in its own `response={...}` with `errors(...)`.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _document_decimal_strings(schema)
    _document_multipart(schema)
    components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            has_input = bool(parameters) or "requestBody" in operation
            statuses = set()
            if has_input:
                statuses |= {400, 422}
            if method in WRITE_METHODS:
                statuses |= {400, 409}
            if operation.get("security"):
                statuses |= {401, 403}
            if has_input or operation.get("security"):
                statuses.add(404)  # an object not found or not visible, or nothing computed yet (insights)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses.setdefault(status, {"description": ERROR_DESCRIPTIONS[status], "content": reference})
    return schema


# What pydantic accepts as a decimal written as a string (amounts, quantities, shares): `12.50`, `-3`, `.5`.
DECIMAL_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"


def _document_decimal_strings(node: Any) -> None:
    """django-ninja documents an input Decimal as `number or any string`; only decimal strings are accepted, and
    the bounds of a bounded one (JSON Schema cannot bound a string's value) are documented on the number only."""
    if isinstance(node, dict):
        options = node.get("anyOf") if isinstance(node.get("anyOf"), list) else []
        kept = [option for option in options if isinstance(option, dict) and option.get("type") != "null"]
        if [option.get("type") for option in kept] == ["number", "string"]:
            number, string = kept
            if set(number) & {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
                node["anyOf"] = [option for option in options if option is not string]
            elif len(string) == 1:
                string["pattern"] = DECIMAL_PATTERN
        for value in node.values():
            _document_decimal_strings(value)
    elif isinstance(node, list):
        for value in node:
            _document_decimal_strings(value)


def _document_multipart(schema: dict[str, Any]) -> None:
    """A multipart body has no null: an optional field (`product_id: Form[Id | None] = None`) is omitted, not sent
    as null, so its documented type is the value's alone (a client sending `null` would send the text "null").
    And an empty file is refused (or dropped on the way): a file has at least one byte."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("multipart/form-data", {}).get("schema", {})
            for name, field in body.get("properties", {}).items():
                if field.get("format") == "binary":
                    field.setdefault("minLength", 1)
                options = field.get("anyOf") if isinstance(field.get("anyOf"), list) else []
                kept = [option for option in options if option.get("type") != "null"]
                if options and len(kept) == 1 and name not in body.get("required", []):
                    field.pop("anyOf")
                    field.update(kept[0])


class TawridAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_errors(super().get_openapi_schema(*args, **kwargs))


api = TawridAPI(
    title="Tawrid API",
    version="1",
    description=(
        "API of Tawrid, the platform of Morocco's medical-device industry cluster. Authenticate with a "
        "personal token (`Authorization: Bearer <token>`, created on your profile page or with "
        "`tawrid api_token EMAIL`) or with the browser session. Errors always have the shape "
        '`{"message": str, "code": str, "details": {field: [str]}}`; messages follow `Accept-Language`. '
        "Writes that create orders, offers, awards, consultations or deliveries accept an `Idempotency-Key` "
        "header (1 to 255 visible ASCII characters, e.g. a UUID): sent again with the same key and the same body, "
        "the request answers as the first time (header `Idempotent-Replayed: true`) and creates nothing; the same "
        "key with another body is refused (422, `idempotency_key_reused`). A refused request does not use its key "
        "up; keys are kept 24 hours. Retry a write whose answer was lost with its key, never without."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
)


def error_response(request: HttpRequest, status: int, message: str, code: str, details: Any = None) -> HttpResponse:
    return api.create_response(request, {"message": message, "code": code, "details": details or {}}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.message, exc.code, exc.details)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details: dict[str, list[str]] = {}
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "payload"))
        details.setdefault(location or "__all__", []).append(str(error.get("msg", "")))
    return error_response(request, 422, _("The data sent is not valid."), "validation_error", details)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, _("Authentication required: send a valid API token."), "unauthenticated")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, _("Not found."), "not_found")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, str(exc), "error")


def _server_error_body(request: HttpRequest, exc: BaseException | None) -> dict[str, Any]:
    reference = uuid.uuid4().hex[:12]
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    # Without the exception (Django's handler500), its traceback is the django.request entry just before this one.
    logger.error("API error %s on %s %s", reference, request.method, request.path, exc_info=exc_info)
    message = _("An unexpected error occurred. Quote this reference if you report it: %(reference)s.") % {
        "reference": reference
    }
    return {"message": message, "code": "server_error", "details": {"reference": [reference]}}


@api.exception_handler(Exception)
def _unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: the caller gets the error format with a reference, the log gets the traceback under that reference
    (an HTML error page, or a traceback, is never what an API client should read)."""
    return api.create_response(request, _server_error_body(request, exc), status=500)


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def fallback_error(request: HttpRequest, status: int) -> HttpResponse:
    """What Django's handler404/handler500 answer under /api/: an unknown address, or a failure outside the API's
    views (a middleware), in the error format too."""
    if status == 404:
        body = {"message": _("Not found."), "code": "not_found", "details": {}}
    else:
        body = _server_error_body(request, None)
    return JsonResponse(body, status=status)


# Each app adds its router here; the committed OpenAPI snapshot (docs/openapi.json) keeps changes deliberate.
api.add_router("/accounts/", "tawrid.accounts.api.router")
api.add_router("/nomenclature/", "tawrid.nomenclature.api.router")
api.add_router("/jobs/", "tawrid.core.api.router")
api.add_router("/catalog/", "tawrid.catalog.api.router")
api.add_router("/demand/", "tawrid.demand.api.router")
api.add_router("/demand/", "tawrid.demand.coding_api.router")
api.add_router("/imports/", "tawrid.imports.api.router")
api.add_router("/matching/", "tawrid.matching.api.router")
api.add_router("/ocds/", "tawrid.sourcing.api.router")
api.add_router("/ocds/", "tawrid.sourcing.ocds.api.router")
api.add_router("/sourcing/", "tawrid.sourcing.api.consultations_router")
api.add_router("/insights/", "tawrid.insights.api.router")

__all__ = ["OptionalAuth", "api"]
