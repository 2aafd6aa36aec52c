"""tawrid match --catalog CATALOG.csv --demand DEMAND.csv [--top 10] --output OUT.csv

CATALOG: `id,name,description` and optionally `manufacturer,emdn`; DEMAND: `id,designation` and optionally
`quantity,unit`; OUT: `demand_id,rank,product_id,score,explanation`. Specifications are read from the texts
(`parse_designation`) on both sides, so the specification fit works on files too. When the catalogue has EMDN
codes, the lines are classified (EMDN terms + the catalogue's coded products as examples) and the code
agreement enters the score. No database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tawrid.matching.management import read_table, write_table


class Command(BaseCommand):
    help = "Rank the catalogue products (CSV) that can supply each demand line (CSV), without the database."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--catalog", required=True, help="CSV: id,name,description[,manufacturer,emdn].")
        parser.add_argument("--demand", required=True, help="CSV: id,designation[,quantity,unit].")
        parser.add_argument(
            "--output", required=True, help="CSV to write: demand_id,rank,product_id,score,explanation."
        )
        parser.add_argument("--top", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        from tawrid.matching.engine.retrieve import Matcher
        from tawrid.matching.engine.types import DemandLine, ProductDoc
        from tawrid.specs import parse_designation

        if options["top"] < 1:
            raise CommandError(_("--top must be at least 1."))
        catalog = read_table(
            options["catalog"], ("id", "name", "description"), optional=("manufacturer", "emdn"), unique="id"
        )
        demand = read_table(options["demand"], ("id", "designation"), optional=("quantity", "unit"), unique="id")
        products = [
            ProductDoc(
                id=row["id"],
                texts=tuple(t for t in (row["name"], row["description"]) if t),
                manufacturer=row.get("manufacturer", ""),
                emdn=row.get("emdn", "").upper(),
                specifications=tuple(parse_designation(f"{row['name']} {row['description']}")),
            )
            for row in catalog
        ]
        lines = []
        for row in demand:
            quantity = row.get("quantity", "").replace(",", ".").replace(" ", "")
            try:
                amount = float(quantity) if quantity else 0.0
            except ValueError:
                raise CommandError(
                    _("%(file)s: demand %(id)s has an invalid quantity %(value)r.")
                    % {"file": options["demand"], "id": row["id"], "value": row["quantity"]}
                ) from None
            text = row["designation"]
            lines.append(
                DemandLine(id=row["id"], text=text, attributes=tuple(parse_designation(text)), quantity=amount)
            )
        classifier = None
        if any(p.emdn for p in products):
            # Codes on the catalogue side: classify the lines into EMDN (the catalogue's own labelled products
            # as examples) so that code agreement counts in the score.
            from tawrid.matching.management.commands.classify import load_scheme
            from tawrid.matching.services import classifier_on_shared_vectors

            terms, parents = load_scheme("emdn")
            examples = [(p.text, p.emdn) for p in products if p.emdn]
            classifier = classifier_on_shared_vectors(terms, examples, parents=parents)
        matcher = Matcher(products, classifier=classifier)
        results = matcher.match(lines, top=options["top"])
        out = [
            (c.line_id, rank, c.product_id, f"{c.score:.4f}", c.explanation.summary())
            for candidates in results
            for rank, c in enumerate(candidates, start=1)
        ]
        write_table(options["output"], ("demand_id", "rank", "product_id", "score", "explanation"), out)
        self.stdout.write(
            _("%(lines)d demand line(s) matched into %(file)s") % {"lines": len(lines), "file": options["output"]}
        )
