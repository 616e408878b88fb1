"""Evaluate the clustering pipeline on a labelled CSV (used by ``motion evaluate``)."""

from __future__ import annotations

import csv
import logging
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlp.framework import Framework, FrameworkMapper
from nlp.pipeline import ClusteringPipeline

logger = logging.getLogger(__name__)

__all__ = ["evaluate", "read_labelled_csv"]


def read_labelled_csv(
    path: str | Path,
    text_column: str = "text",
    label_column: str = "label",
    theme_column: str | None = None,
) -> tuple[list[str], list[str], list[str] | None]:
    """Read texts, labels and optional themes from a UTF-8 CSV.

    Rows whose text is blank are skipped (logged).

    Returns:
        (texts, labels, themes or None), same lengths.

    Raises:
        ValueError: unreadable file, or a missing column (the message lists the columns).
    """
    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = reader.fieldnames or []
            wanted = [text_column, label_column] + ([theme_column] if theme_column else [])
            missing = [c for c in wanted if c not in columns]
            if missing:
                raise ValueError(
                    f"{p.name}: missing column(s) {missing}; available columns: {columns}"
                )
            texts, labels, themes = [], [], []
            skipped = 0
            for row in reader:
                text = row.get(text_column) or ""
                if not text.strip():
                    skipped += 1
                    continue
                texts.append(text)
                labels.append(row.get(label_column) or "")
                if theme_column:
                    themes.append(row.get(theme_column) or "")
    except OSError as exc:
        raise ValueError(f"cannot read {str(p)!r}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"{p.name} is not UTF-8") from exc
    except csv.Error as exc:
        raise ValueError(f"{p.name}: invalid CSV: {exc}") from exc
    if skipped:
        logger.warning("%s: skipped %d rows with an empty text", p.name, skipped)
    if not texts:
        raise ValueError(f"{p.name}: no rows with a non-empty {text_column!r}")
    return texts, labels, (themes if theme_column else None)


def evaluate(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    embedder_spec: str = "use",
    framework: Framework | None = None,
    themes: Sequence[str] | None = None,
    stability: bool = False,
    cache_dir: str | Path | None = None,
    embeddings: np.ndarray | None = None,
    n_themes: int | None = None,
) -> dict:
    """Run the app's pipeline on labelled texts and score it.

    Args:
        texts, labels: n texts and their reference labels.
        embedder_spec: see :func:`nlp.embedding.make_embedder`.
        framework: optional framework for ``theme_accuracy`` (needs ``themes``).
        themes: n reference engagement codes.
        stability: also measure ``incremental_kept`` (first 90 % then the rest).
        cache_dir: embedding cache directory.
        embeddings: optional precomputed (n, d) vectors (then ``seconds.embed`` is 0).
        n_themes: granularity passed to the pipeline (None = automatic).

    Returns:
        dict with exactly: n, n_labels, n_clusters, method, ari, nmi, noise_share,
        theme_accuracy (through themes, as the app maps), theme_accuracy_per_text (each
        text on its own), theme_majority (what always answering the most frequent expected
        engagement scores, "hors cadre" counting as one: the baseline to beat),
        incremental_kept, seconds {embed, cluster, total}, model.
        ARI/NMI count "à classer" texts as one group of their own.
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from nlp.embedding import make_embedder

    texts = list(texts)
    labels = [str(x) for x in labels]
    if len(texts) != len(labels):
        raise ValueError(f"got {len(texts)} texts but {len(labels)} labels")
    if framework is not None and themes is None:
        raise ValueError("a framework needs the theme column (themes) to score against")
    if themes is not None and len(themes) != len(texts):
        raise ValueError(f"got {len(themes)} themes for {len(texts)} texts")
    t0 = time.perf_counter()
    embedder = make_embedder(embedder_spec, cache_dir=cache_dir)
    if embeddings is None:
        embeddings = embedder.encode(texts)
    t_embed = time.perf_counter() - t0

    t1 = time.perf_counter()
    pipeline = ClusteringPipeline(random_state=0, n_themes=n_themes)
    keys = [str(i) for i in range(len(texts))]
    result = pipeline.run(texts, embeddings=embeddings, keys=keys)
    pred = result.labels
    theme_accuracy = per_text = majority = None
    if framework is not None:
        mapper = FrameworkMapper(embedder).fit(framework)
        # A text's engagement is its theme's when the theme is coherent
        # (see FrameworkMapper.map_clustered), else its own.
        mapped = mapper.map_clustered(
            embeddings, result.labels, {c.id: c.centroid for c in result.clusters}
        )
        theme_accuracy = _accuracy(mapped.engagement, themes)
        per_text = _accuracy(mapper.map(embeddings).engagement, themes)
        majority = Counter(themes).most_common(1)[0][1] / len(themes)
    incremental_kept = None
    if stability:
        m = int(round(0.9 * len(texts)))
        if m < 1 or m >= len(texts):
            raise ValueError(f"stability needs at least 2 texts, got {len(texts)}")
        first = pipeline.run(texts[:m], embeddings=embeddings[:m], keys=keys[:m])
        second = pipeline.run(
            texts, embeddings=embeddings, keys=keys, previous=first.to_previous()
        )
        incremental_kept = float(np.mean(second.labels[:m] == first.labels))
    t_cluster = time.perf_counter() - t1
    return {
        "n": len(texts),
        "n_labels": len(set(labels)),
        "n_clusters": result.n_clusters,
        "method": result.params.get("method"),
        "ari": float(adjusted_rand_score(labels, pred)),
        "nmi": float(normalized_mutual_info_score(labels, pred)),
        "noise_share": result.noise_share,
        "theme_accuracy": theme_accuracy,
        "theme_accuracy_per_text": per_text,
        "theme_majority": majority,
        "incremental_kept": incremental_kept,
        "seconds": {
            "embed": round(t_embed, 3),
            "cluster": round(t_cluster, 3),
            "total": round(t_embed + t_cluster, 3),
        },
        "model": embedder.model_id,
    }


def _accuracy(found: Sequence[str | None], expected: Sequence[str]) -> float:
    return float(np.mean([f == e for f, e in zip(found, expected, strict=True)]))
