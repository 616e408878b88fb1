"""The journal of facilitators' operations on the themes, and undo.

Every operation:

* checks the version of each cluster it touches against the version the facilitator's
  page was built from (optimistic locking), and refuses a stale edit with a 409;
* records a :class:`~motion.models.ClusterOperation` holding the state it changed
  (clusters' fields, contributions' assignments and second clusters), before and after,
  so that :func:`undo` can restore exactly what it changed;
* records an audit event ``synthesis.<kind>`` with its author and reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from motion.errors import Conflict, InvalidInput, NotFound
from motion.extensions import db
from motion.models import Campaign, Contribution, ContributionStatus, User
from motion.models._types import utcnow
from motion.models.clustering import (
    Cluster,
    ClusterAssignment,
    ClusterOperation,
    ClusterSecondaryMember,
)
from motion.models.motions import ProvenanceLink
from motion.services import audit, lookup

logger = logging.getLogger(__name__)

# Every field an operation may change, recorded before and after and restored by undo.
# (``size`` is derived from the assignments and recounted; ``version`` only ever grows, so
# that a page built before an undo is still recognised as stale.)
CLUSTER_FIELDS = (
    "name", "name_locked", "summary", "engagement_id", "axis_id", "out_of_frame",
    "mapped_per_text", "mapping_locked", "pinned", "active", "merged_into_id", "split_from_id",
    "keywords", "representative_ids", "is_new",
)
ASSIGNMENT_FIELDS = ("cluster_id", "locked", "reassigned")

MAX_REASON = 2000


def stale_message() -> str:
    return _(
        "Ce thème a été modifié par quelqu’un d’autre entre-temps : votre modification "
        "n’a pas été enregistrée. Rechargez la page pour voir la dernière version, puis "
        "recommencez."
    )


def get_operation(campaign: Campaign, operation_id: int) -> ClusterOperation:
    return lookup.get_owned(ClusterOperation, operation_id, _("Opération introuvable."),
                            campaign_id=campaign.id)


def assignment_of(contribution_id: int) -> ClusterAssignment | None:
    return db.session.scalar(
        select(ClusterAssignment).where(ClusterAssignment.contribution_id == contribution_id)
    )


def clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(_("La justification est trop longue (%(n)d caractères au plus).",
                             n=MAX_REASON))
    return reason


# ------------------------------------------------------------------ recording changes


def cluster_state(cluster: Cluster) -> dict[str, Any]:
    state = {name: getattr(cluster, name) for name in CLUSTER_FIELDS}
    state["keywords"] = list(state["keywords"] or [])
    state["representative_ids"] = list(state["representative_ids"] or [])
    return state


def assignment_state(assignment: ClusterAssignment | None) -> dict[str, Any] | None:
    if assignment is None:
        return None
    return {name: getattr(assignment, name) for name in ASSIGNMENT_FIELDS}


def secondary_member(contribution_id: int) -> ClusterSecondaryMember | None:
    """The contribution's second theme, if any (at most one: unique contribution_id)."""
    return db.session.scalar(
        select(ClusterSecondaryMember).where(
            ClusterSecondaryMember.contribution_id == contribution_id
        )
    )


def secondary_state(contribution_id: int) -> dict[str, Any] | None:
    row = secondary_member(contribution_id)
    if row is None:
        return None
    return {"cluster_id": row.cluster_id, "created_by_id": row.created_by_id,
            "created_at": row.created_at.isoformat() if row.created_at else None}


def _matches(current: dict[str, Any] | None, recorded: Any) -> bool:
    """The current state is the recorded one (on the fields recorded: older operations
    recorded fewer, and a second cluster as its bare id)."""
    if isinstance(recorded, int):
        recorded = {"cluster_id": recorded}
    if recorded is None or current is None:
        return recorded is None and current is None
    return all(current.get(name) == value for name, value in recorded.items())


