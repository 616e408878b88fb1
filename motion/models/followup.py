"""Follow-up (suivi) of a motion year after year.

After a campaign closes, each retained proposition of its motion gets a follow-up status
(:class:`FollowUpStatus`), dated notes, links, and the history of its status changes. A
new campaign imports the previous campaign's adopted propositions as
:class:`EarlierProposition` rows (mapped onto its own framework by engagement code), and
its contributions and propositions may say which earlier proposition they continue.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import CampaignScoped, Timestamped, children, reference
from motion.models._types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from motion.models.campaigns import Campaign
    from motion.models.contributions import Contribution
    from motion.models.frameworks import Axis, Engagement
    from motion.models.motions import Proposition
    from motion.models.people import User


class FollowUpStatus(enum.StrEnum):
    NOT_TRANSMITTED = "not_transmitted"  # non transmise (the default)
    TRANSMITTED = "transmitted"  # transmise
    ANSWERED = "answered"  # réponse reçue
    ADOPTED_IN_TEXT = "in_text"  # reprise dans un texte
    NO_FOLLOW_UP = "no_follow_up"  # sans suite


class PropositionFollowUp(db.Model):
    """The current follow-up status of one proposition (one row per proposition)."""

    __tablename__ = "proposition_followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposition_id: Mapped[int] = reference("propositions", ondelete="CASCADE", unique=True)
    status: Mapped[FollowUpStatus] = mapped_column(
        str_enum(FollowUpStatus, "followup_status"), default=FollowUpStatus.NOT_TRANSMITTED
    )
    updated_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposition: Mapped[Proposition] = relationship()
    updated_by: Mapped[User | None] = relationship()
    notes: Mapped[list[FollowUpNote]] = children(
        back_populates="followup", order_by="(FollowUpNote.noted_on, FollowUpNote.id)"
    )
    links: Mapped[list[FollowUpLink]] = children(
        back_populates="followup", order_by="FollowUpLink.id"
    )
    changes: Mapped[list[FollowUpStatusChange]] = children(
        back_populates="followup", order_by="FollowUpStatusChange.id"
    )


class FollowUpNote(Timestamped, db.Model):
    """A dated note on what became of a proposition (a meeting, a letter, an answer…)."""

    __tablename__ = "followup_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = reference("proposition_followups", ondelete="CASCADE", index=True)
    # The day the note is about (not necessarily the day it was written).
    noted_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = reference("users", ondelete="SET NULL")

    followup: Mapped[PropositionFollowUp] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


class FollowUpLink(Timestamped, db.Model):
    """A link about a proposition's follow-up (an answer, a law, an article)."""

    __tablename__ = "followup_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = reference("proposition_followups", ondelete="CASCADE", index=True)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(300))
    author_id: Mapped[int | None] = reference("users", ondelete="SET NULL")

    followup: Mapped[PropositionFollowUp] = relationship(back_populates="links")


class FollowUpStatusChange(db.Model):
    """One change of a proposition's follow-up status: who, when, from what to what."""

    __tablename__ = "followup_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = reference("proposition_followups", ondelete="CASCADE", index=True)
    old_status: Mapped[FollowUpStatus | None] = mapped_column(
        str_enum(FollowUpStatus, "followup_old_status")
    )
    new_status: Mapped[FollowUpStatus] = mapped_column(
        str_enum(FollowUpStatus, "followup_new_status")
    )
    changed_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    followup: Mapped[PropositionFollowUp] = relationship(back_populates="changes")
    changed_by: Mapped[User | None] = relationship()


class EarlierProposition(CampaignScoped, db.Model):
    """An adopted proposition of a previous campaign, imported into a newer campaign.

    Title and text are copied (the earlier campaign may be deleted later); the follow-up
    status is read live through ``source_proposition``. ``engagement`` is the newer
    campaign's engagement with the same code (or title), None when none matched.
    """

    __tablename__ = "earlier_propositions"
    __table_args__ = (
        # Importing twice adds nothing.
        UniqueConstraint("campaign_id", "source_proposition_id"),
        Index("ix_earlier_propositions_campaign_engagement", "campaign_id", "engagement_id"),
    )

    source_campaign_id: Mapped[int | None] = reference("campaigns", ondelete="SET NULL")
    source_proposition_id: Mapped[int | None] = reference("propositions", ondelete="SET NULL")
    engagement_id: Mapped[int | None] = reference("engagements", ondelete="SET NULL")
    # The newer campaign's axis with the same code (or title) as the earlier axis, if any.
    axis_id: Mapped[int | None] = reference("axes", ondelete="SET NULL")
    # The engagement and axis in the earlier campaign's framework, as imported.
    source_axis_code: Mapped[str | None] = mapped_column(String(40))
    source_engagement_code: Mapped[str | None] = mapped_column(String(40))
    source_engagement_title: Mapped[str | None] = mapped_column(String(300))
    source_campaign_title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    imported_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship(foreign_keys="EarlierProposition.campaign_id")
    source_campaign: Mapped[Campaign | None] = relationship(foreign_keys=[source_campaign_id])
    source_proposition: Mapped[Proposition | None] = relationship()
    engagement: Mapped[Engagement | None] = relationship()
    axis: Mapped[Axis | None] = relationship()


class ContributionContinuation(Timestamped, db.Model):
    """A contribution that continues ("prolonge") an earlier proposition."""

    __tablename__ = "contribution_continuations"

    contribution_id: Mapped[int] = reference("contributions", ondelete="CASCADE", primary_key=True)
    earlier_id: Mapped[int] = reference("earlier_propositions", ondelete="CASCADE", index=True)

    contribution: Mapped[Contribution] = relationship()
    earlier: Mapped[EarlierProposition] = relationship()


class PropositionContinuation(Timestamped, db.Model):
    """A proposition of the new motion that continues ("prolonge") an earlier proposition."""

    __tablename__ = "proposition_continuations"

    proposition_id: Mapped[int] = reference("propositions", ondelete="CASCADE", primary_key=True)
    earlier_id: Mapped[int] = reference("earlier_propositions", ondelete="CASCADE", index=True)
    set_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")

    proposition: Mapped[Proposition] = relationship()
    earlier: Mapped[EarlierProposition] = relationship()
