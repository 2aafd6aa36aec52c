"""`tawrid import_plan FILE --buyer SLUG --year YYYY`: import a purchase plan file from the command line,
through the same import services as the screen (detection, remembered mapping, checks, all or nothing).
The job runs in this process; the exit code is not zero when nothing was imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tawrid.accounts.models import Membership, Organisation, Role
from tawrid.core.errors import DomainError
from tawrid.core.jobs import job_execute
from tawrid.core.permissions import actor_for
from tawrid.demand import services
from tawrid.demand.imports import KIND
from tawrid.imports import services as imports
from tawrid.imports.models import ImportRowError, ImportStatus


class Command(BaseCommand):
    help = "Import an annual purchase plan (xlsx, xls or csv) into the buyer's draft plan of the year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--buyer", required=True, help="Short name (slug) of the hospital group or hospital.")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--site", help="Short name of one of the buyer's sites (default: the whole group).")
        parser.add_argument("--user", help="E-mail of the person importing (default: an administrator of the buyer).")
        parser.add_argument("--keep-valid-rows", action="store_true", help="Import the valid rows even if some fail.")
        parser.add_argument("--sheet", help="Sheet to read (default: detected).")
        parser.add_argument("--header-row", type=int, help="Row number of the header (default: detected).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        buyer = Organisation.objects.filter(slug=options["buyer"]).first()
        if buyer is None:
            raise CommandError(f"No organisation with the short name {options['buyer']!r}.")
        site = None
        if options.get("site"):
            site = Organisation.objects.filter(slug=options["site"]).first()
            if site is None:
                raise CommandError(f"No organisation with the short name {options['site']!r}.")
        user = self._user(buyer, options.get("user"))
        actor = actor_for(user)
        try:
            plan = services.plan_get_or_create_draft(
                actor=actor, buyer=buyer, year=options["year"], site=site, user=user
            )
            run = imports.import_upload(
                actor=actor,
                user=user,
                kind_name=KIND,
                organisation=buyer,
                filename=path.name,
                data=path.read_bytes(),
                params={"plan": str(plan.pk)},
                sheet=options.get("sheet"),
                header_row=options.get("header_row"),
                confirm_reimport=True,
            )
            self.stdout.write(
                f"{path.name}: sheet {run.sheet_name!r}, header on row {run.header_row}; plan {plan} (id {plan.pk})"
            )
            for header, key in run.mapping.items():
                self.stdout.write(f"  {header!r} -> {key or '(ignored)'}")
            run = imports.import_set_mapping(actor=actor, run=run, keep_valid_rows=options["keep_valid_rows"])
            run = imports.import_execute(actor=actor, run=run, user=user)
        except DomainError as error:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.details.items())
            raise CommandError(f"{error.message} {details}".strip()) from None
        if run.job_id:
            job_execute(run.job_id)
        run.refresh_from_db()
        for problem in ImportRowError.objects.filter(run=run).order_by("row_number", "pk"):
            label = "warning" if problem.is_warning else "error"
            self.stdout.write(f"  row {problem.row_number} [{problem.column}] {label}: {problem.message}")
        self.stdout.write(
            f"{run.total_rows} rows read, {run.invalid_rows} in error; "
            f"{run.created_count} lines created, {run.updated_count} updated, {run.unchanged_count} unchanged."
        )
        if run.status != ImportStatus.IMPORTED:
            raise CommandError(run.message or f"Import {run.status}.")
        self.stdout.write(self.style.SUCCESS(f"Imported into {plan} (status {plan.get_status_display()})."))

    def _user(self, buyer: Organisation, email: str | None) -> Any:
        memberships = Membership.objects.filter(organisation=buyer).select_related("user")
        if email:
            membership = memberships.filter(user__email__iexact=email).first()
            if membership is None:
                raise CommandError(f"{email} is not a member of {buyer.name}.")
            return membership.user
        membership = (
            memberships.filter(role=Role.ADMIN, user__is_active=True).first()
            or memberships.filter(role=Role.MEMBER, user__is_active=True).first()
        )
        if membership is None:
            raise CommandError(f"{buyer.name} has no administrator or member to import on behalf of; give --user.")
        return membership.user
