"""The API's contract: the OpenAPI document served at /api/v1/openapi.json must equal the committed snapshot
(docs/openapi.json), so that every API change is deliberate. After a deliberate change: `make openapi`."""

import json
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


@pytest.mark.django_db
def test_openapi_document_matches_the_committed_snapshot(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = response.json()
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert served == committed, "The API changed: review it, then run `make openapi` to update docs/openapi.json"
