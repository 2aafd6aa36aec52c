"""Doubled requests create one object: idempotency keys for the API, one-time tokens for the pages' forms.

A client that retries a request (a timeout, a lost answer) or a person who clicks twice must not get two
orders. The API: a write that creates something sends an `Idempotency-Key` header (any string of 1 to 255
visible ASCII characters, a UUID for example); `@idempotent` under the route's decorator makes the route
answer a request sent again with the same key (same person, same method, path and body) with the first
answer, without writing anything, and refuse (422) the same key with another request. The pages: a create
form carries a one-time token (`form_token_issue`); `form_once` runs the form's action once per token and
sends a second post of the same form to what the first one created.

How a race is stopped: the key is inserted, unique per person, in the same transaction as the work and its
answer. A second request with the key waits at that insert until the first one's transaction ends (that is
how the database enforces a unique constraint): if it committed, the second finds the answer and replays it;
if it rolled back (the request was refused), the key is free again and the second request runs. So a refused
request does not use up its key: the client corrects it and sends it again with the same key.

Keys are kept KEEP_FOR (24 hours); an expired key is forgotten when it is used again and by the
`core.prune_idempotency_keys` job kind.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from tawrid.core.errors import DomainError
from tawrid.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
FORM_FIELD = "form_token"
KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255
_REQUEST_ATTRIBUTE = "_tawrid_idempotency_claim"


class KeyReused(DomainError):
    """The same key with another request: a client's mistake it must see, not a silent replay."""

    status = 422

    def __init__(self) -> None:
        super().__init__(
            _(
                "This Idempotency-Key was already used with another request. Send a new key for a new request, "
                "or the very same request to get its first answer again."
            ),
            code="idempotency_key_reused",
        )


class KeyInUse(DomainError):
    status = 409

    def __init__(self) -> None:
        super().__init__(
            _("A request with this Idempotency-Key is still being processed: try again in a moment."),
            code="idempotency_key_in_use",
        )


@dataclass
class Claim:
    record: IdempotencyKey
    replay: bool  # the key was used before: `record` holds the first answer


def _check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise DomainError(
            _("The Idempotency-Key must be 1 to %(max)d visible ASCII characters (a UUID, for example).")
            % {"max": MAX_KEY_LENGTH},
            code="invalid_idempotency_key",
        )
    return key


def claim(*, user_id: int, key: str, fingerprint: str) -> Claim:
    """Take `key` for this person, or find the answer of the request that took it. Call it inside the
    transaction that does the work: the key is released if that transaction rolls back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim() must run inside the transaction that does the work")
    now = timezone.now()
    # Forget this person's expired keys (this one too, if it is): keeps the table bounded between prunings.
    IdempotencyKey.objects.filter(user_id=user_id, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user_id=user_id, key=key, fingerprint=fingerprint, expires_at=now + KEEP_FOR
            )
    except IntegrityError:
        # The insert waited for the transaction holding the key, which committed: its answer is there.
        first = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
        if first is None or (first.response_status is None and not first.response_url):
            raise KeyInUse() from None
        if first.fingerprint != fingerprint:
            raise KeyReused() from None
        return Claim(first, replay=True)
    return Claim(record, replay=False)


def keys_prune(*, now: Any = None) -> int:
    deleted, _by_model = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


# The API ----------------------------------------------------------------------------------------------------------


def _fingerprint(request: HttpRequest) -> str:
    try:
        body = request.body
    except RawPostDataException:  # a multipart body already parsed: its fields and files stand for it
        body = json.dumps(
            [sorted(request.POST.lists()), sorted((name, f.name, f.size) for name, f in request.FILES.items())]
        ).encode()
    with contextlib.suppress(ValueError):  # the same JSON written another way (spaces, key order) is the same
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), body):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(record.response_body, status=record.response_status, content_type="application/json")
    response[REPLAYED_HEADER] = "true"
    return response


def _in_one_transaction(run: Callable[..., Any]) -> Callable[..., Any]:
    """Around ninja's whole handling of the request (authentication, view, serialisation), so that the key, the
    work and the answer commit together. A request that is refused rolls back, key included."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if HEADER not in request.headers:
            return run(request, *args, **kwargs)
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            found = getattr(request, _REQUEST_ATTRIBUTE, None)
            if not 200 <= response.status_code < 300:
                transaction.set_rollback(True)
            elif found is not None and not found.replay:
                found.record.response_status = response.status_code
                found.record.response_body = response.content.decode()
                found.record.save(update_fields=["response_status", "response_body", "updated_at"])
        return response

    return wrapper


def _document(operation: Any) -> None:
    header = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
        "description": (
            "Send the same key again (same body) to get the first answer back without creating anything twice; "
            "the answer then has the `Idempotent-Replayed: true` header. The same key with another body is "
            f"refused (422). Keys are kept {int(KEEP_FOR.total_seconds() // 3600)} hours."
        ),
    }
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), header]
    operation.openapi_extra = extra


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Under a django-ninja route's decorator: `@router.post(...)` then `@idempotent` then `def view(...)`."""

    @functools.wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        raw = request.headers.get(HEADER)
        if raw is None or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        found = claim(user_id=request.user.pk, key=_check_key(raw), fingerprint=_fingerprint(request))
        if found.replay:
            return _replay(found.record)
        setattr(request, _REQUEST_ATTRIBUTE, found)
        return view(request, *args, **kwargs)

    # ninja reads the parameters' types from the signature; resolve them here, in the view's own module.
    inner.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    contribute_operation_callback(inner, _document)
    return decorate_view(_in_one_transaction)(inner)


# The pages' forms --------------------------------------------------------------------------------------------------


def form_token_issue() -> str:
    """A new form's one-time token, for its hidden `form_token` field."""
    return secrets.token_urlsafe(24)


def form_token_of(request: HttpRequest) -> str:
    """The posted form's token ("" when none was sent, or when it cannot be one of ours)."""
    token = str(request.POST.get(FORM_FIELD, "")).strip()
    return token if 0 < len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum() else ""


@dataclass
class FormOutcome:
    url: str  # where to go: what the (first) post created
    replayed: bool  # True: this post was a second one, nothing was done


def form_once(request: HttpRequest, action: Callable[[], str]) -> FormOutcome:
    """Run a create form's `action` (which returns the address of what it created) once per form token.

    The same form posted again (a double click, the browser's back button) does nothing and gives the first
    post's address. Without a token (a form from before tokens), the action simply runs. `action`'s errors
    (DomainError) go through, and the token stays unused."""
    token = form_token_of(request)
    if not token or not request.user.is_authenticated:
        return FormOutcome(action(), replayed=False)
    fingerprint = hashlib.sha256(f"form\0{request.path}".encode()).hexdigest()
    with transaction.atomic():
        try:
            found = claim(user_id=request.user.pk, key=f"form:{token}", fingerprint=fingerprint)
        except KeyReused:
            raise DomainError(
                _("This form was already sent from another page. Reload the page and send it again."),
                code="form_already_sent",
            ) from None
        if found.replay:
            return FormOutcome(found.record.response_url, replayed=True)
        url = action()
        found.record.response_url = url[:500]
        found.record.save(update_fields=["response_url", "updated_at"])
    return FormOutcome(url, replayed=False)
