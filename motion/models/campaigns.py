"""Campaigns (one congress edition), their dated phases and workshops."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import CampaignScoped, Timestamped, children, reference
from motion.models._types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from motion.models.frameworks import Engagement, Framework
    from motion.models.people import Membership


class PhaseKind(enum.StrEnum):
    COLLECT = "collect"
    SYNTHESIS = "synthesis"
    PLENARY = "plenary"
    CLOSED = "closed"


PHASE_ORDER = [PhaseKind.COLLECT, PhaseKind.SYNTHESIS, PhaseKind.PLENARY, PhaseKind.CLOSED]


class WorkshopJoining(enum.StrEnum):
    """Who may join a campaign's workshops."""

    OPEN = "open"  # any member of the campaign may join its open workshops
    INVITATION = "invitation"  # only through an invitation (or an administrator)


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    place: Mapped[str | None] = mapped_column(String(200))
    framework_id: Mapped[int | None] = reference("frameworks", ondelete="SET NULL")
    # Whether authors' names may appear in exports and public lists.
    publish_author_names: Mapped[bool] = mapped_column(default=False)
    workshop_joining: Mapped[WorkshopJoining] = mapped_column(
        str_enum(WorkshopJoining, "workshop_joining"), default=WorkshopJoining.OPEN,
        server_default=WorkshopJoining.OPEN.value,
    )
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every transaction that adds a contribution to the campaign or changes the
    # text or status of one (see models.contributions): the similar-ideas index's watermark.
    contributions_version: Mapped[int] = mapped_column(default=0, server_default="0")

    framework: Mapped[Framework | None] = relationship()
    phases: Mapped[list[Phase]] = children(back_populates="campaign", order_by="Phase.starts_at")
    workshops: Mapped[list[Workshop]] = children(
        back_populates="campaign", order_by="Workshop.name"
    )

    def phase_at(self, when: datetime) -> Phase | None:
        """Return the phase running at ``when`` (the last started one), or None before any."""
        started = [p for p in self.phases if p.starts_at <= when]
        if not started:
            return None
        current = max(started, key=lambda p: p.starts_at)
        if current.ends_at is not None and when >= current.ends_at:
            return None
        return current

    def __repr__(self) -> str:
        return f"<Campaign {self.slug}>"


class Phase(CampaignScoped, db.Model):
    __tablename__ = "phases"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
    )

    kind: Mapped[PhaseKind] = mapped_column(
        str_enum(PhaseKind, "phase_kind")
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship(back_populates="phases")

    def is_open(self, when: datetime) -> bool:
        return self.starts_at <= when and (self.ends_at is None or when < self.ends_at)


class Workshop(CampaignScoped, Timestamped, db.Model):
    __tablename__ = "workshops"
    __table_args__ = (UniqueConstraint("campaign_id", "slug"),)

    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    engagement_id: Mapped[int | None] = reference("engagements", ondelete="SET NULL")
    # An open workshop can be joined by any member of the campaign (when the campaign's
    # workshop_joining is "open").
    is_open: Mapped[bool] = mapped_column(default=True)

    campaign: Mapped[Campaign] = relationship(back_populates="workshops")
    engagement: Mapped[Engagement | None] = relationship()
    memberships: Mapped[list[Membership]] = children(back_populates="workshop")
