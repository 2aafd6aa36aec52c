"""tawrid ocds_validate FILE.json [FILE.json …]

Validates OCDS 1.1 release or record packages with libcoveocds, offline (the standard shipped in
data/reference/ocds/). Prints each error and warning; exits non-zero when any file has an error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tawrid.sourcing.ocds.validate import check


class Command(BaseCommand):
    help = "Validate OCDS 1.1 release or record packages (JSON files) offline; exit non-zero on any error."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="OCDS package files (JSON).")
        parser.add_argument("--no-warnings", action="store_true", help="Print errors only.")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for name in options["files"]:
            path = Path(name)
            try:
                package = json.loads(path.read_text(encoding="utf-8"))
            except OSError as error:
                raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": name, "error": error}) from None
            except ValueError as error:
                raise CommandError(_("%(file)s is not JSON: %(error)s") % {"file": name, "error": error}) from None
            report = check(package)
            for problem in report.errors:
                self.stdout.write(f"{name}: {_('error')}: {problem}")
            if not options["no_warnings"]:
                for warning in report.warnings:
                    self.stdout.write(f"{name}: {_('warning')}: {warning}")
            if report.errors:
                failed += 1
            else:
                self.stdout.write(_("%(file)s: valid OCDS 1.1") % {"file": name})
        if failed:
            raise CommandError(_("%(count)d file(s) with errors.") % {"count": failed})
