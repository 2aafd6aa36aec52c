from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings
from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError
from tawrid.core.permissions import Actor
from tawrid.demand.models import PlanStatus, PurchasePlan
from tawrid.matching import selectors, services
from tawrid.matching.models import MatchRun, RunStatus

OPERATOR = Actor(is_superuser=True)  # the command line acts as the platform operator
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


class Command(BaseCommand):
    help = _(
        "Match purchase plans against the local catalogue: one plan, every published plan of a year one by one, "
        "or a national run of a year; resume a run after a crash. The runs are jobs for `tawrid worker` unless "
        "--now is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--plan", type=int, help=_("Id of the plan to match."))
        which.add_argument(
            "--national", type=int, metavar="YEAR", help=_("Match every published plan of YEAR together.")
        )
        which.add_argument(
            "--published",
            type=int,
            nargs="?",
            const=0,
            metavar="YEAR",
            help=_("Match each published plan (of YEAR, or of every year) that has no run yet."),
        )
        which.add_argument("--resume", type=int, metavar="RUN", help=_("Resume run RUN after a crash."))
        which.add_argument("--embed", action="store_true", help=_("Only embed the products whose texts changed."))
        parser.add_argument("--now", action="store_true", help=_("Run in this process instead of the worker."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["embed"]:
            count = services.embeddings_refresh()
            self.stdout.write(_("%(count)s product(s) embedded.") % {"count": count})
            return
        if options["now"]:
            with override_settings(TASKS=IMMEDIATE):
                runs = self._start(options)
        else:
            runs = self._start(options)
        for run in runs:
            run.refresh_from_db()
            if run.status == RunStatus.DONE:
                coverage = selectors.coverage(run)
                self.stdout.write(
                    _("%(run)s: %(lines)s lines, %(share)s%% of the quantity covered locally.")
                    % {"run": run, "lines": run.lines_total, "share": round(100 * coverage["quantity_share"], 1)}
                )
            else:
                self.stdout.write(
                    _("%(run)s: %(chunks)s part(s) queued for the worker.") % {"run": run, "chunks": run.chunks_total}
                )

    def _start(self, options: dict[str, Any]) -> list[MatchRun]:
        try:
            if options["resume"]:
                run = MatchRun.objects.filter(pk=options["resume"]).first()
                if run is None:
                    raise CommandError(_("No run %(id)s.") % {"id": options["resume"]})
                services.match_run_resume(actor=OPERATOR, run=run)
                return [run]
            if options["national"]:
                return [services.match_run_start(actor=OPERATOR, year=options["national"])]
            if options["plan"]:
                plan = PurchasePlan.objects.filter(pk=options["plan"]).first()
                if plan is None:
                    raise CommandError(_("No plan %(id)s.") % {"id": options["plan"]})
                return [services.match_run_start(actor=OPERATOR, plan=plan)]
            plans = PurchasePlan.objects.filter(status=PlanStatus.PUBLISHED).exclude(
                match_runs__status__in=[RunStatus.DONE, RunStatus.MATCHING, RunStatus.ALLOCATING]
            )
            if options["published"]:
                plans = plans.filter(year=options["published"])
            return [services.match_run_start(actor=OPERATOR, plan=plan) for plan in plans.order_by("pk")]
        except DomainError as error:
            raise CommandError(error.message) from error
