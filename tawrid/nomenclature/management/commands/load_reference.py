"""`tawrid load_reference [--only emdn,cpv,hs,fda,crosswalk] [--force]`: load the reference nomenclatures
idempotently, and the HS ↔ EMDN crosswalk once (the copy edited on screen is kept unless --force)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tawrid.core.errors import DomainError
from tawrid.insights.services import crosswalk_load
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
        # The HS ↔ EMDN crosswalk is loaded once, after EMDN and HS (it refers to both); see tawrid.insights.
        crosswalk = which is None or "crosswalk" in which
        nomenclatures = [name for name in which if name != "crosswalk"] if which else None
        try:
            results = reference_load(which=nomenclatures, force=options["force"]) if nomenclatures != [] else []
            crosswalk_result = crosswalk_load(force=options["force"]) if crosswalk else None
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
        if crosswalk_result is not None:
            if crosswalk_result["kept"]:
                self.stdout.write(
                    f"crosswalk: {crosswalk_result['kept']} links kept (edited on screen; --force replaces them)"
                )
            else:
                self.stdout.write(f"crosswalk: {crosswalk_result['created']} links loaded")
