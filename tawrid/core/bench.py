"""Benchmarks: commands, not timed tests. `tawrid bench` (or `make bench`) runs every registered benchmark on a
fresh test database, prints each figure beside the baseline measured in the same run, writes
docs/benchmarks.md and refreshes the table in README.md between the `bench:start`/`bench:end` markers.

A benchmark is a function registered with `@benchmark("name")` in an app's `bench.py` (autodiscovered by the
command) that returns a list of `Figure`s.
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Figure:
    benchmark: str
    metric: str
    value: float
    baseline: float | None
    unit: str
    baseline_label: str = ""

    @property
    def ratio(self) -> str:
        if self.baseline in (None, 0) or self.value == 0:
            return ""
        better_when_lower = self.unit in {"s", "ms", "MB", "queries"}
        factor = self.baseline / self.value if better_when_lower else self.value / self.baseline
        return f"×{factor:.1f}"


BenchmarkFunction = Callable[[], list[Figure]]
_BENCHMARKS: dict[str, BenchmarkFunction] = {}


def benchmark(name: str) -> Callable[[BenchmarkFunction], BenchmarkFunction]:
    def decorate(fn: BenchmarkFunction) -> BenchmarkFunction:
        _BENCHMARKS[name] = fn
        return fn

    return decorate


def registered() -> dict[str, BenchmarkFunction]:
    return dict(sorted(_BENCHMARKS.items()))


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as elapsed: ...` then `elapsed[0]` is the wall time in seconds."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


def percentiles_ms(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of durations given in seconds, in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def environment_line() -> str:
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {connection.vendor}, "
        f"{platform.machine()}, {_cpu_count()} cores"
    )


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


def markdown_table(figures: list[Figure]) -> str:
    lines = [
        "| benchmark | metric | Tawrid | baseline (same run) | gain |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for f in figures:
        baseline = "—" if f.baseline is None else f"{_fmt(f.baseline)} {f.unit} ({f.baseline_label})"
        lines.append(f"| {f.benchmark} | {f.metric} | {_fmt(f.value)} {f.unit} | {baseline} | {f.ratio} |")
    return "\n".join(lines)


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}".replace(",", " ")
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def database_url() -> str:
    """The URL of the database this process uses, for a worker process started by a benchmark or a test."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@benchmark("jobs")
def jobs_throughput() -> list[Figure]:
    """Jobs through the database queue and a real worker process, against running them in-process."""
    import os
    import subprocess
    import sys

    from django.test import override_settings

    from tawrid.core import jobs
    from tawrid.core.models import Job

    count = 200
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate), stopwatch() as in_process:
        for _ in range(count):
            jobs.job_enqueue(kind="core.prune_jobs", title="bench")
    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=database):
        with stopwatch() as enqueue:
            for _ in range(count):
                jobs.job_enqueue(kind="core.prune_jobs", title="bench")
        env = {**os.environ, "DATABASE_URL": database_url(), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
        with stopwatch() as drain:
            subprocess.run(
                [sys.executable, "-m", "tawrid.cli", "worker", "--batch", "--interval", "0.05"],
                env=env,
                check=True,
                capture_output=True,
                timeout=600,
            )
    done = Job.objects.filter(status="succeeded", title="bench").count()  # another benchmark's jobs aside
    if done != 2 * count:
        raise RuntimeError(f"only {done} of {2 * count} jobs succeeded")
    return [
        Figure("jobs", f"{count} jobs enqueued on the database queue", count / enqueue[0], None, "jobs/s"),
        Figure(
            "jobs",
            "jobs run by one worker process (queue + run)",
            count / drain[0],
            count / in_process[0],
            "jobs/s",
            "run in-process, no queue",
        ),
    ]
