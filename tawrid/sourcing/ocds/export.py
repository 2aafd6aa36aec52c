"""The packages the API and the pages serve: one function per package, the same JSON through both routes.

A package's `uri` is the canonical API address of that package and its `publishedDate` the date of its latest
release, so exporting the same data twice, through either route, gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse

from tawrid.core.permissions import Actor
from tawrid.sourcing.ocds import build, selectors
from tawrid.sourcing.ocds.standard import release_schema

PUBLISHER_NAME = "Tawrid"


def publisher() -> build.Publisher:
    return build.Publisher(name=PUBLISHER_NAME, uri=settings.SITE_URL.rstrip("/") + "/")


def _uri(url_name: str, **kwargs: int) -> str:
    """The package's address on this site's API (its `uri`)."""
    return settings.SITE_URL.rstrip("/") + reverse(f"api:{url_name}", kwargs=kwargs)


def plan_release_package(actor: Actor, plan_id: Any) -> dict[str, Any]:
    plan = selectors.plan_data(actor, plan_id)
    return build.release_package(
        [build.planning_release(plan)],
        uri=_uri("ocds_plan_release_package", plan_id=plan.plan_id),
        publisher=publisher(),
    )


def plan_record_package(actor: Actor, plan_id: Any) -> dict[str, Any]:
    plan = selectors.plan_data(actor, plan_id)
    return build.record_package(
        [build.planning_release(plan)],
        uri=_uri("ocds_plan_record_package", plan_id=plan.plan_id),
        publisher=publisher(),
        schema=release_schema(),
    )


def consultation_release_package(actor: Actor, consultation_id: Any) -> dict[str, Any]:
    """The consultation's tender, award and contract releases the actor may see (see `selectors`)."""
    pk, releases = selectors.consultation_releases(actor, consultation_id)
    return build.release_package(
        releases, uri=_uri("ocds_consultation_release_package", consultation_id=pk), publisher=publisher()
    )


def consultation_record_package(actor: Actor, consultation_id: Any) -> dict[str, Any]:
    pk, releases = selectors.consultation_releases(actor, consultation_id)
    return build.record_package(
        releases,
        uri=_uri("ocds_consultation_record_package", consultation_id=pk),
        publisher=publisher(),
        schema=release_schema(),
    )


def dumps(package: dict[str, Any]) -> str:
    """The one serialisation used for files and API answers alike."""
    return json.dumps(package, ensure_ascii=False, indent=2, sort_keys=False)
