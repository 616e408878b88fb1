"""Imports of contributions from CSV files run outside the request, with a progress record."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from motion.extensions import db
from motion.models._progress import JobStatus, ProgressRecord

ImportStatus = JobStatus  # the status of an import job


class ImportJob(ProgressRecord, db.Model):
    """One CSV import: the uploaded file, how far it got and its line-by-line report."""

    __tablename__ = "import_jobs"
    STATUS_TYPE = "import_status"

    # The uploaded file, relative to the instance folder's ``imports/``, and its own name.
    filename: Mapped[str] = mapped_column(String(255))
    original_name: Mapped[str] = mapped_column(String(255))
    workshop_name: Mapped[str | None] = mapped_column(String(200))
    inserted: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    # The rejected lines as JSON: [[line, reason], ...] (reasons already in French).
    rejected_json: Mapped[str] = mapped_column(Text, default="[]")
