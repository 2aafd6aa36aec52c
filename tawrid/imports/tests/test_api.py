"""The imports API: the same flow and permissions as the pages."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tawrid.accounts.models import Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.imports.models import ImportRun
from tawrid.imports.tests import files
from tawrid.imports.tests.kind import KIND

pytestmark = pytest.mark.django_db
BASE = "/api/v1/imports"


@pytest.fixture
def org():
    return OrganisationFactory()


@pytest.fixture
def buyer(org, client):
    user = person_in(org, role=Role.ADMIN)
    client.force_login(user)
    return user


def upload(client, org, data, name="p.xlsx", **extra):
    return client.post(
        f"{BASE}/runs", {"kind": KIND, "organisation_id": org.pk, "file": SimpleUploadedFile(name, data), **extra}
    )


def test_kinds_list_the_columns(client, buyer):
    kinds = {k["name"]: k for k in client.get(f"{BASE}/kinds").json()}
    assert [c["key"] for c in kinds[KIND]["columns"]][:2] == ["email", "full_name"]


def test_api_flow(client, buyer, org, django_capture_on_commit_callbacks):
    response = upload(client, org, files.messy_workbook())
    assert response.status_code == 201, response.content
    run = response.json()
    assert (run["sheet_name"], run["header_row"], run["status"]) == ("Personnel", 4, "uploaded")

    response = client.put(
        f"{BASE}/runs/{run['id']}/mapping", json.dumps({"mapping": run["mapping"]}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "mapped"

    preview = client.get(f"{BASE}/runs/{run['id']}/preview").json()
    assert preview["rows"][0]["values"]["quantity"] == "1234.50" and preview["rows"][0]["problems"][0]["is_warning"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/runs/{run['id']}/execute", json.dumps({}), content_type="application/json")
    assert response.status_code == 202 and response.json()["job_id"]
    status = client.get(f"{BASE}/runs/{run['id']}").json()
    assert (status["status"], status["created_count"]) == ("imported", 3)
    assert client.get(f"{BASE}/runs").json()[0]["id"] == run["id"]


def test_api_errors_are_clear(client, buyer, org, settings):
    response = upload(client, org, files.PNG, name="x.xlsx")
    assert response.status_code == 400 and response.json()["code"] == "wrong_type"
    response = upload(client, org, files.zip_bomb(), name="x.xlsx")
    assert response.json()["code"] == "zip_bomb"
    response = upload(client, org, files.messy_workbook(), params="[1, 2]")  # French by default
    assert response.status_code == 400 and response.json()["details"]["params"]
    assert "objet JSON" in response.json()["message"]
    settings.IMPORT_MAX_BYTES = 10
    response = upload(client, org, files.messy_workbook())
    assert response.json()["code"] == "too_large"
    assert not ImportRun.objects.exists()


def test_api_mapping_errors_and_reports(client, buyer, org, django_capture_on_commit_callbacks):
    run = upload(client, org, files.messy_workbook([["a@example.ma", "A", "", "beaucoup"]])).json()
    response = client.put(
        f"{BASE}/runs/{run['id']}/mapping",
        json.dumps({"mapping": {"E-mail": "email"}}),
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_mapping"
    client.put(
        f"{BASE}/runs/{run['id']}/mapping", json.dumps({"keep_valid_rows": True}), content_type="application/json"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{BASE}/runs/{run['id']}/execute", json.dumps({"keep_valid_rows": False}), content_type="application/json"
        )
    status = client.get(f"{BASE}/runs/{run['id']}").json()
    assert status["status"] == "failed" and status["invalid_rows"] == 1
    problems = client.get(f"{BASE}/runs/{run['id']}/errors").json()
    assert problems[0]["row_number"] == 5 and problems[0]["value"] == "beaucoup"
    csv_report = client.get(f"{BASE}/runs/{run['id']}/errors.csv")
    assert csv_report.status_code == 200 and "beaucoup" in csv_report.content.decode("utf-8-sig")


def test_api_permissions(client, buyer, org):
    other_org = OrganisationFactory()
    response = upload(client, other_org, files.messy_workbook())
    assert response.status_code == 404
    run = upload(client, org, files.messy_workbook()).json()
    client.force_login(person_in(other_org))
    assert client.get(f"{BASE}/runs/{run['id']}").status_code == 404
    assert client.post(f"{BASE}/runs/{run['id']}/execute", "{}", content_type="application/json").status_code == 404
    assert client.get(f"{BASE}/runs").json() == []
    client.force_login(person_in(org, role=Role.READ_ONLY))
    assert client.get(f"{BASE}/runs/{run['id']}").status_code == 200
    assert client.post(f"{BASE}/runs/{run['id']}/cancel").status_code == 403


def test_the_api_is_documented(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/imports/runs",
        "/api/v1/imports/runs/{run_id}/mapping",
        "/api/v1/imports/runs/{run_id}/execute",
    } <= set(paths)
    assert "multipart/form-data" in paths["/api/v1/imports/runs"]["post"]["requestBody"]["content"]
