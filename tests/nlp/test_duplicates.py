from __future__ import annotations

import numpy as np
import pytest

from nlp.duplicates import DEFAULT_THRESHOLD, NearDuplicateIndex


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    """Brute force: score every stored vector, sort them all, keep the k best scores."""
    scores = vectors @ (query / np.linalg.norm(query))
    return np.sort(scores)[::-1][:k]


def test_near_duplicates_found_among_real_answers(use, dev_rows, dev_embeddings):
    ids = [r["id"] for r in dev_rows]
    index = NearDuplicateIndex().fit(dev_embeddings, ids)
    q = use.encode(["La TVA sur les produits de première nécessité."])[0]
    hits = index.query(q)
    assert 1 <= len(hits) <= 3
    assert all(score >= DEFAULT_THRESHOLD for _, score in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert index.query(use.encode(["Le chat dort sur le canapé."])[0]) == []


def test_updated_in_place_the_index_answers_as_a_fresh_exact_search(dev_embeddings):
    """Adds, replacements and removals in any order leave the same top-3 as brute force."""
    rng = np.random.default_rng(0)
    n = len(dev_embeddings)
    live = {i: dev_embeddings[i] for i in range(2_000)}
    index = NearDuplicateIndex(threshold=-1.0).fit(
        np.array(list(live.values())), list(live))
    for step in range(30):
        gone = [int(i) for i in rng.choice(list(live), 40, replace=False)]
        assert index.remove(gone) == 40
        for i in gone:
            del live[i]
        new = [int(i) for i in rng.integers(2_000, n, 30) if int(i) not in live]
        edited = [int(i) for i in rng.choice(list(live), 10, replace=False)]
        vectors = {i: dev_embeddings[i] for i in new}
        # An edit keeps its id and takes another answer's vector.
        vectors.update({i: dev_embeddings[(i + 7 * step + 1) % n] for i in edited})
        index.add(np.array(list(vectors.values())), list(vectors))
        live.update(vectors)
    assert len(index) == len(live)
    assert sorted(index.ids_) == sorted(live)
    queries = dev_embeddings[rng.choice(n, 200, replace=False)]
    found = index.query_batch(queries, k=3)
    matrix = np.array([live[i] for i in index.ids_])
    for q, hits in zip(queries, found, strict=True):
        # Same scores as brute force (ids may differ only between equal vectors) ...
        assert [s for _i, s in hits] == pytest.approx(list(exact_top(matrix, q, 3)), abs=1e-5)
        # ... and each score is the true score of the id it comes with.
        for i, s in hits:
            assert float(live[i] @ q) == pytest.approx(s, abs=1e-5)
    single = index.query(queries[0], k=3)
    assert [i for i, _s in single] == [i for i, _s in found[0]]
    assert [s for _i, s in single] == pytest.approx([s for _i, s in found[0]], abs=1e-5)


def test_threshold_and_k_per_query(dev_embeddings):
    index = NearDuplicateIndex(threshold=0.99, k=2).fit(dev_embeddings[:100], list(range(100)))
    q = dev_embeddings[5]
    assert [i for i, _s in index.query(q)] == [5]
    assert len(index.query(q, threshold=-1.0)) == 2
    assert len(index.query(q, k=10, threshold=-1.0)) == 10
    assert 5 in index
    assert 500 not in index
    assert index.remove([5, 500]) == 1
    assert index.query(q) == []


def test_an_empty_index_takes_its_dimension_from_the_first_vectors():
    index = NearDuplicateIndex().fit(np.zeros((0, 0)), [])
    assert len(index) == 0
    assert index.query_batch(np.ones((2, 3))) == [[], []]
    index.add(np.eye(3), ["a", "b", "c"])
    assert index.query(np.array([0, 1, 0]))[0] == ("b", pytest.approx(1.0))
    index.remove(["a", "b", "c"])
    assert index.query(np.array([0, 1, 0])) == []


def test_invalid_inputs():
    with pytest.raises(ValueError, match="threshold"):
        NearDuplicateIndex(threshold=2).fit(np.eye(3), [1, 2, 3])
    with pytest.raises(ValueError, match="3 vectors but 2 ids"):
        NearDuplicateIndex().fit(np.eye(3), [1, 2])
    with pytest.raises(ValueError, match="unique"):
        NearDuplicateIndex().fit(np.eye(3), [1, 1, 2])
    with pytest.raises(ValueError, match="empty"):
        NearDuplicateIndex().query(np.ones(3))
    with pytest.raises(ValueError, match="empty"):
        NearDuplicateIndex().remove([1])
    index = NearDuplicateIndex().fit(np.eye(3), [1, 2, 3])
    with pytest.raises(ValueError, match="dimension"):
        index.query(np.ones(4))
    with pytest.raises(ValueError, match="dimension"):
        index.add(np.ones((1, 4)), [9])
    with pytest.raises(ValueError, match="k must be"):
        index.query(np.ones(3), k=0)
    with pytest.raises(ValueError, match="threshold"):
        index.query(np.ones(3), threshold=1.5)
    with pytest.raises(ValueError, match="query_batch"):
        index.query(np.ones((2, 3)))
    assert index.query(np.zeros(3)) == []
