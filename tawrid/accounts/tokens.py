"""Secrets handed to people (API tokens, invitation links): random, shown once, stored as SHA-256 hashes."""

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from tawrid.accounts.models import ApiToken, User

TOKEN_PREFIX = "twd_"


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: "User", name: str, days: int | None = None) -> tuple["ApiToken", str]:
    """A new personal token for `user`; returns the token row and the secret (shown once, never stored)."""
    from tawrid.accounts.models import ApiToken

    raw = new_secret()
    lifetime = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:100] or "API",
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            token_hash=hash_secret(raw),
            expires_at=timezone.now() + timedelta(days=lifetime) if lifetime else None,
        )
    return token, raw


def api_token_revoke(*, token: "ApiToken") -> "ApiToken":
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(*, raw_token: str) -> "User | None":
    """The active person a token belongs to, or None (unknown, revoked, expired, or inactive person)."""
    from tawrid.accounts.models import ApiToken

    if not raw_token or not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_secret(raw_token), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.user.is_active or (token.expires_at and token.expires_at <= now):
        return None
    # Touch last_used_at at most once a minute so that busy clients do not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
