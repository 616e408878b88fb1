"""Domain models, one module per area.

Later areas (motions with propositions, provenance and votes) get their own modules
here.
"""

from __future__ import annotations

from motion.models.addressees import (
    Addressee,
    AddresseeEngagement,
    AddresseeKind,
    DossierDispatch,
    DossierSettings,
    PropositionAddressee,
)
from motion.models.api_tokens import ApiToken, TokenScope
from motion.models.audit import AuditEvent
from motion.models.campaigns import (
    PHASE_ORDER,
    Campaign,
    Phase,
    PhaseKind,
    Workshop,
    WorkshopJoining,
)
from motion.models.clustering import (
    Cluster,
    ClusterAssignment,
    ClusteringRun,
    ClusterOperation,
    ClusterSecondaryMember,
    RunStatus,
)
from motion.models.collectivites import Collectivite, CollectiviteKind, SizeBand
from motion.models.contributions import (
    Comment,
    CommentStatus,
    Contribution,
    ContributionSource,
    ContributionStatus,
    ContributionVersion,
    Support,
)
from motion.models.exports import ExportJob, ExportSettings, ExportStatus
from motion.models.followup import (
    ContributionContinuation,
    EarlierProposition,
    FollowUpLink,
    FollowUpNote,
    FollowUpStatus,
    FollowUpStatusChange,
    PropositionContinuation,
    PropositionFollowUp,
)
from motion.models.frameworks import Axis, Engagement, Framework
from motion.models.imports import ImportJob, ImportStatus
from motion.models.invitations import Invitation
from motion.models.moderation import Report, ReportStatus
from motion.models.motions import (
    Amendment,
    AmendmentStatus,
    Motion,
    MotionSection,
    MotionStatus,
    PreambleVersion,
    ProjectionState,
    Proposition,
    PropositionVersion,
    ProvenanceLink,
    Vote,
    VoteChoice,
    VoteSession,
    VoteSessionStatus,
)
from motion.models.notifications import NotificationPreference, SentNotification
from motion.models.people import Membership, Role, User, UserSession
from motion.models.sessions import EngagementReferent, EngagementSession, PropositionAxis
from motion.models.site import SiteText

__all__ = [
    "PHASE_ORDER",
    "Addressee",
    "AddresseeEngagement",
    "AddresseeKind",
    "Amendment",
    "ApiToken",
    "AmendmentStatus",
    "AuditEvent",
    "Axis",
    "Campaign",
    "Cluster",
    "ClusterAssignment",
    "ClusterOperation",
    "ClusterSecondaryMember",
    "ClusteringRun",
    "Collectivite",
    "CollectiviteKind",
    "Comment",
    "CommentStatus",
    "Contribution",
    "ContributionContinuation",
    "ContributionSource",
    "ContributionStatus",
    "ContributionVersion",
    "DossierDispatch",
    "DossierSettings",
    "EarlierProposition",
    "Engagement",
    "EngagementReferent",
    "EngagementSession",
    "ExportJob",
    "ExportSettings",
    "ExportStatus",
    "FollowUpLink",
    "FollowUpNote",
    "FollowUpStatus",
    "FollowUpStatusChange",
    "Framework",
    "ImportJob",
    "ImportStatus",
    "Invitation",
    "Membership",
    "Motion",
    "MotionSection",
    "MotionStatus",
    "NotificationPreference",
    "Phase",
    "PhaseKind",
    "PreambleVersion",
    "ProjectionState",
    "Proposition",
    "PropositionAddressee",
    "PropositionContinuation",
    "PropositionFollowUp",
    "PropositionAxis",
    "PropositionVersion",
    "ProvenanceLink",
    "Report",
    "ReportStatus",
    "Role",
    "RunStatus",
    "SentNotification",
    "SizeBand",
    "SiteText",
    "TokenScope",
    "Support",
    "User",
    "UserSession",
    "Vote",
    "VoteChoice",
    "VoteSession",
    "VoteSessionStatus",
    "Workshop",
    "WorkshopJoining",
]
