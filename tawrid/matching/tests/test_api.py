"""Matching through the API: the same runs, results, decisions and visibility as the pages."""

import pytest

from tawrid.accounts.tests.factories import token_for
from tawrid.matching.models import LineDecision, MatchDecision, MatchRun

# Runs are jobs put on the queue when their transaction commits: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/matching"


def auth(user):
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def test_a_buyer_runs_reads_and_decides_through_the_api(client, world):
    plan = world.needle_plan()
    headers = auth(world.buyer)
    response = client.post(f"{API}/plans/{plan.pk}/runs", headers=headers)
    assert response.status_code == 202, response.json()
    run_id = response.json()["id"]
    run = client.get(f"{API}/runs/{run_id}", headers=headers).json()
    assert run["status"] == "done" and run["quantity_share"] == pytest.approx(1200 / 1704, abs=1e-4)
    lines = client.get(f"{API}/runs/{run_id}/lines", headers=headers).json()
    assert [line["line_number"] for line in lines] == [1, 2, 3]
    top = lines[0]["candidates"][0]
    assert top["product_id"] == world.needles.pk and top["variant_label"] == "21 G"
    assert top["verdict"] == "good" and {"words", "code", "fits", "eligible", "missing"} <= set(top["explanation"])
    gaps = client.get(f"{API}/runs/{run_id}/gaps", headers=headers).json()
    assert sum(float(g["uncovered"]) for g in gaps) == 504

    response = client.post(
        f"{API}/decisions",
        {"line_id": lines[0]["line_id"], "product_id": world.needles.pk, "decision": "rejected"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["coverage"]["covered_quantity"] == "200.000"
    bad = client.post(
        f"{API}/decisions",
        {"line_id": lines[0]["line_id"], "product_id": world.needles.pk, "decision": "perhaps"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bad_decision"


def test_forged_ids_and_other_organisations_get_404(client, world):
    plan = world.needle_plan()
    client.post(f"{API}/plans/{plan.pk}/runs", headers=auth(world.buyer))
    run = MatchRun.objects.get()
    line_id = run.line_results.first().line_id
    for user in (world.other_buyer, world.manufacturer):
        headers = auth(user)
        assert client.get(f"{API}/runs/{run.pk}", headers=headers).status_code == 404
        assert client.get(f"{API}/runs/{run.pk}/lines", headers=headers).status_code == 404
        response = client.post(
            f"{API}/decisions",
            {"line_id": line_id, "product_id": world.needles.pk, "decision": "confirmed"},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code in (403, 404)
    assert client.get(f"{API}/runs/999999", headers=auth(world.buyer)).status_code == 404
    assert client.post(f"{API}/plans/{plan.pk}/runs", headers=auth(world.other_buyer)).status_code == 404
    assert not MatchDecision.objects.exists()


def test_national_runs_are_the_secretariats(client, world):
    world.needle_plan()
    refused = client.post(
        f"{API}/national/runs", {"year": 2026}, content_type="application/json", headers=auth(world.buyer)
    )
    assert refused.status_code == 403
    response = client.post(
        f"{API}/national/runs", {"year": 2026}, content_type="application/json", headers=auth(world.secretariat)
    )
    assert response.status_code == 202 and response.json()["scope"] == "national"


def test_a_manufacturer_lists_its_matches(client, world):
    plan = world.needle_plan()
    client.post(f"{API}/plans/{plan.pk}/runs", headers=auth(world.buyer))
    rows = client.get(f"{API}/mine", headers=auth(world.manufacturer)).json()
    assert rows and {r["product_id"] for r in rows} <= {world.needles.pk, world.gloves.pk}
    assert client.get(f"{API}/mine", headers=auth(world.buyer)).status_code == 403


def test_code_suggestions(client, world):
    response = client.post(
        f"{API}/suggest-codes",
        {"texts": ["aiguille hypodermique"], "top": 2},
        content_type="application/json",
        headers=auth(world.buyer),
    )
    assert response.status_code == 200 and len(response.json()[0]) <= 2
    assert client.post(f"{API}/suggest-codes", {"texts": "x"}, content_type="application/json",
                       headers=auth(world.buyer)).status_code == 422  # fmt: skip


def test_lines_decided_in_bulk_through_the_api_move_the_coverage(client, foley):
    plan, run = foley.foley_plan()
    headers = auth(foley.buyer)
    lines = client.get(f"{API}/runs/{run.pk}/lines", headers=headers).json()
    foley_line = lines[0]
    assert len(foley_line["candidates"]) == 5  # every candidate, not the first three
    assert sum(c["share"] for c in foley_line["candidates"]) == pytest.approx(1.0)
    cheap = next(c for c in foley_line["candidates"] if c["product_id"] == foley.cheap.pk)
    assert cheap["allocated_quantity"] == "0.000" and cheap["share"] == 0
    response = client.post(
        f"{API}/plans/{plan.pk}/line-decisions",
        {"line_ids": [foley_line["line_id"]], "action": "no_local_source"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["lines"], body["changed"], body["skipped"]) == (1, 1, 0)
    assert body["coverage"]["covered_quantity"] == "200.000" and body["coverage"]["lines_no_local_source"] == 1
    lines = client.get(f"{API}/runs/{run.pk}/lines", headers=headers).json()
    assert lines[0]["line_decision"] == "no_local_source" and lines[0]["covered_quantity"] == "0.000"
    response = client.post(
        f"{API}/plans/{plan.pk}/line-decisions",
        {"line_ids": [foley_line["line_id"]], "action": "confirm_best"},
        content_type="application/json",
        headers=headers,
    )
    assert response.json()["coverage"]["confirmed_quantity"] == "1200.000"
    assert response.json()["coverage"]["lines_no_local_source"] == 0
    bad = client.post(
        f"{API}/plans/{plan.pk}/line-decisions",
        {"line_ids": [foley_line["line_id"]], "action": "perhaps"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bad_action"


@pytest.mark.parametrize("who", ["other_buyer", "manufacturer", "buyer_reader", "secretariat"])
def test_others_cannot_decide_on_lines_through_the_api(client, foley, who):
    plan, run = foley.foley_plan()
    line_ids = list(plan.lines.values_list("pk", flat=True))
    response = client.post(
        f"{API}/plans/{plan.pk}/line-decisions",
        {"line_ids": line_ids, "action": "reject_all"},
        content_type="application/json",
        headers=auth(getattr(foley, who)),
    )
    assert response.status_code in (403, 404)
    assert not MatchDecision.objects.exists() and not LineDecision.objects.exists()
    run.refresh_from_db()
    assert run.covered_quantity == 1400
