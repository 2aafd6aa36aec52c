"""Cancelling a consultation with no mail server succeeds; the suppliers' e-mails are queued after the commit
(issue 15, finding 8)."""

import pytest
from django.core import mail
from django.test import Client

from tawrid.accounts.tests.factories import token_for
from tawrid.core.tests.test_mail import closed_smtp_port
from tawrid.sourcing.models import Consultation, ConsultationStatus
from tawrid.sourcing.tests.factories import SourcingWorld


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def test_cancelling_a_consultation_without_a_mail_server_succeeds(settings, world, django_capture_on_commit_callbacks):
    consultation = world.consultation()
    closed_smtp_port(settings)
    client = Client(raise_request_exception=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            f"/api/v1/sourcing/consultations/{consultation.pk}/cancel",
            {"reason": "Budget réaffecté."},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token_for(world.buyer)[1]}"},
        )
    assert response.status_code == 200, response.content
    assert Consultation.objects.get(pk=consultation.pk).status == ConsultationStatus.CANCELLED
    assert len(callbacks) == 3 and mail.outbox == []  # one per supplier's person, each to be retried


def test_the_suppliers_are_told_once_the_cancellation_is_committed(world, django_capture_on_commit_callbacks):
    consultation = world.consultation()
    client = Client()
    headers = {"Authorization": f"Bearer {token_for(world.buyer)[1]}"}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            f"/api/v1/sourcing/consultations/{consultation.pk}/cancel",
            {"reason": "Budget réaffecté."},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 200 and mail.outbox == []  # nothing sent inside the transaction
    for callback in callbacks:
        callback()
    assert {m.to[0] for m in mail.outbox} == {
        world.manufacturer.email,
        world.maker_reader.email,
        world.foreign_manufacturer.email,
    }
