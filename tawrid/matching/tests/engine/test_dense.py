import numpy as np

from tawrid.matching.engine.dense import DIM, DenseIndex, EmbeddingCache, embed_passages, embed_queries


def test_vectors_are_normalised_and_deduplicated():
    vectors = embed_passages(["Aiguille hypodermique", "AIGUILLE HYPODERMIQUE", "Gants d'examen"])
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.array_equal(vectors[0], vectors[1])  # same normalised text, one embedding
    assert embed_queries([]).shape == (0, DIM)


def test_search_is_multilingual():
    docs = ["hypodermic needle for injection", "examination gloves nitrile", "إبرة حقن", "wheelchair"]
    index = DenseIndex(embed_passages(docs))
    indices, scores = index.search(embed_queries(["AIGUILLE HYPODERMIQUE", "GANTS D'EXAMEN"]), 2)
    assert indices[0, 0] in (0, 2) and indices[1, 0] == 1
    assert (scores[:, 0] >= scores[:, 1]).all()


def test_disk_cache_round_trip(tmp_path):
    cache = EmbeddingCache(tmp_path)
    first = embed_queries(["sonde de foley"], cache=cache)
    assert list(tmp_path.glob("e5-*.npz"))
    again = embed_queries(["sonde de foley"], cache=EmbeddingCache(tmp_path))
    assert np.allclose(first, again, atol=2e-3)
