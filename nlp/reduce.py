"""Dimensionality reduction: spectral embedding of the cosine k-nearest-neighbour graph.

Why not UMAP: on the dev sets (USE vectors) a spectral embedding of the same kind of kNN
graph UMAP builds gives the same or better clusters, is deterministic (the eigensolver's
start vector comes from ``random_state`` and the result does not depend on it), needs only
scipy/scikit-learn, and costs about a second instead of UMAP's 15-35 s of numba
compilation. Measurements are in ``docs/benchmarks.md``.

Scale (issue 16): neighbours are exact below :data:`ANN_THRESHOLD` texts and approximate
(hnswlib, HNSW graph) above it; the eigenvectors are the top ones of the normalised
adjacency ``D^-1/2 A D^-1/2`` found by Lanczos (``eigsh(which="LA")``) without any
factorisation (the shift-invert ARPACK path of ``sklearn.manifold.spectral_embedding``
factorised the whole Laplacian: 87 % of the time at 10,000 texts, n^3.2 growth); same
labels on the dev sets. Small connected components of the graph (islands of near
duplicates) are set aside instead of using up the spectral dimensions.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import scipy.sparse as sp

logger = logging.getLogger(__name__)

__all__ = [
    "ANN_THRESHOLD",
    "NEIGHBOURS_SCALE_FROM",
    "SpectralReducer",
    "default_n_neighbors",
    "knn_graph",
    "near_duplicate_groups",
    "spectral_coordinates",
]

#: Above this many texts the kNN graph is approximate (HNSW); exact at or below.
ANN_THRESHOLD = 5000


#: Up to this many texts each point has 15 neighbours; above, the count grows as sqrt(n).
NEIGHBOURS_SCALE_FROM = 10_000


def default_n_neighbors(n: int) -> int:
    """Neighbours per point: 15 (UMAP's and BERTopic's default) up to
    :data:`NEIGHBOURS_SCALE_FROM` texts, then ``round(15 * sqrt(n / 10,000))`` (26 at
    30,000, 47 at 100,000); at most ``n - 1``.

    A large corpus holds many rewordings of the same idea: with 15 neighbours each text
    reached only its own near-copies, the graph fell apart into small cliques, and on the
    labelled mix of both dev sets (bench/bench_clustering.py growth, distinct texts,
    about 18 rewordings of each answer at 100,000) Leiden left 37 % of 100,000 texts
    "à classer" (ARI 0.01, NMI 0.29). With 47 neighbours: none, ARI 0.22, NMI 0.47, in
    38 s instead of 21 s; at 30,000, 26 neighbours give ARI 0.35 / NMI 0.48 against
    0.23 / 0.46 with 15 (3,000 texts: 0.35 / 0.51). Figures from the growth table of
    docs/benchmarks.md, which runs both counts side by side (``--growth-neighbours 15``).
    Since then the pipeline folds near-copies into one node above 10,000 texts
    (:data:`nlp.pipeline.FOLD_SIMILARITY`): on that mix the folded graph has about 6,500
    nodes at 30,000 texts, so these counts apply to corpora with fewer copies.
    """
    k = 15 if n <= NEIGHBOURS_SCALE_FROM else round(15 * math.sqrt(n / NEIGHBOURS_SCALE_FROM))
    return max(1, min(k, n - 1))


def _exact_knn(x: np.ndarray, k: int, block_size: int) -> tuple[np.ndarray, np.ndarray]:
    n = x.shape[0]
    idx = np.empty((n, k), dtype=np.int64)
    sims = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block_size):
        stop = min(n, start + block_size)
        s = x[start:stop] @ x.T  # (block, n): the only O(block * n) buffer
        s[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        part = np.argpartition(s, -k, axis=1)[:, -k:]
        ps = np.take_along_axis(s, part, axis=1)
        del s
        order = np.argsort(-ps, axis=1, kind="stable")
        idx[start:stop] = np.take_along_axis(part, order, axis=1)
        sims[start:stop] = np.take_along_axis(ps, order, axis=1)
    return idx, sims


def _approximate_knn(x: np.ndarray, k: int, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    import hnswlib

    n, d = x.shape
    index = hnswlib.Index(space="ip", dim=d)
    # M 16, ef_construction 50: recall@15 0.993 on 10,000 distinct USE vectors (0.998 at
    # ef_construction 100, whose index build took 3 times longer: 62 % of the clustering
    # stage at 30,000); the dev-set recall is tested in tests/nlp/test_themes.py.
    # One thread for the build: items inserted concurrently land in an order that changes
    # from run to run, and so do the neighbours (26-32 themes at 10,000 over runs); in
    # order with the seeded levels the index, hence the themes, is the same every run.
    # On this 2-core shared machine it costs nothing (10,000: 0.5 s on 1 or 2 threads;
    # 30,000: 2.0 s on 1 thread, 3.1 s on 2). Queries only read the index: all threads.
    # Above NEIGHBOURS_SCALE_FROM texts the build dominates the neighbour step and each
    # text has more neighbours (a missed one weighs less): ef_construction 32 there. At
    # 30,000 texts, 26 neighbours: build 1.75 s instead of 3.2 s, recall@26 0.980 instead
    # of 0.993 (1,000 texts against exact neighbours; a one-off timing of hnswlib).
    ef_construction = 50 if n <= NEIGHBOURS_SCALE_FROM else 32
    index.init_index(max_elements=n, ef_construction=ef_construction, M=16,
                     random_seed=random_state)
    index.add_items(x, np.arange(n), num_threads=1)
    index.set_ef(max(2 * (k + 1), 64))
    labels, dist = index.knn_query(x, k=k + 1, num_threads=-1)
    labels = labels.astype(np.int64)
    sims = (1.0 - dist).astype(np.float32)
    # drop the point itself (usually first; absent when a duplicate took its place)
    own = labels == np.arange(n)[:, None]
    own[~own.any(axis=1), -1] = True
    keep = ~own
    idx = labels[keep].reshape(n, k)
    sim = sims[keep].reshape(n, k)
    order = np.argsort(-sim, axis=1, kind="stable")
    return np.take_along_axis(idx, order, axis=1), np.take_along_axis(sim, order, axis=1)


def knn_graph(
    x: np.ndarray,
    n_neighbors: int,
    block_size: int | None = None,
    method: str = "auto",
    random_state: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Cosine k-nearest neighbours of L2-normalised rows.

    Exact neighbours are computed by blocks of rows whose size keeps the similarity
    block near 64 MB (so 100,000 x 512 vectors never build the n x n matrix);
    approximate ones use an HNSW index (hnswlib).

    Args:
        x: (n, d) L2-normalised float32 vectors.
        n_neighbors: k, 1 <= k < n.
        block_size: rows per exact block; None = about 64 MB of similarities.
        method: ``"exact"``, ``"approximate"`` or ``"auto"`` (approximate above
            :data:`ANN_THRESHOLD` points).
        random_state: seed of the HNSW index.

    Returns:
        indices (n, k) int64 and similarities (n, k) float32, nearest first; a point is
        never its own neighbour.
    """
    x = np.ascontiguousarray(x, dtype=np.float32)
    n = x.shape[0]
    if not 1 <= n_neighbors < n:
        raise ValueError(f"n_neighbors must be in [1, {n - 1}] for {n} points, got {n_neighbors}")
    if method not in ("auto", "exact", "approximate"):
        raise ValueError(f"method must be 'auto', 'exact' or 'approximate', got {method!r}")
    if method == "approximate" or (method == "auto" and n > ANN_THRESHOLD):
        return _approximate_knn(x, n_neighbors, random_state)
    if block_size is None:
        block_size = max(64, min(4096, (16 * 1024 * 1024) // max(n, 1)))
    return _exact_knn(x, n_neighbors, block_size)


def affinity_matrix(idx: np.ndarray, sims: np.ndarray) -> sp.csr_matrix:
    """Symmetric sparse affinity of a kNN graph (cosine clipped at 0, max-symmetrised)."""
    n, k = idx.shape
    rows = np.repeat(np.arange(n), k)
    a = sp.csr_matrix(
        (np.clip(sims.ravel(), 0.0, None).astype(np.float64) + 1e-6, (rows, idx.ravel())),
        shape=(n, n),
    )
    return a.maximum(a.T).tocsr()


def spectral_coordinates(a: sp.csr_matrix, n_components: int, random_state: int = 0) -> np.ndarray:
    """Laplacian eigenmap of a connected graph from the top eigenvectors of D^-1/2 A D^-1/2.

    The eigenvectors of the normalised adjacency with the largest eigenvalues are those
    of the normalised Laplacian with the smallest ones; Lanczos finds them with sparse
    products only. The trivial first eigenvector is dropped, the others are scaled by
    D^-1/2 (as ``sklearn.manifold.spectral_embedding`` does) and their signs fixed so
    that the largest entry is positive: the result does not depend on ``random_state``
    beyond solver tolerance.

    Args:
        a: (n, n) symmetric non-negative affinity, one connected component.
        n_components: output dimensions (at most n - 2).
        random_state: seed of the start vector.

    Returns:
        (n, n_components) float64 coordinates.
    """
    from scipy.sparse.linalg import eigsh

    n = a.shape[0]
    deg = np.asarray(a.sum(axis=1)).ravel()
    dinv = 1.0 / np.sqrt(np.maximum(deg, 1e-12))
    m = sp.diags(dinv) @ a @ sp.diags(dinv)
    v0 = np.random.default_rng(random_state).uniform(-1.0, 1.0, n)
    k = min(n_components + 1, n - 1)
    if n <= 3 * k + 10:  # tiny graphs: dense solver
        vals, vecs = np.linalg.eigh(m.toarray())
    else:
        vals, vecs = eigsh(m, k=k, which="LA", v0=v0, tol=1e-8, ncv=min(n, max(2 * k + 1, 40)))
    order = np.argsort(-vals, kind="stable")[:k]
    emb = vecs[:, order[1:]] * dinv[:, None]
    signs = np.sign(emb[np.abs(emb).argmax(axis=0), np.arange(emb.shape[1])])
    signs[signs == 0] = 1.0
    return (emb * signs).astype(np.float64)


class SpectralReducer:
    """Laplacian eigenmap of the symmetrised cosine kNN graph.

    Edges carry the cosine similarity clipped at 0; the graph is symmetrised with the
    maximum (an edge exists if either end lists the other).

    Connected components are handled explicitly: components smaller than
    ``min_component_size`` (islands of near-identical texts, which would each use up one
    spectral dimension) are not embedded (``main_`` is False for them, their rows of
    ``embedding_`` are 0); every other component is embedded on its own and placed in
    the shared coordinates with an offset on one extra axis per component, so no
    downstream step can mix two components.

    Args:
        n_components: output dimensions. Default 16: the density step uses the first 8
            (results flat from 5 to 10), the partition step all 16 (on the démocratie dev
            set 16 dimensions give NMI 0.33 against 0.31 with 8; ``docs/benchmarks.md``).
        n_neighbors: graph degree; ``None`` = :func:`default_n_neighbors`.
        knn: ``"auto"``, ``"exact"`` or ``"approximate"`` (see :func:`knn_graph`).
        min_component_size: ``None`` = max(10, 0.5 % of n).
        random_state: seed of the eigensolver's start vector and of the HNSW index.

    Attributes:
        embedding_: (n, n_components') coordinates.
        main_: (n,) bool, rows that belong to an embedded component.
        components_: (n,) connected component id of each row (0 = largest).
        knn_indices_, knn_similarities_: the (n, k) neighbour graph, reused downstream.
        affinity_: sparse symmetric (n, n) affinity.
    """

    def __init__(
        self,
        n_components: int = 16,
        n_neighbors: int | None = None,
        knn: str = "auto",
        min_component_size: int | None = None,
        random_state: int = 0,
    ) -> None:
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.knn = knn
        self.min_component_size = min_component_size
        self.random_state = random_state

    def fit(self, x: np.ndarray) -> SpectralReducer:
        from scipy.sparse.csgraph import connected_components

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
        idx, sims = knn_graph(x, k, method=self.knn, random_state=self.random_state)
        a = affinity_matrix(idx, sims)
        n_comp, comp = connected_components(a, directed=False)
        sizes = np.bincount(comp)
        # renumber components by decreasing size
        rank = np.empty_like(sizes)
        rank[np.argsort(-sizes, kind="stable")] = np.arange(sizes.size)
        comp = rank[comp]
        sizes = np.bincount(comp)
        min_size = self.min_component_size
        if min_size is None:
            min_size = max(10, math.ceil(0.005 * n))
        big = [c for c in range(n_comp) if sizes[c] >= min_size] or [0]
        dims = max(1, min(self.n_components, n - 2))
        extra = len(big) - 1
        emb = np.zeros((n, dims + extra))
        for j, c in enumerate(big):
            rows = np.where(comp == c)[0]
            d_c = min(dims, rows.size - 2)
            if d_c >= 1:
                sub = a[rows][:, rows].tocsr()
                emb[rows, :d_c] = spectral_coordinates(sub, d_c, self.random_state)
            if j > 0:  # keep components apart on an axis of their own
                spread = float(np.abs(emb[:, :dims]).max() or 1.0)
                emb[rows, dims + j - 1] = 10.0 * spread
        self.knn_indices_ = idx
        self.knn_similarities_ = sims
        self.affinity_ = a
        self.components_ = comp
        self.main_ = np.isin(comp, big)
        self.embedding_ = emb
        self.n_spectral_ = dims
        self.n_neighbors_ = k
        logger.debug(
            "spectral embedding: n=%d k=%d dims=%d components=%d (embedded %d)",
            n,
            k,
            dims,
            n_comp,
            len(big),
        )
        return self

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        """Fit and return the (n, n_components') embedding."""
        return self.fit(x).embedding_


def near_duplicate_groups(
    x: np.ndarray, threshold: float, n_neighbors: int = 15, method: str = "auto"
) -> np.ndarray:
    """Group id (0..m-1, in order of first row) of each L2-normalised row: rows joined by a
    chain of nearest neighbours at cosine ``threshold`` or more are one group (copies and
    light rewordings of one text), every other row is a group of its own."""
    from scipy.sparse.csgraph import connected_components

    n = x.shape[0]
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    idx, sims = knn_graph(x, min(n_neighbors, n - 1), method=method, random_state=0)
    close = sims >= threshold
    rows = np.repeat(np.arange(n), idx.shape[1])[close.ravel()]
    graph = sp.coo_matrix((np.ones(rows.size), (rows, idx[close])), shape=(n, n))
    _count, labels = connected_components(graph, directed=False)
    _ids, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # renumber by first row
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[inverse].astype(np.int64)
