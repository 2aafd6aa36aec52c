"""Pages of sourcing: the OCDS export of a purchase plan as a downloadable file (release or record package).

Thin: the package comes from tawrid.sourcing.ocds.export, the same function the API answers with, under the
plans' rules (a plan the person may not see is a 404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from tawrid.core.permissions import actor_for
from tawrid.sourcing.ocds import export


def _download(package: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(export.dumps(package), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _plan_file(build: Callable[[Any, int], dict[str, Any]], request: HttpRequest, pk: int, suffix: str) -> HttpResponse:
    package = build(actor_for(request.user), pk)
    return _download(package, f"ocds-plan-{pk}{suffix}.json")


@login_required
@require_GET
def plan_release_package(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_file(export.plan_release_package, request, pk, "")


@login_required
@require_GET
def plan_record_package(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_file(export.plan_record_package, request, pk, "-record")
