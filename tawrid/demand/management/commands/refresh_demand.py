"""tawrid refresh_demand [--year Y]: rebuild the national demand figures (every year with plans by default)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tawrid.demand.models import PurchasePlan
from tawrid.demand.services import demand_aggregate_refresh


class Command(BaseCommand):
    help = "Rebuild the national demand aggregates of one year (or of every year that has plans)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="Only this year.")

    def handle(self, *args: Any, **options: Any) -> None:
        years = (
            [options["year"]] if options["year"] else sorted(set(PurchasePlan.objects.values_list("year", flat=True)))
        )
        for year in years:
            rows = demand_aggregate_refresh(year=year)
            self.stdout.write(f"{year}: {rows} row(s)")
