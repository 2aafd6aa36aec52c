"""`tawrid bench`: run the benchmarks on a fresh database, print and record the figures."""

import logging
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from tawrid.core import bench

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


class Command(BaseCommand):
    help = "Run the benchmarks (fresh database), print figures beside their baselines, write docs/benchmarks.md."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--only", default="", help="Comma-separated benchmark names.")
        parser.add_argument("--no-write", action="store_true", help="Print only; do not update the docs.")

    def handle(self, *args, only: str, no_write: bool, **options) -> None:
        logging.getLogger("django.tasks").setLevel(logging.WARNING)
        settings.DEBUG = False  # no query log kept in memory while measuring
        autodiscover_modules("bench")
        wanted = {name.strip() for name in only.split(",") if name.strip()}
        benchmarks = {name: fn for name, fn in bench.registered().items() if not wanted or name in wanted}
        if not benchmarks:
            self.stderr.write("No benchmark to run.")
            return
        # A throw-away database, like the test runner's: benchmarks never touch the real data.
        test_settings = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            test_settings["NAME"] = str(Path(settings.BASE_DIR) / "var" / "bench.sqlite3")
        else:
            test_settings["NAME"] = f"bench_{connection.settings_dict['NAME']}"
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        figures: list[bench.Figure] = []
        try:
            for name, fn in benchmarks.items():
                self.stdout.write(f"running {name}…")
                figures.extend(fn())
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        table = bench.markdown_table(figures)
        self.stdout.write("\n" + table + "\n")
        if not no_write and not wanted:
            self._write(table)

    def _write(self, table: str) -> None:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
        body = (
            "# Benchmarks\n\n"
            "Written by `make bench` (`tawrid bench`); each figure is measured beside its baseline in the same run.\n\n"
            f"Last run: {stamp}, {bench.environment_line()}.\n\n{table}\n"
        )
        base = Path(settings.BASE_DIR)
        (base / "docs" / "benchmarks.md").write_text(body, encoding="utf-8")
        readme = base / "README.md"
        text = readme.read_text(encoding="utf-8")
        if START in text and END in text:
            block = f"{START}\n_Last run: {stamp}, {bench.environment_line()}._\n\n{table}\n{END}"
            readme.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S))
