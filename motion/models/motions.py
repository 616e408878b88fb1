"""The motion: its preamble, one section per engagement, propositions with their versions,
provenance, amendments, and the plenary (projection state, vote rounds and votes).

Reading guide for exports: a campaign has at most one :class:`Motion`. Its final text is
``Motion.preamble`` followed by ``Motion.sections`` (ordered by ``position``), each holding
``MotionSection.propositions`` (ordered by ``position``; ``Proposition.title`` and
``Proposition.text`` are the current text, ``Proposition.outcome`` and the ``result_*``
columns the frozen result of its last closed vote). ``Motion.status == "adopted"`` means
the text is final and read-only (``Motion.adopted_at``). ``ProvenanceLink`` rows tie each
proposition to the contributions behind it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motion.extensions import db
from motion.models._mixins import Timestamped, children, reference
from motion.models._types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from motion.models.campaigns import Campaign
    from motion.models.clustering import Cluster
    from motion.models.contributions import Contribution
    from motion.models.frameworks import Engagement
    from motion.models.people import User



class MotionStatus(enum.StrEnum):
    DRAFT = "draft"
    ADOPTED = "adopted"


class AmendmentStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"


class VoteChoice(enum.StrEnum):
    FOR = "for"          # pour
    AGAINST = "against"  # contre
    ABSTAIN = "abstain"  # abstention


class VoteSessionStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Motion(db.Model):
    """The campaign's motion (one per campaign): a preamble and one section per engagement."""

    __tablename__ = "motions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = reference("campaigns", ondelete="CASCADE", unique=True)
    title: Mapped[str] = mapped_column(String(300))
    # The current preamble; its history is in ``preamble_versions``.
    preamble: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MotionStatus] = mapped_column(
        str_enum(MotionStatus, "motion_status"), default=MotionStatus.DRAFT
    )
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adopted_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    adopted_by: Mapped[User | None] = relationship()
    sections: Mapped[list[MotionSection]] = children(
        back_populates="motion", order_by="MotionSection.position"
    )
    preamble_versions: Mapped[list[PreambleVersion]] = children(
        back_populates="motion", order_by="PreambleVersion.number"
    )

    @property
    def is_adopted(self) -> bool:
        return self.status == MotionStatus.ADOPTED


