"""Texts of the site's legal pages that an administrator edits (one row per text)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from motion.extensions import db
from motion.models._mixins import reference
from motion.models._types import UTCDateTime, utcnow


class SiteText(db.Model):
    """One editable text of the legal pages, by key (``motion.services.site_texts.TEXTS``)."""

    __tablename__ = "site_texts"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
