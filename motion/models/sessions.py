"""The congress's engagement sessions: their référents, texts, programme and axis slots.

Each engagement of a campaign's framework has one :class:`EngagementSession` (a morning of
the congress led by the engagement's référents): the review of the past year (``bilan``),
the objectives of the coming one (``objectifs``), its place in the programme, and one
proposition slot per axis (:class:`PropositionAxis` says which axis a proposition answers).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import CampaignScoped, Timestamped, reference
from motion.models._types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from motion.models.campaigns import Campaign
    from motion.models.frameworks import Axis, Engagement
    from motion.models.motions import Proposition
    from motion.models.people import User


class EngagementReferent(CampaignScoped, Timestamped, db.Model):
    """A facilitator who leads an engagement's session in one campaign."""

    __tablename__ = "engagement_referents"
    __table_args__ = (UniqueConstraint("campaign_id", "engagement_id", "user_id"),)

    engagement_id: Mapped[int] = reference("engagements", ondelete="CASCADE")
    user_id: Mapped[int] = reference("users", ondelete="CASCADE", index=True)

    campaign: Mapped[Campaign] = relationship()
    engagement: Mapped[Engagement] = relationship()
    user: Mapped[User] = relationship()


class EngagementSession(CampaignScoped, db.Model):
    """One engagement's morning: bilan, objectifs and its slot in the programme."""

    __tablename__ = "engagement_sessions"
    __table_args__ = (
        UniqueConstraint("campaign_id", "engagement_id"),
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"
        ),
    )

    engagement_id: Mapped[int] = reference("engagements", ondelete="CASCADE")
    # The order of the sessions in the programme (1 = first).
    position: Mapped[int] = mapped_column(default=1)
    bilan: Mapped[str] = mapped_column(Text, default="")
    objectifs: Mapped[str] = mapped_column(Text, default="")
    # None until the programme gives the session a time.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")

    campaign: Mapped[Campaign] = relationship()
    engagement: Mapped[Engagement] = relationship()
    updated_by: Mapped[User | None] = relationship()


class PropositionAxis(Timestamped, db.Model):
    """The axis a proposition answers: it fills that axis's slot in the session."""

    __tablename__ = "proposition_axes"

    proposition_id: Mapped[int] = reference("propositions", ondelete="CASCADE", primary_key=True)
    axis_id: Mapped[int] = reference("axes", ondelete="CASCADE", index=True)

    proposition: Mapped[Proposition] = relationship()
    axis: Mapped[Axis] = relationship()
