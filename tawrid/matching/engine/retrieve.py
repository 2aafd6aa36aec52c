"""Which catalogue products can supply each plan line: candidate generation, then one calibrated score.

1. Candidates: the union of the `LEXICAL_CANDIDATES` best products by BM25, the `DENSE_CANDIDATES` best by e5
   cosine and, when the line's code is known or suggested, the `CODE_CANDIDATES` densest products filed
   under that code (or a descendant).
2. Features of each (line, product): lexical = BM25 / best BM25 of the line (0..1); dense = cosine and its gap
   to the line's best cosine; code agreement between the line's code (its own, or the classifier's
   suggestions weighted by their probability) and the product's (its own, or the classifier's top
   suggestion when it has none): same code or descendant 1, same 5-character group 0.6, same 3-character
   group 0.3, different 0; specification fit (`specfit.variant_fit`: score 0..1, number of conflicts).
3. Score: a logistic function of those features, `score = 1 / (1 + exp(-z))` with `z` the weighted sum of
   `MatchWeights` (text and code weights fitted on the development data by
   `tawrid.matching.evaluation.fit_calibration`; the specification weights set by hand: each conflict costs
   `conflict` logits, each exact fit gains a little). An ineligible product keeps its quality but is
   multiplied by `ineligible_factor`, so it ranks after eligible products of similar quality, and its
   verdict is NOT_ELIGIBLE.
4. Explanation: the line's original words sharing a token with the product, the code relation, each
   asked attribute's fit, eligibility and what is missing.

Identical lines (same normalised text, attributes and code) are scored once per batch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from tawrid.nomenclature.codes import emdn_ancestors

from .classify import CodeClassifier
from .dense import DIM, DenseIndex, EmbeddingCache, embed_passages, embed_queries
from .lexical import LexicalIndex, top_k
from .text import normalise
from .text import tokens as text_tokens
from .types import Candidate, CodeSuggestion, DemandLine, Explanation, ProductDoc, Verdict

_WORDS = re.compile(r"[\s'’]+")
LEXICAL_CANDIDATES = 60
DENSE_CANDIDATES = 60
CODE_CANDIDATES = 40
MAX_CONFLICTS = 2  # a wrong size is a wrong size: three conflicts are not worse than two


@dataclass(frozen=True)
class MatchWeights:
    """Logit weights. The text and code ones (`FEATURES`) are fitted on the development data by
    `tawrid.matching.evaluation.fit_calibration` (logistic regression, label: the product's code is the
    line's code or a descendant); the specification ones are set by hand (the development data has no sizes)."""

    FEATURES: ClassVar[tuple[str, ...]] = ("bias", "lexical", "dense", "dense_gap", "code", "code_unknown")
    # Fitted (fit_calibration, both development splits, 2026-11): see docs/matching.md.
    bias: float = -3.546
    lexical: float = 1.67  # BM25 / the line's best BM25
    dense: float = 2.535  # cosine - 0.8
    dense_gap: float = 2.606  # cosine - the line's best cosine (≤ 0)
    code: float = 4.926  # expected code agreement (0..1)
    code_unknown: float = 0.9  # 1 when no code is known on either side (set by hand: ~ the mean agreement)
    specification: float = 1.0  # on (fit score - 0.5), set by hand
    exact: float = 0.2  # per exactly fitting attribute, set by hand
    conflict: float = 1.2  # per conflicting attribute (at most MAX_CONFLICTS counted), set by hand
    ineligible_factor: float = 0.6  # an ineligible product needs a clearly better match to rank first

    @staticmethod
    def features(lexical: float, cosine: float, best_cosine: float, agreement: float | None) -> list[float]:
        return [1.0, lexical, cosine - 0.8, cosine - best_cosine, agreement or 0.0, 1.0 if agreement is None else 0.0]

    def text_logit(self, lexical: float, cosine: float, best_cosine: float, agreement: float | None) -> float:
        values = self.features(lexical, cosine, best_cosine, agreement)
        return sum(getattr(self, name) * value for name, value in zip(self.FEATURES, values, strict=True))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def code_agreement(line_code: str, product_code: str) -> float:
    if not line_code or not product_code:
        return 0.0
    if product_code.startswith(line_code) or line_code.startswith(product_code):
        return 1.0
    if len(line_code) >= 5 and product_code[:5] == line_code[:5]:
        return 0.6
    if product_code[:3] == line_code[:3]:
        return 0.3
    return 0.0


def code_relation(line_code: str, product_code: str) -> str:
    """How the product's EMDN code stands to the line's, as a key pages translate: "same_code"; "same_type"
    (one is an ancestor of the other, or they share five characters or more: A0101…); "same_group" (the
    same three-character group: A01); "different"; "" when a side has no code."""
    if not line_code or not product_code:
        return ""
    if product_code == line_code:
        return "same_code"
    if product_code.startswith(line_code) or line_code.startswith(product_code):
        return "same_type"
    if len(line_code) >= 5 and product_code[:5] == line_code[:5]:
        return "same_type"
    if product_code[:3] == line_code[:3]:
        return "same_group"
    return "different"


class Matcher:
    """`Matcher(products).match(lines, top=10)`: per line, the best products (best variant each) with one
    calibrated score in [0, 1]. `embeddings` are the products' passage vectors (computed when None)."""

    def __init__(
        self,
        products: Sequence[ProductDoc],
        embeddings: np.ndarray | None = None,
        *,
        classifier: CodeClassifier | None = None,
        weights: MatchWeights | None = None,
        product_query_vectors: np.ndarray | None = None,
        cache: EmbeddingCache | None = None,
    ) -> None:
        self.products = list(products)
        self.weights = weights or MatchWeights()
        self.classifier = classifier
        self.cache = cache
        texts = [p.text for p in self.products]
        self.lexical = LexicalIndex.build(texts)
        if embeddings is None:
            embeddings = embed_passages(texts, cache=cache) if texts else np.zeros((0, DIM), np.float32)
        self.dense = DenseIndex(embeddings)
        # The products' codes: their own (certain), else the classifier's five first suggestions (probabilities).
        self.codes: list[tuple[tuple[str, float], ...]] = [((p.emdn, 1.0),) if p.emdn else () for p in self.products]
        unknown = [i for i, c in enumerate(self.codes) if not c]
        if classifier is not None and unknown:
            vectors = (
                product_query_vectors[unknown]
                if product_query_vectors is not None
                else embed_queries([texts[i] for i in unknown], cache=cache)
            )
            found = classifier.suggest([texts[i] for i in unknown], 5, vectors=vectors)
            for i, suggestions in zip(unknown, found, strict=True):
                self.codes[i] = tuple((s.code, s.score) for s in suggestions)
        self._by_code: dict[str, list[int]] = {}
        for i, codes in enumerate(self.codes):
            if codes:
                code = codes[0][0]
                for ancestor in emdn_ancestors(code):  # every ancestor lists its descendants
                    self._by_code.setdefault(ancestor, []).append(i)

    # ------------------------------------------------------------------------------------------------------

    def match(
        self,
        lines: Sequence[DemandLine],
        *,
        top: int = 10,
        vectors: np.ndarray | None = None,
        suggestions: Sequence[Sequence[CodeSuggestion]] | None = None,
    ) -> list[list[Candidate]]:
        """`suggestions`: the classifier's codes for each line when the caller already has them (best first);
        otherwise the lines without a code are classified here."""
        if not lines:
            return []
        if not self.products:
            return [[] for _ in lines]
        keys = [(normalise(line.text), line.attributes, line.emdn) for line in lines]
        first: dict[tuple[object, ...], int] = {}
        unique = [first.setdefault(k, i) == i for i, k in enumerate(keys)]
        todo = [i for i, u in enumerate(unique) if u]
        if vectors is None:
            query_vectors = embed_queries([lines[i].text for i in todo], cache=self.cache)
        else:
            query_vectors = np.asarray(vectors, dtype=np.float32)[todo]
        line_codes = self.line_codes(
            [lines[i] for i in todo], query_vectors, None if suggestions is None else [suggestions[i] for i in todo]
        )
        results: dict[int, list[Candidate]] = {}
        for start in range(0, len(todo), 256):
            block = self.dense.scores(query_vectors[start : start + 256])
            for offset, cosines in enumerate(block):
                j = start + offset
                results[todo[j]] = self._rank(lines[todo[j]], cosines, line_codes[j], top)
        out = []
        for i, line in enumerate(lines):
            ranked = results[first[keys[i]]]
            if ranked and ranked[0].line_id != line.id:
                ranked = [_with_line(c, line.id) for c in ranked]
            out.append(ranked)
        return out

    def _rank(
        self, line: DemandLine, cosines: np.ndarray, line_codes: list[tuple[str, float]], top: int
    ) -> list[Candidate]:
        from .specfit import variant_fit  # written alongside; imported lazily

        w = self.weights
        lexical = self.lexical.scores(line.text)
        candidates = self.candidates(lexical, cosines, line_codes)
        best_lexical = float(lexical.max()) or 1.0
        best_cosine = float(cosines.max())
        line_tokens = set(text_tokens(line.text))
        scored = []
        for i in candidates:
            product = self.products[i]
            lex = float(lexical[i]) / best_lexical
            cos = float(cosines[i])
            agreement, relation = self._code(line_codes, i)
            fit = variant_fit(line.attributes, product)
            exact = sum(1 for f in fit.fits if f.fit.value == "exact")
            z = w.text_logit(lex, cos, best_cosine, agreement) + (
                w.specification * (fit.score - 0.5) + w.exact * exact - w.conflict * min(fit.conflicts, MAX_CONFLICTS)
            )
            score = _sigmoid(z)
            if not product.eligible:
                score *= w.ineligible_factor
            verdict = Verdict.CONFLICT if fit.conflicts else Verdict.GOOD if product.eligible else Verdict.NOT_ELIGIBLE
            scored.append((score, i, lex, cos, agreement, relation, fit, verdict))
        scored.sort(key=lambda s: (-s[0], s[1]))
        out = []
        for score, i, lex, cos, agreement, relation, fit, verdict in scored[:top]:
            product = self.products[i]
            explanation = Explanation(
                matched_words=matched_words(line.text, line_tokens, product.text),
                code_relation=relation,
                fits=fit.fits,
                eligible=product.eligible,
                missing=product.missing,
            )
            out.append(
                Candidate(
                    line_id=line.id,
                    product_id=product.id,
                    variant_id=fit.variant_id,
                    score=round(score, 6),
                    verdict=verdict,
                    lexical=lex,
                    dense=cos,
                    code=agreement or 0.0,
                    specification=fit.score,
                    explanation=explanation,
                )
            )
        return out

    def candidates(self, lexical: np.ndarray, cosines: np.ndarray, line_codes: list[tuple[str, float]]) -> list[int]:
        found = set(top_k(lexical, LEXICAL_CANDIDATES).tolist()) if lexical.max() > 0 else set()
        found.update(top_k(cosines, DENSE_CANDIDATES).tolist())
        for code, _probability in line_codes[:1]:
            listed = self._by_code.get(code)
            if listed:
                idx = np.asarray(listed)
                found.update(idx[top_k(cosines[idx], CODE_CANDIDATES)].tolist())
        return sorted(found)

    def text_features(
        self, line: DemandLine, cosines: np.ndarray, line_codes: list[tuple[str, float]]
    ) -> tuple[list[int], np.ndarray]:
        """The candidates of a line and their text and code features (`MatchWeights.FEATURES`), for calibration."""
        lexical = self.lexical.scores(line.text)
        candidates = self.candidates(lexical, cosines, line_codes)
        best_lexical, best_cosine = float(lexical.max()) or 1.0, float(cosines.max())
        rows = []
        for i in candidates:
            agreement, _relation = self._code(line_codes, i)
            rows.append(
                MatchWeights.features(float(lexical[i]) / best_lexical, float(cosines[i]), best_cosine, agreement)
            )
        return candidates, np.array(rows, dtype=np.float64).reshape(-1, len(MatchWeights.FEATURES))

    def line_codes(
        self,
        lines: Sequence[DemandLine],
        vectors: np.ndarray,
        suggestions: Sequence[Sequence[CodeSuggestion]] | None = None,
    ) -> list[list[tuple[str, float]]]:
        """The line's own code (certain) or the classifier's three first suggestions."""
        out: list[list[tuple[str, float]]] = [[(line.emdn, 1.0)] if line.emdn else [] for line in lines]
        missing = [j for j, codes in enumerate(out) if not codes]
        if not missing:
            return out
        if suggestions is not None:
            found: Sequence[Sequence[CodeSuggestion]] = [suggestions[j] for j in missing]
        elif self.classifier is not None:
            found = self.classifier.suggest([lines[j].text for j in missing], 3, vectors=vectors[missing])
        else:
            return out
        for j, codes in zip(missing, found, strict=True):
            out[j] = [(s.code, s.score) for s in codes[:3]]
        return out

    def _code(self, line_codes: list[tuple[str, float]], i: int) -> tuple[float | None, str]:
        """Expected agreement between the line's codes and the product's (both weighted by probability),
        and the relation between the most likely pair, for the explanation."""
        product_codes = self.codes[i]
        if not line_codes or not product_codes:
            return None, ""
        total = sum(p for _, p in line_codes) or 1.0
        agreement = sum(lp * pp * code_agreement(lc, pc) for lc, lp in line_codes for pc, pp in product_codes) / total
        return min(1.0, agreement), code_relation(line_codes[0][0], product_codes[0][0])


def matched_words(line_text: str, line_tokens: set[str], product_text: str) -> tuple[str, ...]:
    """The line's own words (as written) whose tokens the product's text also has."""
    shared = line_tokens & set(text_tokens(product_text))
    if not shared:
        return ()
    words: dict[str, None] = {}
    for word in _WORDS.split(line_text):
        if word and shared & set(text_tokens(word)):
            words.setdefault(word.strip(".,;:()/"), None)
    return tuple(w for w in words if w)


def _with_line(candidate: Candidate, line_id: object) -> Candidate:
    from dataclasses import replace

    return replace(candidate, line_id=line_id)  # type: ignore[arg-type]
