"""Benchmark the framework mapping on every labelled set, at several sizes, against the
constant answer.

Usage: .venv/bin/python bench/bench_mapping.py [--out docs/benchmarks.md] [--seeds 3]

For both dev sets (questions, démocratie) and both frameworks with expected labels (the
4-theme Grand Débat framework, from the sets' `theme` column; the Atlaas référentiel, from
the label maps `tests/data/granddebat_*_atlaas.yaml`), at 400, 800 and 1,600 texts (random
samples, seeds 0..n-1) and on the whole set: clusters the texts as the app does
(``ClusteringPipeline(random_state=0)``), then maps them through their themes
(``FrameworkMapper.map_clustered``, the app's rule) and one by one, with the engagement score
of the former rule (``top_k=1``: the best vector of an engagement) and of the current one
(``top_k=3``: the mean of its three best). Beside every accuracy: the majority baseline, what
always answering the most frequent expected engagement ("hors cadre" counting as one) scores
on the same texts. For Atlaas, also the accuracy on the labels the map marks sure (same
clustering of all the texts, scored on the sure ones only). Writes its own section of the
output file (``bench/markdown_section.py``).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.markdown_section import replace_section  # noqa: E402
from motion.cli import _apply_label_map  # noqa: E402
from nlp.embedding import make_embedder  # noqa: E402
from nlp.evaluate import read_labelled_csv  # noqa: E402
from nlp.framework import FrameworkMapper, load_framework  # noqa: E402
from nlp.pipeline import ClusteringPipeline  # noqa: E402

DATA = REPO / "tests" / "data"
SETS = {
    "questions": (DATA / "granddebat_questions_dev.csv", DATA / "granddebat_questions_atlaas.yaml"),
    "démocratie": (DATA / "granddebat_democratie_dev.csv",
                   DATA / "granddebat_democratie_atlaas.yaml"),
}
FRAMEWORKS = {
    "4 themes": REPO / "tests" / "nlp" / "data" / "granddebat_themes.yaml",
    "Atlaas": REPO / "motion" / "data" / "framework_atlaas_villes_internet.yaml",
}
SIZES = (400, 800, 1600)
HEADING = "## Engagement mapping across sizes (former and current engagement score)"


def accuracy(found, expected) -> float:
    return float(np.mean([f == e for f, e in zip(found, expected, strict=True)]))


def majority(expected) -> float:
    return Counter(expected).most_common(1)[0][1] / len(expected)


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{np.mean(values):.3f} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    embedder = make_embedder("use", cache_dir=REPO / "instance" / "embeddings")
    frameworks = {name: load_framework(path) for name, path in FRAMEWORKS.items()}
    mappers = {(name, k): FrameworkMapper(embedder, top_k=k).fit(fw)
               for name, fw in frameworks.items() for k in (1, 3)}
    rows: list[str] = []
    for set_name, (csv_path, label_map) in SETS.items():
        texts, labels, themes = read_labelled_csv(csv_path, theme_column="theme")
        _, _, families = _apply_label_map(str(label_map), texts, labels, False)
        sure_labels = {label for label, entry in
                       yaml.safe_load(label_map.read_text(encoding="utf-8"))["labels"].items()
                       if entry.get("sure")}
        sure = np.array([label in sure_labels for label in labels])
        x = embedder.encode(texts)
        expected = {"4 themes": themes, "Atlaas": families}
        n = len(texts)
        for size in (*SIZES, n):
            picks = ([np.arange(n)] if size == n else
                     [np.random.default_rng(s).choice(n, size, replace=False)
                      for s in range(args.seeds)])
            cells: dict = {}
            for pick in picks:
                result = ClusteringPipeline(random_state=0).run(
                    [texts[i] for i in pick], embeddings=x[pick], keys=[str(i) for i in pick])
                centroids = {c.id: c.centroid for c in result.clusters}
                for fw_name in FRAMEWORKS:
                    exp = [expected[fw_name][i] for i in pick]
                    s = sure[pick]
                    exp_sure = [e for e, keep in zip(exp, s, strict=True) if keep]
                    cell = cells.setdefault(fw_name, {"baseline": [], "baseline_sure": []})
                    cell["baseline"].append(majority(exp))
                    cell["baseline_sure"].append(majority(exp_sure))
                    for k in (1, 3):
                        mapper = mappers[(fw_name, k)]
                        through = mapper.map_clustered(x[pick], result.labels,
                                                       centroids).engagement
                        alone = mapper.map(x[pick]).engagement
                        for key, found in ((f"themes{k}", through), (f"text{k}", alone)):
                            cell.setdefault(key, []).append(accuracy(found, exp))
                            cell.setdefault(key + "_sure", []).append(accuracy(
                                [f for f, keep in zip(found, s, strict=True) if keep],
                                exp_sure))
            for fw_name, cell in cells.items():
                label = "all" if size == n else f"{size} × {len(picks)}"
                line = (
                    f"| {set_name} | {fw_name} | {label} ({size}) | {spread(cell['baseline'])} | "
                    f"{spread(cell['themes1'])} | {spread(cell['themes3'])} | "
                    f"{spread(cell['text1'])} | {spread(cell['text3'])} |"
                )
                if fw_name == "Atlaas":
                    line += (
                        f" {spread(cell['baseline_sure'])} | {spread(cell['themes3_sure'])} | "
                        f"{spread(cell['text3_sure'])} |"
                    )
                else:
                    line += " — | — | — |"
                rows.append(line)
                print(line, flush=True)
    section = "\n".join([
        HEADING,
        "",
        "`bench/bench_mapping.py`. Accuracy of the engagement each text gets, against the "
        "set's `theme` column (4-theme framework `tests/nlp/data/granddebat_themes.yaml`) "
        "or the Atlaas label maps (`tests/data/granddebat_*_atlaas.yaml`, \"hors cadre\" "
        "expected for the questions no family covers). Samples: mean (min–max) over random "
        "samples of the set; *baseline*: always answering the most frequent expected "
        "engagement on the same texts. *k = 1*: an engagement scores its best vector (title "
        "or one axis), the former rule; *k = 3*: the mean of its three best, the current "
        "one (`FrameworkMapper(top_k=3)`). Through themes is the app's rule "
        "(`map_clustered`). The démocratie set holds one Grand Débat theme only, so its "
        "4-theme baseline is 1.000: there it measures how much the mapping scatters texts of "
        "one theme. *Sure*: the same mapping scored on the labels the Atlaas map marks sure.",
        "",
        "| set | framework | texts | baseline | through themes k = 1 | through themes k = 3 "
        "| text by text k = 1 | text by text k = 3 | sure: baseline | sure: themes k = 3 "
        "| sure: text k = 3 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
    ])
    replace_section(Path(args.out), HEADING, section)
    print(section)


if __name__ == "__main__":
    main()
