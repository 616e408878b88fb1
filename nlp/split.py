"""Propose how to split one cluster into sub-clusters (a facilitator then adjusts and confirms)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.embedding import l2_normalise
from nlp.labelling import ctfidf_keywords

__all__ = ["SplitProposal", "propose_split"]


@dataclass(frozen=True)
class SplitProposal:
    """A proposed split of one cluster's members.

    Attributes:
        labels: part index per member, shape (n,), int64 in [0, n_parts); part 0 is the
            largest (it keeps the original cluster), then by decreasing size.
        confidence: cosine similarity of each member to its part's centroid minus its
            similarity to the nearest other part's, shape (n,); small = borderline.
        keywords: c-TF-IDF keywords per part (empty when no texts were given).
    """

    labels: np.ndarray
    confidence: np.ndarray
    keywords: tuple[tuple[str, ...], ...]


def propose_split(
    embeddings: np.ndarray,
    n_parts: int = 2,
    texts: Sequence[str] | None = None,
    random_state: int = 0,
) -> SplitProposal:
    """Split the members of one cluster in ``n_parts`` with spherical k-means.

    Args:
        embeddings: (n, d) vectors of the cluster's members.
        n_parts: number of sub-clusters, 2 <= n_parts <= n.
        texts: the n member texts, to name the parts (optional).
        random_state: seed of the k-means initialisation.

    Returns:
        A :class:`SplitProposal`.
    """
    from sklearn.cluster import KMeans

    x = np.asarray(embeddings, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"embeddings must have shape (n, d), got {x.shape}")
    n = x.shape[0]
    if not isinstance(n_parts, int) or n_parts < 2:
        raise ValueError(f"n_parts must be an int >= 2, got {n_parts!r}")
    if n < n_parts:
        raise ValueError(f"cannot split {n} texts into {n_parts} parts")
    if not np.all(np.isfinite(x)):
        raise ValueError("embeddings contain NaN or infinite values")
    if texts is not None and len(texts) != n:
        raise ValueError(f"got {len(texts)} texts for {n} embeddings")
    x = l2_normalise(x)
    raw = KMeans(n_clusters=n_parts, n_init=10, random_state=random_state).fit_predict(x)
    # Renumber the parts by decreasing size (ties: first member first).
    sizes = np.bincount(raw, minlength=n_parts)
    first = np.array([np.argmax(raw == p) if sizes[p] else n for p in range(n_parts)])
    order = sorted(range(n_parts), key=lambda p: (-sizes[p], first[p]))
    rank = {old: new for new, old in enumerate(order)}
    labels = np.array([rank[int(p)] for p in raw], dtype=np.int64)
    centroids = np.stack([x[labels == p].mean(axis=0) for p in range(n_parts)])
    centroids = l2_normalise(centroids)
    sims = x @ centroids.T
    own = sims[np.arange(n), labels]
    sims[np.arange(n), labels] = -np.inf
    confidence = own - sims.max(axis=1)
    if texts is not None:
        words = ctfidf_keywords(list(texts), labels, top_n=8)
        keywords = tuple(tuple(words.get(p, ())) for p in range(n_parts))
    else:
        keywords = tuple(() for _ in range(n_parts))
    return SplitProposal(labels=labels, confidence=confidence, keywords=keywords)
