"""Benchmark the nlp pipeline against BERTopic on the dev set; writes docs/benchmarks.md.

Usage: .venv/bin/python bench/bench_clustering.py [--out docs/benchmarks.md] [--quick]
Needs the ``bench`` extra (bertopic, umap-learn) for the BERTopic rows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nlp.embedding import TfidfLsaEmbedder, USEEmbedder  # noqa: E402
from nlp.evaluate import evaluate, read_labelled_csv  # noqa: E402
from nlp.pipeline import ClusteringPipeline  # noqa: E402

DEV = REPO / "tests" / "data"
DEV = DEV if DEV.is_file() else DEV / "granddebat_questions_dev.csv"

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
print(json.dumps({{"total": t2 - t0, "embed": t1 - t0, "cluster": t2 - t1,
                  "k": res.n_clusters}}))
"""


def scores(labels, pred):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return adjusted_rand_score(labels, pred), normalized_mutual_info_score(labels, pred)


def cold_run(cache: str) -> dict:
    code = COLD.format(repo=str(REPO), dev=str(DEV), cache=cache)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bertopic_fit(texts, x):
    from bertopic import BERTopic

    t = time.perf_counter()
    topics, _ = BERTopic(embedding_model=None, calculate_probabilities=False).fit_transform(
        texts, embeddings=x)
    return np.asarray(topics), time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    ap.add_argument("--quick", action="store_true", help="skip 30k and BERTopic")
    args = ap.parse_args()
    texts, labels, themes = read_labelled_csv(DEV, theme_column="theme")
    n = len(texts)
    lines: list[str] = []
    use = USEEmbedder()
    use.encode(texts[:10])  # load the model

    # embedding throughput
    tp = {}
    for name, emb in (("USE, 2 worker threads, BLAS 1 thread", use),
                      ("USE, 1 thread", USEEmbedder(threads=1))):
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            x = emb.encode(texts)
            runs.append(n / (time.perf_counter() - t))
        tp[name] = (max(runs), float(np.median(runs)))
    x = use.encode(texts)

    # quality: ours (several embedders) and BERTopic on the same USE embeddings
    rows = []
    from nlp.framework import load_framework

    fw = load_framework(REPO / "tests" / "nlp" / "data" / "granddebat_themes.yaml")
    ev = evaluate(texts, labels, framework=fw, themes=themes, stability=True, embeddings=x)
    t = time.perf_counter()
    ours = ClusteringPipeline().run(texts, embeddings=x)
    ours_s = time.perf_counter() - t
    a, m = scores(labels, ours.labels)
    rows.append(("USE multilingual v3", "ours: spectral kNN(15) 8-d + HDBSCAN + vote reassign",
                 a, m, ours.noise_share, ours.n_clusters, ours_s))
    xt = TfidfLsaEmbedder().encode(texts)
    t = time.perf_counter()
    rt = ClusteringPipeline().run(texts, embeddings=xt)
    a2, m2 = scores(labels, rt.labels)
    rows.append(("TF-IDF + SVD 256", "ours", a2, m2, rt.noise_share, rt.n_clusters,
                 time.perf_counter() - t))
    bt = {}
    if not args.quick:
        try:
            topics, cold = bertopic_fit(texts, x)
            topics2, warm = bertopic_fit(texts, x)
            ab, mb = scores(labels, topics)
            bt = {"cold": cold, "warm": warm}
            rows.append(("USE multilingual v3", "BERTopic defaults (UMAP 5 + HDBSCAN), cold",
                         ab, mb, float(np.mean(topics == -1)), len(set(topics) - {-1}), cold))
            ab2, mb2 = scores(labels, topics2)
            rows.append(("USE multilingual v3", "BERTopic defaults, warm (numba compiled)",
                         ab2, mb2, float(np.mean(topics2 == -1)), len(set(topics2) - {-1}),
                         warm))
        except ImportError as exc:
            print("BERTopic not installed:", exc)

    # seed agreement
    seeds = [ClusteringPipeline(random_state=s).run(texts, embeddings=x).labels
             for s in (1, 2)]
    agree = [scores(ours.labels, s)[0] for s in seeds]

    # cold and cached end-to-end
    with tempfile.TemporaryDirectory() as cache:
        cold = cold_run(cache)
        cached = cold_run(cache)

    # growth (sampling with replacement from the dev set)
    rng = np.random.default_rng(0)
    growth = []
    for size in (1000, 3000, 10000) + (() if args.quick else (30000,)):
        idx = rng.integers(0, n, size)
        tx = [texts[i] for i in idx]
        t = time.perf_counter()
        xs = use.encode(tx)
        te = time.perf_counter() - t
        t = time.perf_counter()
        r = ClusteringPipeline().run(tx, embeddings=xs)
        tc = time.perf_counter() - t
        growth.append((size, te, tc, r.n_clusters, r.params["min_cluster_size"]))

    lines += [
        "# Benchmarks",
        "",
        f"Produced by `bench/bench_clustering.py` on {time.strftime('%Y-%m-%d')}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}. "
        f"Data: `granddebat_questions_dev.csv` ({n} answers, 11 questions as labels). "
        "ARI/NMI count the \"à classer\" texts as one group of their own.",
        "",
        "## Quality and clustering time on the same precomputed embeddings",
        "",
        "| embedder | method | ARI | NMI | à classer | clusters | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for e, meth, a_, m_, noise, k, s in rows:
        lines.append(f"| {e} | {meth} | {a_:.3f} | {m_:.3f} | {noise:.1%} | {k} | {s:.2f} |")
    lines += [
        "",
        f"`nlp.evaluate.evaluate` on the dev set (USE): ARI {ev['ari']:.3f}, "
        f"NMI {ev['nmi']:.3f}, noise_share {ev['noise_share']:.3f}, "
        f"incremental_kept {ev['incremental_kept']:.3f} (first 90 % clustered, last 10 % "
        f"added incrementally), theme_accuracy {ev['theme_accuracy']:.3f} with "
        "`tests/nlp/data/granddebat_themes.yaml` (4 themes; chance about 0.27), "
        f"seconds.cluster {ev['seconds']['cluster']:.2f} (two pipeline runs for stability "
        "plus one full run and the framework mapping).",
        "",
        f"Run-to-run agreement of our pipeline between random_state 0 and 1, 2: "
        f"ARI {agree[0]:.3f}, {agree[1]:.3f}.",
        "",
    ]
    if bt:
        lines += [f"BERTopic fit on the same embeddings: {bt['cold']:.1f} s in a fresh process "
                  f"(numba compilation), {bt['warm']:.1f} s warm; ours: {ours_s:.2f} s.", ""]
    lines += [
        "## Embedding throughput (USE multilingual v3, 3,300 dev texts)",
        "",
        "| setting | best of 3 (texts/s) | median (texts/s) |",
        "| --- | --- | --- |",
    ]
    for name, (best, med) in tp.items():
        lines.append(f"| {name} | {best:.0f} | {med:.0f} |")
    lines += [
        "",
        "BLAS is pinned to one thread with threadpoolctl; two Python worker threads share "
        "the model and encode chunks of 128 texts sorted by length (numpy releases the GIL "
        "in the matrix products). Other processes running on the machine lower the median.",
        "",
        "## End to end in a fresh process (3,300 texts, USE)",
        "",
        "| run | total s | import + model load + embed s | cluster s |",
        "| --- | --- | --- | --- |",
        f"| cold (empty embedding cache) | {cold['total']:.1f} | {cold['embed']:.1f} | "
        f"{cold['cluster']:.1f} |",
        f"| cached embeddings (SQLite cache) | {cached['total']:.1f} | {cached['embed']:.1f} | "
        f"{cached['cluster']:.1f} |",
        "",
        "## Growth with corpus size",
        "",
        "Larger corpora are made by **sampling dev texts with replacement** (so they contain "
        "exact duplicates, which a real campaign would not).",
        "",
        "| texts | embed s | cluster s | clusters | min_cluster_size |",
        "| --- | --- | --- | --- | --- |",
    ]
    for size, te, tc, k, mcs in growth:
        lines.append(f"| {size:,} | {te:.1f} | {tc:.1f} | {k} | {mcs} |")
    lines.append("")
    out = Path(args.out)
    # Keep what follows this script's part: the hand-written notes and the other benches'
    # sections (live votes, exports).
    kept = ""
    if out.exists():
        previous = out.read_text(encoding="utf-8")
        if "\n## Notes" in previous:
            kept = "\n" + previous[previous.index("\n## Notes") + 1:]
    out.write_text("\n".join(lines).rstrip() + "\n" + kept, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
