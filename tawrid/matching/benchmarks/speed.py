"""Benchmark "matching speed": index build, single-line latency, batch throughput and memory at 10,000 and
100,000 catalogue products, and a 50,000-line national plan.

Catalogues are the real development texts (EUDAMED devices, English and French), cycled with deterministic
variations (a model number and a manufacturer per copy: every product's text differs, so BM25 indexes
100,000 distinct documents). Only unique base texts are embedded; their vectors are cached under
var/cache/embeddings, so reruns skip the model; a copy shares its base text's vector. Plan lines are the real
designations of an Algerian hospital (tawrid/specs/tests/data/hospital_lines_dz.csv) cycled: national plans
repeat designations across hospitals, and the engine scores identical normalised lines once. Query embeddings
are never cached: their cost is in the latency and throughput."""

from __future__ import annotations

import csv
import gc
import resource
import sys
import tracemalloc

import numpy as np
from django.conf import settings

from tawrid.core.bench import Figure, benchmark, percentiles_ms, stopwatch

NAME = "matching speed"
SIZES = (10_000, 100_000)
PLAN_LINES = 50_000
LATENCY_LINES = 200
HOSPITAL = settings.BASE_DIR / "tawrid/specs/tests/data/hospital_lines_dz.csv"


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def catalogue(size: int, base: list[tuple[str, str]], vectors: np.ndarray) -> tuple[list, np.ndarray]:  # type: ignore[type-arg]
    from tawrid.matching.engine.types import ProductDoc
    from tawrid.specs import parse_designation

    specs = [tuple(parse_designation(text)) for text, _ in base]
    products = []
    rows = np.arange(size) % len(base)
    for i, row in enumerate(rows):
        text, code = base[row]
        products.append(
            ProductDoc(
                id=i,
                texts=(text, f"Modèle M{i // len(base) + 1}-{row}"),
                manufacturer_id=i % 150,
                emdn=code,
                specifications=specs[row],
                eligible=i % 11 != 0,
            )
        )
    return products, vectors[rows]


def plan_lines(count: int) -> list:  # type: ignore[type-arg]
    from tawrid.matching.engine.types import DemandLine
    from tawrid.specs import parse_designation

    with HOSPITAL.open(encoding="utf-8") as handle:
        designations = [row["designation"] for row in csv.DictReader(handle)]
    attributes = {d: tuple(parse_designation(d)) for d in designations}
    return [
        DemandLine(
            id=i, text=designations[i % len(designations)], attributes=attributes[designations[i % len(designations)]]
        )
        for i in range(count)
    ]


@benchmark(NAME)
def matching_speed() -> list[Figure]:
    import logging

    from tawrid.matching.benchmarks.quality import eval_dir
    from tawrid.matching.engine.dense import EmbeddingCache, embed_passages, embed_queries
    from tawrid.matching.engine.retrieve import Matcher
    from tawrid.matching.evaluation import EVAL_FILES, read_rows

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    cache = EmbeddingCache(settings.BASE_DIR / "var/cache/embeddings")
    rows = [r for name in EVAL_FILES.values() for r in read_rows(eval_dir() / name)]
    base = list(dict.fromkeys((r.text, r.code) for r in rows))
    vectors = embed_passages([t for t, _ in base], cache=cache)
    embed_queries(["warm-up"])  # load the model outside the timings
    lines = plan_lines(PLAN_LINES)
    figures: list[Figure] = []
    for size in SIZES:
        products, embeddings = catalogue(size, base, vectors)
        with stopwatch() as build:
            matcher = Matcher(products, embeddings)
        # Memory of the index alone, measured apart (tracemalloc slows allocations: not in the timed build).
        del matcher
        gc.collect()
        tracemalloc.start()
        matcher = Matcher(products, embeddings)
        index_current, index_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        label = f"{size // 1000}k products"
        figures.append(Figure(NAME, f"index build, {label}", round(build[0], 2), None, "s"))
        matcher.match([lines[-1]], top=10)  # warm-up: translations and caches load on the first call
        samples = []
        for line in lines[:LATENCY_LINES]:
            with stopwatch() as one:
                matcher.match([line], top=10)
            samples.append(one[0])
        p50, p95 = percentiles_ms(samples)
        figures.append(Figure(NAME, f"single-line latency p50, {label}", round(p50, 1), None, "ms"))
        figures.append(Figure(NAME, f"single-line latency p95, {label}", round(p95, 1), None, "ms"))
        if size == SIZES[-1]:
            with stopwatch() as batch:
                results = matcher.match(lines, top=10)
            assert len(results) == len(lines)
            figures.append(
                Figure(
                    NAME,
                    f"batch throughput, {PLAN_LINES // 1000}k plan lines, {label}",
                    round(len(lines) / batch[0]),
                    None,
                    "lines/s",
                )
            )
        figures.append(
            Figure(
                NAME,
                f"index memory held besides the {embeddings.nbytes / 2**20:.0f} MB of vectors, {label}",
                round(index_current / 2**20),
                None,
                "MB",
            )
        )
        figures.append(Figure(NAME, f"index build peak memory, {label}", round(index_peak / 2**20), None, "MB"))
        figures.append(Figure(NAME, f"process peak RSS after {label}", round(_peak_rss_mb()), None, "MB"))
        del matcher, products, embeddings
        gc.collect()
    return figures
