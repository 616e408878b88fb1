"""People: users, their server-side sessions and workshop memberships."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import Timestamped, children, reference
from motion.models._types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from motion.models.campaigns import Workshop
    from motion.models.collectivites import Collectivite


class Role(enum.StrEnum):
    ELU = "elu"
    FACILITATOR = "facilitator"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # The name as typed or imported; collectivite_id links it to the imported list when known.
    collectivite: Mapped[str | None] = mapped_column(String(200))
    collectivite_id: Mapped[int | None] = reference(
        "collectivites", ondelete="SET NULL", index=True
    )
    role: Mapped[Role] = mapped_column(
        str_enum(Role, "user_role"),
        default=Role.ELU,
    )
    # None until the account's owner sets a password (invitations).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = children(back_populates="user")
    sessions: Mapped[list[UserSession]] = children(back_populates="user")
    collectivite_record: Mapped[Collectivite | None] = relationship()

    # The server-side session token this user object was loaded through (not a column).
    auth_token = None  # type: str | None
    session_id = None  # type: int | None  (the UserSession row of that token)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def get_id(self) -> str | None:  # Flask-Login stores the session token, not the user id
        return self.auth_token

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}

    @property
    def workshops(self) -> list[Workshop]:
        return [m.workshop for m in self.memberships]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class UserSession(db.Model):
    """A login, kept on the server so that logout really ends it."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = reference("users", ondelete="CASCADE", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The last request seen (at most a minute, or a quarter of the idle limit, off): the
    # session ends after SESSION_IDLE_MINUTES without one.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(back_populates="sessions")


class Membership(Timestamped, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "workshop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = reference("users", ondelete="CASCADE")
    workshop_id: Mapped[int] = reference("workshops", ondelete="CASCADE", index=True)

    user: Mapped[User] = relationship(back_populates="memberships")
    workshop: Mapped[Workshop] = relationship(back_populates="memberships")
