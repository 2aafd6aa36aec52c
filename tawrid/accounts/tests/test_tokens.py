"""The life of a personal API token: hashed storage, use, expiry, revocation, and `tawrid api_token`."""

from datetime import timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.utils import timezone

from tawrid.accounts.models import ApiToken
from tawrid.accounts.tests.factories import UserFactory, token_for
from tawrid.accounts.tokens import api_token_authenticate, hash_secret

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"


def test_the_raw_secret_is_never_stored():
    user = UserFactory()
    token, secret = token_for(user)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(v) for v in row.values()}
    assert row["token_hash"] == hash_secret(secret) and secret.startswith(row["prefix"])


def test_a_token_authenticates_and_records_its_last_use(client):
    user = UserFactory()
    token, secret = token_for(user)
    assert client.get(ME, headers={"Authorization": f"Bearer {secret}"}).json()["id"] == user.pk
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_expired_and_inactive_tokens_get_401(client):
    user = UserFactory()
    revoked, revoked_secret = token_for(user, name="revoked")
    revoked.revoked_at = timezone.now()
    revoked.save()
    expired, expired_secret = token_for(user, name="expired")
    expired.expires_at = timezone.now() - timedelta(seconds=1)
    expired.save()
    for secret in (revoked_secret, expired_secret, expired_secret[:-1] + "x"):
        response = client.get(ME, headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    _, secret = token_for(user, name="good")
    user.is_active = False
    user.save()
    assert api_token_authenticate(raw_token=secret) is None


def test_command_prints_a_working_token_and_audits_it(client):
    user = UserFactory(email="ops@example.ma")
    out, err = StringIO(), StringIO()
    call_command("api_token", "OPS@example.ma", "--name", "Sauvegarde", "--days", "10", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("twd_") and "Sauvegarde" in err.getvalue()
    token = ApiToken.objects.get(user=user)
    assert token.name == "Sauvegarde"
    assert timedelta(days=9, hours=23) < token.expires_at - timezone.now() <= timedelta(days=10)
    assert client.get(ME, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert LogEntry.objects.get_for_object(token).get().actor == user


def test_command_fails_clearly_for_an_unknown_person_or_bad_lifetime():
    with pytest.raises(CommandError, match="nobody@example.ma"):
        call_command("api_token", "nobody@example.ma", stdout=StringIO(), stderr=StringIO())
    UserFactory(email="x@example.ma")
    with pytest.raises(CommandError):
        call_command("api_token", "x@example.ma", "--days", "0", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_the_tawrid_command_offers_api_token():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", "from tawrid.cli import main; main()", "api_token", "--help"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "--days" in result.stdout
