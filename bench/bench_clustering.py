"""Benchmark the themes pipeline against BERTopic on both dev sets; writes docs/benchmarks.md.

Usage: .venv/bin/python bench/bench_clustering.py [--out docs/benchmarks.md] [--quick]
    [--bertopic-sizes 200,400,800,1600,full] [--growth 3000,10000,30000]

Needs the ``bench`` extra (bertopic, umap-learn) for the BERTopic columns. Embeddings are
cached in ``instance/embeddings`` (same cache as the app), so a re-run only clusters.
Everything this script writes stands above the ``## Notes`` heading of the output file;
the notes and the other benchmarks' sections after it are kept.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.markdown_section import replace_section  # noqa: E402
from nlp.embedding import make_embedder  # noqa: E402
from nlp.framework import FrameworkMapper, load_framework  # noqa: E402
from nlp.pipeline import ClusteringPipeline  # noqa: E402
from nlp.reduce import default_n_neighbors  # noqa: E402

DATA = REPO / "tests" / "data"
SETS = {
    "questions": DATA / "granddebat_questions_dev.csv",
    "démocratie": DATA / "granddebat_democratie_dev.csv",
}
THEMES = REPO / "tests" / "nlp" / "data" / "granddebat_themes.yaml"
SIZES = (200, 400, 800, 1600)
SMALL = (20, 50, 100)


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def scores(labels, pred) -> tuple[float, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return adjusted_rand_score(labels, pred), normalized_mutual_info_score(labels, pred)


def read(path: Path) -> tuple[list[str], np.ndarray, list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return (
        [r["text"] for r in rows],
        np.array([r["label"] for r in rows]),
        [r["theme"] for r in rows],
    )


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def ours(texts, x, y, stability: bool = True, margin: float = 0.15, **params) -> dict:
    t = time.perf_counter()
    res = ClusteringPipeline(**params).run(texts, embeddings=x)
    seconds = time.perf_counter() - t
    a, m = scores(y, res.labels)
    kept = float("nan")
    if stability:
        n = len(texts)
        cut = int(round(0.9 * n))
        keys = [str(i) for i in range(n)]
        first = ClusteringPipeline(**params).run(texts[:cut], embeddings=x[:cut], keys=keys[:cut])
        second = ClusteringPipeline(move_margin=margin, **params).run(
            texts, embeddings=x, keys=keys, previous=first.to_previous()
        )
        kept = float(np.mean(second.labels[:cut] == first.labels))
    return {
        "k": res.n_clusters,
        "ari": a,
        "nmi": m,
        "noise": res.noise_share,
        "kept": kept,
        "s": seconds,
        "method": res.params.get("method"),
        "result": res,
    }


def bertopic(texts, x, y) -> dict:
    from bertopic import BERTopic

    t = time.perf_counter()
    topics, _ = BERTopic(embedding_model=None, calculate_probabilities=False).fit_transform(
        texts, embeddings=x
    )
    seconds = time.perf_counter() - t
    topics = np.asarray(topics)
    a, m = scores(y, topics)
    return {
        "k": len(set(topics.tolist()) - {-1}),
        "ari": a,
        "nmi": m,
        "noise": float(np.mean(topics == -1)),
        "s": seconds,
    }


def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def fmt_range(rows: list[dict], key: str, spec: str = ".2f") -> str:
    values = [r[key] for r in rows]
    if len(values) == 1:
        return format(values[0], spec)
    return (
        f"{format(statistics.median(values), spec)} ({format(min(values), spec)}-"
        f"{format(max(values), spec)})"
    )


def perturbed_sources(texts: list[str], size: int, seed: int = 0) -> tuple[list[str], list[int]]:
    """``size`` distinct texts and, for each, the index in ``texts`` it was made from.

    The dev texts first (exact repeats once), then copies with one word dropped and two
    neighbouring words swapped (positions drawn at random); exact repeats are skipped.
    """
    rng = np.random.default_rng(seed)
    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        first.setdefault(t, i)
    out = list(first)
    sources = list(first.values())
    seen = set(out)
    while len(out) < size:
        src = int(rng.integers(len(texts)))
        words = texts[src].split()
        if len(words) < 4:
            continue
        del words[int(rng.integers(len(words)))]
        i = int(rng.integers(len(words) - 1))
        words[i], words[i + 1] = words[i + 1], words[i]
        text = " ".join(words)
        if text not in seen:
            seen.add(text)
            out.append(text)
            sources.append(src)
    return out[:size], sources[:size]


def perturbed_corpus(texts: list[str], size: int, seed: int = 0) -> list[str]:
    """``size`` distinct texts made from ``texts`` (see :func:`perturbed_sources`)."""
    return perturbed_sources(texts, size, seed)[0]


COLD = """
import sys, time, csv, json
t0 = time.perf_counter()
sys.path.insert(0, {repo!r})
from nlp.embedding import make_embedder
from nlp.pipeline import ClusteringPipeline
texts = [r["text"] for r in csv.DictReader(open({dev!r}, encoding="utf-8"))]
emb = make_embedder("use", cache_dir={cache!r})
x = emb.encode(texts)
t1 = time.perf_counter()
res = ClusteringPipeline().run(texts, embeddings=x)
t2 = time.perf_counter()
print(json.dumps({{"total": t2 - t0, "embed": t1 - t0, "cluster": t2 - t1}}))
"""


def cold_run(cache: str) -> dict:
    code = COLD.format(repo=str(REPO), dev=str(SETS["questions"]), cache=cache)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def throughput_sections() -> list[str]:
    """Embedding throughput and a fresh-process end-to-end run on the questions set."""
    from nlp.embedding import USEEmbedder

    texts = read(SETS["questions"])[0]
    use = USEEmbedder()
    use.encode(texts[:10])  # load the model
    rows = []
    for name, emb in (
        ("USE, 2 worker threads, BLAS 1 thread", use),
        ("USE, 1 thread", USEEmbedder(threads=1)),
    ):
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            emb.encode(texts)
            runs.append(len(texts) / (time.perf_counter() - t))
        rows.append(f"| {name} | {max(runs):.0f} | {statistics.median(runs):.0f} |")
    with tempfile.TemporaryDirectory() as cache:
        cold = cold_run(cache)
        cached = cold_run(cache)
    return [
        f"## Embedding throughput (USE multilingual v3, {len(texts):,} dev texts)",
        "",
        "| setting | best of 3 (texts/s) | median (texts/s) |",
        "| --- | --- | --- |",
        *rows,
        "",
        "BLAS is pinned to one thread with threadpoolctl; two Python worker threads share "
        "the model and encode chunks of 128 texts sorted by length. Other processes running "
        "on the machine lower the figures.",
        "",
        f"## End to end in a fresh process ({len(texts):,} texts, USE)",
        "",
        "| run | total s | import + model load + embed s | cluster s |",
        "| --- | --- | --- | --- |",
        f"| cold (empty embedding cache) | {cold['total']:.1f} | {cold['embed']:.1f} | "
        f"{cold['cluster']:.1f} |",
        f"| cached embeddings (SQLite cache) | {cached['total']:.1f} | {cached['embed']:.1f} | "
        f"{cached['cluster']:.1f} |",
        "",
    ]


SWEEP = [
    # (label, ClusteringPipeline parameters, GraphClusterer overrides)
    ("Leiden γ 0.75, k 15, fuzzy, 8 seeds", {}, {"resolution": 0.75}),
    ("Leiden γ 1.0", {}, {"resolution": 1.0}),
    ("**Leiden γ 1.5 (default)**", {}, {}),
    ("Leiden γ 2.0", {}, {"resolution": 2.0}),
    ("Leiden γ 2.5", {}, {"resolution": 2.5}),
    ("Leiden γ 1.5, k 10", {"k": 10}, {}),
    ("Leiden γ 1.5, k 25", {"k": 25}, {}),
    ("Leiden γ 1.5, cosine weights", {"weights": "cosine"}, {}),
    ("Leiden γ 1.5, 1 seed", {}, {"n_restarts": 1}),
    ("Leiden γ 1.5, iterations until stable", {}, {"n_iterations": -1}),
    ("before: HDBSCAN if usable, else Ward (grouping='spectral')", {"spectral": True}, {}),
    ("Ward at round(√n/2) (n_themes given)", {"ward": True}, {}),
]


def sweep_run(x, opts, overrides) -> np.ndarray:
    """One sweep configuration on (n, d) vectors; labels (n,)."""
    from nlp.clustering import GraphClusterer, default_min_cluster_size, default_n_themes
    from nlp.reduce import affinity_matrix, knn_graph

    n = x.shape[0]
    texts = [f"t{i}" for i in range(n)]
    if opts.get("spectral"):
        return ClusteringPipeline(grouping="spectral").run(texts, embeddings=x).labels
    if opts.get("ward"):
        return ClusteringPipeline(n_themes=default_n_themes(n)).run(texts, embeddings=x).labels
    idx, sims = knn_graph(x, opts.get("k", 15))
    if opts.get("weights") == "cosine":
        a = affinity_matrix(idx, sims)
    else:
        from nlp.clustering import fuzzy_affinity

        a = fuzzy_affinity(idx, sims)
    params = {"min_size": max(2, default_min_cluster_size(n) // 2), **overrides}
    return GraphClusterer(**params).fit(a, idx, sims).labels_


def sweep(out: Path) -> None:
    """Parameter sweep on both dev sets (400-text samples, seeds 0-2, and the full sets).

    Each configuration is one step of the choice: resolution, neighbours, edge weights,
    restarts, and the previous grouping. No clamping to ``theme_range`` here, so the raw
    effect of each parameter shows. Then the incremental move margin.
    """
    embedder = make_embedder("use", cache_dir=REPO / "instance" / "embeddings")
    data = {}
    for name, path in SETS.items():
        texts, y, _ = read(path)
        data[name] = (texts, y, embedder.encode(texts))
    header = [
        "| configuration | "
        + " | ".join(
            f"{name} {size}: themes | ARI | NMI" for name in SETS for size in ("400", "full")
        )
        + " |",
        "|" + " --- |" * 13,
    ]
    rows = []
    started = load()
    for label, opts, overrides in SWEEP:
        cells = []
        for _, y, x in data.values():
            n = len(y)
            for size in (400, n):
                res = []
                for seed in (0, 1, 2) if size < n else (0,):
                    pick = (
                        np.random.default_rng(seed).choice(n, size, replace=False)
                        if size < n
                        else np.arange(n)
                    )
                    lab = sweep_run(x[pick], opts, overrides)
                    a, m = scores(y[pick], lab)
                    res.append({"k": len(set(lab[lab >= 0].tolist())), "ari": a, "nmi": m})
                cells += [
                    f"{med(res, 'k'):.0f}",
                    f"{med(res, 'ari'):.2f}",
                    f"{med(res, 'nmi'):.3f}",
                ]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
        log("sweep", rows[-1])
    margin_rows = []
    for margin in (0.05, 0.15, 0.30):
        cells = []
        for texts, y, x in data.values():
            r = ours(texts, x, y, margin=margin)
            cells += [f"{r['kept']:.3f}", f"{r['ari']:.2f}"]
        margin_rows.append(f"| {margin:.2f} | " + " | ".join(cells) + " |")
        log("margin", margin_rows[-1])
    section = "\n".join(
        [
            "## Clustering sweep",
            "",
            f"Produced by `bench/bench_clustering.py --sweep` on {time.strftime('%Y-%m-%d')} "
            f"(load average {started} → {load()}, a 2-core machine shared by about 7 agents; "
            "no times here). Same USE vectors for every row. 400: median of 3 samples (seeds "
            "0, 1, 2); full: the whole set. The Leiden rows are the graph step alone "
            "(`GraphClusterer` on the kNN graph, themes below max(2, √n/4) dissolved, no "
            "clamping to `theme_range`); unless the row says otherwise: k 15 neighbours, "
            "UMAP-style fuzzy weights (`fuzzy_affinity`), resolution γ 1.5, best of 8 fixed "
            "seeds, 2 Leiden iterations. The last two rows are the previous default and the "
            "partition used when a number of themes is asked.",
            "",
            *header,
            *rows,
            "",
            "Incremental runs (full sets, default grouping): share of texts keeping their theme "
            "when the last 10 % arrive, by move margin (cosine gain needed to move an old text), "
            "and the ARI of the fresh run.",
            "",
            "| move margin | questions kept | ARI | démocratie kept | ARI |",
            "| --- | --- | --- | --- | --- |",
            *margin_rows,
            "",
        ]
    )
    replace_section(out, "## Clustering sweep", section)
    print(section)


def growth(args, embedder, data) -> list[str]:
    """Growth rows: ours and BERTopic on a labelled mix of distinct texts at each size."""
    rows = []
    q_texts, q_y = data["questions"][0], data["questions"][1]
    d_texts, d_y = data["démocratie"][0], data["démocratie"][1]
    all_texts = q_texts + d_texts
    all_labels = np.array([f"q:{v}" for v in q_y] + [f"d:{v}" for v in d_y])
    for size in [int(s) for s in args.growth.split(",") if s]:
        if args.quick and size > 10000:
            continue
        corpus, sources = perturbed_sources(all_texts, max(size, len(all_texts)))
        if size < len(corpus):  # the same mix of both sets at every size
            pick = np.sort(np.random.default_rng(0).choice(len(corpus), size, replace=False))
            corpus, sources = [corpus[i] for i in pick], [sources[i] for i in pick]
        y = all_labels[sources]
        t = time.perf_counter()
        xs = embedder.encode(corpus)
        te = time.perf_counter() - t
        default_k = default_n_neighbors(size)
        fixed = [int(k) for k in args.growth_neighbours.split(",") if k]
        runs = [("default", {})] + [(str(k), {"n_neighbors": k}) for k in fixed
                                    if k != default_k]
        if size > ClusteringPipeline().fold_above:  # the default folds near-copies: a row without
            runs.append(("no fold", {"fold_above": None}))
        timed = []
        for name, params in runs:
            before = load()
            t = time.perf_counter()
            res = ClusteringPipeline(**params).run(corpus, embeddings=xs)
            tc = time.perf_counter() - t
            timed.append((name, res, tc, before, load()))
        bt, r = "— | — | — | —", None
        if not args.quick and size <= args.bertopic_growth_max:
            try:
                r = bertopic(corpus, xs, y)
            except ImportError:
                pass
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        for name, res, tc, before, after in timed:
            a, m = scores(y, res.labels)
            if r is not None:
                bt = f"{r['s']:.1f} | {tc / r['s']:.2f} | {r['ari']:.2f} | {r['nmi']:.2f}"
            k = res.params.get("n_neighbors")
            label = f"{k}" + (f" ({name})" if name in ("default", "no fold") else "")
            rows.append(
                f"| {size:,} | {te:.1f} | {tc:.1f} | {res.params.get('method')} | {label} | "
                f"{res.params.get('folded', 0):,} | "
                f"{res.n_clusters} | {res.noise_share:.1%} | {a:.2f} | {m:.2f} | "
                f"{bt} | {before} → {after} | {rss:.1f} |"
            )
            log("growth", rows[-1])
    return rows


def growth_section(rows: list[str]) -> list[str]:
    return [
        "## Growth with corpus size (distinct texts, labelled mix)",
        "",
        "Inputs (`perturbed_sources`): the 5,550 dev texts of both sets, then copies of them "
        "with one word dropped and two neighbouring words swapped (positions drawn with seed "
        "0); exact repeats are skipped, so every text is distinct. Below 5,550 a random sample "
        "(seed 0) of the dev texts, so every size has the same mix of both sets. Each text "
        "keeps the label of the answer it was made from (26 questions of both sets), which "
        "gives ARI/NMI at every size. Embedding time is with the embedding cache as it was (a "
        "first run embeds everything). Clustering stage = neighbours + grouping + labels "
        "(keywords, representatives); neighbours are exact up to 5,000 texts and HNSW above. "
        "Neighbours per text: 15 up to 10,000 texts, 15 x sqrt(n / 10,000) above "
        "(`nlp.reduce.default_n_neighbors`); rows with another count (`--growth-neighbours`) "
        "run the same pipeline with that count fixed, on the same vectors, for comparison. "
        "Above 10,000 texts the default folds near-copies (neighbours at cosine 0.85 or more, "
        "`nlp.pipeline.FOLD_SIMILARITY`) into one node of the graph, whose theme they all "
        "take: \"folded\" counts the texts that joined another's node (the neighbours column "
        "is then the count of the folded graph), and the \"no fold\" rows run the same "
        "pipeline without it. "
        "BERTopic runs on the same vectors right after ours in the same process; ratio = ours /"
        " BERTopic (each row's time against the one BERTopic run). The load average (1/5/15 "
        "min) is read before and after our run: the machine"
        " (2 cores) is shared by about 7 agents' sessions, so times vary with it. Peak RSS is "
        "the bench process's (embedding model, vectors and BERTopic included): an upper bound "
        "for the clustering stage.",
        "",
        "| texts | embed s | cluster s | method | neighbours | folded | themes | à classer | ARI |"
        " NMI | BERTopic s | ratio | BERTopic ARI | NMI | load avg | peak RSS GB |",
        "|" + " --- |" * 16,
        *rows,
        "",
    ]


def _size_order(size: str) -> float:
    return float("inf") if size == "full" else int(size)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    ap.add_argument("--quick", action="store_true", help="no BERTopic, no 30,000 growth")
    ap.add_argument(
        "--bertopic-sizes",
        default="200,400,800,1600,full",
        help="sizes with a BERTopic column (comma-separated, 'full' = whole set)",
    )
    ap.add_argument("--growth", default="3000,10000,30000,100000")
    ap.add_argument(
        "--growth-neighbours",
        default="15",
        help="neighbour counts run beside the default at each growth size (comma-separated)",
    )
    ap.add_argument(
        "--bertopic-growth-max",
        type=int,
        default=100000,
        help="largest growth size with a BERTopic run beside ours",
    )
    ap.add_argument(
        "--growth-only",
        action="store_true",
        help="only the growth section (replaced in the output file)",
    )
    ap.add_argument(
        "--sweep",
        action="store_true",
        help="only the parameter sweep (its own section of the output file)",
    )
    ap.add_argument(
        "--no-throughput",
        action="store_true",
        help="skip the embedding throughput and fresh-process sections",
    )
    args = ap.parse_args()
    if args.sweep:
        sweep(Path(args.out))
        return
    if args.growth_only:
        embedder = make_embedder("use", cache_dir=REPO / "instance" / "embeddings")
        data = {name: (*read(path)[:2],) for name, path in SETS.items()}
        section = "\n".join(growth_section(growth(args, embedder, data)))
        replace_section(Path(args.out), "## Growth with corpus size", section)
        print(section)
        return
    bt_sizes = set() if args.quick else set(args.bertopic_sizes.split(","))
    embedder = make_embedder("use", cache_dir=REPO / "instance" / "embeddings")
    mapper = FrameworkMapper(embedder).fit(load_framework(THEMES))
    lines: list[str] = []
    tables: list[str] = []
    small_rows: list[str] = []
    mapping_rows: list[str] = []
    seeds_rows: list[str] = []
    data = {}
    for name, path in SETS.items():
        texts, y, themes = read(path)
        x = embedder.encode(texts)
        data[name] = (texts, y, x)
        n = len(texts)
        tables += [
            f"### {name} ({n:,} answers, {len(set(y.tolist()))} questions as labels)",
            "",
            "| n | ours: method | themes | ARI | NMI | à classer | kept (+10 %) | s |"
            " before (HDBSCAN/Ward): ARI | NMI |"
            " BERTopic: topics | ARI | NMI | outliers | s |",
            "|" + " --- |" * 15,
        ]
        for size in (*SIZES, n):
            label = "full" if size == n else str(size)
            runs, bts, olds = [], [], []
            for seed in (0,) if size == n else (0, 1, 2):
                pick = (
                    np.arange(n)
                    if size == n
                    else np.random.default_rng(seed).choice(n, size, replace=False)
                )
                st = [texts[i] for i in pick]
                runs.append(ours(st, x[pick], y[pick]))
                olds.append(ours(st, x[pick], y[pick], stability=False, grouping="spectral"))
                if label in bt_sizes:
                    try:
                        bts.append(bertopic(st, x[pick], y[pick]))
                    except ImportError as exc:
                        log("BERTopic not installed:", exc)
                log(
                    name,
                    label,
                    seed,
                    {k: v for k, v in runs[-1].items() if k != "result"},
                    bts[-1] if bts else "",
                )
            methods = "/".join(sorted({r["method"] for r in runs}))
            row = (
                f"| {label} | {methods} | {fmt_range(runs, 'k', '.0f')} | "
                f"{fmt_range(runs, 'ari')} | {fmt_range(runs, 'nmi')} | "
                f"{med(runs, 'noise'):.1%} | {fmt_range(runs, 'kept')} | {med(runs, 's'):.1f} |"
                f" {fmt_range(olds, 'ari')} | {fmt_range(olds, 'nmi')} |"
            )
            if bts:
                row += (
                    f" {fmt_range(bts, 'k', '.0f')} | {fmt_range(bts, 'ari')} | "
                    f"{fmt_range(bts, 'nmi')} | {med(bts, 'noise'):.1%} | "
                    f"{med(bts, 's'):.1f} |"
                )
            else:
                row += " — | — | — | — | — |"
            tables.append(row)
            if size == n:
                res = runs[0]["result"]
                through = mapper.map_clustered(
                    x, res.labels, {c.id: c.centroid for c in res.clusters}
                )
                per_text = mapper.map(x)
                acc = np.mean([a == b for a, b in zip(through.engagement, themes, strict=True)])
                acc1 = np.mean([a == b for a, b in zip(per_text.engagement, themes, strict=True)])
                followed = sum(through.through_cluster.values())
                mapping_rows.append(
                    f"| {name} | {acc:.3f} | {acc1:.3f} | {followed} of "
                    f"{len(through.through_cluster)} |"
                )
                same = all(
                    np.array_equal(
                        res.labels,
                        ClusteringPipeline(random_state=s).run(texts, embeddings=x).labels,
                    )
                    for s in (1, 2)
                )
                seeds_rows.append(f"| {name} | {'identical' if same else 'DIFFERENT'} |")
        tables.append("")
        for size in SMALL:
            runs = []
            for seed in (0, 1, 2):
                pick = np.random.default_rng(seed).choice(n, size, replace=False)
                runs.append(ours([texts[i] for i in pick], x[pick], y[pick], stability=False))
            small_rows.append(
                f"| {name} | {size} | {fmt_range(runs, 'k', '.0f')} | "
                f"{min(min(c.size for c in r['result'].clusters) for r in runs)} | "
                f"{fmt_range(runs, 'nmi')} |"
            )

    from tests.nlp.test_themes import DISTINCT_IDEAS

    ideas = ClusteringPipeline().run(DISTINCT_IDEAS, embeddings=embedder.encode(DISTINCT_IDEAS))

    growth_rows = growth(args, embedder, data)

    lines += [
        "# Benchmarks",
        "",
        f"Produced by `bench/bench_clustering.py` on {time.strftime('%Y-%m-%d')}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        "USE multilingual v3 vectors (the same vectors for ours and BERTopic). ARI/NMI count "
        'the "à classer" texts (BERTopic\'s outliers) as one group of their own.',
        "",
        "## Themes across corpus sizes",
        "",
        "Samples drawn without replacement, 3 per size (seeds 0, 1, 2): median (min-max); "
        'the full set is one run. "kept" is the share of texts keeping their theme when '
        "the last 10 % arrive in an incremental run. BERTopic (defaults: UMAP 5-d + HDBSCAN) "
        f"at n = {', '.join(sorted(bt_sizes, key=_size_order)) or 'no size'}, on the same "
        "vectors.",
        "",
        *tables,
        "## Small campaigns",
        "",
        "| set | n | themes | smallest theme | NMI |",
        "| --- | --- | --- | --- | --- |",
        *small_rows,
        "",
        f"19 hand-written distinct digital-policy ideas (`tests/nlp/test_themes.py`): "
        f"{ideas.n_clusters} themes, sizes {sorted(c.size for c in ideas.clusters)}.",
        "",
        "## Engagement mapping (4-theme framework `tests/nlp/data/granddebat_themes.yaml`)",
        "",
        "| set | through themes (app) | text by text | themes followed |",
        "| --- | --- | --- | --- |",
        *mapping_rows,
        "",
        "A theme is followed only when at least 30 % of its members' own matches agree with "
        "its centroid's engagement (`FrameworkMapper.map_clustered`); otherwise its texts "
        "keep their own match.",
        "",
        "## Seeds",
        "",
        "| set | random_state 0, 1, 2 |",
        "| --- | --- |",
        *seeds_rows,
        "",
        *([] if args.no_throughput else throughput_sections()),
        *growth_section(growth_rows),
    ]
    out = Path(args.out)
    kept = ""
    if out.exists():
        previous = out.read_text(encoding="utf-8")
        if "\n## Notes" in previous:
            kept = "\n" + previous[previous.index("\n## Notes") + 1 :]
    out.write_text("\n".join(lines).rstrip() + "\n" + kept, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
