"""Similar ideas while typing: near neighbours among a campaign's published contributions.

One in-memory index per (database, campaign), rebuilt when the published contributions
change; vectors come from the embedding cache, so a rebuild only embeds new texts. The
text being typed is embedded without caching (drafts must not fill the cache).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import select

from motion.extensions import db
from motion.models import Campaign, Contribution, ContributionStatus, User
from motion.services.contributions import clean_text

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_indexes: dict[tuple[str, int], _CampaignIndex] = {}


@dataclass
class _CampaignIndex:
    signature: dict[int, datetime]
    index: object  # nlp.duplicates.NearDuplicateIndex (imported lazily)


@dataclass(frozen=True)
class Suggestion:
    contribution: Contribution
    score: float


def embedder(app: Flask):
    """The app's embedder, wrapped in the on-disk cache (created once per app)."""
    from motion.services.embedding import embedder as app_embedder

    return app_embedder(app)


def _encode_query(app: Flask, text: str):
    model = embedder(app)
    raw = getattr(model, "embedder", model)  # bypass the cache for drafts
    return raw.encode([text])[0]


def _campaign_index(app: Flask, campaign: Campaign) -> _CampaignIndex | None:
    rows = db.session.execute(
        select(Contribution.id, Contribution.text, Contribution.updated_at)
        .where(Contribution.campaign_id == campaign.id,
               Contribution.status == ContributionStatus.PUBLISHED)
        .order_by(Contribution.id)
    ).all()
    if not rows:
        return None
    signature = {row.id: row.updated_at for row in rows}
    key = (str(db.engine.url), campaign.id)
    with _lock:
        cached = _indexes.get(key)
        if cached is not None and cached.signature == signature:
            return cached
        from nlp.duplicates import NearDuplicateIndex

        vectors = embedder(app).encode([row.text for row in rows])
        index = NearDuplicateIndex(
            threshold=app.config["SIMILAR_THRESHOLD"], k=app.config["SIMILAR_MAX"]
        ).fit(vectors, [row.id for row in rows])
        cached = _CampaignIndex(signature=signature, index=index)
        _indexes[key] = cached
        logger.info("similar-ideas index for campaign %s: %d contributions", campaign.id,
                    len(rows))
        return cached


def similar_contributions(
    campaign: Campaign, text: str, *, viewer: User | None = None, limit: int | None = None
) -> list[Suggestion]:
    """Up to ``SIMILAR_MAX`` published contributions close to ``text``, closest first.

    The viewer's own contributions are left out (one cannot support them).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    text = clean_text(text or "")
    if len(text) < app.config["CONTRIBUTION_MIN_LENGTH"]:
        return []
    limit = limit or app.config["SIMILAR_MAX"]
    cached = _campaign_index(app, campaign)
    if cached is None:
        return []
    # Ask for a few more in case some are the viewer's own.
    hits = cached.index.query(_encode_query(app, text), k=limit + 5)
    by_id = {
        c.id: c for c in db.session.scalars(
            select(Contribution).where(Contribution.id.in_([i for i, _s in hits])))
    }
    found = []
    for contribution_id, score in hits:
        contribution = by_id.get(contribution_id)
        if contribution is None or not contribution.is_published:
            continue
        if viewer is not None and contribution.author_id == viewer.id:
            continue
        found.append(Suggestion(contribution, score))
    return found[:limit]


def excerpt(text: str, length: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + " …"
