"""Proposing a split of one cluster."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from nlp.split import propose_split


def test_two_blobs_are_recovered_largest_part_first():
    x, truth = make_blobs(n_samples=[60, 25], n_features=16, cluster_std=1.0,
                          center_box=(-10, 10), random_state=3)
    proposal = propose_split(x, n_parts=2, random_state=0)
    assert adjusted_rand_score(truth, proposal.labels) >= 0.9
    assert np.sum(proposal.labels == 0) > np.sum(proposal.labels == 1)
    assert proposal.labels.shape == (85,)
    assert proposal.confidence.shape == (85,)
    # Members near the centre of their part are more confident than the borderline ones.
    assert np.median(proposal.confidence) > 0


def test_three_parts_and_keywords_from_texts():
    x, _ = make_blobs(n_samples=[20, 15, 10], n_features=8, random_state=1)
    texts = (["impôts taxe foncière commune"] * 20 + ["fibre réseau internet débit"] * 15
             + ["école enfants numérique"] * 10)
    proposal = propose_split(x, n_parts=3, texts=texts)
    assert sorted(np.bincount(proposal.labels).tolist(), reverse=True) == \
        np.bincount(proposal.labels).tolist()
    assert len(proposal.keywords) == 3
    assert all(proposal.keywords)


def test_same_seed_same_split():
    x, _ = make_blobs(n_samples=50, n_features=8, centers=3, random_state=5)
    first = propose_split(x, n_parts=3, random_state=7)
    again = propose_split(x, n_parts=3, random_state=7)
    assert np.array_equal(first.labels, again.labels)


@pytest.mark.parametrize(("n_parts", "message"), [(1, "n_parts"), (6, "cannot split")])
def test_bad_number_of_parts_is_refused(n_parts, message):
    x, _ = make_blobs(n_samples=5, n_features=4, random_state=0)
    with pytest.raises(ValueError, match=message):
        propose_split(x, n_parts=n_parts)


def test_mismatched_texts_are_refused():
    x, _ = make_blobs(n_samples=10, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="texts"):
        propose_split(x, texts=["un"] * 9)
