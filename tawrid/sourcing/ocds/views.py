"""The OCDS export of consultations as downloadable files: the same package as the API
(tawrid.sourcing.ocds.export), under the consultations' rules (404 for a consultation one may not see)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from tawrid.core.permissions import actor_for
from tawrid.sourcing.ocds import export


def _file(build: Callable[[Any, int], dict[str, Any]], request: HttpRequest, pk: int, suffix: str) -> HttpResponse:
    package = build(actor_for(request.user), pk)
    response = HttpResponse(export.dumps(package), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ocds-consultation-{pk}{suffix}.json"'
    return response


@login_required
@require_GET
def consultation_release_package(request: HttpRequest, pk: int) -> HttpResponse:
    return _file(export.consultation_release_package, request, pk, "")


@login_required
@require_GET
def consultation_record_package(request: HttpRequest, pk: int) -> HttpResponse:
    return _file(export.consultation_record_package, request, pk, "-record")