class Change:
    """Collect the before-state of what an operation touches, then record the operation."""

    def __init__(self, campaign: Campaign, kind: str, actor: User | None, reason: str | None):
        self.campaign = campaign
        self.kind = kind
        self.actor = actor
        self.reason = clean_reason(reason)
        self.clusters: dict[int, Cluster] = {}
        self.before_clusters: dict[str, dict[str, Any] | None] = {}
        self.before_versions: dict[str, int] = {}
        self.before_assignments: dict[str, dict[str, Any] | None] = {}
        self.before_secondary: dict[str, dict[str, Any] | None] = {}

    def cluster(self, cluster: Cluster) -> Cluster:
        if cluster.id not in self.clusters:
            self.clusters[cluster.id] = cluster
            self.before_clusters[str(cluster.id)] = cluster_state(cluster)
            self.before_versions[str(cluster.id)] = cluster.version
        return cluster

    def new_cluster(self, cluster: Cluster) -> Cluster:
        """A cluster the operation creates: undo deletes it."""
        db.session.add(cluster)
        db.session.flush()
        self.clusters[cluster.id] = cluster
        self.before_clusters[str(cluster.id)] = None
        self.before_versions[str(cluster.id)] = 0
        return cluster

    def assignment(self, contribution_id: int) -> ClusterAssignment | None:
        assignment = assignment_of(contribution_id)
        key = str(contribution_id)
        if key not in self.before_assignments:
            self.before_assignments[key] = assignment_state(assignment)
        return assignment

    def secondary(self, contribution_id: int) -> None:
        key = str(contribution_id)
        if key not in self.before_secondary:
            self.before_secondary[key] = secondary_state(contribution_id)

    def finish(self, subject: Cluster | None, description: str, **data: Any) -> ClusterOperation:
        db.session.flush()
        refresh_sizes(self.clusters.values())
        before: dict[str, Any] = {"clusters": {}, "assignments": {}, "secondary": {},
                                  "versions": self.before_versions}
        after: dict[str, Any] = {"clusters": {}, "assignments": {}, "secondary": {},
                                 "versions": {}}
        for key, state in self.before_clusters.items():
            cluster = self.clusters[int(key)]
            now = cluster_state(cluster)
            if state is None:
                before["clusters"][key] = None
                after["clusters"][key] = now
            else:
                changed = [name for name in CLUSTER_FIELDS if state[name] != now[name]]
                before["clusters"][key] = {name: state[name] for name in changed}
                after["clusters"][key] = {name: now[name] for name in changed}
            cluster.version = cluster.version + 1
            after["versions"][key] = cluster.version
        for key, state in self.before_assignments.items():
            now = assignment_state(assignment_of(int(key)))
            if now != state:
                before["assignments"][key] = state
                after["assignments"][key] = now
        for key, state in self.before_secondary.items():
            now = secondary_state(int(key))
            if now != state:
                before["secondary"][key] = state
                after["secondary"][key] = now
        operation = ClusterOperation(
            campaign_id=self.campaign.id,
            kind=self.kind,
            cluster_id=subject.id if subject is not None else None,
            actor=self.actor,
            reason=self.reason,
            description=description[:500],
            before=before,
            after=after,
        )
        db.session.add(operation)
        audit.record(
            f"synthesis.{self.kind}", operation, actor=self.actor, campaign_id=self.campaign.id,
            reason=self.reason, clusters=sorted(int(k) for k in self.before_clusters),
            contributions=len(after["assignments"]), **data,
        )
        return operation


def refresh_sizes_of(contribution: Contribution) -> None:
    """Keep the size of the themes holding ``contribution`` true after its status changed
    (hidden, withdrawn, published again): pages and exports read ``Cluster.size``."""
    refresh_sizes(db.session.scalars(
        select(Cluster)
        .join(ClusterAssignment, ClusterAssignment.cluster_id == Cluster.id)
        .where(ClusterAssignment.contribution_id == contribution.id)
    ))


def refresh_sizes(clusters: Iterable[Cluster]) -> None:
    clusters = list(clusters)
    if not clusters:
        return
    counts = dict(
        db.session.execute(
            select(ClusterAssignment.cluster_id, func.count(ClusterAssignment.id))
            .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
            .where(
                ClusterAssignment.cluster_id.in_([c.id for c in clusters]),
                Contribution.status == ContributionStatus.PUBLISHED,
            )
            .group_by(ClusterAssignment.cluster_id)
        ).all()
    )
    for cluster in clusters:
        cluster.size = int(counts.get(cluster.id, 0))


# ------------------------------------------------------------------ undo


