from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from nlp.clustering import (
    DensityClusterer,
    GraphClusterer,
    default_min_cluster_size,
    fuzzy_affinity,
)
from nlp.labelling import ctfidf_keywords, fold, representatives
from nlp.pipeline import ClusteringPipeline
from nlp.reduce import SpectralReducer, default_n_neighbors, knn_graph


def _blobs(n=600, centers=5, seed=0):
    x, y = make_blobs(
        n_samples=n,
        centers=centers,
        n_features=32,
        cluster_std=1.0,
        center_box=(-10, 10),
        random_state=seed,
    )
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), y


def test_knn_graph_matches_brute_force():
    x, _ = _blobs(300)
    idx, sims = knn_graph(x, 5, block_size=64)
    s = x @ x.T
    np.fill_diagonal(s, -np.inf)
    np.testing.assert_allclose(sims[:, 0], s.max(axis=1), atol=1e-5)
    assert not np.any(idx == np.arange(300)[:, None])


def test_clustering_mechanics_on_blobs():
    x, y = _blobs()
    red = SpectralReducer(n_components=8, random_state=0).fit(x)
    cl = DensityClusterer().fit(red.embedding_, red.knn_indices_, red.knn_similarities_)
    assert adjusted_rand_score(y, cl.labels_) > 0.9
    assert (cl.labels_ == -1).mean() < 0.05
    assert np.all(cl.confidence_[cl.reassigned_] <= 0.5)
    assert np.all(cl.confidence_[(cl.labels_ >= 0) & ~cl.reassigned_] >= 0.5)


def test_graph_clusterer_on_blobs():
    x, y = _blobs()
    idx, sims = knn_graph(x, 15)
    a = fuzzy_affinity(idx, sims)
    assert (a != a.T).nnz == 0
    assert a.data.min() > 0
    assert a.data.max() <= 1
    cl = GraphClusterer(min_size=10, n_restarts=2).fit(a, idx, sims)
    assert adjusted_rand_score(y, cl.labels_) > 0.9
    assert np.bincount(cl.labels_[cl.labels_ >= 0]).min() >= 10
    again = GraphClusterer(min_size=10, n_restarts=2).fit(a, idx, sims)
    np.testing.assert_array_equal(cl.labels_, again.labels_)
    with pytest.raises(ValueError, match="resolution"):
        GraphClusterer(resolution=0).fit(a, idx, sims)


def test_pipeline_is_deterministic_on_blobs():
    x, y = _blobs()
    texts = [f"texte {i}" for i in range(len(x))]
    a = ClusteringPipeline().run(texts, embeddings=x)
    b = ClusteringPipeline().run(texts, embeddings=x)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert adjusted_rand_score(y, a.labels) > 0.9
    assert a.params["min_cluster_size"] == default_min_cluster_size(600) == 12


def test_min_cluster_size_formula():
    assert [default_min_cluster_size(n) for n in (10, 100, 1000, 3300, 30000)] == [5, 5, 16, 29, 87]


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ([], "no texts"),
        (["ok", "  \n"], "empty or whitespace"),
        ("abc", "list of strings"),
        (["a", 3], "strings"),
    ],
)
def test_degenerate_inputs_raise(texts, message):
    with pytest.raises(ValueError, match=message):
        ClusteringPipeline().run(texts, embeddings=np.ones((max(len(texts), 1), 4)))


def test_bad_keys_and_embeddings_raise():
    x, _ = _blobs(20)
    texts = [f"t{i}" for i in range(20)]
    with pytest.raises(ValueError, match="shape"):
        ClusteringPipeline().run(texts, embeddings=x[:5])
    with pytest.raises(ValueError, match="unique"):
        ClusteringPipeline().run(texts, embeddings=x, keys=["k"] * 20)
    with pytest.raises(ValueError, match="min_cluster_size"):
        ClusteringPipeline(min_cluster_size=1).run(texts, embeddings=x)
    for bad in (1, 2.5, True, "15"):
        with pytest.raises(ValueError, match="n_neighbors"):
            ClusteringPipeline(n_neighbors=bad).run(texts, embeddings=x)
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="fold_above"):
            ClusteringPipeline(fold_above=bad).run(texts, embeddings=x)
    for bad in (0, 1.2, -0.5):
        with pytest.raises(ValueError, match="fold_similarity"):
            ClusteringPipeline(fold_similarity=bad).run(texts, embeddings=x)


