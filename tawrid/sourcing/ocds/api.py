"""API of the OCDS export of consultations (/api/v1/ocds/consultations/): a consultation's tender, award and
contract releases as OCDS 1.1 release and record packages.

The consultations' rules: a consultation the caller may not see (or not yet published) is a 404; no offer and no
amount before the opening. The JSON is the same as the files downloaded from /ocds/consultations/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tawrid.core.api_schemas import Id
from tawrid.core.permissions import actor_for
from tawrid.sourcing.ocds import export

router = Router(tags=["ocds"])


@router.get(
    "/consultations/{consultation_id}/release-package",
    response=dict[str, Any],
    url_name="ocds_consultation_release_package",
    summary="A consultation as an OCDS 1.1 release package (tender, award and contract releases)",
)
def consultation_release_package(request: HttpRequest, consultation_id: Id) -> dict[str, Any]:
    return export.consultation_release_package(actor_for(request.user), consultation_id)


@router.get(
    "/consultations/{consultation_id}/record-package",
    response=dict[str, Any],
    url_name="ocds_consultation_record_package",
    summary="A consultation as an OCDS 1.1 record package (releases and compiled release)",
)
def consultation_record_package(request: HttpRequest, consultation_id: Id) -> dict[str, Any]:
    return export.consultation_record_package(actor_for(request.user), consultation_id)
