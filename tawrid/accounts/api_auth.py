"""API authentication: personal tokens sent as `Authorization: Bearer <token>`."""

from typing import Any

from auditlog.context import auditlog_value
from django.http import HttpRequest
from ninja.security import HttpBearer

from tawrid.accounts.throttle import api_token_user


def _identify(request: HttpRequest, user: Any) -> None:
    """Make `user` the request's person, for the views and for the audit trail.

    AuditlogMiddleware picked the actor before the token was read (the request looked anonymous then);
    its context for this request is a dict that it reads when each log entry is saved, so naming the
    actor there makes the changes made through a token carry their author.
    """
    request.user = user
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("actor") is None:
        context["actor"] = user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(request, token)  # counted and throttled like passwords (tawrid.accounts.throttle)
        if user is not None:
            _identify(request, user)
        return user


class OptionalAuth:
    """For public endpoints: anyone may call; a token or session, when given, identifies the caller."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = api_token_user(request, header[7:].strip())
            if user is not None:
                _identify(request, user)
        return True
