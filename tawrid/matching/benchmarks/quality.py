"""Benchmark "matching quality": the engine against three baselines measured in the same run, on the development
data (`tawrid.matching.evaluation`: folds by manufacturer, never the holdout). One figure per metric, per
split and per baseline; the value is the engine's, the baseline the other method's."""

from __future__ import annotations

from django.conf import settings

from tawrid.core.bench import Figure, benchmark

NAME = "matching quality"
EVAL_DIR = settings.BASE_DIR.parent.parent / "shared/data/eval"  # /work/shared/data/eval beside the checkout
METRICS = {
    "top1": "EMDN top-1 exact",
    "top1_group": "EMDN top-1 group (3 char.)",
    "recall5": "EMDN recall@5",
    "ndcg10": "term → products nDCG@10",
}


def eval_dir():  # type: ignore[no-untyped-def]
    from pathlib import Path

    configured = getattr(settings, "EVAL_DATA_DIR", None)
    for candidate in (configured, EVAL_DIR, Path("/work/shared/data/eval")):
        if candidate and (Path(candidate) / "eudamed_emdn_dev.csv").is_file():
            return Path(candidate)
    raise FileNotFoundError("eudamed_emdn_dev.csv not found (set settings.EVAL_DATA_DIR)")


@benchmark(NAME)
def matching_quality() -> list[Figure]:
    from tawrid.matching.engine.dense import EmbeddingCache
    from tawrid.matching.evaluation import BASELINES, evaluate

    cache = EmbeddingCache(settings.BASE_DIR / "var/cache/embeddings")
    results = evaluate(eval_dir(), settings.REFERENCE_DATA_DIR / "emdn/emdn_v2_en.csv", cache)
    figures = []
    for dataset, methods in results.items():
        for metric, label in METRICS.items():
            for baseline in BASELINES:
                figures.append(
                    Figure(
                        NAME,
                        f"{label} ({dataset})",
                        round(methods["engine"][metric], 3),
                        round(methods[baseline][metric], 3),
                        "",
                        baseline,
                    )
                )
    return figures
