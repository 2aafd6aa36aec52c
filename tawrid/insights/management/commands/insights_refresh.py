"""`tawrid insights_refresh [--queue]`: compute the indicators now (or put the computation on the job queue)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tawrid.core.errors import DomainError
from tawrid.core.permissions import Actor
from tawrid.insights import services

OPERATOR = Actor(is_superuser=True)  # the command line acts as the platform operator


class Command(BaseCommand):
    help = "Compute the insights indicators from the trade data, plans, match runs, orders and catalogue loaded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", action="store_true", help="Queue the computation for the task worker.")

    def handle(self, *args: Any, queue: bool, **options: Any) -> None:
        try:
            if queue:
                snapshot = services.snapshot_request(actor=OPERATOR)
                self.stdout.write(f"indicators: computation #{snapshot.pk} queued")
                return
            snapshot = services.snapshot_compute_now(actor=OPERATOR)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"indicators: snapshot #{snapshot.pk}, {snapshot.groups.count()} EMDN groups, "
            f"trade years {snapshot.trade_years}, plan years {snapshot.demand_years}"
        )
