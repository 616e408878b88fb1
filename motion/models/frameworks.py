"""The référentiel: Framework → Engagement → Axis."""

from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import Timestamped, children, reference


class _Item:
    """What an engagement and an axis both have: a code ("E2", "E2.1"), a title, a
    description and their place among their siblings (after the parent's id)."""

    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class Framework(Timestamped, db.Model):
    __tablename__ = "frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Where it was loaded from (a file name or "default"), for the audit trail.
    source: Mapped[str | None] = mapped_column(String(255))
    is_default: Mapped[bool] = mapped_column(default=False)

    engagements: Mapped[list[Engagement]] = children(
        back_populates="framework", order_by="Engagement.position"
    )


class Engagement(_Item, db.Model):
    __tablename__ = "engagements"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = reference("frameworks", ondelete="CASCADE")

    framework: Mapped[Framework] = relationship(back_populates="engagements")
    axes: Mapped[list[Axis]] = children(back_populates="engagement", order_by="Axis.position")


class Axis(_Item, db.Model):
    __tablename__ = "axes"
    __table_args__ = (UniqueConstraint("engagement_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = reference("engagements", ondelete="CASCADE")

    engagement: Mapped[Engagement] = relationship(back_populates="axes")
