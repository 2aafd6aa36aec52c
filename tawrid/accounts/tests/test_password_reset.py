"""Password reset: its e-mail leaves through the queue, so a missing mail server never fails the page."""

import pytest
from django.core import mail
from django.urls import reverse

from tawrid.accounts.tests.factories import UserFactory
from tawrid.core.tests.test_mail import closed_smtp_port

pytestmark = pytest.mark.django_db


def test_a_password_reset_without_a_mail_server_still_answers(client, settings, django_capture_on_commit_callbacks):
    person = UserFactory(email="forgetful@example.ma")
    closed_smtp_port(settings)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": person.email})
    assert response.status_code == 302  # Django itself logs a failed send; kept as a guard
    assert not mail.outbox


def test_a_password_reset_mail_is_sent_by_the_queue_not_inside_the_request(client, django_capture_on_commit_callbacks):
    person = UserFactory(email="forgetful@example.ma")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("accounts:password_reset"), {"email": person.email})
    assert response.status_code == 302
    assert not mail.outbox  # a slow mail server does not hold the request (Django sends it inline)
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [[person.email]]
    assert "/accounts/password-reset/" in mail.outbox[0].body
