"""Exports: the open-data licence a campaign publishes under, and export jobs with progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from motion.extensions import db
from motion.models._mixins import reference
from motion.models._progress import JobStatus, ProgressRecord
from motion.models._types import UTCDateTime, utcnow

ExportStatus = JobStatus  # the status of an export job


class ExportSettings(db.Model):
    """What the administrator chose for a campaign's open data (one row per campaign)."""

    __tablename__ = "export_settings"

    campaign_id: Mapped[int] = reference("campaigns", ondelete="CASCADE", primary_key=True)
    # A key of ``motion.exports.opendata.LICENCES`` (default: Licence Ouverte 2.0).
    licence: Mapped[str] = mapped_column(String(40), default="etalab-2.0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")


class ExportJob(ProgressRecord, db.Model):
    """One export generated outside the request, and the progress record the page polls."""

    __tablename__ = "export_jobs"
    STATUS_TYPE = "export_status"

    # What: "motion", "opendata" or "report"; in which format (odt, docx, pdf, md, csv, json).
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10))
    # The generated file, relative to the instance folder's ``exports/``, and its size.
    filename: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None]
    # The motion's annex of sources (motion.exports.document.ANNEX_CHOICES; None: default).
    annex: Mapped[str | None] = mapped_column(String(20))
    # A transmission dossier's addressee ("dossier": one addressee's file; "dossiers", the
    # ZIP of every dossier, has none).
    addressee_id: Mapped[int | None] = reference("addressees", ondelete="CASCADE")
