"""The idempotency keys' housekeeping and documentation (the behaviour is tested on sourcing's routes:
tawrid/sourcing/tests/test_idempotency.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tawrid.accounts.tests.factories import UserFactory
from tawrid.core import idempotency
from tawrid.core.jobs import job_enqueue
from tawrid.core.models import IdempotencyKey, JobStatus

pytestmark = pytest.mark.django_db


def test_the_prune_job_forgets_expired_keys_only(django_capture_on_commit_callbacks):
    person = UserFactory()
    now = timezone.now()
    IdempotencyKey.objects.create(user=person, key="old", fingerprint="x", expires_at=now - timedelta(minutes=1))
    kept = IdempotencyKey.objects.create(user=person, key="new", fingerprint="x", expires_at=now + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind="core.prune_idempotency_keys", title="Prune")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"deleted": 1}
    assert list(IdempotencyKey.objects.all()) == [kept]


def test_the_api_documents_the_header():
    from config.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/sourcing/orders/direct"]["post"]
    assert idempotency.HEADER in [parameter["name"] for parameter in operation["parameters"]]
