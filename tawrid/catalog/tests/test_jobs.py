"""The daily expiry job: reminders 90 and 30 days before, each sent once; certificates expire."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from tawrid.catalog.jobs import expiry_reminders_send
from tawrid.catalog.models import CertificateStatus, ExpiryReminder, LabelApplication, LabelStatus
from tawrid.catalog.tests.factories import CertificateFactory, RegistrationFactory
from tawrid.core.jobs import job_enqueue
from tawrid.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 1)


def test_reminders_are_sent_90_and_30_days_before_and_only_once(world, django_capture_on_commit_callbacks):
    certificate = CertificateFactory(holder=world.org_a, number="ISO-90", expires_on=DAY + timedelta(days=90))
    RegistrationFactory(product=world.product_a, number="DMP-30", valid_until=DAY + timedelta(days=30))
    LabelApplication.objects.create(
        product=world.product_a,
        local_content_share=60,
        status=LabelStatus.APPROVED,
        valid_until=DAY + timedelta(days=30),
    )
    CertificateFactory(holder=world.org_a, number="ISO-45", expires_on=DAY + timedelta(days=45))
    with django_capture_on_commit_callbacks(execute=True):  # the e-mails go out after each reminder commits
        result = expiry_reminders_send(on=DAY)
    assert result["reminders"] == 3
    assert len(mail.outbox) == 3
    subjects = " ".join(m.subject for m in mail.outbox)
    assert "ISO-90" in subjects and "DMP-30" in subjects and "ISO-45" not in subjects
    recipients = set(mail.outbox[0].to)
    assert recipients == {world.admin_a.email, world.member_a.email}  # not the read-only person
    assert expiry_reminders_send(on=DAY)["reminders"] == 0
    assert len(mail.outbox) == 3
    assert (
        ExpiryReminder.objects.filter(object_kind="certificate", object_id=certificate.pk, days_before=90).count() == 1
    )
    # 60 days later, the 30-day reminder of the same certificate.
    with django_capture_on_commit_callbacks(execute=True):
        expiry_reminders_send(on=DAY + timedelta(days=60))
    assert len(mail.outbox) == 4 and "ISO-90" in mail.outbox[-1].subject


def test_the_job_expires_certificates_and_the_command_runs_it(world, django_capture_on_commit_callbacks):
    old = CertificateFactory(holder=world.org_a, expires_on=DAY - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind="catalog.expiry_reminders", title="Rappels", params={"on": DAY.isoformat()})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["expired_certificates"] == 1
    old.refresh_from_db()
    assert old.status == CertificateStatus.EXPIRED
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_expiry_reminders", "--date", DAY.isoformat())
    assert Job.objects.filter(kind="catalog.expiry_reminders").count() == 2
