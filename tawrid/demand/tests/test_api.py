"""The plans through the API: the same lifecycle and the same visibility as the pages."""

import pytest

from tawrid.accounts.tests.factories import token_for

pytestmark = pytest.mark.django_db

API = "/api/v1/demand"


def auth(user):
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def test_lifecycle_through_the_api(client, world):
    headers = auth(world.buyer)
    response = client.post(
        f"{API}/plans", {"year": 2026, "title": "Plan API"}, content_type="application/json", headers=headers
    )
    assert response.status_code == 201, response.json()
    plan_id = response.json()["id"]
    assert response.json()["status"] == "draft" and response.json()["buyer_id"] == world.group.pk
    bad = client.post(f"{API}/plans/{plan_id}/lines", {"designation": "GANT", "quantity": "-5"},
                      content_type="application/json", headers=headers)  # fmt: skip
    assert bad.status_code == 422 and "quantity" in bad.json()["details"]
    line = client.post(
        f"{API}/plans/{plan_id}/lines",
        {"designation": "GANT D'EXAMEN NITRILE NON STERILE T7", "quantity": "100", "unit": "BTE/100",
         "unit_price": "39.90", "required_certificates": ["ce"], "delivery_schedule": "T1: 50; T3: 50"},
        content_type="application/json", headers=headers,
    )  # fmt: skip
    assert line.status_code == 201, line.json()
    body = line.json()
    assert body["base_quantity"] == "10000.000" or float(body["base_quantity"]) == 10000
    assert float(body["estimated_value"]) == 3990.0
    corrected = client.post(f"{API}/lines/{body['id']}/attributes", {"attributes": "taille=7"},
                            content_type="application/json", headers=headers)  # fmt: skip
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["attributes"][0]["attribute"] == "glove_size"
    patched = client.patch(
        f"{API}/lines/{body['id']}", {"quantity": "120"}, content_type="application/json", headers=headers
    )
    assert float(patched.json()["base_quantity"]) == 12000
    assert client.post(f"{API}/plans/{plan_id}/publish", headers=headers).json()["status"] == "published"
    refused = client.patch(
        f"{API}/lines/{body['id']}", {"quantity": "1"}, content_type="application/json", headers=headers
    )
    assert refused.status_code == 400 and refused.json()["code"] == "plan_read_only"
    amended = client.post(f"{API}/plans/{plan_id}/amend", headers=headers)
    assert amended.status_code == 201 and amended.json()["version"] == 2
    new_id = amended.json()["id"]
    new_line = client.get(f"{API}/plans/{new_id}/lines", headers=headers).json()[0]
    client.patch(f"{API}/lines/{new_line['id']}", {"quantity": "200"}, content_type="application/json", headers=headers)
    diff = client.get(f"{API}/plans/{new_id}/diff", headers=headers).json()
    assert diff["changed"][0]["fields"] == ["quantity"] and not diff["added"] and not diff["removed"]
    export = client.get(f"{API}/plans/{new_id}/export.xlsx", headers=headers)
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_visibility_through_the_api(client, world):
    published = world.plan(publish=True)
    draft = world.plan(year=2027)
    maker = auth(world.manufacturer)
    lines = client.get(f"{API}/published-lines", headers=maker).json()
    assert len(lines) == 3
    assert all(line["unit_price"] is None and line["estimated_value"] is None for line in lines)
    assert all("Atlas" not in line["buyer_name"] for line in lines)
    plan = client.get(f"{API}/plans/{published.pk}", headers=maker).json()
    assert plan["buyer_id"] is None and plan["estimated_value"] is None and "Atlas" not in plan["buyer_name"]
    assert client.get(f"{API}/plans/{draft.pk}", headers=maker).status_code == 404
    assert client.get(f"{API}/plans/{published.pk}/diff", headers=maker).status_code in (403, 404)
    other = auth(world.other_buyer)
    assert client.get(f"{API}/plans", headers=other).json() == []
    assert client.get(f"{API}/plans/{published.pk}/lines", headers=other).status_code == 404
    secretariat = auth(world.secretariat)
    seen = {p["id"]: p for p in client.get(f"{API}/plans", headers=secretariat).json()}
    assert set(seen) == {published.pk, draft.pk} and seen[published.pk]["buyer_name"] == "Groupe Santé Atlas"
    # 10 + 20 + 30 boxes of 100 at 45.50 MAD a box
    assert seen[draft.pk]["line_count"] == 3 and float(seen[draft.pk]["base_quantity"]) == 6000
    assert float(seen[draft.pk]["estimated_value"]) == 2730.0
    lines = client.get(f"{API}/plans/{draft.pk}/lines", headers=secretariat).json()
    assert lines[0]["unit_price"] == "45.50"
    assert client.post(f"{API}/plans/{draft.pk}/publish", headers=secretariat).status_code == 403
    assert client.get(f"{API}/plans").status_code == 401


def test_fractional_counts_refused_measures_kept_and_drafts_moved_or_deleted_through_the_api(client, world):
    from tawrid.accounts.models import Membership, Role
    from tawrid.demand.models import PurchasePlan

    Membership.objects.create(user=world.buyer, organisation=world.hospital, role=Role.MEMBER)
    headers = auth(world.buyer)
    plan = world.plan(lines=0)
    url = f"{API}/plans/{plan.pk}/lines"
    boxes = client.post(url, {"designation": "SERINGUE 5 ML", "quantity": "600.5", "unit": "B/100"},
                        content_type="application/json", headers=headers)  # fmt: skip
    assert boxes.status_code in (400, 422) and "quantity" in boxes.json()["details"]
    litres = client.post(url, {"designation": "SOLUTION HYDRO-ALCOOLIQUE", "quantity": "12.5", "unit": "L"},
                         content_type="application/json", headers=headers)  # fmt: skip
    assert litres.status_code == 201, litres.json()
    unit_change = client.patch(f"{API}/lines/{litres.json()['id']}", {"unit": "FL"},
                               content_type="application/json", headers=headers)  # fmt: skip
    assert unit_change.status_code in (400, 422)  # 12.5 bottles

    moved = client.post(f"{API}/plans/{plan.pk}/buyer", {"buyer_id": world.maker.pk},
                        content_type="application/json", headers=headers)  # fmt: skip
    assert moved.status_code == 403 and PurchasePlan.objects.get(pk=plan.pk).buyer_id == world.group.pk
    moved = client.post(f"{API}/plans/{plan.pk}/buyer", {"buyer_id": world.hospital.pk},
                        content_type="application/json", headers=headers)  # fmt: skip
    assert moved.status_code == 200 and moved.json()["buyer_id"] == world.hospital.pk
    published = world.plan(year=2025, publish=True)
    assert client.delete(f"{API}/plans/{published.pk}", headers=headers).status_code == 400
    group_draft = world.plan(year=2027, lines=0)
    assert client.delete(f"{API}/plans/{group_draft.pk}", headers=auth(world.other_buyer)).status_code in (403, 404)
    assert PurchasePlan.objects.filter(pk=group_draft.pk).exists()
    assert client.delete(f"{API}/plans/{plan.pk}", headers=headers).status_code == 204
    assert not PurchasePlan.objects.filter(pk=plan.pk).exists()
