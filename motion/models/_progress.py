"""What every record of work done outside the request shares (the page polls it)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Float, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from motion.models._mixins import reference
from motion.models._types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from motion.models.people import User


class JobStatus(enum.StrEnum):
    """Where a job stands (every kind of job has the same four)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ProgressRecord:
    """Columns of a job's progress record: who asked, how far it got, how it ended.

    The concrete class names its status column's type (``STATUS_TYPE``, also the name of
    its CHECK constraint) and adds what the job produces.
    """

    FINISHED = (JobStatus.DONE, JobStatus.FAILED)
    STATUS_TYPE: str

    @declared_attr
    def status(cls) -> Mapped[JobStatus]:  # noqa: N805 (SQLAlchemy declared_attr)
        return mapped_column(str_enum(JobStatus, cls.STATUS_TYPE), default=JobStatus.QUEUED)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = reference("campaigns", ondelete="CASCADE", index=True)
    requested_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @declared_attr
    def requested_by(cls) -> Mapped[User | None]:  # noqa: N805 (SQLAlchemy declared_attr)
        return relationship()

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    def progress_state(self) -> dict:
        """What a polling page or an API client reads of the record (JSON-ready)."""
        return {"id": self.id, "status": self.status.value,
                "progress": round(self.progress, 3), "message": self.message,
                "finished": self.is_finished, "error": self.error}
