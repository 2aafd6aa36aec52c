"""Benchmarks of the matching engine, run by `tawrid bench` (autodiscovered): quality on the evaluation data
beside baselines, speed at scale, and the allocation LP. The measurements live in `benchmarks/`."""

from tawrid.matching.benchmarks import allocation, coding, national, quality, speed  # noqa: F401  (registers the benchmarks)
