"""The OCDS export through the API (/api/v1/ocds/) and as downloadable files (/ocds/plans/): the plans' rules
(404 for a plan one may not see, nothing for anonymous visitors) and the same JSON through both routes."""

from __future__ import annotations

import json

import pytest

from tawrid.accounts.tests.factories import token_for
from tawrid.sourcing.ocds.validate import validate
from tawrid.sourcing.tests.test_ocds import OcdsWorld, no_network  # noqa: F401 (an autouse fixture)

API = "/api/v1/ocds"


@pytest.fixture
def world(db) -> OcdsWorld:
    return OcdsWorld()


def auth(user):
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def test_api_and_file_give_the_same_valid_release_package(client, world):
    plan = world.realistic_plan()
    response = client.get(f"{API}/plans/{plan.pk}/release-package", headers=auth(world.buyer))
    assert response.status_code == 200, response.content
    package = response.json()
    assert validate(package) == []
    assert package["releases"][0]["ocid"] == f"ocds-tawrid-plan-{plan.pk}"

    client.force_login(world.buyer)
    download = client.get(f"/ocds/plans/{plan.pk}.json")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/json")
    assert download["Content-Disposition"] == f'attachment; filename="ocds-plan-{plan.pk}.json"'
    assert json.loads(download.content) == package


def test_api_and_file_give_the_same_valid_record_package(client, world):
    plan = world.realistic_plan()
    response = client.get(f"{API}/plans/{plan.pk}/record-package", headers=auth(world.buyer))
    assert response.status_code == 200, response.content
    package = response.json()
    assert validate(package) == []
    assert package["records"][0]["compiledRelease"]["tag"] == ["compiled"]

    client.force_login(world.buyer)
    download = client.get(f"/ocds/plans/{plan.pk}/record.json")
    assert download["Content-Disposition"] == f'attachment; filename="ocds-plan-{plan.pk}-record.json"'
    assert json.loads(download.content) == package


@pytest.mark.parametrize("who", ["other_buyer", "manufacturer"])
def test_another_organisations_draft_plan_is_not_found(client, world, who):
    plan = world.realistic_plan(publish=False)
    user = getattr(world, who)
    for kind in ("release-package", "record-package"):
        response = client.get(f"{API}/plans/{plan.pk}/{kind}", headers=auth(user))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert "Groupe" not in response.content.decode()
    client.force_login(user)
    for path in (f"/ocds/plans/{plan.pk}.json", f"/ocds/plans/{plan.pk}/record.json"):
        assert client.get(path).status_code == 404


def test_a_missing_plan_is_not_found_like_a_hidden_one(client, world):
    response = client.get(f"{API}/plans/999999/release-package", headers=auth(world.superuser))
    assert response.status_code == 404


def test_the_buyer_exports_its_own_draft(client, world):
    plan = world.realistic_plan(publish=False)
    response = client.get(f"{API}/plans/{plan.pk}/release-package", headers=auth(world.buyer_reader))
    assert response.status_code == 200
    assert validate(response.json()) == []


def test_a_manufacturer_gets_a_published_plan_without_prices(client, world):
    plan = world.realistic_plan()
    response = client.get(f"{API}/plans/{plan.pk}/release-package", headers=auth(world.manufacturer))
    assert response.status_code == 200
    release = response.json()["releases"][0]
    assert "buyer" not in release
    assert all("value" not in item["unit"] for item in release["tender"]["items"])


def test_a_closed_plan_is_no_longer_the_manufacturers_to_see(client, world):
    plan = world.realistic_plan()
    plan.status = "closed"
    plan.save(update_fields=["status"])
    assert client.get(f"{API}/plans/{plan.pk}/release-package", headers=auth(world.manufacturer)).status_code == 404
    assert client.get(f"{API}/plans/{plan.pk}/release-package", headers=auth(world.buyer)).status_code == 200


def test_anonymous_visitors_get_nothing(client, world):
    plan = world.realistic_plan()
    response = client.get(f"{API}/plans/{plan.pk}/release-package")
    assert response.status_code == 401
    assert "releases" not in response.json()
    page = client.get(f"/ocds/plans/{plan.pk}.json")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    record = client.get(f"/ocds/plans/{plan.pk}/record.json")
    assert record.status_code == 302