class MotionSection(db.Model):
    """One part of the motion: an engagement of the framework (or, without one, "Autres")."""

    __tablename__ = "motion_sections"
    __table_args__ = (UniqueConstraint("motion_id", "engagement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = reference("motions", ondelete="CASCADE")
    engagement_id: Mapped[int | None] = reference("engagements", ondelete="SET NULL")
    # The heading (the engagement's code and title when the section was made).
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)

    motion: Mapped[Motion] = relationship(back_populates="sections")
    engagement: Mapped[Engagement | None] = relationship()
    propositions: Mapped[list[Proposition]] = relationship(
        back_populates="section", order_by="Proposition.position"
    )


class Proposition(db.Model):
    """A proposition of the motion: a title and a paragraph, with its vote result."""

    __tablename__ = "propositions"
    __table_args__ = (
        Index("ix_propositions_motion_section", "motion_id", "section_id", "position"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('adopted', 'rejected')", name="outcome_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = reference("motions", ondelete="CASCADE")
    section_id: Mapped[int] = reference("motion_sections", ondelete="RESTRICT")
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    # The number of the version holding the current text (optimistic locking for editors).
    version_number: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The frozen result of the last closed vote ("adopted" when pour > contre).
    outcome: Mapped[str | None] = mapped_column(String(20))
    result_for: Mapped[int | None]
    result_against: Mapped[int | None]
    result_abstain: Mapped[int | None]
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    motion: Mapped[Motion] = relationship()
    section: Mapped[MotionSection] = relationship(back_populates="propositions")
    created_by: Mapped[User | None] = relationship()
    versions: Mapped[list[PropositionVersion]] = children(
        back_populates="proposition", order_by="PropositionVersion.number"
    )
    provenance: Mapped[list[ProvenanceLink]] = children(
        back_populates="proposition", order_by="ProvenanceLink.id"
    )
    amendments: Mapped[list[Amendment]] = children(
        back_populates="proposition", order_by="Amendment.id"
    )
    vote_sessions: Mapped[list[VoteSession]] = children(
        back_populates="proposition", order_by="VoteSession.round"
    )


class PropositionVersion(Timestamped, db.Model):
    """Every saved text of a proposition (number 1 is the first); never changed afterwards."""

    __tablename__ = "proposition_versions"
    __table_args__ = (UniqueConstraint("proposition_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposition_id: Mapped[int] = reference("propositions", ondelete="CASCADE")
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    # Who saved it, when and why ("création", "amendement accepté", "restauration de la v2"…).
    author_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    reason: Mapped[str] = mapped_column(String(500), default="")
    # "create", "edit", "amendment" (accepted or merged) or "restore".
    kind: Mapped[str] = mapped_column(String(20), default="edit")
    restored_from: Mapped[int | None]

    proposition: Mapped[Proposition] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()
    # The amendments this version came from: their authors are credited.
    amendments: Mapped[list[Amendment]] = relationship(
        back_populates="result_version", order_by="Amendment.id"
    )


class PreambleVersion(Timestamped, db.Model):
    """Every saved text of the motion's preamble."""

    __tablename__ = "preamble_versions"
    __table_args__ = (UniqueConstraint("motion_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = reference("motions", ondelete="CASCADE")
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    reason: Mapped[str] = mapped_column(String(500), default="")
    restored_from: Mapped[int | None]

    motion: Mapped[Motion] = relationship(back_populates="preamble_versions")
    author: Mapped[User | None] = relationship()


class ProvenanceLink(Timestamped, db.Model):
    """A contribution behind a proposition, with the cluster it was in when linked.

    The link points at the contribution; the cluster columns are a snapshot (its stable id
    and name at link time), so merging, splitting or dissolving clusters later never
    changes what the proposition came from. ``cluster_id`` is kept for navigation only and
    becomes NULL if the cluster row is deleted.
    """

    __tablename__ = "provenance_links"
    __table_args__ = (UniqueConstraint("proposition_id", "contribution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposition_id: Mapped[int] = reference("propositions", ondelete="CASCADE")
    contribution_id: Mapped[int] = reference("contributions", ondelete="CASCADE", index=True)
    cluster_id: Mapped[int | None] = reference("clusters", ondelete="SET NULL")
    cluster_stable_id: Mapped[int | None]
    cluster_name: Mapped[str | None] = mapped_column(String(200))
    linked_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")

    proposition: Mapped[Proposition] = relationship(back_populates="provenance")
    contribution: Mapped[Contribution] = relationship()
    cluster: Mapped[Cluster | None] = relationship()


class Amendment(Timestamped, db.Model):
    """An élu's proposed replacement text for a proposition, and the facilitators' decision.

    Accepted or merged amendments point at the version they produced (``result_version``),
    which credits their authors; rejected ones carry the reason.
    """

    __tablename__ = "amendments"
    __table_args__ = (Index("ix_amendments_proposition_status", "proposition_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposition_id: Mapped[int] = reference("propositions", ondelete="CASCADE")
    author_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    # The version of the proposition the author read when writing the amendment.
    base_version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    justification: Mapped[str] = mapped_column(Text)
    status: Mapped[AmendmentStatus] = mapped_column(
        str_enum(AmendmentStatus, "amendment_status"), default=AmendmentStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    result_version_id: Mapped[int | None] = reference("proposition_versions", ondelete="SET NULL")

    proposition: Mapped[Proposition] = relationship(back_populates="amendments")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    result_version: Mapped[PropositionVersion | None] = relationship(
        back_populates="amendments"
    )


class VoteSession(db.Model):
    """One vote round on a proposition: open, then closed with its frozen tally."""

    __tablename__ = "vote_sessions"
    __table_args__ = (UniqueConstraint("proposition_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposition_id: Mapped[int] = reference("propositions", ondelete="CASCADE")
    round: Mapped[int] = mapped_column(default=1)
    status: Mapped[VoteSessionStatus] = mapped_column(
        str_enum(VoteSessionStatus, "vote_session_status"), default=VoteSessionStatus.OPEN
    )
    # The version of the proposition put to the vote.
    version_number: Mapped[int]
    opened_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_id: Mapped[int | None] = reference("users", ondelete="SET NULL")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Frozen at closing, counted from the votes table.
    count_for: Mapped[int | None]
    count_against: Mapped[int | None]
    count_abstain: Mapped[int | None]

    proposition: Mapped[Proposition] = relationship(back_populates="vote_sessions")

    @property
    def is_open(self) -> bool:
        return self.status == VoteSessionStatus.OPEN


class Vote(db.Model):
    """A participant's vote in one round; changing one's vote updates this row."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("user_id", "proposition_id", "session_id"),
        Index("ix_votes_session_choice", "session_id", "choice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = reference("vote_sessions", ondelete="CASCADE")
    proposition_id: Mapped[int] = reference("propositions", ondelete="CASCADE")
    user_id: Mapped[int] = reference("users", ondelete="CASCADE")
    choice: Mapped[VoteChoice] = mapped_column(str_enum(VoteChoice, "vote_choice"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProjectionState(db.Model):
    """What the plenary projector shows: one proposition of the motion (or the title)."""

    __tablename__ = "projection_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = reference("motions", ondelete="CASCADE", unique=True)
    proposition_id: Mapped[int | None] = reference("propositions", ondelete="SET NULL")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    motion: Mapped[Motion] = relationship()
    proposition: Mapped[Proposition | None] = relationship()
