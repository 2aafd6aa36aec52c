"""The one way the platform sends e-mail: after the commit, through the task queue, with retries.

`mail_queue(to=…, subject=…, body=…)` is called by a service inside its transaction. Nothing is sent then: once
the transaction commits, one task per message goes on the queue (`tawrid worker` sends it), so a slow, absent or
refusing mail server neither holds a database transaction nor fails the action, and a refused action sends
nothing. A delivery that fails is tried again later, after RETRY_DELAYS (1 min, 5 min, 30 min, 2 h, 6 h), then
given up and logged as an error. Messages are composed (and translated) by the caller, in the recipient's
language, before they are queued.

On a back-end that cannot delay a task (Django's immediate back-end, used by the tests), the retries follow each
other at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

RETRY_DELAYS = (60, 300, 1800, 7200, 21600)  # seconds before the 2nd, 3rd… attempt
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def mail_queue(*, to: str | Iterable[str], subject: str, body: str, from_email: str | None = None) -> None:
    """Send one e-mail once the current transaction commits (at once outside a transaction)."""
    recipients = [to] if isinstance(to, str) else [str(address) for address in to]
    if not recipients:
        return
    message = {
        "to": recipients,
        "subject": " ".join(str(subject).split()),  # a header: one line
        "body": str(body),
        "from_email": str(from_email or settings.DEFAULT_FROM_EMAIL),
    }
    # robust: the action has committed; a queue that cannot be reached must not turn its answer into an error.
    transaction.on_commit(partial(_enqueue, message, 1), robust=True)


def _enqueue(message: dict[str, Any], attempt: int, delay: int | None = None) -> None:
    queued = mail_send
    if delay and queued.get_backend().supports_defer:
        queued = queued.using(run_after=timezone.now() + timedelta(seconds=delay))
    queued.enqueue(message=message, attempt=attempt)


@task()
def mail_send(*, message: dict[str, Any], attempt: int = 1) -> str:
    email = EmailMessage(message["subject"], message["body"], message["from_email"], message["to"])
    try:
        mailers.default.send_messages([email])
    except Exception:
        if attempt >= MAX_ATTEMPTS:
            logger.exception("e-mail to %s given up after %d attempts", message["to"], attempt)
            raise
        delay = RETRY_DELAYS[attempt - 1]
        logger.warning(
            "e-mail to %s not sent (attempt %d), tried again in %d s", message["to"], attempt, delay, exc_info=True
        )
        _enqueue(message, attempt + 1, delay)
        return "retrying"
    return "sent"
