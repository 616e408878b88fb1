"""Dimensionality reduction: spectral embedding of the cosine k-nearest-neighbour graph.

Why not UMAP: on the dev set (3,300 French answers, USE vectors) a spectral embedding
of the same kind of kNN graph UMAP builds gives the same or better clusters with
HDBSCAN, is deterministic for a fixed ``random_state`` (ARPACK start vector), needs only
scipy/scikit-learn, and costs about 1.5 s cold instead of UMAP's 15-35 s of numba
compilation. Measurements are in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import scipy.sparse as sp

logger = logging.getLogger(__name__)

__all__ = ["SpectralReducer", "default_n_neighbors", "knn_graph"]


def default_n_neighbors(n: int) -> int:
    """Neighbours per point: 15 (UMAP's and BERTopic's default), at most ``n - 1``."""
    return max(1, min(15, n - 1))


def knn_graph(
    x: np.ndarray, n_neighbors: int, block_size: int = 2048
) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine k-nearest neighbours of L2-normalised rows, computed by blocks.

    Memory stays O(block_size * n), so 30,000 x 512 vectors never build the full
    n x n similarity matrix.

    Args:
        x: (n, d) L2-normalised float32 vectors.
        n_neighbors: k, 1 <= k < n.

    Returns:
        indices (n, k) int64 and similarities (n, k) float32, nearest first; a point is
        never its own neighbour.
    """
    x = np.asarray(x, dtype=np.float32)
    n = x.shape[0]
    if not 1 <= n_neighbors < n:
        raise ValueError(f"n_neighbors must be in [1, {n - 1}] for {n} points, got {n_neighbors}")
    k = n_neighbors
    idx = np.empty((n, k), dtype=np.int64)
    sims = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block_size):
        stop = min(n, start + block_size)
        s = x[start:stop] @ x.T
        s[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        ps = np.take_along_axis(s, part, axis=1)
        order = np.argsort(-ps, axis=1, kind="stable")
        idx[start:stop] = np.take_along_axis(part, order, axis=1)
        sims[start:stop] = np.take_along_axis(ps, order, axis=1)
    return idx, sims


class SpectralReducer:
    """Laplacian eigenmap of the symmetrised cosine kNN graph.

    Edges carry the cosine similarity clipped at 0; the graph is symmetrised with the
    maximum (an edge exists if either end lists the other).

    Args:
        n_components: output dimensions. Default 8, between UMAP's usual 5 and the
            10-15 dimensions where higher eigenvectors start to carry noise; on the dev
            set results are flat from 5 to 10 (``docs/benchmarks.md``).
        n_neighbors: graph degree; ``None`` = :func:`default_n_neighbors`.
        random_state: seed of the eigensolver's start vector.

    Attributes:
        embedding_: (n, n_components') coordinates, n_components' <= n_components.
        knn_indices_, knn_similarities_: the (n, k) neighbour graph, reused downstream.
        affinity_: sparse symmetric (n, n) affinity.
    """

    def __init__(
        self, n_components: int = 8, n_neighbors: int | None = None, random_state: int = 0
    ) -> None:
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.random_state = random_state

    def fit(self, x: np.ndarray) -> SpectralReducer:
        from sklearn.manifold import spectral_embedding

        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 2:
            raise ValueError(f"x must be 2-D (n, d), got shape {x.shape}")
        n = x.shape[0]
        if n < 3:
            raise ValueError(f"spectral reduction needs at least 3 points, got {n}")
        if not isinstance(self.n_components, int) or self.n_components < 1:
            raise ValueError(f"n_components must be a positive int, got {self.n_components!r}")
        k = default_n_neighbors(n) if self.n_neighbors is None else self.n_neighbors
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"n_neighbors must be a positive int, got {self.n_neighbors!r}")
        k = min(k, n - 1)
        idx, sims = knn_graph(x, k)
        rows = np.repeat(np.arange(n), k)
        a = sp.csr_matrix(
            (np.clip(sims.ravel(), 0.0, None).astype(np.float64) + 1e-6, (rows, idx.ravel())),
            shape=(n, n),
        )
        a = a.maximum(a.T).tocsr()
        dims = min(self.n_components, n - 2)
        self.knn_indices_ = idx
        self.knn_similarities_ = sims
        self.affinity_ = a
        with warnings.catch_warnings():
            # disconnected kNN graphs are normal when topics are far apart: each component
            # gets its own coordinates, which is what the density step needs
            warnings.filterwarnings("ignore", message="Graph is not fully connected")
            self.embedding_ = spectral_embedding(
                a,
                n_components=dims,
                random_state=self.random_state,
                drop_first=True,
                eigen_solver="arpack",
            ).astype(np.float64)
        self.n_neighbors_ = k
        logger.debug("spectral embedding: n=%d k=%d dims=%d", n, k, dims)
        return self

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        """Fit and return the (n, n_components) embedding."""
        return self.fit(x).embedding_

