"""Grouping steps: graph communities (Leiden), density (HDBSCAN) and a partition (Ward).

Default (issue 11, measured in ``docs/benchmarks.md``): Leiden communities of the kNN
graph (:class:`GraphClusterer`), which beats both older steps on both dev sets at every
size and needs no spectral embedding (issue 16: the clustering stage is the kNN graph
plus Leiden). The notes below explain the older steps, still used for an explicit
number of themes (Ward) and in the benchmark's sweep (HDBSCAN).

HDBSCAN finds themes where the density shows them (the questions dev set: 11 questions,
12 themes, ARI 0.56) but its excess-of-mass selection picks a few huge clusters when
density is even, which is what ideas on one policy field look like (démocratie dev set:
3 themes, NMI 0.08). The partition step cuts Ward's hierarchy of the spectral
coordinates (constrained by the kNN graph) at a target number of themes: deterministic,
nested (coarser themes are unions of finer ones) and never collapsed. The pipeline
chooses between them (:func:`theme_range`); measurements in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from nlp.types import UNASSIGNED

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_RESOLUTION",
    "DensityClusterer",
    "GraphClusterer",
    "PartitionClusterer",
    "default_min_cluster_size",
    "default_n_themes",
    "fuzzy_affinity",
    "graph_resolution",
    "propagate_labels",
    "theme_range",
]


def default_min_cluster_size(n: int) -> int:
    """Smallest cluster worth showing a facilitator: ``max(5, round(sqrt(n) / 2))``.

    Grows sub-linearly with the corpus: 5 for 100 texts, 16 for 1,000, 29 for 3,300,
    50 for 10,000, 87 for 30,000 (a theme raised by 1 % of 3,300 contributors forms a
    cluster; 0.3 % of 30,000). HDBSCAN's ``min_samples`` defaults to the same value.
    """
    return max(5, round(math.sqrt(max(n, 0)) / 2))


def theme_range(n: int) -> tuple[int, int]:
    """Usable numbers of themes for n ideas: ``(low, high)``.

    ``low = max(min(3, n // 2), round(sqrt(n) / 5))``: at least 3 themes as soon as there
    are 6 ideas (19 distinct ideas are never one theme), 4 for 400, 9 for 2,250, 11 for
    3,300. ``high = max(low, min(round(2 * sqrt(n)), n // 2))``: at least 2 ideas a theme.
    The issue asked for about sqrt(n)/3 at the low end; on the questions dev set (11
    real questions) the density step finds 12 themes = sqrt(n)/4.8 with ARI 0.56, and a
    partition forced to sqrt(n)/3 = 19 themes loses 0.05-0.2 ARI, so the floor that
    triggers the partition is sqrt(n)/5.
    """
    n = max(int(n), 0)
    low = max(min(3, n // 2), round(math.sqrt(n) / 5))
    high = max(low, min(round(2 * math.sqrt(n)), n // 2))
    return low, high


def default_n_themes(n: int) -> int:
    """Themes of the partition when the density step collapsed: ``round(sqrt(n) / 2)``.

    Clamped to :func:`theme_range`. On the démocratie dev set (2,250 answers to 15
    questions) NMI rises from 0.29 at 10 themes to 0.33 at 24 = sqrt(n)/2 and is flat
    beyond; 3 themes for 19 ideas, 5 for 100, 10 for 400.
    """
    low, high = theme_range(n)
    return min(high, max(low, round(math.sqrt(max(n, 0)) / 2)))


def propagate_labels(
    labels: np.ndarray,
    knn_indices: np.ndarray,
    knn_similarities: np.ndarray,
    min_vote_share: float = 0.5,
    max_iter: int = 20,
) -> tuple[np.ndarray, np.ndarray]:
    """Give unlabelled points the weighted majority label of their labelled neighbours.

    Repeated until nothing changes, so outliers reached only through other outliers are
    handled too. A point is assigned only when the winning cluster holds at least
    ``min_vote_share`` of the similarity weight of its labelled neighbours (a strict
    majority by default); ambiguous points stay unassigned.

    Args:
        labels: (n,) cluster ids, -1 for unlabelled.
        knn_indices, knn_similarities: (n, k) neighbour graph.
        min_vote_share: required weight share of the winner, in (0, 1].

    Returns:
        new labels (n,), and vote share (n,) of each newly assigned point among all its
        k neighbours (0 for points that were labelled already or stay unlabelled).
    """
    labels = np.asarray(labels).copy()
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    share = np.zeros(labels.shape[0], dtype=np.float64)
    if n_clusters == 0:
        return labels, share
    w_all = np.clip(knn_similarities, 1e-6, None).astype(np.float64)
    total = w_all.sum(axis=1)
    k = knn_indices.shape[1]
    for _ in range(max_iter):
        todo = np.where(labels == UNASSIGNED)[0]
        if todo.size == 0:
            break
        votes = np.zeros((todo.size, n_clusters))
        for j in range(k):
            nb = labels[knn_indices[todo, j]]
            ok = nb >= 0
            np.add.at(votes, (np.where(ok)[0], nb[ok]), w_all[todo, j][ok])
        labelled_weight = votes.sum(axis=1)
        best = votes.argmax(axis=1)
        best_w = votes[np.arange(todo.size), best]
        accept = (labelled_weight > 0) & (best_w >= min_vote_share * labelled_weight)
        if not accept.any():
            break
        labels[todo[accept]] = best[accept]
        share[todo[accept]] = best_w[accept] / total[todo[accept]]
    return labels, share


class DensityClusterer:
    """HDBSCAN on reduced coordinates, then outliers reassigned by neighbour votes.

    Args:
        min_cluster_size: ``None`` = :func:`default_min_cluster_size` of n.
        min_samples: HDBSCAN ``min_samples`` (``None`` = ``min_cluster_size``).
        reassign_outliers: reassign HDBSCAN noise with :func:`propagate_labels`.
        min_vote_share: see :func:`propagate_labels`.
        random_state: unused by HDBSCAN (deterministic); kept for a uniform interface.

    Attributes:
        labels_: (n,) cluster ids 0..K-1 (ordered by decreasing size), -1 = unassigned.
        probabilities_: (n,) HDBSCAN membership strength (0 for noise).
        reassigned_: (n,) True for noise points reassigned by neighbour votes.
        confidence_: (n,) in [0, 1]: 0.5 + 0.5 * probability for density members,
            0.5 * neighbour vote share for reassigned points (so always <= 0.5), 0 for
            unassigned points.
        min_cluster_size_: effective value.
    """

    def __init__(
        self,
        min_cluster_size: int | None = None,
        min_samples: int | None = None,
        reassign_outliers: bool = True,
        min_vote_share: float = 0.5,
        random_state: int | None = 0,
    ) -> None:
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.reassign_outliers = reassign_outliers
        self.min_vote_share = min_vote_share
        self.random_state = random_state

    def fit(
        self,
        z: np.ndarray,
        knn_indices: np.ndarray | None = None,
        knn_similarities: np.ndarray | None = None,
    ) -> DensityClusterer:
        """Cluster the rows of ``z`` (n, d); the kNN graph is needed for reassignment."""
        from sklearn.cluster import HDBSCAN

        z = np.asarray(z, dtype=np.float64)
        if z.ndim != 2:
            raise ValueError(f"z must be 2-D (n, d), got shape {z.shape}")
        n = z.shape[0]
        mcs = self.min_cluster_size
        if mcs is None:
            mcs = default_min_cluster_size(n)
        if not isinstance(mcs, int) or mcs < 2:
            raise ValueError(f"min_cluster_size must be an int >= 2, got {self.min_cluster_size!r}")
        if n < mcs:
            raise ValueError(f"{n} points are fewer than min_cluster_size={mcs}")
        if not 0 < self.min_vote_share <= 1:
            raise ValueError(f"min_vote_share must be in (0, 1], got {self.min_vote_share!r}")
        ms = self.min_samples if self.min_samples is not None else mcs
        hdb = HDBSCAN(min_cluster_size=mcs, min_samples=min(ms, n - 1), copy=True).fit(z)
        raw = hdb.labels_.astype(np.int64)
        probs = np.where(raw >= 0, hdb.probabilities_, 0.0)
        # renumber by decreasing size (ties by first member) for deterministic ids
        ids = [c for c in np.unique(raw) if c >= 0]
        ids.sort(key=lambda c: (-int(np.sum(raw == c)), int(np.argmax(raw == c))))
        remap = {c: i for i, c in enumerate(ids)}
        labels = np.array([remap.get(int(c), UNASSIGNED) for c in raw], dtype=np.int64)
        reassigned = np.zeros(n, dtype=bool)
        share = np.zeros(n)
        if self.reassign_outliers and ids and knn_indices is not None:
            new, share = propagate_labels(
                labels, knn_indices, knn_similarities, min_vote_share=self.min_vote_share
            )
            reassigned = (labels == UNASSIGNED) & (new != UNASSIGNED)
            labels = new
        conf = np.where(labels >= 0, 0.5 + 0.5 * probs, 0.0)
        conf[reassigned] = 0.5 * np.clip(share[reassigned], 0.0, 1.0)
        self.labels_ = labels
        self.probabilities_ = probs
        self.reassigned_ = reassigned
        self.confidence_ = conf
        self.min_cluster_size_ = mcs
        return self


def neighbour_agreement(
    labels: np.ndarray, knn_indices: np.ndarray, knn_similarities: np.ndarray
) -> np.ndarray:
    """Share of each point's neighbour weight (cosine) that lies in its own cluster, (n,)."""
    w = np.clip(knn_similarities, 1e-6, None).astype(np.float64)
    same = labels[knn_indices] == labels[:, None]
    return (w * same).sum(axis=1) / w.sum(axis=1)


def _themes_of_groups(
    raw: np.ndarray, min_size: int, knn_indices: np.ndarray, knn_similarities: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Themes from a partition's groups (``raw``, ids >= 0): groups under ``min_size``
    dissolve and their points take their neighbours' majority theme
    (:func:`propagate_labels`); ids by decreasing size. Returns the labels, each point's
    confidence (its neighbour agreement, 0 when unassigned) and whether it was reassigned
    (agreement < 0.5)."""
    raw = raw.copy()
    counts = np.bincount(raw)
    raw[counts[raw] < min_size] = UNASSIGNED
    labels = _renumber_by_size(raw)
    if (labels == UNASSIGNED).any() and (labels >= 0).any():
        labels, _ = propagate_labels(labels, knn_indices, knn_similarities)
    agree = neighbour_agreement(labels, knn_indices, knn_similarities)
    return labels, np.where(labels >= 0, agree, 0.0), (labels >= 0) & (agree < 0.5)


def _renumber_by_size(labels: np.ndarray) -> np.ndarray:
    ids = [int(c) for c in np.unique(labels) if c >= 0]
    ids.sort(key=lambda c: (-int(np.sum(labels == c)), int(np.argmax(labels == c))))
    out = np.full(labels.shape, UNASSIGNED, dtype=np.int64)
    for i, c in enumerate(ids):
        out[labels == c] = i
    return out


class PartitionClusterer:
    """Ward's hierarchy of the spectral coordinates, cut at ``n_clusters`` themes.

    The merges are constrained by the kNN graph (only neighbouring groups merge), which
    keeps it O(n * k) in memory and follows the graph's shape. Groups smaller than
    ``min_size`` are dissolved and their points take the weighted majority label of their
    neighbours (:func:`propagate_labels`); points no neighbour vote decides stay
    unassigned. No randomness: any ``random_state`` gives the same labels.

    Args:
        n_clusters: number of themes to cut the hierarchy at.
        min_size: smallest theme kept (default 2: a theme holds at least 2 ideas).

    Attributes:
        labels_: (n,) ids 0..K-1 by decreasing size, -1 = unassigned.
        confidence_: (n,) neighbour agreement: the share of a point's neighbour weight in
            its own theme (0 when unassigned).
        reassigned_: (n,) True where the point's neighbours mostly lie in other themes
            (agreement < 0.5), shown as uncertain.
    """

    def __init__(self, n_clusters: int, min_size: int = 2) -> None:
        self.n_clusters = n_clusters
        self.min_size = min_size

    def fit(
        self,
        z: np.ndarray,
        knn_indices: np.ndarray,
        knn_similarities: np.ndarray,
        connectivity=None,
    ) -> PartitionClusterer:
        """Cluster the rows of ``z`` (n, d) with the (n, k) neighbour graph."""
        import warnings

        from sklearn.cluster import AgglomerativeClustering

        z = np.asarray(z, dtype=np.float64)
        n = z.shape[0]
        k = self.n_clusters
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"n_clusters must be a positive int, got {self.n_clusters!r}")
        if not isinstance(self.min_size, int) or self.min_size < 1:
            raise ValueError(f"min_size must be a positive int, got {self.min_size!r}")
        k = int(min(k, n))
        if k == 1 or n < 3:
            raw = np.zeros(n, dtype=np.int64)
        else:
            with warnings.catch_warnings():
                # several components: sklearn links them itself, last merges only
                warnings.filterwarnings("ignore", message=".*connected components.*")
                raw = (
                    AgglomerativeClustering(n_clusters=k, linkage="ward", connectivity=connectivity)
                    .fit(z)
                    .labels_.astype(np.int64)
                )
        self.labels_, self.confidence_, self.reassigned_ = _themes_of_groups(
            raw, self.min_size, knn_indices, knn_similarities)
        return self


#: Leiden resolution of the default grouping (the sweep in ``bench_clustering --sweep``).
DEFAULT_RESOLUTION = 1.5

def graph_resolution(n: int) -> float:
    """Starting Leiden resolution for n texts: :data:`DEFAULT_RESOLUTION` at every size.
    The pipeline still moves it until the count is in :func:`theme_range`.

    With a fixed 15 neighbours the communities multiplied with n (copies of one idea
    formed cliques) and the resolution fell as ``(10,000 / n) ** (2 / 3)`` above 10,000
    texts. Since the neighbours grow with n (:func:`nlp.reduce.default_n_neighbors`) that
    fall only cost Leiden runs: on the labelled mix of both dev sets, at 30,000 texts (26
    neighbours) γ 1.5 gave the ARI / NMI (0.34 / 0.48) of the fallen γ that the theme-count
    loop raised back over three runs, in one run (11.3 s against 22.1 s); at 100,000 (47
    neighbours), 89 themes, ARI 0.22, NMI 0.46 in 54 s against 68 themes, 0.30, 0.48 in
    142 s. The growth table of docs/benchmarks.md is rerun on this code.
    """
    return DEFAULT_RESOLUTION


def fuzzy_affinity(knn_indices: np.ndarray, knn_similarities: np.ndarray):
    """UMAP-style fuzzy union of the kNN graph, a sparse symmetric (n, n) matrix.

    A neighbour at cosine distance d gets ``exp(-(d - rho) / sigma)`` where rho is the
    point's nearest distance and sigma its mean neighbour distance minus rho (UMAP's
    local scale, without its binary search); the two directions combine as
    ``a + a.T - a * a.T``. Dense regions and sparse ones then weigh alike, which is what
    lets Leiden find themes in a corpus whose density is even.
    """
    import scipy.sparse as sp

    n, k = knn_indices.shape
    d = 1.0 - np.asarray(knn_similarities, dtype=np.float64)
    rho = d[:, :1]
    sigma = np.maximum(d.mean(axis=1, keepdims=True) - rho, 1e-3)
    w = np.exp(-np.maximum(d - rho, 0.0) / sigma)
    rows = np.repeat(np.arange(n), k)
    a = sp.csr_matrix((w.ravel(), (rows, knn_indices.ravel())), shape=(n, n))
    a.sum_duplicates()
    return (a + a.T - a.multiply(a.T)).tocsr()


class GraphClusterer:
    """Leiden communities of a weighted graph (RB configuration model, i.e. modularity
    with a resolution), best of ``n_restarts`` fixed seeds.

    Leiden's result depends on its seed (two seeds agree at ARI 0.7-0.9 on the dev sets);
    the partition of highest quality among the seeds 0..n_restarts-1 is kept, so the
    result is deterministic and does not depend on any caller's ``random_state``.
    Communities smaller than ``min_size`` are dissolved and their points take the weighted
    majority label of their neighbours (:func:`propagate_labels`); points no vote decides
    (islands of near duplicates) stay unassigned.

    Args:
        resolution: higher = more, smaller themes (``DEFAULT_RESOLUTION``).
        n_restarts: seeds tried.
        n_iterations: Leiden iterations per seed (-1 = until stable).
        min_size: smallest theme kept.

    Attributes:
        labels_: (n,) ids 0..K-1 by decreasing size, -1 = unassigned.
        confidence_: (n,) neighbour agreement (0 when unassigned).
        reassigned_: (n,) True where the neighbours mostly lie in other themes.
        quality_: Leiden quality of the kept partition.
    """

    def __init__(
        self,
        resolution: float = DEFAULT_RESOLUTION,
        n_restarts: int = 8,
        n_iterations: int = 2,
        min_size: int = 2,
    ) -> None:
        self.resolution = resolution
        self.n_restarts = n_restarts
        self.n_iterations = n_iterations
        self.min_size = min_size

    def fit(
        self, affinity, knn_indices: np.ndarray, knn_similarities: np.ndarray
    ) -> GraphClusterer:
        """Cluster the n nodes of the symmetric sparse ``affinity`` (n, n)."""
        import igraph
        import leidenalg

        if not self.resolution > 0:
            raise ValueError(f"resolution must be > 0, got {self.resolution!r}")
        if not isinstance(self.n_restarts, int) or self.n_restarts < 1:
            raise ValueError(f"n_restarts must be a positive int, got {self.n_restarts!r}")
        if not isinstance(self.min_size, int) or self.min_size < 1:
            raise ValueError(f"min_size must be a positive int, got {self.min_size!r}")
        coo = affinity.tocoo()
        upper = coo.row < coo.col
        n = affinity.shape[0]
        graph = igraph.Graph(
            n=n,
            edges=np.column_stack([coo.row[upper], coo.col[upper]]),
            edge_attrs={"weight": coo.data[upper]},
        )
        best_q, raw = -np.inf, np.zeros(n, dtype=np.int64)
        for seed in range(self.n_restarts):
            part = leidenalg.find_partition(
                graph,
                leidenalg.RBConfigurationVertexPartition,
                weights="weight",
                resolution_parameter=float(self.resolution),
                n_iterations=self.n_iterations,
                seed=seed,
            )
            q = part.quality()
            if q > best_q:
                best_q, raw = q, np.asarray(part.membership, dtype=np.int64)
        self.labels_, self.confidence_, self.reassigned_ = _themes_of_groups(
            raw, self.min_size, knn_indices, knn_similarities)
        self.quality_ = float(best_q)
        return self
