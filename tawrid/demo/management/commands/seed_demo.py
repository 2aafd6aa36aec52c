from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.demo import data, services


class Command(BaseCommand):
    help = _("Build the demo cluster (idempotent, deterministic for a given seed), or print the demo logins.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=data.DEFAULT_SEED, help=_("Seed of the demo data (default: %(default)s).")
        )
        parser.add_argument("--logins", action="store_true", help=_("Only print the table of demo logins."))

    def handle(self, *args: Any, seed: int, logins: bool, verbosity: int, **options: Any) -> None:
        if logins:
            self._print_logins()
            return
        report = services.demo_seed(seed=seed)
        if not report.created:
            self.stdout.write(_("Demo data already present (seed %(seed)s): nothing created.") % {"seed": seed})
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data (seed %(seed)s): created %(orgs)s organisations, %(people)s people, "
                    "%(memberships)s memberships and %(cluster)s cluster memberships."
                )
                % {
                    "seed": seed,
                    "orgs": len(report.organisations),
                    "people": len(report.people),
                    "memberships": report.memberships,
                    "cluster": report.cluster_memberships,
                }
            )
        )
        if verbosity >= 2:
            for name in report.organisations:
                self.stdout.write(f"  + {name}")
            for email in report.people:
                self.stdout.write(f"  + {email}")

    def _print_logins(self) -> None:
        kinds = dict(OrganisationKind.choices)
        roles = dict(Role.choices)
        header = (_("E-mail"), _("Organisation"), _("Kind"), _("Role"))
        rows = [
            (
                row.email,
                row.organisation or "—",
                str(kinds[row.kind]) if row.kind else _("Platform operator"),
                str(roles[row.role]) if row.role else _("Superuser and staff"),
            )
            for row in services.demo_logins()
        ]
        widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
        self.stdout.write(
            _("Demo logins (password for every account: %(password)s)") % {"password": data.DEMO_PASSWORD}
        )
        for line in (header, tuple("-" * w for w in widths), *rows):
            self.stdout.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            )
        self.stdout.write(
            _(
                "Every other demo organisation has admin.<slug>@%(domain)s, and some have membre.<slug>@%(domain)s "
                "and lecture.<slug>@%(domain)s (same password)."
            )
            % {"domain": data.EMAIL_DOMAIN}
        )
