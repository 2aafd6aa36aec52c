"""Out-of-range numbers are refused with a 422 in the error format, and a bug answers a JSON 500 with a reference.

Integers of 2**63 and more, negative page sizes or year 0 used to reach the database and fail there (a 500, as an
HTML page): the shared bounded types (tawrid/core/api_schemas.py) refuse them before the view runs.
"""

import json
import logging

import pytest

from tawrid.accounts.tests.factories import UserFactory
from tawrid.core import selectors

pytestmark = pytest.mark.django_db

TOO_BIG = 2**63

REFUSED_GETS = [
    f"/api/v1/catalog/products?offset={TOO_BIG}",
    "/api/v1/catalog/products?limit=-1",
    f"/api/v1/catalog/products/{TOO_BIG}",
    f"/api/v1/catalog/certificates?holder_id={TOO_BIG}",
    "/api/v1/catalog/products/1/eligibility?on=0",
    "/api/v1/matching/mine?limit=-1",
    f"/api/v1/matching/mine?offset={TOO_BIG}",
    "/api/v1/sourcing/purchase-rates?year=0",
    f"/api/v1/sourcing/orders?offset={TOO_BIG}",
    f"/api/v1/sourcing/orders/{TOO_BIG}",
    f"/api/v1/accounts/organisations?offset={TOO_BIG}",
    f"/api/v1/accounts/organisations/{TOO_BIG}",
    f"/api/v1/nomenclature/emdn?q=a&offset={TOO_BIG}",
    f"/api/v1/nomenclature/cpv?q=a&offset={TOO_BIG}",
    f"/api/v1/nomenclature/hs?q=a&offset={TOO_BIG}",
    f"/api/v1/nomenclature/fda?q=a&offset={TOO_BIG}",
    f"/api/v1/insights/datasets?offset={TOO_BIG}",
    f"/api/v1/imports/runs?organisation_id={TOO_BIG}",
    "/api/v1/imports/runs?limit=0",
    f"/api/v1/demand/plans/{TOO_BIG}",
    "/api/v1/demand/plans?year=0",
    "/api/v1/jobs/0",
    "/api/v1/jobs/?limit=-5",
]


def _assert_validation_error(response):
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["details"]


@pytest.mark.parametrize("url", REFUSED_GETS)
def test_out_of_range_parameters_are_a_422(client, url):
    client.force_login(UserFactory())
    _assert_validation_error(client.get(url))


def test_out_of_range_ids_in_bodies_and_paths_of_writes_are_a_422(client):
    client.force_login(UserFactory())
    _assert_validation_error(
        client.post(f"/api/v1/sourcing/lots/{TOO_BIG}/award", {"offer_id": 1}, content_type="application/json")
    )
    _assert_validation_error(
        client.post("/api/v1/sourcing/lots/1/award", {"offer_id": TOO_BIG}, content_type="application/json")
    )
    consultation = {
        "line_ids": [TOO_BIG],
        "reference": "R-1",
        "title": "T",
        "questions_deadline": "2030-01-01T10:00:00Z",
        "submission_deadline": "2030-01-02T10:00:00Z",
        "opening_at": "2030-01-03T10:00:00Z",
    }
    _assert_validation_error(
        client.post("/api/v1/sourcing/consultations", consultation, content_type="application/json")
    )


def test_an_unexpected_error_answers_the_error_format_with_a_reference(client, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "job_list", broken)
    client.force_login(UserFactory())
    with caplog.at_level(logging.ERROR, logger="tawrid.api"):
        response = client.get("/api/v1/jobs/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "server_error"
    reference = body["details"]["reference"][0]
    assert reference in body["message"]
    logged = [record for record in caplog.records if reference in record.getMessage()]
    assert logged and logged[0].exc_info and "a bug" in str(logged[0].exc_info[1])


def test_an_unknown_api_address_is_a_404_in_the_error_format(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_a_failure_outside_the_api_views_is_a_json_500_under_api(rf, caplog):
    """Django's handler500 (a failure in a middleware, say) answers the error format under /api/, not a page."""
    from tawrid.core.views import server_error

    with caplog.at_level(logging.ERROR, logger="tawrid.api"):
        response = server_error(rf.get("/api/v1/jobs/"))
    assert response.status_code == 500
    body = json.loads(response.content)
    assert body["code"] == "server_error"
    assert any(body["details"]["reference"][0] in record.getMessage() for record in caplog.records)
