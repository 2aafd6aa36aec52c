"""tawrid classify --scheme emdn [--examples LABELLED.csv] [--top 5] INPUT.csv --output OUT.csv

INPUT: columns `id,text`; LABELLED (optional): `text,code`; OUT: `id,rank,code,score` (ranks from 1). No database:
the nomenclature is read from the reference file (settings.REFERENCE_DATA_DIR)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tawrid.matching.management import read_table, write_table

SCHEMES = ("emdn", "cpv")


def load_scheme(scheme: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    from tawrid.matching.engine.nomenclature import CPV_FILE, EMDN_FILE, load_cpv, load_emdn

    path = settings.REFERENCE_DATA_DIR / (EMDN_FILE if scheme == "emdn" else CPV_FILE)
    if not path.is_file():
        raise CommandError(_("Reference file not found: %(file)s") % {"file": str(path)})
    return load_emdn(path) if scheme == "emdn" else load_cpv(path)


class Command(BaseCommand):
    help = "Suggest nomenclature codes (EMDN or CPV) for the texts of a CSV file (id,text), without the database."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="CSV file with columns id,text.")
        parser.add_argument("--output", required=True, help="CSV file to write (id,rank,code,score).")
        parser.add_argument("--scheme", choices=SCHEMES, default="emdn")
        parser.add_argument("--examples", help="Optional CSV file of labelled texts (text,code).")
        parser.add_argument("--top", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        from tawrid.matching.services import classifier_on_shared_vectors

        if options["top"] < 1:
            raise CommandError(_("--top must be at least 1."))
        rows = read_table(options["input"], ("id", "text"), unique="id")
        examples: list[tuple[str, str]] = []
        if options["examples"]:
            labelled = read_table(options["examples"], ("text", "code"))
            examples = [(r["text"], r["code"]) for r in labelled if r["text"] and r["code"]]
        terms, parents = load_scheme(options["scheme"])
        # The nomenclature's vectors are computed once (~2 minutes for EMDN) and kept in var/cache/embeddings.
        classifier = classifier_on_shared_vectors(terms, examples, parents=parents)
        suggestions = classifier.suggest([r["text"] for r in rows], top=options["top"])
        out = [
            (row["id"], rank, s.code, f"{s.score:.4f}")
            for row, found in zip(rows, suggestions, strict=True)
            for rank, s in enumerate(found, start=1)
        ]
        write_table(options["output"], ("id", "rank", "code", "score"), out)
        self.stdout.write(
            _("%(lines)d text(s) classified into %(file)s") % {"lines": len(rows), "file": options["output"]}
        )
