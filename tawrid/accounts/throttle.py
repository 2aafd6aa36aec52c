"""Sign-in throttling with django-axes (docs/decisions.md, docs/deployment.md).

Failed sign-ins — wrong passwords on the log-in pages (ours and the admin site's), wrong API tokens — are
counted in the database per account and per address (the client's address, REMOTE_ADDR: behind the proxy,
`tawrid serve` sets it from X-Forwarded-For sent by the trusted proxy only). After `AXES_FAILURE_LIMIT`
failures for an account or from an address within `AXES_COOLOFF_TIME`, sign-ins for that account or from that
address are refused, the right password or token included, until the cool-off has passed since the last
failure. Successful sign-ins are never counted. The database (not a per-process cache) holds the counts, so
every server process and thread sees the same ones.

The moment an account gets locked is written in the audit trail (on the person); every failure is kept by
axes (AccessAttempt, AccessFailureLog: admin site) with its address.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_failure_limit
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext

from tawrid.core.errors import DomainError

if TYPE_CHECKING:
    from tawrid.accounts.models import User

log = logging.getLogger(__name__)

TOKEN_KEY_PREFIX = "api-token:"


class TooManyAttempts(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__(throttled_message(), code="too_many_attempts")


def throttled_message() -> str:
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return " ".join(
        [
            gettext("Too many failed sign-in attempts for this account or from this address."),
            ngettext(
                "Signing in is paused: try again in %(minutes)d minute.",
                "Signing in is paused: try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        ]
    )


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The key an account is counted under: the e-mail as typed, folded (AXES_USERNAME_CALLABLE), so that
    `Someone@Example.ma` and `someone@example.ma ` count as one account."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username")
    return str(raw).strip().lower()[:255] if raw else None


class ThrottleBackend(AxesStandaloneBackend):
    """axes' standalone backend (first in AUTHENTICATION_BACKENDS: it refuses locked accounts and addresses
    before any password is checked), except for calls without a request: those come from code (a shell, a
    command, a test), never from someone trying passwords over the network."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the log-in page again, with the reason and status 429 (too many requests)."""
    if original_response is not None and original_response.status_code == 429:
        return original_response  # the API has answered in its own error format (api_token_user)
    _audit_lock(request, credentials, event="sign_in_throttled")
    message = throttled_message()
    if isinstance(original_response, TemplateResponse) and original_response.context_data:
        form = original_response.context_data.get("form")
        if form is not None and hasattr(form, "add_error"):
            form.errors.clear()  # "wrong e-mail or password" would be misleading: the password was not checked
            form.add_error(None, message)
            original_response.content = original_response.rendered_content
            original_response.status_code = 429
            return original_response
    return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")


def api_token_user(request: HttpRequest, raw_token: str) -> User | None:
    """The person an API token belongs to, counting a wrong token as a failed sign-in; raises TooManyAttempts
    when the address (or the token aimed at) is locked, even for a good token."""
    from tawrid.accounts.tokens import api_token_authenticate

    credentials = {"username": TOKEN_KEY_PREFIX + raw_token[:10]}
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise TooManyAttempts()
    user = api_token_authenticate(raw_token=raw_token)
    if user is None:
        AxesProxyHandler.user_login_failed(sender=api_token_user, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            _audit_lock(request, credentials, event="api_token_throttled", raw_token=raw_token)
            raise TooManyAttempts()
    return user


def _audit_lock(request: HttpRequest, credentials: dict[str, Any] | None, *, event: str, raw_token: str = "") -> None:
    """Record on the person, once per lock (when the count reaches the limit), that their account was locked."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != get_failure_limit(request, credentials):
        return
    address = getattr(request, "axes_ip_address", None)
    log.warning("Sign-in locked (%s) after %s failures, address %s", event, failures, address)
    person = _person(get_client_username(request, credentials), raw_token)
    if person is None:
        return  # an unknown account: axes' records (admin site) keep the address and the attempts
    LogEntry.objects.log_create(
        person,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        changes={"sign_in": ["", "locked"]},
        additional_data={"event": event, "ip_address": address, "failures": failures},
    )


def _person(username: str | None, raw_token: str) -> User | None:
    if raw_token:
        from tawrid.accounts.models import ApiToken

        token = ApiToken.objects.select_related("user").filter(prefix=raw_token[:10]).first()
        return token.user if token else None
    if not username:
        return None
    return get_user_model().objects.filter(email__iexact=username).first()  # type: ignore[return-value]
