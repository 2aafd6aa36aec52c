import numpy as np

from tawrid.matching.engine.lexical import CharNgramIndex, LexicalIndex, top_k

DOCS = [
    "Aiguille hypodermique stérile 21G 0,8 x 40 mm",
    "Gants d'examen en nitrile non stériles, taille M",
    "",
    "Seringue 10 ml luer lock sans aiguille",
    "Hypodermic needle 25G, single use",
    "Compresses de gaze stériles 10 x 10 cm",
]


def test_finds_the_right_document_in_french_and_across_abbreviations():
    index = LexicalIndex.build(DOCS)
    indices, scores = index.search(["AIG. HYPODERMIQUE", "COMPRESSE STER. 10X10 B/100", "GANTS NON STER. T/M"], 2)
    assert indices[0, 0] == 0 and indices[1, 0] == 5 and indices[2, 0] == 1
    assert (np.diff(scores, axis=1) <= 0).all()


def test_french_line_reaches_english_document_through_the_glossary():
    index = LexicalIndex.build(DOCS)
    scores = index.scores("AIGUILLE")
    assert scores[4] > 0 and scores[0] > 0 and scores[1] == 0


def test_unknown_words_and_short_corpora():
    index = LexicalIndex.build(DOCS[:2])
    indices, scores = index.search(["zzz qqq", ""], 5)
    assert indices.shape == (2, 5) and (scores == 0).all()
    assert (indices[:, 2:] == -1).all()
    empty = LexicalIndex.build([])
    assert empty.search(["aiguille"], 3)[0].tolist() == [[-1, -1, -1]]


def test_top_k_orders_best_first():
    values = np.array([0.1, 0.9, 0.5, 0.7], dtype=np.float32)
    assert top_k(values, 2).tolist() == [1, 3]
    assert top_k(values, 10).tolist() == [1, 3, 2, 0]


def test_character_ngrams_see_compounds_and_glued_sizes_that_words_miss():
    documents = ["Abdeckhaube 80 x 80 cm", "Kanüle für Tracheostomie", "Seringue 10 ml Luer Lock"]
    index = CharNgramIndex.build(documents)
    queries = index.vectorise(["ABDECK-HAUBE", "canule tracheo", "SERINGUE10ML"])
    everything = np.arange(len(documents))
    assert [int(np.argmax(index.scores(queries, row, everything))) for row in range(3)] == [0, 1, 2]
    # A subset is scored as in the full matrix (the classifier re-scores a pool of items).
    full = index.similarity(["ABDECK-HAUBE"])[0]
    assert np.allclose(index.scores(queries, 0, np.array([2, 0])), full[[2, 0]])
    assert full.min() >= 0.0 and full.max() <= 1.0 + 1e-6


def test_character_ngrams_of_texts_without_letters():
    index = CharNgramIndex.build(["", "  "])
    assert index.similarity(["seringue"]).shape == (1, 2)
    assert index.scores(index.vectorise(["seringue"]), 0, np.array([0, 1])).tolist() == [0.0, 0.0]
