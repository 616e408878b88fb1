"""Small protocols and frozen result dataclasses shared by the ``nlp`` steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

#: Cluster id used for texts left "à classer" (not confidently in any cluster).
UNASSIGNED = -1


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors.

    Attributes:
        model_id: stable identifier of the model (used as a cache key).
    """

    model_id: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dim), rows of unit norm."""
        ...


@dataclass(frozen=True)
class ClusterInfo:
    """One cluster of a :class:`ClusteringResult`.

    Attributes:
        id: stable cluster id (int >= 0).
        size: number of member texts.
        members: indices (into the texts of the run) of the members, shape (size,).
        centroid: L2-normalised mean of the members' embeddings, shape (dim,).
        keywords: c-TF-IDF keywords, best first.
        representatives: 3-5 member indices, central and diverse (MMR), best first.
        is_new: True when the id did not exist in ``previous`` (or no previous run).
        pinned: True when the cluster was pinned by a facilitator in ``previous``.
    """

    id: int
    size: int
    members: np.ndarray
    centroid: np.ndarray
    keywords: tuple[str, ...]
    representatives: tuple[int, ...]
    is_new: bool
    pinned: bool = False


@dataclass(frozen=True)
class PreviousClustering:
    """What the caller stored from the previous run, used for an incremental run.

    Attributes:
        keys: stable text keys of the previous run (e.g. contribution ids).
        labels: cluster id of each key (``-1`` for "à classer"), same length as keys.
        locked: key -> cluster id that must not change (facilitators' moves and locks).
        pinned: cluster ids that must never be dissolved or renumbered.
        next_id: first id available for new clusters.
        n_themes: the granularity the previous run was asked for (None = automatic);
            when the new run asks for another one, texts regroup freely (only locked
            texts and pinned clusters stay).
    """

    keys: Sequence[str]
    labels: Sequence[int]
    locked: Mapping[str, int] = field(default_factory=dict)
    pinned: frozenset[int] | set[int] = frozenset()
    next_id: int = 0
    n_themes: int | None = None


@dataclass(frozen=True)
class ClusteringChanges:
    """What an incremental run changed compared to ``previous``.

    Attributes:
        new_texts_per_cluster: cluster id -> number of new texts (keys absent from previous).
        new_clusters: ids of the clusters that did not exist before.
        moved: key -> (old cluster id, new cluster id) for previous keys that changed cluster.
        dissolved: previous cluster ids that no longer exist.
    """

    new_texts_per_cluster: Mapping[int, int]
    new_clusters: tuple[int, ...]
    moved: Mapping[str, tuple[int, int]]
    dissolved: tuple[int, ...]


@dataclass(frozen=True)
class ClusteringResult:
    """Output of :meth:`nlp.pipeline.ClusteringPipeline.run`.

    Attributes:
        labels: stable cluster id per text, ``-1`` = "à classer", shape (n,), int64.
        confidence: membership confidence per text in [0, 1], shape (n,), float64.
            Core members of a density cluster get 0.5-1.0; outliers reassigned to a
            cluster by their neighbours get at most 0.5; "à classer" texts get 0.
        probabilities: raw HDBSCAN membership strength in [0, 1], shape (n,).
        is_outlier_reassigned: True where a density outlier was reassigned, shape (n,).
        clusters: one :class:`ClusterInfo` per cluster, sorted by id.
        keys: the text keys used (given, or ``"0".."n-1"``).
        changes: differences with ``previous`` (None for a first run).
        params: effective parameters of the run (derived from the corpus size).
        next_id: first id free for the next run.
    """

    labels: np.ndarray
    confidence: np.ndarray
    probabilities: np.ndarray
    is_outlier_reassigned: np.ndarray
    clusters: tuple[ClusterInfo, ...]
    keys: tuple[str, ...]
    changes: ClusteringChanges | None
    params: Mapping[str, object]
    next_id: int

    @property
    def n_clusters(self) -> int:
        return len(self.clusters)

    @property
    def noise_share(self) -> float:
        """Share of texts left "à classer"."""
        if len(self.labels) == 0:
            return 0.0
        return float(np.mean(self.labels == UNASSIGNED))

    def cluster(self, cluster_id: int) -> ClusterInfo:
        """Return the cluster with this id (KeyError if absent)."""
        for info in self.clusters:
            if info.id == cluster_id:
                return info
        raise KeyError(cluster_id)

    def to_previous(
        self,
        locked: Mapping[str, int] | None = None,
        pinned: set[int] | frozenset[int] | None = None,
    ) -> PreviousClustering:
        """Build the :class:`PreviousClustering` for the next incremental run."""
        return PreviousClustering(
            keys=self.keys,
            labels=[int(x) for x in self.labels],
            locked=dict(locked or {}),
            pinned=frozenset(pinned or ()),
            next_id=self.next_id,
            n_themes=self.params.get("n_themes_requested"),  # type: ignore[arg-type]
        )
