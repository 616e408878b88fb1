"""Invitations: a link to set one's password, sent to élus imported by an admin."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._progress import JobStatus, ProgressRecord
from motion.models._types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from motion.models.people import User


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only a hash of the link's token is stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def is_usable(self, when: datetime) -> bool:
        return self.used_at is None and when < self.expires_at


class PasswordReset(db.Model):
    """A "mot de passe oublié" link: single use, short-lived, only its token's hash kept."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_usable(self, when: datetime) -> bool:
        return self.used_at is None and when < self.expires_at


InvitationJobStatus = JobStatus  # the status of an invitation import job


class InvitationJob(ProgressRecord, db.Model):
    """A large invitation file imported outside the request, and its report."""

    __tablename__ = "invitation_jobs"
    STATUS_TYPE = "invitation_job_status"

    # The uploaded file, relative to the instance folder's ``imports/``.
    filename: Mapped[str] = mapped_column(String(255))
    # The site's address as the admin reached it, for the links in the mails.
    link_base: Mapped[str] = mapped_column(String(255))
    created: Mapped[int] = mapped_column(default=0)
    existing: Mapped[int] = mapped_column(default=0)
    invited: Mapped[int] = mapped_column(default=0)
    memberships: Mapped[int] = mapped_column(default=0)
    # The rejected lines as JSON: [[line, reason], ...] (reasons already in French).
    rejected_json: Mapped[str] = mapped_column(Text, default="[]")
