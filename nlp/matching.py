"""Match items to labels by cosine similarity: which labels a text concerns.

A generic step: given L2-normalised vectors of items (e.g. propositions) and of labels
(e.g. the bodies they may be sent to, each described by a short text), keep for each item
the labels that score close to its best one. No threshold is fitted to labels: a label is
kept when its cosine is at least ``min_score`` and within ``margin`` of the item's best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LabelMatch", "match_labels"]


@dataclass(frozen=True)
class LabelMatch:
    """One label kept for an item: its index among the labels and its cosine."""

    label: int
    score: float


def match_labels(
    item_vectors: np.ndarray,
    label_vectors: np.ndarray,
    *,
    min_score: float = 0.25,
    margin: float = 0.08,
    max_labels: int = 3,
) -> list[tuple[LabelMatch, ...]]:
    """The labels each item concerns, best first.

    Args:
        item_vectors: (n, d) L2-normalised item vectors.
        label_vectors: (m, d) L2-normalised label vectors.
        min_score: lowest cosine a kept label may have.
        margin: a label is kept when its cosine is within ``margin`` of the item's best.
        max_labels: at most this many labels per item (>= 1).

    Returns:
        n tuples of :class:`LabelMatch`, each sorted by decreasing score (possibly empty).
    """
    items = np.asarray(item_vectors, dtype=np.float32)
    labels = np.asarray(label_vectors, dtype=np.float32)
    if items.ndim != 2 or labels.ndim != 2:
        raise ValueError(
            f"vectors must be 2-D, got item shape {items.shape} and label shape {labels.shape}"
        )
    if items.shape[0] and labels.shape[0] and items.shape[1] != labels.shape[1]:
        raise ValueError(
            f"item and label vectors differ in dimension: {items.shape[1]} != {labels.shape[1]}"
        )
    if not isinstance(max_labels, int) or max_labels < 1:
        raise ValueError(f"max_labels must be a positive integer, got {max_labels!r}")
    if not 0 <= margin <= 2:
        raise ValueError(f"margin must be between 0 and 2, got {margin!r}")
    if items.shape[0] == 0:
        return []
    if labels.shape[0] == 0:
        return [() for _ in range(items.shape[0])]
    scores = items @ labels.T  # (n, m)
    out: list[tuple[LabelMatch, ...]] = []
    for row in scores:
        best = float(row.max())
        order = np.argsort(-row, kind="stable")[:max_labels]
        out.append(
            tuple(
                LabelMatch(int(j), float(row[j]))
                for j in order
                if row[j] >= min_score and row[j] >= best - margin
            )
        )
    return out
