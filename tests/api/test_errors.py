"""One error format for the whole API: {"message", "code", "details"}, in the caller's language."""

import pytest

from tawrid.accounts.tests.factories import UserFactory
from tawrid.accounts.tokens import api_token_create

pytestmark = pytest.mark.django_db


def test_unauthenticated_call_gets_401_in_the_error_format(client):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"message", "code", "details"}
    assert body["code"] == "unauthenticated"


def test_bad_token_is_refused_and_good_token_accepted(client):
    user = UserFactory()
    _token, raw = api_token_create(user=user, name="ci")
    assert client.get("/api/v1/accounts/me", headers={"Authorization": "Bearer twd_forged"}).status_code == 401
    response = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_messages_follow_accept_language(client):
    french = client.get("/api/v1/jobs/999999", headers={"Accept-Language": "fr"})
    english = client.get("/api/v1/jobs/999999", headers={"Accept-Language": "en"})
    assert french.status_code == english.status_code == 401
    assert french.json()["code"] == english.json()["code"] == "unauthenticated"


def test_forged_id_is_a_404_in_the_error_format(client):
    client.force_login(UserFactory())
    response = client.get("/api/v1/jobs/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_invalid_parameter_is_a_422_with_details(client):
    client.force_login(UserFactory())
    response = client.get("/api/v1/jobs/not-a-number")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["details"]
