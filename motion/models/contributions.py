"""Contributions (an élu's idea) and the supports they receive."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from motion.models.campaigns import Campaign, Workshop
    from motion.models.frameworks import Engagement
    from motion.models.people import User


class ContributionStatus(enum.StrEnum):
    PUBLISHED = "published"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


class ContributionSource(enum.StrEnum):
    WEB = "web"
    IMPORT = "import"
    PLENARY = "plenary"


def _str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    return Enum(enum_cls, name=name, native_enum=False, create_constraint=True,
                values_callable=lambda e: [m.value for m in e], length=20)


class Contribution(db.Model):
    __tablename__ = "contributions"
    __table_args__ = (
        # Imports are idempotent: one external id per campaign.
        UniqueConstraint("campaign_id", "external_id"),
        Index("ix_contributions_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="RESTRICT"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # The engagement the author thinks the idea belongs to (optional).
    engagement_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagements.id", ondelete="SET NULL")
    )
    status: Mapped[ContributionStatus] = mapped_column(
        _str_enum(ContributionStatus, "contribution_status"), default=ContributionStatus.PUBLISHED
    )
    source: Mapped[ContributionSource] = mapped_column(
        _str_enum(ContributionSource, "contribution_source"), default=ContributionSource.WEB
    )
    external_id: Mapped[str | None] = mapped_column(String(200))
    # Collectivité of the author at the time of posting (imports may carry it without an author).
    collectivite: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    workshop: Mapped[Workshop] = relationship()
    author: Mapped[User | None] = relationship()
    engagement: Mapped[Engagement | None] = relationship()
    supports: Mapped[list[Support]] = relationship(
        back_populates="contribution", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Contribution {self.id} {self.status}>"


class Support(db.Model):
    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("user_id", "contribution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contribution: Mapped[Contribution] = relationship(back_populates="supports")
    user: Mapped[User] = relationship()
