"""E-mail goes out after the commit, through the task queue, with retries (issue 15, finding 8).

A mail server that is slow, absent or refusing never fails the action that sends the mail nor holds its
transaction: `mail_queue` puts each message on the queue once the transaction commits, and the task retries a
failed delivery later (with a growing delay) before giving up."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tawrid.accounts.models import Invitation
from tawrid.accounts.tests.factories import World, token_for
from tawrid.core import mail as core_mail
from tawrid.core.mail import mail_queue

pytestmark = pytest.mark.django_db


class FlakyBackend(EmailBackend):
    """locmem, after `failures` refused deliveries."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        if FlakyBackend.attempts <= FlakyBackend.failures:
            raise ConnectionRefusedError("no mail server")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FlakyBackend"}}
    FlakyBackend.attempts = 0
    return FlakyBackend


def closed_smtp_port(settings) -> None:
    """SMTP to a port where nothing listens: what a demo without a mail server does."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }


def test_a_mail_goes_out_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        mail_queue(to=["a@example.ma"], subject="Objet", body="Texte\n")
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [(["a@example.ma"], "Objet", "Texte\n")]


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        mail_queue(to=["a@example.ma"], subject="Objet", body="Texte")
        raise RuntimeError("refused")
    assert mail.outbox == []


def test_a_failed_delivery_is_retried_until_it_goes_out(flaky, django_capture_on_commit_callbacks):
    flaky.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue(to=["a@example.ma"], subject="Objet", body="Texte")
    assert flaky.attempts == 3 and len(mail.outbox) == 1


def test_a_server_that_never_answers_is_given_up_after_the_last_attempt(flaky, django_capture_on_commit_callbacks):
    flaky.failures = 100
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue(to=["a@example.ma"], subject="Objet", body="Texte")  # nothing raised here
    assert flaky.attempts == core_mail.MAX_ATTEMPTS and mail.outbox == []


def test_on_the_database_queue_a_retry_waits_for_its_delay(flaky, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    flaky.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue(to=["a@example.ma"], subject="Objet", body="Texte")
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "tawrid.core.mail.mail_send" and flaky.attempts == 0  # nothing sent in the request
    before = timezone.now()
    queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])  # what the worker does
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after >= before + timedelta(seconds=core_mail.RETRY_DELAYS[0])
    retry.task.call(*retry.args_kwargs["args"], **retry.args_kwargs["kwargs"])
    assert len(mail.outbox) == 1 and DBTaskResult.objects.count() == 2


def test_inviting_a_person_without_a_mail_server_succeeds(settings, django_capture_on_commit_callbacks):
    world = World()
    closed_smtp_port(settings)
    client = Client(raise_request_exception=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            f"/api/v1/accounts/organisations/{world.org_a.pk}/invitations",
            {"email": "new@example.ma", "role": "member"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token_for(world.admin_a)[1]}"},
        )
    assert response.status_code == 201, response.content
    assert Invitation.objects.filter(email="new@example.ma").exists()
    assert callbacks and mail.outbox == []  # queued, tried, to be retried later

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/accounts/organisations/{world.org_a.pk}/invitations",
            {"email": "other@example.ma", "role": "member"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token_for(world.admin_a)[1]}"},
        )
    assert response.status_code == 201 and [m.to for m in mail.outbox] == [["other@example.ma"]]
