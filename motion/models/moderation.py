"""Reports of contributions and comments, handled by facilitators."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import CampaignScoped, reference
from motion.models._types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from motion.models.contributions import Comment, Contribution
    from motion.models.people import User


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Report(CampaignScoped, db.Model):
    """A user's report of one contribution or one comment, with a reason."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(
            "(contribution_id IS NULL) <> (comment_id IS NULL)", name="one_target"
        ),
        # One report per user and item.
        UniqueConstraint("reporter_id", "contribution_id"),
        UniqueConstraint("reporter_id", "comment_id"),
        Index("ix_reports_campaign_status", "campaign_id", "status"),
    )

    reporter_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    contribution_id: Mapped[int | None] = reference("contributions", ondelete="CASCADE", index=True)
    comment_id: Mapped[int | None] = reference("comments", ondelete="CASCADE", index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus, "report_status"),
        default=ReportStatus.OPEN,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    # "hide", "restore" or "dismiss", with the facilitator's reason.
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    contribution: Mapped[Contribution | None] = relationship()
    comment: Mapped[Comment | None] = relationship()