def test_neighbours_grow_with_the_corpus_above_10000_texts():
    """15 neighbours (UMAP's default) up to 10,000 texts; above, sqrt growth, so that a
    text reaches past its own rewordings in a large corpus."""
    assert [default_n_neighbors(n) for n in (2, 10, 16, 3_000, 10_000)] == [1, 9, 15, 15, 15]
    assert [default_n_neighbors(n) for n in (10_001, 30_000, 100_000, 1_000_000)] == \
        [15, 26, 47, 150]


def test_a_fixed_neighbour_count_is_used_and_reported():
    x, _ = _blobs(60)
    texts = [f"t{i}" for i in range(60)]
    assert ClusteringPipeline().run(texts, embeddings=x).params["n_neighbors"] == 15
    assert ClusteringPipeline(n_neighbors=8).run(texts, embeddings=x).params["n_neighbors"] == 8
    assert ClusteringPipeline(n_neighbors=500).run(texts, embeddings=x).params["n_neighbors"] == 59


def test_few_texts_give_one_cluster(use, small_rows):
    texts = [r["text"] for r in small_rows[:6]]
    res = ClusteringPipeline(embedder=use).run(texts)
    assert res.params["degenerate"] is True
    assert res.n_clusters == 1
    assert set(res.labels) == {0}
    assert 3 <= len(res.clusters[0].representatives) <= 5


def test_labels_fold_accents_and_drop_stop_words():
    assert fold("Laïcité À l'ÉCOLE") == "laicite a l'ecole"
    kw = ctfidf_keywords(
        [
            "La laïcité à l'école",
            "laicite et école publique",
            "les pistes cyclables",
            "des pistes cyclables sûres",
        ],
        np.array([0, 0, 1, 1]),
        top_n=3,
    )
    assert kw[0][0] in {"laïcité", "école"}
    assert "la" not in kw[0]
    assert set(kw[1][:2]) == {"pistes", "cyclables"}


def test_representatives_are_central_and_diverse():
    x, _ = _blobs(100, centers=1)
    c = x.mean(axis=0)
    c /= np.linalg.norm(c)
    reps = representatives(x, c, n=5)
    assert reps[0] == int(np.argmax(x @ c))
    assert len(set(reps)) == 5


@pytest.fixture(scope="module")
def first_run(small_rows, use):
    texts = [r["text"] for r in small_rows]
    x = use.encode(texts)
    keys = [r["id"] for r in small_rows]
    res = ClusteringPipeline().run(texts[:500], embeddings=x[:500], keys=keys[:500])
    return texts, x, keys, res


def test_real_clusters_have_keywords_and_representatives(first_run):
    texts, _, _, res = first_run
    assert 4 <= res.n_clusters <= 30
    assert res.noise_share < 0.15
    for c in res.clusters:
        assert c.size == len(c.members)
        assert c.is_new
        assert 3 <= len(c.representatives) <= 5
        assert set(c.representatives) <= set(c.members.tolist())
        assert len(c.keywords) >= 3
        assert np.linalg.norm(c.centroid) == pytest.approx(1.0, abs=1e-5)
    assert np.all((res.confidence >= 0) & (res.confidence <= 1))
    assert np.all(res.confidence[res.is_outlier_reassigned] <= 0.5)


