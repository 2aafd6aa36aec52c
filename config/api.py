"""The JSON API under /api/v1/: one NinjaAPI, one error format, personal tokens or the browser session.

Error format (every 4xx/5xx): {"message": "...", "code": "...", "details": {"field": ["..."]}}
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from tawrid.accounts.api_auth import OptionalAuth, TokenAuth
from tawrid.core.errors import DomainError

api = NinjaAPI(
    title="Tawrid API",
    version="1",
    description=(
        "API of Tawrid, the platform of Morocco's medical-device industry cluster. Authenticate with a "
        "personal token (`Authorization: Bearer <token>`, created on your profile page or with "
        "`tawrid api_token EMAIL`) or with the browser session. Errors always have the shape "
        '`{"message": str, "code": str, "details": {field: [str]}}`; messages follow `Accept-Language`.'
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


# Each app adds its router here; the committed OpenAPI snapshot (docs/openapi.json) keeps changes deliberate.
api.add_router("/accounts/", "tawrid.accounts.api.router")
api.add_router("/nomenclature/", "tawrid.nomenclature.api.router")
api.add_router("/jobs/", "tawrid.core.api.router")
api.add_router("/catalog/", "tawrid.catalog.api.router")
api.add_router("/demand/", "tawrid.demand.api.router")
api.add_router("/imports/", "tawrid.imports.api.router")
api.add_router("/matching/", "tawrid.matching.api.router")
api.add_router("/ocds/", "tawrid.sourcing.api.router")
api.add_router("/ocds/", "tawrid.sourcing.ocds.api.router")
api.add_router("/sourcing/", "tawrid.sourcing.api.consultations_router")
api.add_router("/insights/", "tawrid.insights.api.router")

__all__ = ["OptionalAuth", "api"]
