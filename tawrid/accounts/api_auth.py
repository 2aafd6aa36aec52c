"""API authentication: personal tokens sent as `Authorization: Bearer <token>`."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from tawrid.accounts.tokens import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw_token=token)
        if user is not None:
            request.user = user
        return user


class OptionalAuth:
    """For public endpoints: anyone may call; a token or session, when given, identifies the caller."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = api_token_authenticate(raw_token=header[7:].strip())
            if user is not None:
                request.user = user
        return True
