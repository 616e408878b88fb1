"""Contributions (an élu's idea), their versions, supports and comments."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import CampaignScoped, Timestamped, children, reference
from motion.models._types import UTCDateTime, str_enum, utcnow
from motion.models.collectivites import CollectiviteKind, SizeBand

if TYPE_CHECKING:
    from motion.models.campaigns import Campaign, Workshop
    from motion.models.collectivites import Collectivite
    from motion.models.frameworks import Engagement
    from motion.models.people import User


class ContributionStatus(enum.StrEnum):
    PUBLISHED = "published"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


# Comments share the statuses of contributions.
CommentStatus = ContributionStatus


class ContributionSource(enum.StrEnum):
    WEB = "web"
    IMPORT = "import"
    PLENARY = "plenary"



class Contribution(CampaignScoped, db.Model):
    __tablename__ = "contributions"
    __table_args__ = (
        # Imports are idempotent: one external id per campaign.
        UniqueConstraint("campaign_id", "external_id"),
        # A retried POST (double tap, bad network) carries the same key: one contribution.
        UniqueConstraint("author_id", "client_key"),
        Index("ix_contributions_campaign_status", "campaign_id", "status"),
        Index("ix_contributions_campaign_changed", "campaign_id", "changed_in_version"),
    )

    workshop_id: Mapped[int] = reference("workshops", ondelete="RESTRICT", index=True)
    author_id: Mapped[int | None] = reference("users", ondelete="SET NULL", index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # The engagement the author thinks the idea belongs to (optional).
    engagement_id: Mapped[int | None] = reference("engagements", ondelete="SET NULL")
    status: Mapped[ContributionStatus] = mapped_column(
        str_enum(ContributionStatus, "contribution_status"), default=ContributionStatus.PUBLISHED
    )
    source: Mapped[ContributionSource] = mapped_column(
        str_enum(ContributionSource, "contribution_source"), default=ContributionSource.WEB
    )
    external_id: Mapped[str | None] = mapped_column(String(200))
    # The idempotency key of the form that created it (web posts only).
    client_key: Mapped[str | None] = mapped_column(String(64))
    # Collectivité of the author at the time of posting (imports may carry it without an author).
    collectivite: Mapped[str | None] = mapped_column(String(200))
    # The author's linked collectivité, its type and size band, as they were when posting:
    # history stays true if the élu moves or the collectivité's population changes.
    collectivite_id: Mapped[int | None] = reference(
        "collectivites", ondelete="SET NULL", index=True
    )
    collectivite_kind: Mapped[CollectiviteKind | None] = mapped_column(
        str_enum(CollectiviteKind, "collectivite_kind"))
    collectivite_size: Mapped[SizeBand | None] = mapped_column(
        str_enum(SizeBand, "collectivite_size"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The campaign's contributions_version given to the transaction that last added this
    # contribution or changed its text or status (stamped by _stamp_changes below).
    changed_in_version: Mapped[int] = mapped_column(default=0, server_default="0")

    campaign: Mapped[Campaign] = relationship()
    workshop: Mapped[Workshop] = relationship()
    author: Mapped[User | None] = relationship()
    engagement: Mapped[Engagement | None] = relationship()
    collectivite_record: Mapped[Collectivite | None] = relationship()
    supports: Mapped[list[Support]] = children(back_populates="contribution")
    versions: Mapped[list[ContributionVersion]] = children(
        back_populates="contribution", order_by="ContributionVersion.number"
    )
    comments: Mapped[list[Comment]] = children(back_populates="contribution", order_by="Comment.id")

    @property
    def is_published(self) -> bool:
        return self.status == ContributionStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Contribution {self.id} {self.status}>"


#: ``session.info`` key set while the session's transaction holds uncommitted changes to
#: contributions (cleared at commit and rollback): readers of committed state beware.
CHANGES_PENDING = "motion.contribution_changes_pending"
_STAMP_BATCH = 500


@event.listens_for(Session, "after_flush")
def _stamp_changes(session: Session, _flush_context) -> None:
    """Bump the campaign's contributions_version and stamp the contributions it covers.

    Every flush that adds contributions or changes their text or status takes the next
    number of their campaign. The UPDATE of the campaign row holds its lock until the
    transaction ends, so these numbers become visible in the order they were given: a
    reader that has applied everything up to N and then reads the rows stamped above N
    can never miss a change committed late (services.similar relies on it).
    """
    from motion.models.campaigns import Campaign

    changed: dict[int, list[int]] = {}
    for obj in (*session.new, *session.dirty):
        if not isinstance(obj, Contribution):
            continue
        state = inspect(obj)
        if obj in session.new or any(state.attrs[name].history.has_changes()
                                     for name in ("text", "status", "campaign_id")):
            changed.setdefault(obj.campaign_id, []).append(obj.id)
    if not changed:
        return
    session.info[CHANGES_PENDING] = True
    connection = session.connection()
    campaigns, contributions = Campaign.__table__, Contribution.__table__
    for campaign_id, ids in changed.items():
        connection.execute(
            update(campaigns).where(campaigns.c.id == campaign_id)
            .values(contributions_version=campaigns.c.contributions_version + 1))
        version = connection.scalar(
            select(campaigns.c.contributions_version).where(campaigns.c.id == campaign_id))
        for start in range(0, len(ids), _STAMP_BATCH):
            connection.execute(
                update(contributions)
                .where(contributions.c.id.in_(ids[start : start + _STAMP_BATCH]))
                # Keep updated_at: stamping is bookkeeping, not an edit.
                .values(changed_in_version=version, updated_at=contributions.c.updated_at))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _changes_settled(session: Session) -> None:
    session.info.pop(CHANGES_PENDING, None)


class ContributionVersion(db.Model):
    """A previous text of an edited contribution (number 1 is the original)."""

    __tablename__ = "contribution_versions"
    __table_args__ = (UniqueConstraint("contribution_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = reference("contributions", ondelete="CASCADE")
    number: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # When this text was replaced, and by whom.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    editor_id: Mapped[int | None] = reference("users", ondelete="SET NULL")

    contribution: Mapped[Contribution] = relationship(back_populates="versions")


class Comment(db.Model):
    """A short reply under a contribution, or under a top-level comment (one level)."""

    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("author_id", "client_key"),
        # Imported comments (Decidim) keep their source id: re-imports add nothing.
        UniqueConstraint("contribution_id", "external_id"),
        Index("ix_comments_contribution_status", "contribution_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = reference("contributions", ondelete="CASCADE")
    parent_id: Mapped[int | None] = reference("comments", ondelete="CASCADE", index=True)
    author_id: Mapped[int | None] = reference("users", ondelete="SET NULL", index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ContributionStatus] = mapped_column(
        str_enum(ContributionStatus, "comment_status"), default=ContributionStatus.PUBLISHED
    )
    client_key: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contribution: Mapped[Contribution] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list[Comment]] = relationship(back_populates="parent", order_by="Comment.id")

    @property
    def campaign_id(self) -> int:
        return self.contribution.campaign_id

    @property
    def is_published(self) -> bool:
        return self.status == ContributionStatus.PUBLISHED


class Support(Timestamped, db.Model):
    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("user_id", "contribution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = reference("users", ondelete="CASCADE")
    contribution_id: Mapped[int] = reference("contributions", ondelete="CASCADE", index=True)

    contribution: Mapped[Contribution] = relationship(back_populates="supports")
    user: Mapped[User] = relationship()


# The full-text index is created in raw SQL by migration 0003: an FTS5 table (and the
# shadow tables SQLite keeps for it) on SQLite, an expression GIN index on PostgreSQL.
# Autogenerate must leave these alone (see ``include_name``).
SEARCH_INDEX_NAMES = frozenset({"contributions_fts", "ix_contributions_search"})


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic filter: skip the search index objects the models do not declare."""
    if name is None:
        return True
    return name not in SEARCH_INDEX_NAMES and not name.startswith("contributions_fts_")
