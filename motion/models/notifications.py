"""E-mail notification preferences and the log of what was sent."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import Timestamped, reference
from motion.models._types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from motion.models.people import User


class NotificationPreference(db.Model):
    """What a user agreed to receive by e-mail: nothing until they say so."""

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = reference("users", ondelete="CASCADE", unique=True)
    replies: Mapped[bool] = mapped_column(default=False)
    weekly_digest: Mapped[bool] = mapped_column(default=False)
    phase_changes: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class SentNotification(Timestamped, db.Model):
    """One notification sent to one user; the key makes digests and phase notices once-only."""

    __tablename__ = "sent_notifications"
    __table_args__ = (UniqueConstraint("user_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = reference("users", ondelete="CASCADE")
    # "reply", "digest" or "phase".
    kind: Mapped[str] = mapped_column(String(20))
    # The comment id, the ISO week ("2027-W03") or the phase id.
    key: Mapped[str] = mapped_column(String(100))
