"""`tawrid load_reference [--only emdn,cpv,hs,fda] [--force]`: load the reference nomenclatures idempotently."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tawrid.core.errors import DomainError
from tawrid.nomenclature.services import NOMENCLATURES, reference_load


class Command(BaseCommand):
    help = "Load the reference nomenclatures (EMDN, CPV, HS, FDA) from data/reference/; unchanged files are skipped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only",
            default="",
            help=f"Comma-separated nomenclatures to load (default: all of {', '.join(NOMENCLATURES)}).",
        )
        parser.add_argument("--force", action="store_true", help="Reload even the files that did not change.")

    def handle(self, *args: Any, **options: Any) -> None:
        which = [name.strip().lower() for name in options["only"].split(",") if name.strip()] or None
        try:
            results = reference_load(which=which, force=options["force"])
        except DomainError as error:
            raise CommandError(error.message) from error
        for result in results:
            if result.skipped:
                line = f"{result.name}: unchanged files, skipped ({result.unchanged} rows)"
            else:
                parts = ", ".join(
                    f"{label} {counts['created']}/{counts['updated']}/{counts['unchanged']}"
                    for label, counts in result.details.items()
                )
                line = (
                    f"{result.name}: {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged ({parts} created/updated/unchanged) in {result.seconds:.1f} s"
                )
            self.stdout.write(line)
