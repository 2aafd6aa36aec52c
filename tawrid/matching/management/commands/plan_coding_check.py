"""`tawrid plan_coding_check`: how many lines of a 150-line plan without EMDN codes reach national demand once
matched (tawrid.matching.benchmarks.coding), on a throw-away database like `tawrid bench`."""

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from tawrid.matching.benchmarks.coding import LINES, plan_coding_check


class Command(BaseCommand):
    help = "Import, publish and match a plan of real designations without EMDN codes; print how many get coded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lines", type=int, default=LINES)

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("django.tasks").setLevel(logging.WARNING)
        settings.DEBUG = False
        test_settings = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            test_settings["NAME"] = str(Path(settings.BASE_DIR) / "var" / "coding-check.sqlite3")
        else:
            test_settings["NAME"] = f"coding_check_{connection.settings_dict['NAME']}"
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            found = plan_coding_check(options["lines"])
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        levels = ", ".join(f"level {level}: {count}" for level, count in found["levels"].items()) or "none"
        self.stdout.write(f"lines: {found['lines']}")
        self.stdout.write(f"coded by the engine: {found['coded']} ({levels})")
        self.stdout.write(
            f"lines in national demand: {found['national_lines']} (of which coded by the engine: "
            f"{found['national_suggested']})"
        )
        self.stdout.write(f"classifier warm-up: {found['warm_up_seconds']} s; plan run: {found['run_seconds']} s")
