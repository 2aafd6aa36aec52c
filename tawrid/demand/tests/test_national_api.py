"""National demand through the API: the same figures and visibility as the pages."""

from decimal import Decimal

import pytest

from tawrid.core.models import Job
from tawrid.demand import services
from tawrid.demand.tests.national import R1, build
from tawrid.demand.tests.test_api import API, auth

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(world):
    build(world)
    services.demand_aggregate_refresh(year=2026)


def test_anonymous_gets_401(client, national):
    assert client.get(f"{API}/national").status_code == 401
    assert client.post(f"{API}/national/refresh", {"year": 2026}, content_type="application/json").status_code == 401


def test_list_with_values_for_buyers_without_for_manufacturers(client, world, national):
    rows = client.get(f"{API}/national", {"year": 2026}, headers=auth(world.other_buyer)).json()
    first = next(r for r in rows if r["code"] == "A")
    assert (first["buyers_count"], first["lines_count"]) == (2, 3)
    assert Decimal(first["base_quantity"]) == 517 and Decimal(first["estimated_value"]) == 177
    rows = client.get(f"{API}/national", {"year": 2026}, headers=auth(world.manufacturer)).json()
    assert {r["code"] for r in rows} == {"A", "T"} and all("estimated_value" not in r for r in rows)
    rows = client.get(
        f"{API}/national",
        {"year": 2026, "level": "all", "region": R1, "buyer_kind": "hospital_group", "q": "syringes"},
        headers=auth(world.manufacturer),
    ).json()
    assert [(r["code"], Decimal(r["base_quantity"])) for r in rows] == [("A0102", 500)]
    rows = client.get(f"{API}/national", {"year": 2026, "scheme": "cpv"}, headers=auth(world.buyer)).json()
    assert [r["code"] for r in rows] == ["33000000-0"]


def test_code_with_children_and_lines_within_permissions(client, world, national):
    body = client.get(f"{API}/national/emdn/A0101", {"year": 2026}, headers=auth(world.manufacturer)).json()
    assert body["code"]["lines_count"] == 2 and "estimated_value" not in body["code"]
    assert [c["code"] for c in body["children"]] == ["A010101"]
    assert [line["designation"] for line in body["lines"]] == ["AIGUILLE HYPODERMIQUE 21G"]
    line = body["lines"][0]
    assert "unit_price" not in line and "estimated_value" not in line and "Atlas" not in line["buyer_name"]
    body = client.get(f"{API}/national/emdn/A0101", {"year": 2026}, headers=auth(world.superuser)).json()
    assert len(body["lines"]) == 2 and Decimal(body["code"]["estimated_value"]) == 27
    assert client.get(f"{API}/national/emdn/Z99", {"year": 2026}, headers=auth(world.buyer)).status_code == 404


def test_refresh_for_the_secretariat_only(client, world, national, django_capture_on_commit_callbacks):
    refused = client.post(
        f"{API}/national/refresh", {"year": 2026}, content_type="application/json", headers=auth(world.manufacturer)
    )
    assert refused.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/national/refresh", {"year": 2026}, content_type="application/json", headers=auth(world.secretariat)
        )
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.kind == services.REFRESH_JOB and job.status == "succeeded" and job.result["rows"] == 44
