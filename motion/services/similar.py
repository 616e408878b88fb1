"""Similar ideas while typing, and near-duplicate checks on posting and on import.

Each app (one per gunicorn worker) keeps one in-memory index per campaign of its
published contributions' vectors. It is built once, from the embedding cache, and then
kept current without ever being rebuilt: every transaction that adds a contribution or
changes the text or status of one bumps the campaign's ``contributions_version`` and
stamps the rows with it (``motion.models.contributions``). A request reads that one
number (a primary-key lookup) and, when it moved, applies only the rows stamped since:
published ones are (re)inserted, hidden and withdrawn ones removed. So a worker follows
what the other workers wrote, and no request re-reads the campaign.

The text being typed is the only thing embedded per request, without caching (drafts
must not fill the cache).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from flask import Flask, current_app
from sqlalchemy import select

from motion.extensions import db
from motion.models import Campaign, Contribution, ContributionStatus, User
from motion.models.contributions import CHANGES_PENDING
from motion.services.contributions import clean_text
from nlp.duplicates import DEFAULT_THRESHOLD, NearDuplicateIndex

logger = logging.getLogger(__name__)

_REGISTRY = "motion_similar"


@dataclass
class _CampaignIndex:
    """One campaign's index in one app, and what it has applied so far."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    index: NearDuplicateIndex | None = None
    version: int = -1  # every change stamped at or below it is applied
    full_loads: int = 0
    rows_applied: int = 0


@dataclass(frozen=True)
class IndexStats:
    size: int
    version: int
    full_loads: int
    rows_applied: int


@dataclass(frozen=True)
class Suggestion:
    contribution: Contribution
    score: float


def embedder(app: Flask):
    """The app's embedder, wrapped in the on-disk cache (created once per app)."""
    from motion.services.embedding import embedder as app_embedder

    return app_embedder(app)


def _raw_embedder(app: Flask):
    model = embedder(app)
    return getattr(model, "embedder", model)  # the model itself, without the cache


def _usable(app: Flask) -> bool:
    """Transductive embedders (TF-IDF) give vectors that cannot be compared across calls."""
    if getattr(_raw_embedder(app), "cacheable", True) is False:
        logger.warning("similar ideas are off: embedder %r is transductive",
                       app.config["EMBEDDING_MODEL"])
        return False
    return True


def _encode_query(app: Flask, text: str) -> np.ndarray:
    return _raw_embedder(app).encode([text])[0]


# ------------------------------------------------------------------ the index


def _entry(app: Flask, campaign: Campaign) -> _CampaignIndex:
    registry = app.extensions.setdefault(_REGISTRY, {"lock": threading.Lock(), "indexes": {}})
    # Ids restart when a database is emptied (tests): the creation time tells campaigns apart.
    key = (campaign.id, campaign.created_at, embedder(app).model_id)
    with registry["lock"]:
        return registry["indexes"].setdefault(key, _CampaignIndex())


def _rows(campaign_id: int, *criteria):
    return db.session.execute(
        select(Contribution.id, Contribution.text, Contribution.status,
               Contribution.changed_in_version)
        .where(Contribution.campaign_id == campaign_id, *criteria)
        .order_by(Contribution.id)
    ).all()


def _vectors(app: Flask, texts: list[str]) -> np.ndarray:
    return embedder(app).encode(texts)


def _full_load(app: Flask, entry: _CampaignIndex, campaign_id: int, version: int) -> None:
    rows = _rows(campaign_id, Contribution.status == ContributionStatus.PUBLISHED)
    entry.index = NearDuplicateIndex(threshold=-1.0).fit(
        _vectors(app, [r.text for r in rows]), [r.id for r in rows])
    entry.version = max([version, *(r.changed_in_version for r in rows)])
    entry.full_loads += 1
    logger.info("similar-ideas index of campaign %s: %d contributions (version %d)",
                campaign_id, len(rows), entry.version)


def _apply_changes(app: Flask, entry: _CampaignIndex, campaign_id: int, version: int) -> None:
    rows = _rows(campaign_id, Contribution.changed_in_version > entry.version)
    published = [r for r in rows if r.status == ContributionStatus.PUBLISHED]
    entry.index.remove(r.id for r in rows if r.status != ContributionStatus.PUBLISHED)
    if published:
        entry.index.add(_vectors(app, [r.text for r in published]), [r.id for r in published])
    entry.version = max([version, *(r.changed_in_version for r in rows)])
    entry.rows_applied += len(rows)
    logger.debug("similar-ideas index of campaign %s: %d changes applied (version %d)",
                 campaign_id, len(rows), entry.version)


