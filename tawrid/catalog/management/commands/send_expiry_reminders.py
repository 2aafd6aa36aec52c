"""`tawrid send_expiry_reminders [--date YYYY-MM-DD]`: the catalogue's daily job (schedule it with cron or a
systemd timer, see docs/catalog.md). Runs the job now, in this process, and records it like any job."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from tawrid.core.jobs import job_enqueue, job_execute
from tawrid.core.models import JobStatus


class Command(BaseCommand):
    help = "Send the 90- and 30-day expiry reminders (each once) and mark expired certificates. Run daily."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", dest="day", default="", help="The day to run for (default: today).")

    def handle(self, *args, day: str, **options) -> None:
        params = {}
        if day:
            try:
                params["on"] = datetime.date.fromisoformat(day).isoformat()
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        job = job_enqueue(kind="catalog.expiry_reminders", title="Expiry reminders", params=params)
        job = job_execute(job.pk)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.error)
        self.stdout.write(
            f"{job.result.get('reminders', 0)} reminder(s) sent, "
            f"{job.result.get('expired_certificates', 0)} certificate(s) expired."
        )
