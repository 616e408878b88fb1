"""The clustering pipeline: embed -> spectral reduction -> themes -> labels, incrementally.

Each step is a small estimator (``nlp.embedding``, ``nlp.reduce``, ``nlp.clustering``,
``nlp.labelling``); :class:`ClusteringPipeline` wires them and reconciles a new run with
the previous one so that facilitators' work stays put.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np

from nlp.clustering import (
    DensityClusterer,
    GraphClusterer,
    PartitionClusterer,
    default_min_cluster_size,
    default_n_themes,
    fuzzy_affinity,
    graph_resolution,
    theme_range,
)
from nlp.duplicates import DEFAULT_THRESHOLD as DUPLICATE_THRESHOLD
from nlp.embedding import l2_normalise
from nlp.labelling import ctfidf_keywords, representatives
from nlp.reduce import (
    ANN_THRESHOLD,
    NEIGHBOURS_SCALE_FROM,
    SpectralReducer,
    default_n_neighbors,
    knn_graph,
    near_duplicate_groups,
)
from nlp.types import (
    UNASSIGNED,
    ClusterInfo,
    ClusteringChanges,
    ClusteringResult,
    Embedder,
    PreviousClustering,
)

logger = logging.getLogger(__name__)

__all__ = ["FOLD_SIMILARITY", "STABLE_LEIDEN_MAX", "ClusteringPipeline"]

#: Up to this many texts Leiden iterates until stable (``n_iterations=-1``); 2 above.
#: 3,000 keeps 2,250 texts near 4 s at load 3 (issue 11: under 5 s) and the gain was
#: measured on démocratie (2,250); questions (3,300) scores the same either way.
STABLE_LEIDEN_MAX = 3000
#: Cosine similarity from which two texts count as copies of one idea, folded into one
#: node of the graph above ``fold_above`` texts: the near-duplicate threshold of
#: :mod:`nlp.duplicates` (rewordings of one proposal). On the labelled mix of both dev
#: sets at 30,000 texts, 98.9 % of the neighbour pairs at 0.85 or more are made from the
#: same dev answer and 99.9 % share its label.
FOLD_SIMILARITY = DUPLICATE_THRESHOLD


class ClusteringPipeline:
    """Cluster texts into stable, labelled groups.

    Parameters derived from the corpus size n (documented in the step functions):

    * neighbours k = min(15, n - 1) up to 10,000 texts, 15 * sqrt(n / 10,000) above
      (:func:`nlp.reduce.default_n_neighbors`);
    * spectral dimensions = ``n_components`` (16; the density step uses the first 8);
    * ``min_cluster_size`` = max(5, round(sqrt(n) / 2))
      (:func:`nlp.clustering.default_min_cluster_size`).

    Grouping (``n_themes=None``, ``grouping="graph"``, the default): Leiden communities
    of the kNN graph with UMAP-style fuzzy weights at resolution
    :func:`nlp.clustering.graph_resolution` (1.5;
    :class:`nlp.clustering.GraphClusterer`), iterated until stable up to
    :data:`STABLE_LEIDEN_MAX` texts;
    if that gives fewer themes than the low end of :func:`nlp.clustering.theme_range`
    (or more than its high end) the resolution is raised (lowered) by steps of 1.5x.
    Above ``fold_above`` texts (10,000), near-copies (a chain of neighbours at cosine
    :data:`FOLD_SIMILARITY` or more) first fold into one node, Leiden groups the nodes
    and each copy takes its node's theme: a large corpus holds many copies of one idea,
    which otherwise form small cliques of their own (growth table of docs/benchmarks.md,
    labelled mix of both dev sets: ARI / NMI at 30,000 texts 0.35 / 0.48 without folding,
    0.39 / 0.51 with it, against 0.35 / 0.51 at 3,000; at 100,000, 0.22 / 0.47 in 41 s
    without, 0.38 / 0.51 in 19 s with it).
    No spectral embedding is computed on this path. ``grouping="spectral"`` is the
    previous default, kept for comparison in the benchmark: HDBSCAN on the spectral
    coordinates when it gives a usable granularity (at least the low end of
    ``theme_range`` and no theme above 40 % of the texts), else Ward. Whenever
    ``n_themes`` is given, Ward's hierarchy of the spectral coordinates is cut at
    ``n_themes`` (nested themes for "plus larges / plus fins").
    ``params["method"]`` says which one ran (graph, density or partition).

    Degenerate inputs: an empty list, blank texts, or mismatched keys/embeddings raise
    ``ValueError``. With fewer than ``2 * min_cluster_size`` texts and no ``n_themes``
    (or fewer than 4 texts)
    no structure) the result is documented as one cluster (id ``previous.next_id`` or 0)
    holding every text, with confidence 0.5.

    Incremental runs (``previous`` given): the corpus is re-clustered from scratch, then
    reconciled with ``previous``:

    1. fresh clusters are matched to previous ids by membership overlap (Hungarian
       assignment on the overlap counts; a pair counts when it shares at least half of
       the smaller of the two groups);
    2. a locked key keeps its locked cluster, whatever the fresh run says;
    3. a previous cluster survives when it is matched, pinned, locked-into, or still has
       at least ``min_cluster_size`` of its texts (clusters facilitators have seen never
       silently merge away); a previous text of a surviving cluster stays in it unless
       the fresh run puts it in another cluster whose centroid is closer by more than
       ``move_margin`` (hysteresis: small reshuffles never move texts);
    4. pinned clusters are never dissolved nor renumbered;
    5. new texts, and texts of dissolved clusters, follow the fresh run; if it left them
       "à classer", they are routed to the nearest cluster when they are at least as
       close to its centroid as its 10th-percentile member. Previous "à classer" texts
       join the cluster the fresh run proposes only under that same fit test;
    6. fresh clusters that match nothing get new ids from ``previous.next_id`` and are
       reported as new; they need ``min_cluster_size`` members after steps 2-3, else
       their texts are routed as in 5.

    When ``previous`` was made at another granularity (``previous.n_themes`` differs from
    ``n_themes``), step 3 is skipped: only locked texts and pinned clusters are kept, and
    every other text follows the fresh run, so that "coarser / finer" really regroups.

    Args:
        embedder: used when ``run`` gets no embeddings (default: USE, created lazily).
        reducer: a :class:`~nlp.reduce.SpectralReducer`-like object (``fit`` exposing
            ``embedding_``, ``knn_indices_``, ``knn_similarities_``); None = default.
        min_cluster_size: None = derived from n.
        n_components: spectral dimensions when ``reducer`` is None.
        n_themes: target number of themes (granularity); None = chosen from the data.
            Clamped to ``[2, n // 2]``.
        n_neighbors: neighbours per text in the graph when ``reducer`` is None; None =
            :func:`nlp.reduce.default_n_neighbors` (grows with n above 10,000).
        knn: neighbour search when ``reducer`` is None: ``"auto"`` (exact up to
            :data:`nlp.reduce.ANN_THRESHOLD` texts, approximate above), ``"exact"`` or
            ``"approximate"``.
        move_margin: cosine margin needed to move a previous text (step 3).
        n_keywords: keywords per cluster.
        n_representatives: representatives per cluster (3-5).
        grouping: ``"graph"`` (default) or ``"spectral"`` (see above).
        fold_above: fold near-copies above this many texts (graph grouping without a
            ``reducer``); None = never.
        fold_similarity: cosine from which two neighbours are copies of one idea.
        random_state: seed for every random step.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        reducer: SpectralReducer | None = None,
        min_cluster_size: int | None = None,
        n_components: int = 16,
        n_themes: int | None = None,
        n_neighbors: int | None = None,
        knn: str = "auto",
        move_margin: float = 0.15,
        n_keywords: int = 8,
        n_representatives: int = 5,
        grouping: str = "graph",
        fold_above: int | None = NEIGHBOURS_SCALE_FROM,
        fold_similarity: float = FOLD_SIMILARITY,
        random_state: int = 0,
    ) -> None:
        self.embedder = embedder
        self.reducer = reducer
        self.min_cluster_size = min_cluster_size
        self.n_components = n_components
        self.n_themes = n_themes
        self.n_neighbors = n_neighbors
        self.knn = knn
        self.move_margin = move_margin
        self.n_keywords = n_keywords
        self.n_representatives = n_representatives
        self.grouping = grouping
        self.fold_above = fold_above
        self.fold_similarity = fold_similarity
        self.random_state = random_state

    # ------------------------------------------------------------------ validation
    def _validate(self, texts, embeddings, keys, previous):
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise ValueError("texts must be a list of strings")
        texts = list(texts)
        if not texts:
            raise ValueError("no texts to cluster")
        bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
        if bad:
            raise ValueError(f"texts must be strings; not at indices {bad[:10]}")
        blank = [i for i, t in enumerate(texts) if not t.strip()]
        if blank:
            raise ValueError(
                f"{len(blank)} empty or whitespace-only texts (indices {blank[:10]}): "
                "remove them before clustering"
            )
        n = len(texts)
        if keys is None:
            keys = [str(i) for i in range(n)]
        else:
            keys = [str(k) for k in keys]
            if len(keys) != n:
                raise ValueError(f"got {len(keys)} keys for {n} texts")
            dup = [k for k, c in Counter(keys).items() if c > 1]
            if dup:
                raise ValueError(f"keys must be unique; duplicated: {dup[:10]}")
        if embeddings is not None:
            embeddings = np.asarray(embeddings, dtype=np.float32)
            if embeddings.ndim != 2 or embeddings.shape[0] != n:
                raise ValueError(f"embeddings must have shape ({n}, d), got {embeddings.shape}")
            if not np.all(np.isfinite(embeddings)):
                raise ValueError("embeddings contain NaN or infinite values")
        if self.min_cluster_size is not None and (
            not isinstance(self.min_cluster_size, int) or self.min_cluster_size < 2
        ):
            raise ValueError(f"min_cluster_size must be an int >= 2, got {self.min_cluster_size!r}")
        for name, minimum in (("n_themes", 2), ("n_neighbors", 2), ("fold_above", 0)):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < minimum
            ):
                raise ValueError(f"{name} must be None or an int >= {minimum}, got {value!r}")
        if not 0 < self.fold_similarity <= 1:
            raise ValueError(f"fold_similarity must be in (0, 1], got {self.fold_similarity!r}")
        if self.grouping not in ("graph", "spectral"):
            raise ValueError(f"grouping must be 'graph' or 'spectral', got {self.grouping!r}")
        if not 3 <= self.n_representatives <= 5:
            raise ValueError(f"n_representatives must be 3-5, got {self.n_representatives!r}")
        if not 0 <= self.move_margin <= 2:
            raise ValueError(f"move_margin must be in [0, 2], got {self.move_margin!r}")
        if previous is not None:
            if not isinstance(previous, PreviousClustering):
                raise ValueError(f"previous must be a PreviousClustering, got {type(previous)}")
            if len(previous.keys) != len(previous.labels):
                raise ValueError(
                    f"previous has {len(previous.keys)} keys but {len(previous.labels)} labels"
                )
        return texts, embeddings, keys

    # ------------------------------------------------------------------ run
    def run(
        self,
        texts: Sequence[str],
        embeddings: np.ndarray | None = None,
        keys: Sequence[str] | None = None,
        previous: PreviousClustering | None = None,
    ) -> ClusteringResult:
        """Cluster ``texts`` (optionally reconciling with ``previous``).

        Args:
            texts: n non-blank strings.
            embeddings: optional precomputed (n, d) vectors from the same embedder.
            keys: n unique stable keys (contribution ids); default "0".."n-1".
            previous: the previous run as stored by the caller.

        Returns:
            A :class:`~nlp.types.ClusteringResult`.
        """
        texts, embeddings, keys = self._validate(texts, embeddings, keys, previous)
        n = len(texts)
        t0 = time.perf_counter()
        if embeddings is None:
            embedder = self.embedder
            if embedder is None:
                from nlp.embedding import USEEmbedder

                embedder = USEEmbedder()
            embeddings = embedder.encode(texts)
        x = l2_normalise(embeddings)
        t_embed = time.perf_counter() - t0
        mcs = self.min_cluster_size or default_min_cluster_size(n)
        params: dict[str, object] = {
            "n": n,
            "min_cluster_size": mcs,
            "n_themes_requested": self.n_themes,
        }

        fresh, conf, probs, reassigned = self._fresh(x, mcs, params)
        min_theme = int(params["min_theme_size"])
        if previous is None:
            labels = fresh
            next_id = int(labels.max()) + 1 if (labels >= 0).any() else 0
            is_new = dict.fromkeys(np.unique(labels[labels >= 0]).tolist(), True)
            changes = None
            pinned: frozenset[int] = frozenset()
        else:
            labels, conf, next_id, is_new, changes = self._reconcile(
                x, keys, fresh, conf, previous, min_theme
            )
            pinned = frozenset(int(p) for p in previous.pinned)
        clusters = self._describe(texts, x, labels, is_new, pinned)
        params["seconds_embed"] = round(t_embed, 4)
        params["seconds_cluster"] = round(time.perf_counter() - t0 - t_embed, 4)
        return ClusteringResult(
            labels=labels.astype(np.int64),
            confidence=np.clip(conf, 0.0, 1.0).astype(np.float64),
            probabilities=probs.astype(np.float64),
            is_outlier_reassigned=reassigned & (labels >= 0),
            clusters=clusters,
            keys=tuple(keys),
            changes=changes,
            params=params,
            next_id=next_id,
        )

    def _fresh(self, x, mcs, params):
        n = x.shape[0]
        params["min_theme_size"] = mcs
        if n < 4 or (n < 2 * mcs and self.n_themes is None):
            logger.info("only %d texts (< 2 x min_cluster_size=%d): one cluster", n, mcs)
            return self._one_cluster(n, params)
        if self.n_themes is None and self.grouping == "graph":
            return self._graph(x, mcs, params)
        reducer = self.reducer or SpectralReducer(
            n_components=self.n_components, knn=self.knn, random_state=self.random_state
        )
        reducer.fit(x)
        emb = reducer.embedding_
        main = getattr(reducer, "main_", np.ones(n, dtype=bool))
        params.update(
            n_neighbors=int(reducer.knn_indices_.shape[1]),
            n_components=int(emb.shape[1]),
            components=int(np.max(getattr(reducer, "components_", np.zeros(1)))) + 1,
        )
        rows = np.where(main)[0]
        pos = np.full(n, -1, dtype=np.int64)
        pos[rows] = np.arange(rows.size)
        # components are closed under neighbourhood: main rows only have main neighbours
        idx = pos[reducer.knn_indices_[rows]]
        sims = reducer.knn_similarities_[rows]
        z = emb[rows]
        low, high = theme_range(n)
        params["theme_range"] = [low, high]
        labels = conf = probs = reassigned = None
        if self.n_themes is None:
            density = DensityClusterer(min_cluster_size=mcs, random_state=self.random_state)
            dims = getattr(reducer, "n_spectral_", z.shape[1])
            dense_z = np.hstack([z[:, :8], z[:, dims:]]) if dims > 8 else z
            density.fit(dense_z, idx, sims)
            found = density.labels_
            counts = np.bincount(found[found >= 0]) if (found >= 0).any() else np.zeros(0)
            if counts.size >= low and counts.max() <= 0.4 * rows.size:
                params["method"] = "density"
                labels, conf = found, density.confidence_
                probs, reassigned = density.probabilities_, density.reassigned_
            else:
                logger.info(
                    "density step gave %d themes (largest %d of %d): partition",
                    counts.size,
                    int(counts.max(initial=0)),
                    rows.size,
                )
        if labels is None:
            target = default_n_themes(n) if self.n_themes is None else self.n_themes
            target = max(1, min(target, rows.size // 2))
            min_theme = max(2, mcs // 2)
            params.update(method="partition", n_themes_target=target, min_theme_size=min_theme)
            connectivity = reducer.affinity_[rows][:, rows]
            part = PartitionClusterer(n_clusters=target, min_size=min_theme).fit(
                z, idx, sims, connectivity=connectivity
            )
            # themes below min_theme dissolve: cut finer until the low end is reached
            while part.labels_.max() + 1 < min(low, target) and target < min(high, rows.size // 2):
                target += 1
                part = PartitionClusterer(n_clusters=target, min_size=min_theme).fit(
                    z, idx, sims, connectivity=connectivity
                )
            params["n_themes_target"] = target
            labels, conf = part.labels_, part.confidence_
            probs, reassigned = part.confidence_, part.reassigned_
        if not (labels >= 0).any():
            logger.info("no structure found: one cluster")
            return self._one_cluster(n, params)
        params["degenerate"] = False
        out = (np.full(n, UNASSIGNED, np.int64), np.zeros(n), np.zeros(n), np.zeros(n, bool))
        for full, part_values in zip(out, (labels, conf, probs, reassigned), strict=True):
            full[rows] = part_values
        self._islands(reducer, main, out[0], out[1], int(params["min_theme_size"]))
        return out

    def _graph(self, x, mcs, params):
        """Leiden on the graph of the texts or, above ``fold_above`` texts, of their groups
        of near-copies (each copy then takes its group's theme)."""
        n = x.shape[0]
        if self.reducer is None and self.fold_above is not None and n > self.fold_above:
            t0 = time.perf_counter()
            groups = near_duplicate_groups(x, self.fold_similarity, method=self.knn)
            heads = np.unique(groups, return_index=True)[1]  # group g's first row
            params.update(folded=int(n - heads.size),
                          seconds_folding=round(time.perf_counter() - t0, 4))
            if heads.size < n:
                if self.min_cluster_size is None:
                    mcs = default_min_cluster_size(heads.size)
                if heads.size < max(4, 2 * mcs):
                    return self._one_cluster(n, params)
                return tuple(values[groups] for values in self._leiden(x[heads], mcs, params))
        return self._leiden(x, mcs, params)

    def _leiden(self, x, mcs, params):
        """Leiden on the fuzzy kNN graph, resolution moved until the count is usable."""
        from scipy.sparse.csgraph import connected_components

        n = x.shape[0]
        t0 = time.perf_counter()
        if self.reducer is not None:
            self.reducer.fit(x)
            idx, sims = self.reducer.knn_indices_, self.reducer.knn_similarities_
        else:
            # the HNSW index (above ANN_THRESHOLD) is always seeded with 0: its levels
            # change the approximate neighbours, and seeds must give the same themes
            k = min(self.n_neighbors, n - 1) if self.n_neighbors else default_n_neighbors(n)
            idx, sims = knn_graph(x, k, method=self.knn, random_state=0)
        a = fuzzy_affinity(idx, sims)
        t1 = time.perf_counter()
        low, high = theme_range(n)
        min_theme = max(2, mcs // 2)
        # best of 8 Leiden seeds up to 5,000 texts; above, each run costs more and one seed
        # scores the same (sweep: "1 seed" row): 2 at 10,000, 1 from 13,000
        restarts = 8 if n <= ANN_THRESHOLD else max(1, round(20000 / n))
        # Leiden until stable up to STABLE_LEIDEN_MAX texts (démocratie full NMI 0.344 ->
        # 0.352, questions unchanged at 200-800; about 3 times the Leiden time), 2
        # iterations up to 10,000, where a run costs more and the gain was not measured,
        # 1 above (labelled mix at 30,000: ARI/NMI 0.33/0.48 against 0.34/0.48 with 2,
        # grouping 3.5 s instead of 5.6 s)
        iterations = -1 if n <= STABLE_LEIDEN_MAX else 2 if n <= NEIGHBOURS_SCALE_FROM else 1
        resolution = graph_resolution(n)
        grouper = functools.partial(
            GraphClusterer, n_restarts=restarts, n_iterations=iterations, min_size=min_theme
        )
        found = grouper(resolution).fit(a, idx, sims)
        for _ in range(8):
            count = int(found.labels_.max()) + 1
            if low <= count <= high:
                break
            resolution *= 1.5 if count < low else 1 / 1.5
            found = grouper(resolution).fit(a, idx, sims)
        params.update(
            method="graph",
            n_neighbors=int(idx.shape[1]),
            theme_range=[low, high],
            resolution=round(resolution, 4),
            min_theme_size=min_theme,
            restarts=restarts,
            iterations=iterations,
            components=int(connected_components(a, directed=False)[0]),
            seconds_neighbours=round(t1 - t0, 4),
            seconds_grouping=round(time.perf_counter() - t1, 4),
        )
        labels = found.labels_
        if not (labels >= 0).any():
            logger.info("no structure found: one cluster")
            return self._one_cluster(n, params)
        params["degenerate"] = False
        return labels, found.confidence_, found.confidence_, found.reassigned_

    @staticmethod
    def _one_cluster(n, params):
        params["degenerate"] = True
        params.setdefault("method", "one")
        return (np.zeros(n, np.int64), np.full(n, 0.5), np.zeros(n), np.zeros(n, bool))

    @staticmethod
    def _islands(reducer, main, labels, conf, min_theme):
        """Give each component left out of the embedding a theme of its own, if big enough.

        Such components are islands of near-identical texts (all their neighbours are in
        the island); smaller ones stay "à classer".
        """
        comps = getattr(reducer, "components_", None)
        if comps is None or main.all():
            return
        next_id = int(labels.max()) + 1 if (labels >= 0).any() else 0
        for c in np.unique(comps[~main]):
            members = np.where(comps == c)[0]
            if members.size >= min_theme:
                labels[members] = next_id
                conf[members] = 1.0
                next_id += 1

    # ------------------------------------------------------------------ incremental
    def _reconcile(self, x, keys, fresh, conf, previous: PreviousClustering, mcs):
        from scipy.optimize import linear_sum_assignment

        n = x.shape[0]
        prev_of = {str(k): int(v) for k, v in zip(previous.keys, previous.labels, strict=True)}
        locked = {str(k): int(v) for k, v in dict(previous.locked).items()}
        pinned = {int(p) for p in previous.pinned}
        prev_lab = np.array([prev_of.get(k, UNASSIGNED) for k in keys], dtype=np.int64)
        is_old = np.array([k in prev_of for k in keys])
        prev_ids = sorted(set(prev_lab[prev_lab >= 0].tolist()) | pinned | set(locked.values()))
        next_id = max([int(previous.next_id), *(p + 1 for p in prev_ids)], default=0)
        fresh_ids = sorted(set(fresh[fresh >= 0].tolist()))

        # 1. match fresh clusters to previous ids by overlap among previous texts
        mapping: dict[int, int] = {}
        if fresh_ids and prev_ids:
            overlap = np.zeros((len(fresh_ids), len(prev_ids)))
            fi = {f: i for i, f in enumerate(fresh_ids)}
            pi = {p: j for j, p in enumerate(prev_ids)}
            both = (fresh >= 0) & (prev_lab >= 0)
            np.add.at(overlap, ([fi[f] for f in fresh[both]], [pi[p] for p in prev_lab[both]]), 1)
            f_size = overlap.sum(axis=1)
            p_size = overlap.sum(axis=0)
            rows, cols = linear_sum_assignment(-overlap)
            for r, c in zip(rows, cols, strict=True):
                smaller = min(f_size[r], p_size[c])
                if smaller > 0 and overlap[r, c] >= 0.5 * smaller:
                    mapping[fresh_ids[r]] = prev_ids[c]
        # another granularity: only facilitators' decisions hold, the rest regroups
        regroup = previous.n_themes != self.n_themes
        present = Counter(prev_lab[prev_lab >= 0].tolist())
        kept_alive = set() if regroup else {c for c, cnt in present.items() if cnt >= mcs}
        surviving = set(mapping.values()) | pinned | set(locked.values()) | kept_alive
        new_ids: dict[int, int] = {}
        for f in fresh_ids:
            if f not in mapping:
                new_ids[f] = next_id
                next_id += 1
        proposal = np.array(
            [
                mapping.get(int(f), new_ids.get(int(f), UNASSIGNED)) if f >= 0 else UNASSIGNED
                for f in fresh
            ],
            dtype=np.int64,
        )

        def centroids(lab):
            out = {}
            for c in set(lab[lab >= 0].tolist()):
                v = x[lab == c].mean(axis=0)
                nv = np.linalg.norm(v)
                out[c] = v / nv if nv > 0 else v
            return out

        prev_cent = centroids(prev_lab)
        prop_cent = centroids(proposal)
        labels = proposal.copy()
        conf = conf.copy()
        late_join = np.full(n, UNASSIGNED, dtype=np.int64)
        for i in range(n):
            key = keys[i]
            p = int(prev_lab[i])
            q = int(proposal[i])
            if key in locked:
                labels[i] = locked[key]
                conf[i] = 1.0
            elif is_old[i] and p < 0 and q >= 0:
                labels[i] = UNASSIGNED  # decided below: joins q only if it clearly fits
                late_join[i] = q
            elif is_old[i] and p >= 0 and p in surviving and not regroup:
                if q == p or q < 0:
                    labels[i] = p
                    if q < 0:
                        conf[i] = min(conf[i], 0.5)
                else:
                    cp = prev_cent.get(p)
                    cq = prop_cent.get(q)
                    gain = (x[i] @ cq - x[i] @ cp) if (cp is not None and cq is not None) else 0
                    if gain <= self.move_margin:
                        labels[i] = p
                        conf[i] = min(conf[i], 0.5)
        # 6. new clusters need min_cluster_size members after the hysteresis
        counts = Counter(labels[labels >= 0].tolist())
        too_small = {c for c in new_ids.values() if counts.get(c, 0) < mcs}
        for c in too_small:
            labels[labels == c] = UNASSIGNED
        # 5. route unassigned, unlocked texts to the nearest surviving cluster if they fit
        cent = centroids(labels)
        if cent:
            ids = sorted(cent)
            cmat = np.stack([cent[c] for c in ids])
            floors = {}
            for c in ids:
                sims = x[labels == c] @ cent[c]
                floors[c] = float(np.quantile(sims, 0.1))
            todo = np.where(labels == UNASSIGNED)[0]
            if todo.size:
                best = (x[todo] @ cmat.T).argmax(axis=1)
                for t, b in zip(todo, best, strict=True):
                    c = ids[b]
                    if keys[t] in locked or (
                        is_old[t] and prev_lab[t] in surviving and not regroup
                    ):
                        continue
                    if late_join[t] >= 0:
                        if late_join[t] not in cent:
                            continue
                        c = int(late_join[t])
                    sim = float(x[t] @ cent[c])
                    if sim >= floors[c]:
                        labels[t] = c
                        conf[t] = 0.5 * max(sim, 0.0)
        conf[labels == UNASSIGNED] = 0.0
        # stable ids that survive keep existing; next_id unused ids are fine (gaps allowed)
        final_ids = set(labels[labels >= 0].tolist()) | pinned
        is_new = {c: c not in prev_ids for c in final_ids}
        new_clusters = tuple(sorted(c for c in final_ids if c not in prev_ids))
        new_counts = Counter(labels[(~is_old) & (labels >= 0)].tolist())
        moved = {
            keys[i]: (int(prev_lab[i]), int(labels[i]))
            for i in range(n)
            if is_old[i] and prev_lab[i] != labels[i]
        }
        present_prev = set(prev_lab[prev_lab >= 0].tolist())
        dissolved = tuple(sorted(c for c in present_prev if c not in final_ids))
        changes = ClusteringChanges(
            new_texts_per_cluster=dict(sorted(new_counts.items())),
            new_clusters=new_clusters,
            moved=moved,
            dissolved=dissolved,
        )
        return labels, conf, next_id, is_new, changes

    # ------------------------------------------------------------------ description
    def _describe(self, texts, x, labels, is_new, pinned) -> tuple[ClusterInfo, ...]:
        keywords = ctfidf_keywords(texts, labels, top_n=self.n_keywords)
        out = []
        ids = sorted(set(labels[labels >= 0].tolist()) | set(pinned))
        for c in ids:
            members = np.where(labels == c)[0]
            if members.size:
                v = x[members].mean(axis=0)
                nv = np.linalg.norm(v)
                centroid = (v / nv if nv > 0 else v).astype(np.float32)
                reps = representatives(x[members], centroid, n=self.n_representatives)
                reps = tuple(int(members[r]) for r in reps)
            else:  # a pinned cluster whose texts are all gone
                centroid = np.zeros(x.shape[1], dtype=np.float32)
                reps = ()
            out.append(
                ClusterInfo(
                    id=int(c),
                    size=int(members.size),
                    members=members,
                    centroid=centroid,
                    keywords=keywords.get(int(c), ()),
                    representatives=reps,
                    is_new=bool(is_new.get(c, False)),
                    pinned=c in pinned,
                )
            )
        return tuple(out)
