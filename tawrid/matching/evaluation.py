"""Evaluation of the matching engine on the development data (pure functions; no database).

Data: `eudamed_emdn_dev.csv` (mostly English) and `eudamed_emdn_dev_fr.csv` (French): devices registered in
EUDAMED with the EMDN code their manufacturer gave them. The holdout data is never read here.

Protocol
--------
* Folds by manufacturer: every manufacturer of the union of both files goes to one of `FOLDS` folds
  (sha256 of its name, deterministic). Rows of fold f are evaluated with labelled examples taken only from
  the other folds, so no manufacturer is ever both an example and evaluated ("examples only from other
  manufacturers").
* Classification (text → EMDN): top-1 exact code, top-1 group (first 3 characters: A01, H01…), recall@5
  (the exact code among the five first suggestions).
* Matching (EMDN term → products): for each code present in a fold, the query is the code's English term
  and the catalogue is the fold's devices (codes hidden from the methods); relevance is graded:
  2 = the device's code is the query code or one of its descendants, 1 = same 5-character group (A0101,
  level 3) otherwise, 0 else. Metric: nDCG@10 averaged over queries. The engine's `Matcher` gets the line's
  code (the query is that code) and learns the devices' codes only through its classifier trained on the
  other folds.
* Baselines, measured in the same run on the same folds: character n-gram TF-IDF (`char_wb`, 2–4)
  nearest neighbour, BM25 alone (bm25s on `text.tokens`), dense alone (e5 cosine). For classification a
  baseline ranks codes by the best similarity of their labelled items (the other folds' examples and the
  nomenclature's terms); for matching it ranks devices by their similarity to the term.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .engine.dense import EmbeddingCache, embed_passages, embed_queries
from .engine.lexical import CharNgramIndex, LexicalIndex, top_k

FOLDS = 5
EVAL_FILES = {"dev": "eudamed_emdn_dev.csv", "dev_fr": "eudamed_emdn_dev_fr.csv"}


@dataclass(frozen=True, slots=True)
class Row:
    manufacturer: str
    text: str
    code: str
    dataset: str = ""


def row_text(trade_name: str, description: str) -> str:
    parts = [p.strip() for p in (trade_name, description)]
    return " — ".join(p for p in dict.fromkeys(parts) if p and p.casefold() != "no")


def read_rows(path: Path | str, dataset: str = "") -> list[Row]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        out = []
        for r in csv.DictReader(handle):
            text = row_text(r.get("trade_name") or "", r.get("description") or "")
            if text and r.get("emdn"):
                out.append(Row(r["manufacturer"].strip(), text, r["emdn"].strip(), dataset))
        return out


def fold_of(manufacturer: str, folds: int = FOLDS) -> int:
    return int.from_bytes(hashlib.sha256(manufacturer.strip().casefold().encode()).digest()[:4], "big") % folds


def folds_by_manufacturer(rows: Sequence[Row], folds: int = FOLDS) -> list[tuple[list[int], list[int]]]:
    """[(example row indices, evaluated row indices)] per fold; a manufacturer is never on both sides."""
    assignment = [fold_of(r.manufacturer, folds) for r in rows]
    return [
        ([i for i, f in enumerate(assignment) if f != k], [i for i, f in enumerate(assignment) if f == k])
        for k in range(folds)
    ]


# Metrics -------------------------------------------------------------------------------------------------


def classification_metrics(truth: Sequence[str], ranked: Sequence[Sequence[str]], group: int = 3) -> dict[str, float]:
    """top1 (exact), top1_group (first `group` characters), recall@5."""
    n = len(truth)
    if not n:
        return {"top1": 0.0, "top1_group": 0.0, "recall5": 0.0}
    top1 = sum(1 for t, r in zip(truth, ranked, strict=True) if r and r[0] == t)
    top1_group = sum(1 for t, r in zip(truth, ranked, strict=True) if r and r[0][:group] == t[:group])
    recall5 = sum(1 for t, r in zip(truth, ranked, strict=True) if t in list(r)[:5])
    return {"top1": top1 / n, "top1_group": top1_group / n, "recall5": recall5 / n}


def relevance(query_code: str, product_code: str) -> int:
    """2: same code or a descendant; 1: same 5-character group (A0101); 0: else."""
    if not product_code:
        return 0
    if product_code.startswith(query_code):
        return 2
    if len(query_code) >= 5 and len(product_code) >= 5 and product_code[:5] == query_code[:5]:
        return 1
    return 0


def ndcg_at(ranked_gains: Sequence[int], all_gains: Sequence[int], k: int = 10) -> float:
    def dcg(gains: Sequence[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted(all_gains, reverse=True))
    return dcg(ranked_gains) / ideal if ideal > 0 else 0.0


# Baselines -----------------------------------------------------------------------------------------------


Similarity = Callable[[Sequence[str], Sequence[str], np.ndarray | None, np.ndarray | None], np.ndarray]


def tfidf_similarity(queries: Sequence[str], items: Sequence[str], *_: object) -> np.ndarray:
    return CharNgramIndex.build(items).similarity(queries)


def bm25_similarity(queries: Sequence[str], items: Sequence[str], *_: object) -> np.ndarray:
    index = LexicalIndex.build(items)
    return np.stack([index.scores(q) for q in queries]) if queries else np.zeros((0, len(items)), np.float32)


def dense_similarity(
    queries: Sequence[str], items: Sequence[str], query_vectors: np.ndarray | None, item_vectors: np.ndarray | None
) -> np.ndarray:
    assert query_vectors is not None and item_vectors is not None
    return np.asarray(query_vectors @ item_vectors.T, dtype=np.float32)


BASELINES: dict[str, Similarity] = {
    "char n-gram TF-IDF": tfidf_similarity,
    "BM25 alone": bm25_similarity,
    "dense alone": dense_similarity,
}


def _rank_codes(similarity: np.ndarray, item_codes: Sequence[str], top: int = 5) -> list[list[str]]:
    out = []
    for row in similarity:
        ranked: list[str] = []
        for i in top_k(row, min(len(row), 200)):
            code = item_codes[i]
            if code not in ranked:
                ranked.append(code)
                if len(ranked) == top:
                    break
        out.append(ranked)
    return out


# Runs ----------------------------------------------------------------------------------------------------


@dataclass
class Data:
    rows: list[Row]
    terms: list[tuple[str, str]]
    parents: dict[str, str]
    query_vectors: np.ndarray  # rows as queries
    passage_vectors: np.ndarray  # rows as passages
    term_query_vectors: np.ndarray
    term_passage_vectors: np.ndarray
    cache: EmbeddingCache | None


def load_data(eval_dir: Path | str, emdn_file: Path | str, cache: EmbeddingCache | None = None) -> Data:
    from .engine.nomenclature import load_emdn

    rows: list[Row] = []
    for dataset, name in EVAL_FILES.items():
        rows += read_rows(Path(eval_dir) / name, dataset)
    terms, parents = load_emdn(emdn_file)
    texts = [r.text for r in rows]
    term_texts = [t for _, t in terms]
    return Data(
        rows,
        terms,
        parents,
        embed_queries(texts, cache=cache),
        embed_passages(texts, cache=cache),
        embed_queries(term_texts, cache=cache),
        embed_passages(term_texts, cache=cache),
        cache,
    )


def evaluate_classification(data: Data, dataset: str, weights: object | None = None) -> dict[str, dict[str, float]]:
    """{method: metrics} for the rows of `dataset`, folds by manufacturer."""
    from .engine.classify import ClassifierWeights, CodeClassifier

    truth: list[str] = []
    ranked: dict[str, list[list[str]]] = {"engine": [], **{name: [] for name in BASELINES}}
    term_codes = [c for c, _ in data.terms]
    term_texts = [t for _, t in data.terms]
    for train, test in folds_by_manufacturer(data.rows):
        evaluated = [i for i in test if data.rows[i].dataset == dataset]
        if not evaluated:
            continue
        examples = [(data.rows[i].text, data.rows[i].code) for i in train]
        classifier = CodeClassifier(
            data.terms,
            examples,
            parents=data.parents,
            weights=weights if isinstance(weights, ClassifierWeights) else None,
            cache=data.cache,
            example_vectors=data.passage_vectors[train],
        )
        texts = [data.rows[i].text for i in evaluated]
        qv = data.query_vectors[evaluated]
        suggestions = classifier.suggest(texts, top=5, vectors=qv)
        ranked["engine"] += [[s.code for s in row] for row in suggestions]
        truth += [data.rows[i].code for i in evaluated]
        items = [t for t, _ in examples] + term_texts
        item_codes = [c for _, c in examples] + term_codes
        item_vectors = np.vstack([data.passage_vectors[train], data.term_passage_vectors])
        for name, similarity in BASELINES.items():
            ranked[name] += _rank_codes(similarity(texts, items, qv, item_vectors), item_codes)
    return {name: classification_metrics(truth, r) for name, r in ranked.items()}


def _matching_folds(data: Data, dataset: str, weights: object | None = None) -> Iterator[tuple[Any, ...]]:
    """Per fold: (codes queried, evaluated row indices, their codes, the engine's Matcher, query vectors)."""
    from .engine.classify import CodeClassifier
    from .engine.retrieve import Matcher, MatchWeights
    from .engine.types import ProductDoc

    term_of = dict(data.terms)
    term_index = {c: i for i, (c, _) in enumerate(data.terms)}
    for train, test in folds_by_manufacturer(data.rows):
        evaluated = [i for i in test if data.rows[i].dataset == dataset]
        codes = sorted({data.rows[i].code for i in evaluated if data.rows[i].code in term_of})
        if not codes:
            continue
        products = [
            ProductDoc(id=i, texts=(data.rows[i].text,), manufacturer=data.rows[i].manufacturer) for i in evaluated
        ]
        classifier = CodeClassifier(
            data.terms,
            [(data.rows[i].text, data.rows[i].code) for i in train],
            parents=data.parents,
            cache=data.cache,
            example_vectors=data.passage_vectors[train],
        )
        matcher = Matcher(
            products,
            data.passage_vectors[evaluated],
            classifier=classifier,
            weights=weights if isinstance(weights, MatchWeights) else None,
            product_query_vectors=data.query_vectors[evaluated],
            cache=data.cache,
        )
        query_vectors = data.term_query_vectors[[term_index[c] for c in codes]]
        yield codes, evaluated, [data.rows[i].code for i in evaluated], matcher, query_vectors


def evaluate_matching(
    data: Data, dataset: str, top: int = 10, weights: object | None = None
) -> dict[str, dict[str, float]]:
    """{method: {"ndcg10": …}} for "EMDN term → products" over the rows of `dataset`."""
    from .engine.types import DemandLine

    term_of = dict(data.terms)
    scores: dict[str, list[float]] = {"engine": [], **{name: [] for name in BASELINES}}
    for codes, evaluated, product_codes, matcher, query_vectors in _matching_folds(data, dataset, weights):
        lines = [DemandLine(id=c, text=term_of[c], emdn=c) for c in codes]
        results = matcher.match(lines, top=top, vectors=query_vectors)
        position = {i: p for p, i in enumerate(evaluated)}
        for code, candidates in zip(codes, results, strict=True):
            gains = [relevance(code, c) for c in product_codes]
            ranked = [gains[position[int(c.product_id)]] for c in candidates]
            scores["engine"].append(ndcg_at(ranked, gains, top))
        texts = [data.rows[i].text for i in evaluated]
        queries = [term_of[c] for c in codes]
        for name, similarity in BASELINES.items():
            matrix = similarity(queries, texts, query_vectors, data.passage_vectors[evaluated])
            for code, row in zip(codes, matrix, strict=True):
                gains = [relevance(code, c) for c in product_codes]
                scores[name].append(ndcg_at([gains[i] for i in top_k(row, top)], gains, top))
    return {name: {"ndcg10": float(np.mean(v)) if v else 0.0} for name, v in scores.items()}


def logistic_fit(features: np.ndarray, labels: np.ndarray, l2: float = 1.0, steps: int = 50) -> np.ndarray:
    """Weights of a logistic regression (Newton's method, L2 penalty on all but the first column, the bias)."""
    x, y = np.asarray(features, dtype=np.float64), np.asarray(labels, dtype=np.float64)
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def fit_calibration(data: Data) -> dict[str, float]:
    """Fit the text and code weights of `MatchWeights` on both development splits: every candidate the engine
    generates for an "EMDN term → products" query is an example, labelled 1 when the product's code is the
    query's code or a descendant. The values found are copied into `MatchWeights`' defaults."""
    from .engine.retrieve import MatchWeights
    from .engine.types import DemandLine

    term_of = dict(data.terms)
    blocks, labels = [], []
    for dataset in EVAL_FILES:
        for codes, _evaluated, product_codes, matcher, query_vectors in _matching_folds(data, dataset):
            for code, vector in zip(codes, query_vectors, strict=True):
                line = DemandLine(id=code, text=term_of[code], emdn=code)
                cosines = matcher.dense.scores(vector[None, :])[0]
                candidates, features = matcher.text_features(line, cosines, [(code, 1.0)])
                blocks.append(features)
                labels += [1.0 if relevance(code, product_codes[i]) == 2 else 0.0 for i in candidates]
    weights = logistic_fit(np.vstack(blocks), np.array(labels))
    return dict(zip(MatchWeights.FEATURES, (round(float(w), 3) for w in weights), strict=True))


def evaluate(
    eval_dir: Path | str, emdn_file: Path | str, cache: EmbeddingCache | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """{dataset: {method: {metric: value}}} for both development files."""
    data = load_data(eval_dir, emdn_file, cache)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for dataset in EVAL_FILES:
        classification = evaluate_classification(data, dataset)
        matching = evaluate_matching(data, dataset)
        out[dataset] = {m: {**classification.get(m, {}), **matching.get(m, {})} for m in classification}
    return out


def main() -> None:  # pragma: no cover - `python -m tawrid.matching.evaluation [EVAL_DIR] [--fit]`
    import json
    import os
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    cache = EmbeddingCache(settings.BASE_DIR / "var/cache/embeddings")
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    eval_dir = Path(arguments[0]) if arguments else Path("/work/shared/data/eval")
    emdn = settings.REFERENCE_DATA_DIR / "emdn/emdn_v2_en.csv"
    if "--fit" in sys.argv:
        print(json.dumps(fit_calibration(load_data(eval_dir, emdn, cache)), indent=2))
        return
    print(json.dumps(evaluate(eval_dir, emdn, cache), indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
