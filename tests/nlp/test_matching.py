"""nlp.matching: labels close to an item's best one are kept, in order, within limits."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.matching import match_labels


def _unit(*rows):
    x = np.asarray(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_keeps_labels_within_the_margin_of_the_best_and_above_the_floor():
    labels = _unit([1, 0, 0], [0, 1, 0], [0, 0, 1])
    items = _unit([1, 0.95, 0], [0, 0, 1], [-1, -1, -1])
    found = match_labels(items, labels, min_score=0.2, margin=0.1, max_labels=3)
    assert [[m.label for m in row] for row in found] == [[0, 1], [2], []]
    assert found[0][0].score > found[0][1].score
    only_one = match_labels(items, labels, min_score=0.2, margin=0.1, max_labels=1)
    assert [[m.label for m in row] for row in only_one] == [[0], [2], []]


def test_refuses_mismatched_shapes_and_bad_parameters():
    with pytest.raises(ValueError, match="dimension"):
        match_labels(np.ones((1, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="max_labels"):
        match_labels(np.ones((1, 3)), np.ones((2, 3)), max_labels=0)
    assert match_labels(np.zeros((0, 3)), np.ones((2, 3))) == []
    assert match_labels(np.ones((2, 3)), np.zeros((0, 3))) == [(), ()]