def _current(app: Flask, campaign: Campaign) -> _CampaignIndex:
    """The campaign's index, brought up to the last committed change.

    A session holding its own uncommitted changes to contributions gets a private index
    of what it sees, so that nothing uncommitted ever reaches the shared one.
    """
    version = db.session.scalar(
        select(Campaign.contributions_version).where(Campaign.id == campaign.id)) or 0
    if db.session.info.get(CHANGES_PENDING):
        private = _CampaignIndex()
        _full_load(app, private, campaign.id, version)
        return private
    entry = _entry(app, campaign)
    with entry.lock:
        if entry.index is None or version < entry.version:
            _full_load(app, entry, campaign.id, version)
        elif version > entry.version:
            _apply_changes(app, entry, campaign.id, version)
    return entry


def _search(app: Flask, campaign: Campaign, vectors_for: Callable[[], np.ndarray], *,
            k: int, threshold: float) -> list[list[tuple[int, float]]]:
    """``index.query_batch(vectors_for())``; [] when the campaign has nothing published
    (then ``vectors_for`` is not called: no model load for an empty campaign)."""
    entry = _current(app, campaign)
    if not len(entry.index):
        return []
    vectors = vectors_for()  # outside the lock: embedding takes longer than the query
    with entry.lock:
        return entry.index.query_batch(vectors, k=k, threshold=threshold)


def index_stats(campaign: Campaign) -> IndexStats:
    """How this app's index of the campaign stands (brought up to date first)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    entry = _current(app, campaign)
    with entry.lock:
        return IndexStats(len(entry.index), entry.version, entry.full_loads,
                          entry.rows_applied)


# ------------------------------------------------------------------ suggestions


def _published(ids: list[int]) -> dict[int, Contribution]:
    """The contributions among ``ids`` still published (the database has the last word)."""
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(
        select(Contribution).where(Contribution.id.in_(ids))) if c.is_published}


def similar_contributions(
    campaign: Campaign, text: str, *, viewer: User | None = None, limit: int | None = None
) -> list[Suggestion]:
    """Up to ``SIMILAR_MAX`` published contributions close to ``text``, closest first.

    The viewer's own contributions are left out (one cannot support them).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    text = clean_text(text or "")
    if len(text) < app.config["CONTRIBUTION_MIN_LENGTH"] or not _usable(app):
        return []
    limit = limit or app.config["SIMILAR_MAX"]
    # Ask for a few more in case some are the viewer's own.
    hits = _search(app, campaign, lambda: _encode_query(app, text)[None, :], k=limit + 5,
                   threshold=app.config["SIMILAR_THRESHOLD"])
    if not hits:
        return []
    published = _published([i for i, _s in hits[0]])
    found = [Suggestion(published[i], score) for i, score in hits[0] if i in published
             and (viewer is None or published[i].author_id != viewer.id)]
    return found[:limit]


def near_duplicates(campaign: Campaign, texts: Sequence[str], *,
                    exclude: Sequence[int | None] | None = None) -> list[Suggestion | None]:
    """For each text, the published contribution of the campaign that rewords it, or None.

    A reword scores at least ``nlp.duplicates.DEFAULT_THRESHOLD`` (0.85). The texts are
    embedded through the cache (they are, or are about to be, stored contributions, which
    the index and clustering then find there), but only when the campaign has published
    contributions to compare them with: a first import of 100,000 rows is not embedded
    here, in one process, but by the clustering run's chunk jobs, which the queue workers
    share. ``exclude[i]`` is a contribution id that text ``i`` may not match (itself, once
    posted).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    texts = [clean_text(t or "") for t in texts]
    exclude = list(exclude) if exclude is not None else [None] * len(texts)
    if not texts or not _usable(app):
        return [None] * len(texts)
    hits = _search(app, campaign, lambda: _vectors(app, texts), k=2,
                   threshold=DEFAULT_THRESHOLD)
    if not hits:
        return [None] * len(texts)
    published = _published(list({i for row in hits for i, _s in row}))
    return [
        next((Suggestion(published[i], score) for i, score in row
              if i != own_id and i in published), None)
        for row, own_id in zip(hits, exclude, strict=True)
    ]


def near_duplicate_of(contribution: Contribution) -> Suggestion | None:
    """The other published contribution of its campaign that ``contribution`` rewords."""
    return near_duplicates(contribution.campaign, [contribution.text],
                           exclude=[contribution.id])[0]


def excerpt(text: str, length: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + " …"
