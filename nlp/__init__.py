"""Sense-making engine for motion: embeddings, clustering, labels, framework mapping.

A pure library: it never imports Flask, SQLAlchemy or :mod:`motion`. Heavy optional
dependencies (sentence-transformers, torch) are imported lazily by the steps that need them.
"""

from __future__ import annotations

from nlp.types import (
    UNASSIGNED,
    ClusterInfo,
    ClusteringChanges,
    ClusteringResult,
    Embedder,
    PreviousClustering,
)

__all__ = [
    "UNASSIGNED",
    "ClusterInfo",
    "ClusteringChanges",
    "ClusteringResult",
    "Embedder",
    "PreviousClustering",
]
