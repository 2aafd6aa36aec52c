"""The catalogue's daily job: expiry reminders and expiry of certificates.

`catalog.expiry_reminders` e-mails the manufacturer's administrators and members 90 and 30 days before a
certificate, a DMP registration or a Made in Morocco label expires (each reminder once: `ExpiryReminder`
records it), then marks certificates past their expiry date as expired. `tawrid send_expiry_reminders`
runs it; schedule that command daily (see docs/catalog.md).
"""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tawrid.accounts.models import Membership, Role
from tawrid.catalog import services
from tawrid.catalog.models import (
    Certificate,
    CertificateStatus,
    ExpiryReminder,
    LabelApplication,
    LabelStatus,
    RegistrationApplication,
    RegistrationStatus,
)
from tawrid.core.jobs import JobContext, job_kind
from tawrid.core.mail import mail_queue

REMINDER_DAYS = (90, 30)


def _recipients(organisation_id: int) -> list[str]:
    return sorted(
        Membership.objects.filter(organisation_id=organisation_id, role__in=[Role.ADMIN, Role.MEMBER]).values_list(
            "user__email", flat=True
        )
    )


def _due(on: date, days: int) -> list[tuple[str, Any, int, str, date]]:
    """(kind, object, organisation id, what, expiry) of everything that expires exactly `days` after `on`."""
    target = on + timedelta(days=days)
    rows: list[tuple[str, Any, int, str, date]] = []
    for c in Certificate.objects.filter(expires_on=target, status=CertificateStatus.ACTIVE).select_related("holder"):
        rows.append(("certificate", c, c.holder_id, f"{c.get_kind_display()} {c.number}", c.expires_on))
    for r in RegistrationApplication.objects.filter(
        valid_until=target, status=RegistrationStatus.APPROVED
    ).select_related("product"):
        rows.append(("registration", r, r.product.manufacturer_id, f"DMP {r.number} — {r.product.name_fr}", target))
    for label in LabelApplication.objects.filter(valid_until=target, status=LabelStatus.APPROVED).select_related(
        "product"
    ):
        rows.append(
            ("label", label, label.product.manufacturer_id, f"Made in Morocco — {label.product.name_fr}", target)
        )
    return rows


def expiry_reminders_send(*, on: date) -> dict[str, int]:
    """Send the reminders due on `on` (each once), then expire certificates past their date."""
    sent = 0
    for days in REMINDER_DAYS:
        for kind, obj, organisation_id, what, expires_on in _due(on, days):
            recipients = _recipients(organisation_id)
            try:
                with transaction.atomic():
                    ExpiryReminder.objects.create(
                        object_kind=kind,
                        object_id=obj.pk,
                        days_before=days,
                        expires_on=expires_on,
                        recipients=", ".join(recipients),
                    )
                    if recipients:  # queued with its record: sent once it commits, retried if the server fails
                        with translation.override(settings.LANGUAGE_CODE):
                            context = {"what": what, "days": days, "expires_on": expires_on}
                            subject = render_to_string("catalog/email/expiry_subject.txt", context).strip()
                            body = render_to_string("catalog/email/expiry.txt", context)
                        mail_queue(to=recipients, subject=subject, body=body)
            except IntegrityError:
                continue  # already sent
            sent += 1
    expired = services.certificates_expire(on=on)
    return {"reminders": sent, "expired_certificates": expired}


@job_kind("catalog.expiry_reminders")
def expiry_reminders(context: JobContext, *, on: str | None = None) -> dict[str, Any]:
    day = date.fromisoformat(on) if on else timezone.localdate()
    context.set_total(1)
    result = expiry_reminders_send(on=day)
    context.advance(step=day.isoformat())
    context.log(f"{result['reminders']} reminder(s), {result['expired_certificates']} certificate(s) expired")
    return result
