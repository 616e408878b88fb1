"""Cluster labels: c-TF-IDF keywords (French, accent-folded) and representative texts."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np

from nlp.stopwords_fr import FRENCH_STOP_WORDS_FOLDED

logger = logging.getLogger(__name__)

__all__ = ["ctfidf_keywords", "fold", "representatives", "tokenize"]

_TOKEN = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_ELISION = re.compile(r"\b[cdjlmnstq]u?['’]", re.IGNORECASE)


def fold(text: str) -> str:
    """Lower-case and strip accents: ``"Laïcité"`` -> ``"laicite"``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# A corpus repeats its words: 30,000 texts hold about 430,000 words but a few tens of
# thousands of distinct ones, and folding each occurrence took 1.3 s of the 13 s of the
# whole clustering stage (cProfile, one run).
_fold_word = functools.lru_cache(maxsize=200_000)(fold)


def tokenize(text: str) -> list[tuple[str, str]]:
    """Return (folded, surface) word pairs of a text, without elisions and stop words.

    Words are letters only, at least 3 long; "l'école" gives ("ecole", "école").
    """
    text = _ELISION.sub(" ", text)
    out = []
    for m in _TOKEN.finditer(text):
        surface = m.group(0).lower()
        key = _fold_word(surface)
        if key not in FRENCH_STOP_WORDS_FOLDED:
            out.append((key, surface))
    return out


def ctfidf_keywords(
    texts: Sequence[str], labels: np.ndarray, top_n: int = 8
) -> dict[int, tuple[str, ...]]:
    """Class-based TF-IDF keywords per cluster (BERTopic's formula).

    ``weight(t, c) = tf(t, c) / |c| * log(1 + A / f(t))`` where ``tf(t, c)`` counts the
    (folded) word t in cluster c, ``|c|`` is the number of words in c, ``A`` the average
    number of words per cluster and ``f(t)`` the frequency of t over all clusters.
    Words are matched accent-folded (so "laicite" and "laïcité" count together) and shown
    in their most frequent written form.

    Args:
        texts: n texts.
        labels: (n,) cluster ids, -1 ignored.
        top_n: keywords per cluster.

    Returns:
        cluster id -> keywords, best first.
    """
    labels = np.asarray(labels)
    ids = sorted(int(c) for c in np.unique(labels) if c >= 0)
    if not ids:
        return {}
    surfaces: dict[str, Counter] = {}
    per_cluster: dict[int, Counter] = {c: Counter() for c in ids}
    for text, c in zip(texts, labels, strict=True):
        if c < 0:
            continue
        for key, surface in tokenize(text):
            per_cluster[int(c)][key] += 1
            surfaces.setdefault(key, Counter())[surface] += 1
    total = Counter()
    for counts in per_cluster.values():
        total.update(counts)
    sizes = {c: sum(per_cluster[c].values()) for c in ids}
    avg = sum(sizes.values()) / len(ids)
    out: dict[int, tuple[str, ...]] = {}
    for c in ids:
        if sizes[c] == 0:
            out[c] = ()
            continue
        scored = [
            (cnt / sizes[c] * np.log(1.0 + avg / total[w]), w)
            for w, cnt in per_cluster[c].items()
            if cnt >= 2 or sizes[c] < 20
        ]
        scored.sort(key=lambda t: (-t[0], t[1]))
        out[c] = tuple(surfaces[w].most_common(1)[0][0] for _, w in scored[:top_n])
    return out


def representatives(
    vectors: np.ndarray, centroid: np.ndarray, n: int = 5, diversity: float = 0.3
) -> list[int]:
    """Pick central yet diverse members with maximal marginal relevance (MMR).

    The first pick is the member closest to the centroid; each next pick maximises
    ``(1 - diversity) * cos(x, centroid) - diversity * max cos(x, already picked)``.

    Args:
        vectors: (m, d) L2-normalised member vectors.
        centroid: (d,) unit vector.
        n: how many to return (at most m).
        diversity: MMR trade-off in [0, 1].

    Returns:
        row indices into ``vectors``, best first.
    """
    m = vectors.shape[0]
    if m == 0:
        return []
    n = min(n, m)
    rel = vectors @ centroid
    picked = [int(np.argmax(rel))]
    max_sim = vectors @ vectors[picked[0]]
    while len(picked) < n:
        score = (1 - diversity) * rel - diversity * max_sim
        score[picked] = -np.inf
        nxt = int(np.argmax(score))
        picked.append(nxt)
        max_sim = np.maximum(max_sim, vectors @ vectors[nxt])
    return picked
