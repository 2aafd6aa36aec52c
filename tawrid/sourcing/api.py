"""API of the OCDS export (/api/v1/ocds/): purchase plans as OCDS 1.1 release and record packages.

Same rules as the plans' pages and API: a plan the caller may not see is a 404; prices and the buyer's identity
appear only for those who may see them. The JSON is the same as the files downloaded from /ocds/plans/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tawrid.core.permissions import actor_for
from tawrid.sourcing.ocds import export

router = Router(tags=["ocds"])


@router.get(
    "/plans/{plan_id}/release-package",
    response=dict[str, Any],
    url_name="ocds_plan_release_package",
    summary="A plan as an OCDS 1.1 release package (planning release)",
)
def plan_release_package(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return export.plan_release_package(actor_for(request.user), plan_id)


@router.get(
    "/plans/{plan_id}/record-package",
    response=dict[str, Any],
    url_name="ocds_plan_record_package",
    summary="A plan as an OCDS 1.1 record package (releases and compiled release)",
)
def plan_record_package(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return export.plan_record_package(actor_for(request.user), plan_id)