def test_incremental_run_keeps_locked_pinned_and_reports_new(first_run, use):
    texts, x, keys, res = first_run
    ids = [c.id for c in res.clusters]
    # a facilitator moves 5 texts into another cluster and locks them, pins one cluster
    moved_keys = [keys[i] for i in res.clusters[0].members[:5]]
    locked = dict.fromkeys(moved_keys, ids[1])
    pinned = {ids[-1]}
    previous = res.to_previous(locked=locked, pinned=pinned)
    assert previous.next_id == max(ids) + 1
    # add 100 new dev answers plus 40 texts on a topic absent from the dev set
    extra = [
        f"Les chats errants du quartier {i} posent problème : il faut une campagne de "
        f"stérilisation des chats et un refuge pour animaux."
        for i in range(40)
    ]
    all_texts = texts + extra
    all_x = np.vstack([x, use.encode(extra)])
    all_keys = keys + [f"extra-{i}" for i in range(40)]
    new = ClusteringPipeline().run(all_texts, embeddings=all_x, keys=all_keys, previous=previous)
    pos = {k: i for i, k in enumerate(all_keys)}
    for k, c in locked.items():
        assert new.labels[pos[k]] == c
        assert new.confidence[pos[k]] == 1.0
    assert ids[-1] in {c.id for c in new.clusters}
    assert new.cluster(ids[-1]).pinned
    kept = np.mean(
        [new.labels[pos[k]] == res.labels[i] for i, k in enumerate(keys[:500]) if k not in locked]
    )
    assert kept >= 0.9
    assert new.changes is not None
    assert len(new.changes.new_clusters) >= 1
    cat = new.cluster(new.changes.new_clusters[0])
    assert cat.is_new
    assert cat.id >= previous.next_id
    assert sum(k.startswith("extra-") for k in (all_keys[i] for i in cat.members)) >= 30
    assert sum(new.changes.new_texts_per_cluster.values()) == int(np.sum(new.labels[500:] >= 0))
    assert all(k in locked or old != now for k, (old, now) in new.changes.moved.items())


def _copies(texts: list[str], seed: int = 0) -> list[str]:
    """One light rewording of each text: a word dropped, two neighbouring words swapped
    (the perturbation of the scale benchmark, bench/bench_clustering.py)."""
    rng = np.random.default_rng(seed)
    out = []
    for text in texts:
        words = text.split()
        if len(words) >= 4:
            del words[int(rng.integers(len(words)))]
            i = int(rng.integers(len(words) - 1))
            words[i], words[i + 1] = words[i + 1], words[i]
        out.append(" ".join(words))
    return out


@pytest.fixture(scope="module")
def with_copies(dev_rows, use):
    """600 real answers (questions set) and a light rewording of each of the first 300."""
    from nlp.embedding import l2_normalise

    rows = dev_rows[:600]
    texts = [r["text"] for r in rows]
    copies = _copies(texts[:300])
    labels = np.array([r["label"] for r in rows] + [r["label"] for r in rows[:300]])
    return texts + copies, l2_normalise(use.encode(texts + copies)), labels


def test_near_duplicate_groups_join_rewordings_not_distinct_answers(with_copies):
    from nlp.pipeline import FOLD_SIMILARITY
    from nlp.reduce import near_duplicate_groups

    texts, x, labels = with_copies
    groups = near_duplicate_groups(x, FOLD_SIMILARITY)
    assert groups.shape == (900,)
    assert groups[0] == 0
    # numbered by first row: a group's id never exceeds its first row's index
    assert all(groups[i] <= i for i in range(900))
    joined = np.mean(groups[600:] == groups[:300])
    assert joined >= 0.88, joined  # a reworded answer joins its source (0.92)
    # distinct answers seldom fold, and then into answers to the same question
    sizes = np.bincount(groups[:600])
    assert np.count_nonzero(sizes) >= 540, np.count_nonzero(sizes)
    pairs = [(i, j) for i in range(600) for j in range(i) if groups[i] == groups[j]]
    assert np.mean([labels[i] == labels[j] for i, j in pairs]) >= 0.9


def test_above_fold_above_each_rewording_takes_the_theme_of_its_group(with_copies):
    """The fold is on above 10,000 texts (fold_above); lowered here to 600 so that the
    900 texts fold: copies share their group's theme, quality holds, and below the
    threshold nothing changes."""
    texts, x, labels = with_copies
    folded = ClusteringPipeline(fold_above=600).run(texts, embeddings=x)
    assert folded.params["folded"] >= 270
    from nlp.reduce import near_duplicate_groups

    groups = near_duplicate_groups(x, ClusteringPipeline().fold_similarity)
    for g in np.unique(groups):
        assert len(set(folded.labels[groups == g])) == 1
    plain = ClusteringPipeline(fold_above=None).run(texts, embeddings=x)
    assert "folded" not in plain.params
    # ARI 0.58 folded against 0.54 (the copies no longer pull their own small themes)
    assert adjusted_rand_score(labels, folded.labels) >= adjusted_rand_score(
        labels, plain.labels) - 0.01
    default = ClusteringPipeline().run(texts, embeddings=x)  # 900 <= 10,000: no fold
    assert "folded" not in default.params
    assert (default.labels == plain.labels).all()
