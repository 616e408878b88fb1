"""Personal API tokens: a user's key to the JSON API, stored hashed, scoped and expiring."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import reference
from motion.models._types import UTCDateTime, str_enum, utcnow
from motion.models.people import User


class TokenScope(enum.StrEnum):
    READ = "read"
    WRITE = "write"  # write includes read


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = reference("users", ondelete="CASCADE", index=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the secret: the token is shown once at creation and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, to recognise it in the list.
    prefix: Mapped[str] = mapped_column(String(16))
    scope: Mapped[TokenScope] = mapped_column(str_enum(TokenScope, "token_scope"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_valid(self, when: datetime) -> bool:
        return self.revoked_at is None and when < self.expires_at

    def allows(self, scope: TokenScope) -> bool:
        return self.scope == TokenScope.WRITE or scope == TokenScope.READ
