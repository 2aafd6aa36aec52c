"""`tawrid worker`: the task worker (django-tasks-db's db_worker) that runs jobs from the database queue.

Run as many as you like, on as many machines as share the database: each takes tasks independently.
On start it marks failed, so they can be retried, the jobs left running by a worker of this host that died.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tawrid.core.jobs import fail_interrupted_jobs


class Command(BaseCommand):
    help = "Run the background task worker (jobs: imports, loading nomenclatures, match runs, reports)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run the queued tasks, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of the queue.")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks.")

    def handle(self, *args, batch: bool, interval: float, max_tasks: int | None, **options) -> None:
        interrupted = fail_interrupted_jobs()
        if interrupted:
            self.stderr.write(f"jobs interrupted by a stopped worker, now failed: {', '.join(map(str, interrupted))}")
        worker_options = {"interval": interval, "startup_delay": False, "reload": False}
        if batch:
            worker_options["batch"] = True
        if max_tasks:
            worker_options["max_tasks"] = max_tasks
        call_command("db_worker", **worker_options)
