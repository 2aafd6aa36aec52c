"""Sign-in throttling: per account and per address, for the log-in page and for API tokens."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils.translation import gettext

from tawrid.accounts.tests.factories import TEST_PASSWORD, UserFactory, token_for

pytestmark = pytest.mark.django_db

LIMIT = 5


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def _login(client, email: str, password: str, address: str = "198.51.100.1"):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def _me(client, token: str, address: str = "198.51.100.1"):
    return client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"}, REMOTE_ADDR=address)


def test_the_right_password_is_refused_after_too_many_wrong_ones(client):
    person = UserFactory()
    for _ in range(LIMIT):
        assert _login(client, person.email, "wrong-password").status_code in (200, 429)
    response = _login(client, person.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert gettext("Too many failed sign-in attempts for this account or from this address.") in (
        response.content.decode()
    )
    # The person's account records the lock in the audit trail.
    entry = LogEntry.objects.get(content_type__model="user", object_pk=str(person.pk), action=LogEntry.Action.ACCESS)
    assert entry.additional_data["event"] == "sign_in_throttled"


def test_wrong_passwords_lock_the_account_from_any_address(client):
    person = UserFactory()
    for i in range(LIMIT):
        _login(client, person.email.upper(), "wrong-password", address=f"198.51.100.{i + 10}")
    assert _login(client, person.email, TEST_PASSWORD, address="192.0.2.200").status_code == 429


def test_wrong_passwords_from_one_address_lock_that_address(client):
    people = [UserFactory() for _ in range(LIMIT)]
    for person in people:
        _login(client, person.email, "wrong-password", address="198.51.100.9")
    other = UserFactory()
    assert _login(client, other.email, TEST_PASSWORD, address="198.51.100.9").status_code == 429
    # The same person from another address is not concerned (only one failure on each account).
    assert _login(client, other.email, TEST_PASSWORD, address="192.0.2.1").status_code == 302


def test_successful_sign_ins_are_never_throttled(client):
    person = UserFactory()
    for _ in range(3 * LIMIT):
        assert _login(client, person.email, TEST_PASSWORD).status_code == 302
        client.logout()


def test_a_few_mistakes_do_not_lock(client):
    person = UserFactory()
    for _ in range(LIMIT - 1):
        assert _login(client, person.email, "wrong-password").status_code == 200
    assert _login(client, person.email, TEST_PASSWORD).status_code == 302


def test_wrong_api_tokens_are_throttled_per_address_with_the_api_error_format(client):
    person = UserFactory()
    _, good = token_for(person)
    for i in range(LIMIT - 1):
        assert _me(client, f"twd_wrong-token-{i}").status_code == 401
    locked = _me(client, "twd_wrong-token-last")
    assert locked.status_code == 429
    body = locked.json()
    assert set(body) == {"message", "code", "details"}
    assert body["code"] == "too_many_attempts"
    # Even a good token is refused from that address for the cool-off; from elsewhere it works.
    assert _me(client, good).status_code == 429
    assert _me(client, good, address="192.0.2.50").status_code == 200


def test_wrong_tokens_aimed_at_one_token_lock_it_from_any_address_and_are_audited(client):
    person = UserFactory()
    _, good = token_for(person)
    for i in range(LIMIT):
        _me(client, good[:10] + "x" * 30, address=f"198.51.100.{i + 30}")  # its visible prefix, a guessed rest
    assert _me(client, good, address="192.0.2.60").status_code == 429
    assert LogEntry.objects.filter(
        content_type__model="user", object_pk=str(person.pk), additional_data__event="api_token_throttled"
    ).exists()
