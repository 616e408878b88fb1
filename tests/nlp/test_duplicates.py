from __future__ import annotations

import time

import numpy as np
import pytest

from nlp.duplicates import DEFAULT_THRESHOLD, NearDuplicateIndex


def test_near_duplicates_found_among_real_answers(use, dev_rows, dev_embeddings):
    ids = [r["id"] for r in dev_rows]
    index = NearDuplicateIndex().fit(dev_embeddings, ids)
    q = use.encode(["La TVA sur les produits de première nécessité."])[0]
    hits = index.query(q)
    assert 1 <= len(hits) <= 3
    assert all(score >= DEFAULT_THRESHOLD for _, score in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert index.query(use.encode(["Le chat dort sur le canapé."])[0]) == []


def test_add_and_query_speed_at_10k(dev_embeddings):
    rng = np.random.default_rng(0)
    x = dev_embeddings[rng.integers(0, len(dev_embeddings), 10_000)]
    index = NearDuplicateIndex(threshold=0.99).fit(x[:9_000], list(range(9_000)))
    index.add(x[9_000:], list(range(9_000, 10_000)))
    start = time.perf_counter()
    for i in range(20):
        hits = index.query(x[i], k=3)
        assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert (time.perf_counter() - start) / 20 < 0.05


def test_invalid_inputs():
    with pytest.raises(ValueError, match="threshold"):
        NearDuplicateIndex(threshold=2).fit(np.eye(3), [1, 2, 3])
    with pytest.raises(ValueError, match="3 vectors but 2 ids"):
        NearDuplicateIndex().fit(np.eye(3), [1, 2])
    with pytest.raises(ValueError, match="empty"):
        NearDuplicateIndex().query(np.ones(3))
    index = NearDuplicateIndex().fit(np.eye(3), [1, 2, 3])
    with pytest.raises(ValueError, match="dimension"):
        index.query(np.ones(4))
    assert index.query(np.zeros(3)) == []
