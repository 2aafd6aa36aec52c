"""How sure must the engine be before it applies a code to a plan line? Precision and coverage of
`CodeClassifier.confident` per threshold and level, on the development data (`tawrid.matching.evaluation`: folds
by manufacturer, examples only from other manufacturers; never the holdout).

A code applied at a level is right when the true code is that code or one of its descendants (a group T01 for a
device coded T0101020101 is right, only less precise).

    .venv/bin/python -m tawrid.matching.benchmarks.confidence [EVAL_DIR]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)


def confidence_table(  # type: ignore[no-untyped-def]
    eval_dir: Path | str,
    emdn_file: Path | str,
    cache: Any,
    thresholds: Sequence[float] = THRESHOLDS,
    *,
    english_share: int = 4,
    max_level: int | None = None,
    terms_cache: Any = None,
):
    """{dataset: {threshold: {"rows", "coded", "correct", "levels": {level: [coded, correct]}}}}. Every French
    row, and the English rows of one manufacturer in `english_share` (by the hash of its name: whole
    manufacturers, deterministic) to bound the embedding time on 2 cores. `terms_cache()` gives the cache to
    build the classifiers with (a context manager: the machine's classifier lock, so the nomenclature's terms
    are embedded once by whichever process comes first)."""
    from tawrid.matching.engine.classify import CodeClassifier
    from tawrid.matching.engine.dense import embed_passages, embed_queries
    from tawrid.matching.engine.nomenclature import load_emdn
    from tawrid.matching.evaluation import EVAL_FILES, fold_of, folds_by_manufacturer, read_rows

    rows = []
    for dataset, name in EVAL_FILES.items():
        rows += read_rows(Path(eval_dir) / name, dataset)
    rows = [r for r in rows if r.dataset == "dev_fr" or fold_of(r.manufacturer, 97) % english_share == 0]
    terms, parents = load_emdn(emdn_file)
    texts = [r.text for r in rows]
    queries, passages = embed_queries(texts, cache=cache), embed_passages(texts, cache=cache)
    table: dict[str, dict[float, dict[str, Any]]] = defaultdict(
        lambda: defaultdict(lambda: {"rows": 0, "coded": 0, "correct": 0, "levels": defaultdict(lambda: [0, 0])})
    )
    for train, test in folds_by_manufacturer(rows):
        with terms_cache() if terms_cache else nullcontext(cache) as shared:
            classifier = CodeClassifier(
                terms,
                [(rows[i].text, rows[i].code) for i in train],
                parents=parents,
                cache=shared,
                example_vectors=passages[train],
            )
        probabilities = classifier.distribution([rows[i].text for i in test], queries[test])
        for threshold in thresholds:
            found_codes = classifier.confident(probabilities, threshold=threshold, max_level=max_level)
            for i, found in zip(test, found_codes, strict=True):
                cell = table[rows[i].dataset][threshold]
                cell["rows"] += 1
                if found is None:
                    continue
                right = rows[i].code.startswith(found.code)
                cell["coded"] += 1
                cell["correct"] += right
                cell["levels"][found.level][0] += 1
                cell["levels"][found.level][1] += right
    return table


def main() -> None:  # pragma: no cover - a measurement printed for docs/matching.md
    import os
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    from tawrid.matching.engine.dense import EmbeddingCache

    eval_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data/eval")
    from tawrid.matching.services import _machine_lock

    directory = settings.BASE_DIR / "var/cache/embeddings"

    @contextmanager
    def terms_cache() -> Iterator[Any]:
        with _machine_lock("classifier"):
            yield EmbeddingCache(directory)  # read again: another process may have embedded the terms meanwhile

    max_level = int(os.environ["MAX_LEVEL"]) if os.environ.get("MAX_LEVEL") else None
    table = confidence_table(
        eval_dir,
        settings.REFERENCE_DATA_DIR / "emdn/emdn_v2_en.csv",
        EmbeddingCache(directory),
        terms_cache=terms_cache,
        max_level=max_level,
    )
    for dataset, by_threshold in table.items():
        for threshold, cell in sorted(by_threshold.items()):
            levels = ", ".join(
                f"L{level} {coded} ({correct / coded:.2f})"
                for level, (coded, correct) in sorted(cell["levels"].items())
            )
            print(
                f"{dataset} t={threshold:.2f} coded {cell['coded']}/{cell['rows']} "
                f"({cell['coded'] / cell['rows']:.2f}) "
                f"precision {cell['correct'] / max(cell['coded'], 1):.3f} | {levels}"
            )


if __name__ == "__main__":  # pragma: no cover
    main()
