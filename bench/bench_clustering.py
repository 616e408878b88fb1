"""Benchmark the themes pipeline against BERTopic on both dev sets; writes docs/benchmarks.md.

Usage: .venv/bin/python bench/bench_clustering.py [--out docs/benchmarks.md] [--quick]
    [--bertopic-sizes 400,1600,full] [--growth 3000,10000,30000]

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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nlp.embedding import make_embedder  # noqa: E402
from nlp.framework import FrameworkMapper, load_framework  # noqa: E402
from nlp.pipeline import ClusteringPipeline  # noqa: E402

DATA = REPO / "tests" / "data"
SETS = {"questions": DATA / "granddebat_questions_dev.csv",
        "démocratie": DATA / "granddebat_democratie_dev.csv"}
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
    return [r["text"] for r in rows], np.array([r["label"] for r in rows]), [
        r["theme"] for r in rows]


def ours(texts, x, y, stability: bool = True) -> dict:
    t = time.perf_counter()
    res = ClusteringPipeline().run(texts, embeddings=x)
    seconds = time.perf_counter() - t
    a, m = scores(y, res.labels)
    kept = float("nan")
    if stability:
        n = len(texts)
        cut = int(round(0.9 * n))
        keys = [str(i) for i in range(n)]
        first = ClusteringPipeline().run(texts[:cut], embeddings=x[:cut], keys=keys[:cut])
        second = ClusteringPipeline().run(texts, embeddings=x, keys=keys,
                                          previous=first.to_previous())
        kept = float(np.mean(second.labels[:cut] == first.labels))
    return {"k": res.n_clusters, "ari": a, "nmi": m, "noise": res.noise_share, "kept": kept,
            "s": seconds, "method": res.params.get("method"), "result": res}


def bertopic(texts, x, y) -> dict:
    from bertopic import BERTopic

    t = time.perf_counter()
    topics, _ = BERTopic(embedding_model=None, calculate_probabilities=False).fit_transform(
        texts, embeddings=x)
    seconds = time.perf_counter() - t
    topics = np.asarray(topics)
    a, m = scores(y, topics)
    return {"k": len(set(topics.tolist()) - {-1}), "ari": a, "nmi": m,
            "noise": float(np.mean(topics == -1)), "s": seconds}


def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def fmt_range(rows: list[dict], key: str, spec: str = ".2f") -> str:
    values = [r[key] for r in rows]
    if len(values) == 1:
        return format(values[0], spec)
    return f"{format(statistics.median(values), spec)} ({format(min(values), spec)}-" \
           f"{format(max(values), spec)})"


def perturbed_corpus(texts: list[str], size: int, seed: int = 0) -> list[str]:
    """``size`` distinct texts: the dev texts, then copies with one word dropped and two
    neighbouring words swapped (positions drawn at random); exact repeats are skipped."""
    rng = np.random.default_rng(seed)
    out = list(dict.fromkeys(texts))
    seen = set(out)
    while len(out) < size:
        words = texts[int(rng.integers(len(texts)))].split()
        if len(words) < 4:
            continue
        del words[int(rng.integers(len(words)))]
        i = int(rng.integers(len(words) - 1))
        words[i], words[i + 1] = words[i + 1], words[i]
        text = " ".join(words)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out[:size]


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
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def throughput_sections() -> list[str]:
    """Embedding throughput and a fresh-process end-to-end run on the questions set."""
    from nlp.embedding import USEEmbedder

    texts = read(SETS["questions"])[0]
    use = USEEmbedder()
    use.encode(texts[:10])  # load the model
    rows = []
    for name, emb in (("USE, 2 worker threads, BLAS 1 thread", use),
                      ("USE, 1 thread", USEEmbedder(threads=1))):
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    ap.add_argument("--quick", action="store_true", help="no BERTopic, no 30,000 growth")
    ap.add_argument("--bertopic-sizes", default="400,1600,full",
                    help="sizes with a BERTopic column (comma-separated, 'full' = whole set)")
    ap.add_argument("--growth", default="3000,10000,30000")
    ap.add_argument("--no-throughput", action="store_true",
                    help="skip the embedding throughput and fresh-process sections")
    args = ap.parse_args()
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
        tables += [f"### {name} ({n:,} answers, {len(set(y.tolist()))} questions as labels)", "",
                   "| n | ours: method | themes | ARI | NMI | à classer | kept (+10 %) | s |"
                   " BERTopic: topics | ARI | NMI | outliers | s |",
                   "|" + " --- |" * 13]
        for size in (*SIZES, n):
            label = "full" if size == n else str(size)
            runs, bts = [], []
            for seed in ((0,) if size == n else (0, 1, 2)):
                pick = (np.arange(n) if size == n else
                        np.random.default_rng(seed).choice(n, size, replace=False))
                st = [texts[i] for i in pick]
                runs.append(ours(st, x[pick], y[pick]))
                if label in bt_sizes:
                    try:
                        bts.append(bertopic(st, x[pick], y[pick]))
                    except ImportError as exc:
                        log("BERTopic not installed:", exc)
                log(name, label, seed, {k: v for k, v in runs[-1].items() if k != "result"},
                    bts[-1] if bts else "")
            methods = "/".join(sorted({r["method"] for r in runs}))
            row = (f"| {label} | {methods} | {fmt_range(runs, 'k', '.0f')} | "
                   f"{fmt_range(runs, 'ari')} | {fmt_range(runs, 'nmi')} | "
                   f"{med(runs, 'noise'):.1%} | {fmt_range(runs, 'kept')} | {med(runs, 's'):.1f} |")
            if bts:
                row += (f" {fmt_range(bts, 'k', '.0f')} | {fmt_range(bts, 'ari')} | "
                        f"{fmt_range(bts, 'nmi')} | {med(bts, 'noise'):.1%} | "
                        f"{med(bts, 's'):.1f} |")
            else:
                row += " — | — | — | — | — |"
            tables.append(row)
            if size == n:
                res = runs[0]["result"]
                through = mapper.map_clustered(x, res.labels,
                                               {c.id: c.centroid for c in res.clusters})
                per_text = mapper.map(x)
                acc = np.mean([a == b for a, b in zip(through.engagement, themes, strict=True)])
                acc1 = np.mean([a == b for a, b in zip(per_text.engagement, themes,
                                                       strict=True)])
                followed = sum(through.through_cluster.values())
                mapping_rows.append(
                    f"| {name} | {acc:.3f} | {acc1:.3f} | {followed} of "
                    f"{len(through.through_cluster)} |")
                same = all(np.array_equal(res.labels, ClusteringPipeline(random_state=s).run(
                    texts, embeddings=x).labels) for s in (1, 2))
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
                f"{fmt_range(runs, 'nmi')} |")

    from tests.nlp.test_themes import DISTINCT_IDEAS

    ideas = ClusteringPipeline().run(DISTINCT_IDEAS, embeddings=embedder.encode(DISTINCT_IDEAS))

    growth_rows = []
    all_texts = data["questions"][0] + data["démocratie"][0]
    for size in [int(s) for s in args.growth.split(",") if s]:
        if args.quick and size > 10000:
            continue
        corpus = perturbed_corpus(all_texts, size)
        t = time.perf_counter()
        xs = embedder.encode(corpus)
        te = time.perf_counter() - t
        t = time.perf_counter()
        res = ClusteringPipeline().run(corpus, embeddings=xs)
        tc = time.perf_counter() - t
        bt = ""
        if not args.quick and size <= 10000:
            try:
                from bertopic import BERTopic

                t = time.perf_counter()
                BERTopic(embedding_model=None, calculate_probabilities=False).fit_transform(
                    corpus, embeddings=xs)
                bt = f"{time.perf_counter() - t:.1f}"
            except ImportError:
                bt = ""
        growth_rows.append(f"| {size:,} | {te:.1f} | {tc:.1f} | {bt or '—'} | "
                           f"{res.params.get('method')} | {res.n_clusters} | "
                           f"{res.noise_share:.1%} |")
        log("growth", growth_rows[-1])

    lines += [
        "# Benchmarks",
        "",
        f"Produced by `bench/bench_clustering.py` on {time.strftime('%Y-%m-%d')}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        "USE multilingual v3 vectors (the same vectors for ours and BERTopic). ARI/NMI count "
        "the \"à classer\" texts (BERTopic's outliers) as one group of their own.",
        "",
        "## Themes across corpus sizes",
        "",
        "Samples drawn without replacement, 3 per size (seeds 0, 1, 2): median (min-max); "
        "the full set is one run. \"kept\" is the share of texts keeping their theme when "
        "the last 10 % arrive in an incremental run. BERTopic (defaults: UMAP 5-d + HDBSCAN) "
        f"only at {', '.join(sorted(bt_sizes)) or 'no size'} (its fits cost 10-60 s each on "
        "this shared 2-core machine).",
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
        "## Growth with corpus size (distinct texts)",
        "",
        "The 5,550 dev texts of both sets, then copies of them with one word dropped and two "
        "neighbouring words swapped (positions drawn with seed 0); exact repeats are skipped, "
        "so every text is distinct. Embedding time is with the embedding cache as it was "
        "(a first run embeds everything). Clustering stage = reduction + grouping + labels; "
        "neighbours are exact up to 5,000 texts and HNSW above.",
        "",
        "| texts | embed s | cluster s | BERTopic s | method | themes | à classer |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *growth_rows,
        "",
    ]
    out = Path(args.out)
    kept = ""
    if out.exists():
        previous = out.read_text(encoding="utf-8")
        if "\n## Notes" in previous:
            kept = "\n" + previous[previous.index("\n## Notes") + 1:]
    out.write_text("\n".join(lines).rstrip() + "\n" + kept, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
