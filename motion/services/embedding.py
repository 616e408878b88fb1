"""The app's embedder: one factory for clustering, theme splits and similar ideas."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app


def embedder(app: Flask | None = None):
    """The configured embedder wrapped in the on-disk cache in the instance folder, built
    once per app (loading a model takes seconds)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("motion_embedder")
    if found is None:
        from nlp.embedding import make_embedder

        found = make_embedder(app.config["EMBEDDING_MODEL"],
                              cache_dir=Path(app.instance_path) / "embeddings")
        app.extensions["motion_embedder"] = found
    return found
