"""Classifying free texts into a nomenclature's codes (EMDN, CPV): which codes a product or a plan line is about.

One pool of labelled items, searched like a catalogue, then a vote weighed by the hierarchy:

* the nomenclature's own terms, read in context: each code is an item whose text is its term followed by its
  ancestors' terms ("HYPODERMIC SYRINGE NEEDLES, WITH SAFETY SYSTEMS / HYPODERMIC NEEDLES / NEEDLES FOR
  INFUSION AND SAMPLING / NEEDLES");
* the labelled examples (texts with their codes, e.g. other manufacturers' registered devices).

An input's similarity to each item is its e5 cosine plus `lexical` × its BM25 score divided by the input's
best BM25 score (so both the meaning and the exact words count); the `pool` most similar items then also get
`char_ngrams` × the cosine of their character n-gram TF-IDF vectors (abbreviations, compounds, typing
variants: letters shared where words are not). The `neighbours` most similar items vote
for their code with softmax weights (temperature `temperature`); then the votes gathered under each top group
(A01, H01…: the first `group_length` characters) are summed, and each code's vote is multiplied by its
group's share to the power `group_power`: evidence for children supports their parent group, and a lone
stray code in an otherwise empty group is ranked down. Scores are renormalised to sum to 1 over the codes:
probabilities in [0, 1], descending.

The parameters were chosen on the development data with `tawrid.matching.evaluation` (folds by manufacturer:
no example of the evaluated manufacturer is ever used). Fusing items before the vote (rather than mixing a
terms-only and an examples-only distribution) was measurably better: 0.23 vs 0.19 top-1 group on the
English split. Adding the character n-grams (on a pool of 500 items: as good as on all of them, and
cheap at 100,000 products) raised recall@5 from 0.149 to 0.178 on the English split and French top-1 from
0.007 to 0.030 (docs/matching.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .confidence import GROUP_LEVEL, MAX_LEVEL, THRESHOLD, ConfidentCode, emdn_level
from .dense import DIM, EmbeddingCache, embed_passages, embed_queries
from .lexical import CharNgramIndex, LexicalIndex, top_k
from .types import CodeSuggestion


@dataclass(frozen=True)
class ClassifierWeights:
    lexical: float = 0.1
    char_ngrams: float = 0.3
    pool: int = 500  # items re-scored with the character n-grams
    temperature: float = 0.078
    neighbours: int = 60
    group_power: float = 0.5
    group_length: int = 3
    term_offset: float = 0.0  # added to the similarity of the nomenclature's own items


class CodeClassifier:
    """`CodeClassifier(terms, examples).suggest(texts, top=5)`: `terms` are (code, term) pairs of the
    nomenclature, `examples` (text, code) pairs of labelled texts (codes outside `terms` are added as codes
    without a term). `parents` maps a code to its parent; by default EMDN's rule (drop the last two digits).
    `example_vectors` (passage embeddings of the examples) spare recomputing them."""

    def __init__(
        self,
        terms: Sequence[tuple[str, str]],
        examples: Sequence[tuple[str, str]] = (),
        *,
        parents: dict[str, str] | None = None,
        weights: ClassifierWeights | None = None,
        cache: EmbeddingCache | None = None,
        example_vectors: np.ndarray | None = None,
    ) -> None:
        from .nomenclature import emdn_parent

        self.weights = weights or ClassifierWeights()
        self.cache = cache
        term_of = {code: term for code, term in terms if code}
        self.codes: list[str] = list(term_of)
        kept = [i for i, (_text, code) in enumerate(examples) if code]
        for i in kept:
            code = examples[i][1]
            if code not in term_of:
                term_of[code] = ""
                self.codes.append(code)
        self.index_of = {c: i for i, c in enumerate(self.codes)}
        if parents is None:
            parents = {c: p for c in self.codes if (p := emdn_parent(c)) and p in term_of}
        self.parents = parents
        self.known = np.array([bool(term_of.get(c)) for c in self.codes], dtype=bool)  # the nomenclature's own
        self._pairs: tuple[np.ndarray, np.ndarray] | None = None

        def context(code: str) -> str:
            chain, seen = [term_of.get(code, "")], {code}
            parent = parents.get(code)
            while parent and parent not in seen and len(chain) < 4:
                seen.add(parent)
                chain.append(term_of.get(parent, ""))
                parent = parents.get(parent)
            return " / ".join(t for t in chain if t)

        term_codes = [c for c in self.codes if term_of.get(c)]
        documents = [context(c) for c in term_codes]
        example_texts = [examples[i][0] for i in kept]
        # Items: the examples, then the terms in context (own term twice for BM25: it weighs more than the context).
        self.item_codes = np.array(
            [self.index_of[examples[i][1]] for i in kept] + [self.index_of[c] for c in term_codes], dtype=np.int64
        )
        item_texts = example_texts + [f"{term_of[c]} {d}" for c, d in zip(term_codes, documents, strict=True)]
        self.lexical = LexicalIndex.build(item_texts)
        self.char_ngrams = CharNgramIndex.build(item_texts) if self.weights.char_ngrams else None
        if example_vectors is not None:
            examples_matrix = np.asarray(example_vectors, dtype=np.float32).reshape(-1, DIM)
            if len(examples_matrix) == len(examples) != len(kept):
                examples_matrix = examples_matrix[kept]
        else:
            examples_matrix = embed_passages(example_texts, cache=cache)
        self.item_vectors = np.vstack([examples_matrix, embed_passages(documents, cache=cache)]).astype(np.float32)
        self.item_offset = np.concatenate([np.zeros(len(kept)), np.full(len(term_codes), self.weights.term_offset)])
        groups = sorted({c[: self.weights.group_length] for c in self.codes})
        group_index = {g: i for i, g in enumerate(groups)}
        self.code_group = np.array([group_index[c[: self.weights.group_length]] for c in self.codes], dtype=np.int64)
        self.group_count = len(groups)

    def distribution(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """(n, codes) probabilities; rows sum to 1 (all zeros when there is no item)."""
        w = self.weights
        out = np.zeros((len(texts), len(self.codes)), dtype=np.float64)
        if not len(self.item_codes) or not len(texts):
            return out
        if vectors is None:
            vectors = embed_queries(texts)  # inputs are not cached: the cache is for the reference items
        cosines = vectors @ self.item_vectors.T
        grams = self.char_ngrams.vectorise(texts) if self.char_ngrams is not None else None
        for row, text in enumerate(texts):
            similarity = cosines[row].astype(np.float64) + self.item_offset
            bm25 = self.lexical.scores(text)
            best = float(bm25.max())
            if best > 0:
                similarity += w.lexical * bm25 / best
            pool = top_k(similarity, w.pool)
            pooled = similarity[pool]
            if self.char_ngrams is not None:
                pooled = pooled + w.char_ngrams * self.char_ngrams.scores(grams, row, pool)
            order = top_k(pooled, w.neighbours)
            nearest, nearest_similarity = pool[order], pooled[order]
            votes = np.exp((nearest_similarity - nearest_similarity[0]) / max(w.temperature, 1e-6))
            np.add.at(out[row], self.item_codes[nearest], votes)
            if w.group_power:
                mass = np.bincount(self.code_group, weights=out[row], minlength=self.group_count)
                out[row] *= (mass / mass.sum())[self.code_group] ** w.group_power
            out[row] /= out[row].sum()
        return out

    def confident(
        self,
        probabilities: np.ndarray,
        *,
        threshold: float = THRESHOLD,
        min_level: int = GROUP_LEVEL,
        max_level: int | None = MAX_LEVEL,
    ) -> list[ConfidentCode | None]:
        """For each row of `distribution`'s output, the deepest nomenclature code at `min_level` or deeper whose
        subtree mass reaches `threshold` (`confidence.confident_code`, vectorised over the codes)."""
        child, ancestor = self._ancestor_pairs()
        levels = np.array([emdn_level(c) for c in self.codes])
        eligible = self.known & (levels >= min_level) & (levels <= (max_level or levels.max(initial=0)))
        out: list[ConfidentCode | None] = []
        for row in np.atleast_2d(probabilities):
            mass = np.bincount(ancestor, weights=row[child], minlength=len(self.codes))
            passing = np.flatnonzero(eligible & (mass + 1e-12 >= threshold))
            if not len(passing):
                out.append(None)
                continue
            best = max(passing, key=lambda i: (levels[i], mass[i]))
            out.append(ConfidentCode(self.codes[best], float(mass[best]), int(levels[best])))
        return out

    def _ancestor_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(code index, index of the code itself or one of its ancestors) pairs, computed once."""
        if self._pairs is None:
            child, ancestor = [], []
            for i, code in enumerate(self.codes):
                node: str | None = code
                seen: set[str] = set()
                while node is not None and node not in seen and node in self.index_of:
                    seen.add(node)
                    child.append(i)
                    ancestor.append(self.index_of[node])
                    node = self.parents.get(node)
            self._pairs = (np.array(child, dtype=np.int64), np.array(ancestor, dtype=np.int64))
        return self._pairs

    def suggest(
        self, texts: Sequence[str], top: int = 5, *, vectors: np.ndarray | None = None
    ) -> list[list[CodeSuggestion]]:
        if not texts:
            return []
        return self.top(self.distribution(texts, vectors), top)

    def top(self, probabilities: np.ndarray, top: int = 5) -> list[list[CodeSuggestion]]:
        """The `top` most probable codes of each row of `distribution`'s output."""
        out = []
        for row in probabilities:
            best = top_k(row, top)
            out.append([CodeSuggestion(self.codes[i], float(row[i])) for i in best if row[i] > 0])
        return out
