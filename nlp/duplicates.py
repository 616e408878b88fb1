"""Near-duplicate lookup over L2-normalised embeddings (exact, plain numpy).

The index is kept current in place: :meth:`NearDuplicateIndex.add` inserts or replaces
vectors and :meth:`NearDuplicateIndex.remove` drops them, without rebuilding, so a
long-lived index can follow edits and withdrawals one row at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence

import numpy as np

logger = logging.getLogger(__name__)

#: Default cosine threshold for USE multilingual v3 vectors. Chosen from the
#: nearest-neighbour similarity distribution of the 3,300 dev answers (no labels used):
#: the median answer's nearest neighbour sits at 0.58 and the 95th percentile at 0.79
#: (same topic, different proposal); pairs at 0.85 and above are rewordings of the same
#: proposal ("TVA sur produits de première nécessité" / "La TVA sur des produits de
#: première nécessité", 0.97; "Appliquer strictement la loi de 1905" / "Application de la
#: loi de 1905 uniquement", 0.88), while 0.80-0.85 mixes rewordings and merely related
#: answers. 2 % of the dev answers have a neighbour at or above 0.85.
DEFAULT_THRESHOLD = 0.85

#: Queries scored per matrix product in :meth:`NearDuplicateIndex.query_batch` (bounds
#: the (batch, n) score matrix: 64 x 100,000 float32 is 25 MB).
BATCH = 64

Hit = tuple[Hashable, float]

_blas_controller = None


def _one_blas_thread():
    """Context: BLAS on one thread for a matrix-vector product.

    The product is memory-bound, so a second thread gains little on an idle machine, and
    on a busy one (gunicorn workers on every core) OpenBLAS threads waiting on each other
    made it several times slower: measured at 10,000 x 512 on 2 busy cores, p95 201 ms
    with two threads, 23 ms with one. The controller is made once (0.01 ms a switch).
    """
    global _blas_controller
    if _blas_controller is None:
        from threadpoolctl import ThreadpoolController

        _blas_controller = ThreadpoolController()
    return _blas_controller.limit(limits=1, user_api="blas")


class NearDuplicateIndex:
    """Exact cosine nearest neighbours above a threshold.

    A query is one matrix-vector product against the stored (n, d) float32 matrix and a
    partial sort (``argpartition``) of the n scores. Measured in ``bench/bench_similar.py``
    (see ``docs/benchmarks.md``): a few milliseconds at 10,000 x 512 and a few tens at
    100,000 on 2 cores, so an approximate index would not pay for its build time, memory
    and recall loss at campaign scale.

    Rows live in a matrix with spare capacity (grown by half when full); removing a row moves
    the last row into its place, so add and remove cost O(d) per row, not a rebuild.

    Args:
        threshold: default minimum cosine similarity for a hit, in [-1, 1].
        k: default maximum number of hits per query.

    Attributes:
        vectors_: stored L2-normalised vectors, shape (n, d) (a view, in storage order).
        ids_: stored ids, length n, in the same order as ``vectors_``.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, k: int = 3) -> None:
        self.threshold = threshold
        self.k = k

    # ------------------------------------------------------------------ validation

    @staticmethod
    def _check_threshold(threshold: float) -> float:
        if (isinstance(threshold, bool) or not isinstance(threshold, int | float)
                or not -1.0 <= threshold <= 1.0):
            raise ValueError(f"threshold must be a number in [-1, 1], got {threshold!r}")
        return float(threshold)

    @staticmethod
    def _check_k(k: int) -> int:
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        return k

    @staticmethod
    def _as_matrix(vectors: np.ndarray, ids: Sequence[Hashable]) -> np.ndarray:
        x = np.asarray(vectors, dtype=np.float32)
        if x.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array (n, d), got shape {x.shape}")
        if len(ids) != x.shape[0]:
            raise ValueError(f"got {x.shape[0]} vectors but {len(ids)} ids")
        if len(set(ids)) != len(ids):
            raise ValueError("ids must be unique within one call")
        if not np.all(np.isfinite(x)):
            raise ValueError("vectors contain NaN or infinite values")
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return x / norms

    def _check_fitted(self) -> None:
        if not hasattr(self, "_matrix"):
            raise ValueError("the index is empty: call fit() first")

    # ------------------------------------------------------------------ content

    @property
    def vectors_(self) -> np.ndarray:
        self._check_fitted()
        return self._matrix[: len(self._ids)]

    @property
    def ids_(self) -> list[Hashable]:
        self._check_fitted()
        return self._ids

    def __len__(self) -> int:
        return len(self._ids) if hasattr(self, "_ids") else 0

    def __contains__(self, id_: Hashable) -> bool:
        return id_ in getattr(self, "_rows", {})

    def fit(self, vectors: np.ndarray, ids: Sequence[Hashable]) -> NearDuplicateIndex:
        """Index ``vectors`` (n, d) under ``ids`` (length n, unique), replacing any content."""
        self._check_threshold(self.threshold)
        self._check_k(self.k)
        ids = list(ids)
        x = self._as_matrix(vectors, ids)
        # Room to grow: the first additions must not copy the whole matrix.
        self._matrix = np.empty((len(ids) + max(64, len(ids) // 8), x.shape[1]),
                                dtype=np.float32)
        self._matrix[: len(ids)] = x
        self._ids = ids
        self._rows = {id_: row for row, id_ in enumerate(ids)}
        return self

    def add(self, vectors: np.ndarray, ids: Sequence[Hashable]) -> NearDuplicateIndex:
        """Insert vectors (m, d) under ``ids`` (length m); a stored id gets its new vector."""
        if not hasattr(self, "_matrix") or not self._ids:
            return self.fit(vectors, ids)
        ids = list(ids)
        x = self._as_matrix(vectors, ids)
        if x.shape[1] != self._matrix.shape[1]:
            raise ValueError(
                f"vectors have dimension {x.shape[1]}, the index has {self._matrix.shape[1]}"
            )
        fresh = [i for i, id_ in enumerate(ids) if id_ not in self._rows]
        for i, id_ in enumerate(ids):
            row = self._rows.get(id_)
            if row is not None:
                self._matrix[row] = x[i]
        if fresh:
            n = len(self._ids)
            needed = n + len(fresh)
            if needed > self._matrix.shape[0]:
                grown = np.empty((max(needed + 64, self._matrix.shape[0] * 3 // 2),
                                  self._matrix.shape[1]), dtype=np.float32)
                grown[:n] = self._matrix[:n]
                self._matrix = grown
            self._matrix[n:needed] = x[fresh]
            for offset, i in enumerate(fresh):
                self._rows[ids[i]] = n + offset
                self._ids.append(ids[i])
        return self

    def remove(self, ids: Iterable[Hashable]) -> int:
        """Drop the stored vectors of ``ids`` (unknown ids are ignored); return how many."""
        self._check_fitted()
        removed = 0
        for id_ in ids:
            row = self._rows.pop(id_, None)
            if row is None:
                continue
            last = len(self._ids) - 1
            if row != last:
                moved = self._ids[last]
                self._matrix[row] = self._matrix[last]
                self._ids[row] = moved
                self._rows[moved] = row
            self._ids.pop()
            removed += 1
        return removed

    # ------------------------------------------------------------------ queries

    def _prepare(self, k: int | None, threshold: float | None) -> tuple[int, float]:
        self._check_fitted()
        k = self._check_k(self.k if k is None else k)
        threshold = self._check_threshold(self.threshold if threshold is None else threshold)
        return k, threshold

    def _as_queries(self, vectors: np.ndarray) -> np.ndarray:
        q = np.asarray(vectors, dtype=np.float32)
        if q.ndim == 1:
            q = q.reshape(1, -1)
        if q.ndim != 2 or q.shape[1] != self._matrix.shape[1]:
            raise ValueError(
                f"query has dimension {q.shape[-1]}, the index has {self._matrix.shape[1]}"
            )
        norms = np.linalg.norm(q, axis=1, keepdims=True)
        return q / np.where(norms == 0, 1.0, norms)

    def _top(self, scores: np.ndarray, k: int, threshold: float) -> list[Hit]:
        k = min(k, scores.shape[0])
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] >= threshold]

    def query(self, vector: np.ndarray, k: int | None = None,
              threshold: float | None = None) -> list[Hit]:
        """Return up to ``k`` (id, cosine) pairs at or above the threshold, best first.

        Args:
            vector: one embedding, shape (d,) or (1, d).
            k: maximum hits (default: ``self.k``).
            threshold: minimum cosine (default: ``self.threshold``).
        """
        k, threshold = self._prepare(k, threshold)
        if not self._ids:
            return []
        q = self._as_queries(vector)
        if q.shape[0] != 1:
            raise ValueError(f"query expects one vector, got {q.shape[0]}: use query_batch()")
        if not np.any(q):
            return []
        with _one_blas_thread():
            scores = self.vectors_ @ q[0]
        return self._top(scores, k, threshold)

    def query_batch(self, vectors: np.ndarray, k: int | None = None,
                    threshold: float | None = None) -> list[list[Hit]]:
        """Return the hits of each row of ``vectors`` (m, d), as :meth:`query` would."""
        k, threshold = self._prepare(k, threshold)
        if not self._ids:
            return [[] for _ in range(len(vectors))]
        q = self._as_queries(vectors)
        if q.shape[0] == 1:  # a matrix-vector product: see query()
            return [self.query(q[0], k, threshold)]
        out: list[list[Hit]] = []
        for start in range(0, q.shape[0], BATCH):
            block = q[start : start + BATCH]
            scores = block @ self.vectors_.T
            out.extend(self._top(row, k, threshold) if np.any(qv) else []
                       for row, qv in zip(scores, block, strict=True))
        return out
