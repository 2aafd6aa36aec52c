"""Lexical retrieval: BM25 (bm25s, sparse scipy matrices, no Java, no server) over the tokens of `text.tokens`,
and character n-gram TF-IDF (scikit-learn) for what tokens miss.

bm25s pre-computes each (token, document) score at index time, so a query costs a sum of a few sparse rows:
a few milliseconds over 100,000 documents. Unknown query tokens are ignored.

Character n-grams (2 to 4 characters inside word boundaries) see that "Abdeckhaube" and "abdeck-haube",
"NEEDLE21G" and "needle 21 G" or "cannula" and "canule" share most of their letters; words do not.
"""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np

from .text import normalise
from .text import tokens as text_tokens


class LexicalIndex:
    def __init__(self, model: bm25s.BM25 | None, vocabulary: dict[str, int], size: int) -> None:
        self._model = model
        self._vocabulary = vocabulary
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        """An index over `texts` (raw texts; they go through `text.tokens`)."""
        return cls.from_tokens([text_tokens(t) for t in texts], k1=k1, b=b)

    @classmethod
    def from_tokens(cls, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        vocabulary: dict[str, int] = {}
        ids = [[vocabulary.setdefault(tok, len(vocabulary)) for tok in doc] for doc in documents]
        if not vocabulary:
            return cls(None, vocabulary, len(documents))
        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        # bm25s expects an id for an empty token when some documents have none: give it one.
        empty = vocabulary.setdefault("", len(vocabulary))
        ids = [doc or [empty] for doc in ids]
        model.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocabulary), show_progress=False)
        model.vocab_dict = vocabulary
        return cls(model, vocabulary, len(documents))

    def query_ids(self, query: str) -> list[int]:
        return [self._vocabulary[t] for t in dict.fromkeys(text_tokens(query)) if t in self._vocabulary and t]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for one query (float32, shape (size,))."""
        ids = self.query_ids(query)
        if self._model is None or not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)

    def search(self, queries: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k documents per query: (indices int64 (n,k), scores float32 (n,k)), best first; when fewer than
        k documents exist, indices are -1 and scores 0 past the end."""
        k = max(1, k)
        indices = np.full((len(queries), k), -1, dtype=np.int64)
        scores = np.zeros((len(queries), k), dtype=np.float32)
        for row, query in enumerate(queries):
            full = self.scores(query)
            top = top_k(full, k)
            indices[row, : len(top)] = top
            scores[row, : len(top)] = full[top]
        return indices, scores


class CharNgramIndex:
    """Cosine similarity of TF-IDF vectors of character n-grams (`char_wb`, 2–4, sublinear tf) over folded
    texts. float32 and sparse: about 170 non-zero values per product text, so 100,000 products take ~140 MB."""

    def __init__(self, vectorizer: object | None, matrix: object | None, size: int) -> None:
        self._vectorizer = vectorizer
        self._matrix = matrix  # (size, n-grams) CSR, rows L2-normalised
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> CharNgramIndex:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, preprocessor=normalise, dtype=np.float32
        )
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # no text has a character to count
            return cls(None, None, len(texts))
        return cls(vectorizer, matrix.tocsr(), len(texts))

    def vectorise(self, queries: Sequence[str]) -> object | None:
        """The queries' sparse vectors (None when the index is empty), for `scores`."""
        return None if self._vectorizer is None else self._vectorizer.transform(queries)  # type: ignore[attr-defined]

    def scores(self, query_vectors: object | None, row: int, items: np.ndarray) -> np.ndarray:
        """Cosine of query `row` with each of `items` (indices), float32."""
        if query_vectors is None or self._matrix is None or not len(items):
            return np.zeros(len(items), dtype=np.float32)
        query = query_vectors[row]  # type: ignore[index]
        return np.asarray((self._matrix[items] @ query.T).toarray(), dtype=np.float32).ravel()  # type: ignore[index]

    def similarity(self, queries: Sequence[str]) -> np.ndarray:
        """(queries, documents) dense cosine matrix, for small collections (the evaluation's baseline)."""
        if self._vectorizer is None or not len(queries):
            return np.zeros((len(queries), self.size), dtype=np.float32)
        return np.asarray((self.vectorise(queries) @ self._matrix.T).todense(), dtype=np.float32)  # type: ignore[operator, union-attr]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values, best first (argpartition then a sort of k values)."""
    n = scores.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if k >= n:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]