def undo(campaign: Campaign, operation: ClusterOperation, *,
         actor: User | None = None) -> ClusterOperation:
    """Restore what an operation changed, if nothing changed it since."""
    if operation.campaign_id != campaign.id:
        raise NotFound(_("Opération introuvable."))
    if operation.undone_at is not None:
        raise Conflict(_("Cette opération a déjà été annulée."))
    after, before = operation.after, operation.before
    # Undo is possible while what the operation changed is still as it left it (other
    # fields, and other operations on other fields, do not matter).
    clusters = {}
    for key in after.get("versions", {}):
        cluster = db.session.get(Cluster, int(key))
        expected = after.get("clusters", {}).get(key) or {}
        if cluster is None or not _matches(cluster_state(cluster), expected):
            raise Conflict(_(
                "Cette opération ne peut plus être annulée : un des thèmes concernés a été "
                "modifié depuis. Annulez d’abord les opérations plus récentes."
            ))
        clusters[key] = cluster
    for key, state in after.get("assignments", {}).items():
        if not _matches(assignment_state(assignment_of(int(key))), state):
            raise Conflict(_(
                "Cette opération ne peut plus être annulée : une des contributions concernées "
                "a changé de thème depuis."
            ))
    for key, state in after.get("secondary", {}).items():
        if not _matches(secondary_state(int(key)), state):
            raise Conflict(_(
                "Cette opération ne peut plus être annulée : un second thème a changé depuis."
            ))
    # Assignments first (a created cluster can then be emptied), then clusters.
    for key, state in before.get("assignments", {}).items():
        _restore_assignment(int(key), state)
    for key, state in before.get("secondary", {}).items():
        _restore_secondary(campaign, int(key), state)
    db.session.flush()
    for key, state in before.get("clusters", {}).items():
        cluster = clusters.pop(key) if state is None else clusters[key]
        if state is None:  # created by the operation
            _remove_created(cluster)
            continue
        for name, value in state.items():
            setattr(cluster, name, value)
    db.session.flush()
    refresh_sizes(clusters.values())
    for cluster in clusters.values():
        cluster.version += 1
    operation.undone_at = utcnow()
    operation.undone_by_id = actor.id if actor is not None else None
    audit.record("synthesis.undo", operation, actor=actor, campaign_id=campaign.id,
                 operation=operation.id, kind=operation.kind)
    db.session.flush()
    return operation


def _restore_assignment(contribution_id: int, state: dict[str, Any] | None) -> None:
    assignment = assignment_of(contribution_id)
    if state is None:  # created by the operation
        if assignment is not None:
            db.session.delete(assignment)
        return
    for name, value in state.items():
        setattr(assignment, name, value)


def _restore_secondary(campaign: Campaign, contribution_id: int, state: Any) -> None:
    if isinstance(state, int):  # recorded before the full state was
        state = {"cluster_id": state}
    existing = secondary_member(contribution_id)
    if state is None:
        if existing is not None:
            db.session.delete(existing)
        return
    if existing is None:
        existing = ClusterSecondaryMember(campaign_id=campaign.id,
                                          contribution_id=contribution_id)
        db.session.add(existing)
    existing.cluster_id = state["cluster_id"]
    if "created_by_id" in state:
        existing.created_by_id = state["created_by_id"]
    if state.get("created_at"):
        existing.created_at = datetime.fromisoformat(state["created_at"])


def _remove_created(cluster: Cluster) -> None:
    """Undo the creation of a cluster: delete it, unless a proposition's provenance names
    it (then it stays, inactive, for that history)."""
    cited = db.session.scalar(select(func.count()).select_from(ProvenanceLink)
                              .where(ProvenanceLink.cluster_id == cluster.id))
    if cited:
        cluster.active = False
        cluster.pinned = False
    else:
        db.session.delete(cluster)


def history(campaign: Campaign, *, cluster: Cluster | None = None,
            limit: int = 100) -> list[ClusterOperation]:
    """The operations on a campaign's themes (or touching one cluster), newest first."""
    query = select(ClusterOperation).where(ClusterOperation.campaign_id == campaign.id)
    operations = list(db.session.scalars(query.order_by(ClusterOperation.id.desc())
                                         .limit(limit if cluster is None else 10 * limit)))
    if cluster is not None:
        key = str(cluster.id)
        operations = [o for o in operations
                      if o.cluster_id == cluster.id or key in o.after.get("versions", {})]
    return operations[:limit]
