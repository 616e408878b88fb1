"""Clustering: runs of the pipeline, clusters (shown as "thèmes") and assignments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Float, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import CampaignScoped, Timestamped, reference
from motion.models._progress import JobStatus, ProgressRecord
from motion.models._types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from motion.models.contributions import Contribution
    from motion.models.frameworks import Axis, Engagement
    from motion.models.people import User


RunStatus = JobStatus  # the status of a clustering run


class ClusteringRun(ProgressRecord, db.Model):
    """One run of the pipeline on a campaign, and the progress record the page polls."""

    __tablename__ = "clustering_runs"
    STATUS_TYPE = "run_status"

    model: Mapped[str | None] = mapped_column(String(200))
    n_contributions: Mapped[int] = mapped_column(default=0)
    n_clusters: Mapped[int] = mapped_column(default=0)
    n_unassigned: Mapped[int] = mapped_column(default=0)
    # The granularity asked for (target number of themes); None = chosen from the data.
    n_themes: Mapped[int | None]
    # What changed since the previous run (new clusters, moves, new texts per cluster).
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Where each contribution stood at the end of the run ("contribution id" -> cluster id
    # or None), to compare two runs.
    snapshot: Mapped[dict[str, int | None]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )


class Cluster(Timestamped, db.Model):
    """A theme: a group of contributions, mapped onto the framework."""

    __tablename__ = "clusters"
    __table_args__ = (UniqueConstraint("campaign_id", "stable_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = reference("campaigns", ondelete="CASCADE", index=True)
    # The pipeline's id, kept across runs by membership overlap.
    stable_id: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    # True once a facilitator renamed it: the pipeline no longer relabels it.
    name_locked: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Contribution ids, most representative first (central and diverse).
    representative_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(default=0)
    cohesion: Mapped[float | None] = mapped_column(Float)
    engagement_id: Mapped[int | None] = reference("engagements", ondelete="SET NULL")
    axis_id: Mapped[int | None] = reference("axes", ondelete="SET NULL")
    mapping_score: Mapped[float | None] = mapped_column(Float)
    second_engagement_id: Mapped[int | None] = reference("engagements", ondelete="SET NULL")
    second_axis_id: Mapped[int | None] = reference("axes", ondelete="SET NULL")
    second_score: Mapped[float | None] = mapped_column(Float)
    # Nothing in the framework fits ("hors cadre").
    out_of_frame: Mapped[bool] = mapped_column(default=False)
    # Too few of its members agree with its centroid's engagement (an incoherent theme, or
    # one that spans engagements): each member sits where its own text maps, until a
    # facilitator places the theme (move_cluster clears it when it sets mapping_locked, and
    # a run sets it only on unlocked themes, so the two are never both true).
    mapped_per_text: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A facilitator's decisions the pipeline must keep.
    pinned: Mapped[bool] = mapped_column(default=False)
    mapping_locked: Mapped[bool] = mapped_column(default=False)
    is_new: Mapped[bool] = mapped_column(default=True)
    # False once the pipeline dissolved it (kept for history and provenance).
    active: Mapped[bool] = mapped_column(default=True)
    created_run_id: Mapped[int | None] = reference("clustering_runs", ondelete="SET NULL")
    updated_run_id: Mapped[int | None] = reference("clustering_runs", ondelete="SET NULL")
    # Provenance of facilitators' merges and splits.
    merged_into_id: Mapped[int | None] = reference("clusters", ondelete="SET NULL")
    split_from_id: Mapped[int | None] = reference("clusters", ondelete="SET NULL")
    # Optimistic locking: every facilitator's operation checks and increments it.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    engagement: Mapped[Engagement | None] = relationship(foreign_keys=[engagement_id])
    axis: Mapped[Axis | None] = relationship(foreign_keys=[axis_id])
    second_engagement: Mapped[Engagement | None] = relationship(
        foreign_keys=[second_engagement_id]
    )
    second_axis: Mapped[Axis | None] = relationship(foreign_keys=[second_axis_id])
    assignments: Mapped[list[ClusterAssignment]] = relationship(back_populates="cluster")


class ClusterAssignment(CampaignScoped, db.Model):
    """Where one contribution stands: its cluster (None: "à classer").

    Its place in the framework is its cluster's (see
    :func:`motion.services.themes.queries.placements`). The ``text_*`` columns keep what
    the mapper said of the text alone: read only for a theme spanning engagements
    (``Cluster.mapped_per_text``), whose members sit where their own texts map.
    """

    __tablename__ = "cluster_assignments"
    __table_args__ = (
        UniqueConstraint("contribution_id"),
        Index("ix_cluster_assignments_campaign_cluster", "campaign_id", "cluster_id"),
    )

    contribution_id: Mapped[int] = reference("contributions", ondelete="CASCADE")
    cluster_id: Mapped[int | None] = reference("clusters", ondelete="SET NULL")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    # An outlier the pipeline placed in its nearest cluster: shown as uncertain.
    reassigned: Mapped[bool] = mapped_column(default=False)
    # A facilitator fixed this assignment: the pipeline never changes it.
    locked: Mapped[bool] = mapped_column(default=False)
    text_engagement_id: Mapped[int | None] = reference("engagements", ondelete="SET NULL")
    text_axis_id: Mapped[int | None] = reference("axes", ondelete="SET NULL")
    text_mapping_score: Mapped[float | None] = mapped_column(Float)
    text_out_of_frame: Mapped[bool] = mapped_column(default=False)
    run_id: Mapped[int | None] = reference("clustering_runs", ondelete="SET NULL")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cluster: Mapped[Cluster | None] = relationship(back_populates="assignments")
    contribution: Mapped[Contribution] = relationship()
    text_engagement: Mapped[Engagement | None] = relationship(
        foreign_keys=[text_engagement_id])
    text_axis: Mapped[Axis | None] = relationship(foreign_keys=[text_axis_id])


class ClusterSecondaryMember(Timestamped, db.Model):
    """A contribution that also belongs to a second cluster (ideas often carry two themes)."""

    __tablename__ = "cluster_secondary_members"
    __table_args__ = (UniqueConstraint("contribution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = reference("campaigns", ondelete="CASCADE", index=True)
    contribution_id: Mapped[int] = reference("contributions", ondelete="CASCADE")
    cluster_id: Mapped[int] = reference("clusters", ondelete="CASCADE", index=True)
    created_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")

    cluster: Mapped[Cluster] = relationship()
    contribution: Mapped[Contribution] = relationship()


class ClusterOperation(CampaignScoped, db.Model):
    """A facilitator's operation on the themes, with the state needed to undo it.

    ``before`` and ``after`` hold the touched clusters' fields and the touched
    contributions' assignments (see :mod:`motion.services.themes.journal`).
    """

    __tablename__ = "cluster_operations"
    __table_args__ = (Index("ix_cluster_operations_campaign_created", "campaign_id", "id"),)

    kind: Mapped[str] = mapped_column(String(30))
    # The cluster the operation is about (the survivor of a merge, the split cluster...).
    cluster_id: Mapped[int | None] = reference("clusters", ondelete="SET NULL", index=True)
    actor_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    reason: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")

    cluster: Mapped[Cluster | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
