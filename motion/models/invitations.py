"""Invitations: a link to set one's password, sent to élus imported by an admin."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import reference
from motion.models._progress import JobStatus, ProgressRecord
from motion.models._types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from motion.models.people import User


class SingleUseLink:
    """A link sent by e-mail that works once, until it expires; only its token's hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = reference("users", ondelete="CASCADE", index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def is_usable(self, when: datetime) -> bool:
        return self.used_at is None and when < self.expires_at


class Invitation(SingleUseLink, db.Model):
    """A link to set one's password, sent to élus imported by an admin."""

    __tablename__ = "invitations"

    created_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")

    user: Mapped[User] = relationship(foreign_keys="Invitation.user_id")


class PasswordReset(SingleUseLink, db.Model):
    """A "mot de passe oublié" link: single use and short-lived."""

    __tablename__ = "password_resets"

    user: Mapped[User] = relationship()


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
    # The report as JSON: {"rejected": [[line, reason], ...], "warnings": [[line, message],
    # ...]} (already in French); a job finished before warnings existed holds the bare list.
    rejected_json: Mapped[str] = mapped_column(Text, default="[]")
