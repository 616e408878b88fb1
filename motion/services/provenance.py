"""Provenance: which contributions a proposition comes from, and what each contribution fed.

Links point at contributions, with a snapshot of the cluster each contribution was in
when linked (its stable id and name). Later clustering runs, merges, splits or moves only
change ``ClusterAssignment`` and ``Cluster`` rows, never these links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import ngettext
from sqlalchemy import func, select

from motion.extensions import db
from motion.models import (
    Cluster,
    ClusterAssignment,
    CollectiviteKind,
    Contribution,
    ContributionStatus,
    Motion,
    Proposition,
    ProvenanceLink,
    SizeBand,
    Support,
    User,
    Workshop,
)
from motion.services import collectivites
from motion.services.themes import queries


def _existing(proposition: Proposition) -> set[int]:
    if proposition.id is None:
        return set()
    return set(db.session.scalars(
        select(ProvenanceLink.contribution_id)
        .where(ProvenanceLink.proposition_id == proposition.id)
    ))


def link_clusters(proposition: Proposition, clusters: list[Cluster], *,
                  actor: User | None = None) -> int:
    """Link every current member of ``clusters``, with the cluster as it is now."""
    seen = _existing(proposition)
    added = 0
    for cluster in clusters:
        for contribution in queries.members(cluster):
            if contribution.id in seen:
                continue
            seen.add(contribution.id)
            db.session.add(ProvenanceLink(
                proposition=proposition, contribution_id=contribution.id, cluster_id=cluster.id,
                cluster_stable_id=cluster.stable_id, cluster_name=cluster.name,
                linked_by_id=actor.id if actor else None,
            ))
            added += 1
    db.session.flush()
    return added


def link_contributions(proposition: Proposition, contributions: list[Contribution], *,
                       actor: User | None = None) -> int:
    """Link single contributions, with the cluster each one is in now (if any)."""
    seen = _existing(proposition)
    ids = [c.id for c in contributions if c.id not in seen]
    clusters = dict(db.session.execute(
        select(ClusterAssignment.contribution_id, Cluster)
        .join(Cluster, ClusterAssignment.cluster_id == Cluster.id)
        .where(ClusterAssignment.contribution_id.in_(ids))
    ).all()) if ids else {}
    added = 0
    for contribution in contributions:
        if contribution.id in seen:
            continue
        seen.add(contribution.id)
        cluster = clusters.get(contribution.id)
        db.session.add(ProvenanceLink(
            proposition=proposition, contribution_id=contribution.id,
            cluster_id=cluster.id if cluster else None,
            cluster_stable_id=cluster.stable_id if cluster else None,
            cluster_name=cluster.name if cluster else None,
            linked_by_id=actor.id if actor else None,
        ))
        added += 1
    db.session.flush()
    return added


@dataclass
class SourceRow:
    """One contribution behind a proposition, for the provenance view."""

    link: ProvenanceLink
    contribution: Contribution
    workshop: str
    collectivite: str | None
    supports: int
    current_cluster: str | None


def sources(proposition: Proposition) -> list[SourceRow]:
    """The contributions behind ``proposition``, their workshops, collectivités and supports."""
    supports = (
        select(Support.contribution_id, func.count(Support.id).label("n"))
        .group_by(Support.contribution_id).subquery()
    )
    rows = db.session.execute(
        select(ProvenanceLink, Contribution, Workshop.name, User.collectivite,
               func.coalesce(supports.c.n, 0), Cluster.name)
        .join(Contribution, ProvenanceLink.contribution_id == Contribution.id)
        .join(Workshop, Contribution.workshop_id == Workshop.id)
        .join(User, Contribution.author_id == User.id, isouter=True)
        .join(supports, supports.c.contribution_id == Contribution.id, isouter=True)
        .join(ClusterAssignment, ClusterAssignment.contribution_id == Contribution.id,
              isouter=True)
        .join(Cluster, ClusterAssignment.cluster_id == Cluster.id, isouter=True)
        .where(ProvenanceLink.proposition_id == proposition.id)
        .order_by(ProvenanceLink.cluster_name, Contribution.id)
    ).all()
    return [
        SourceRow(link, contribution, workshop, contribution.collectivite or user_collectivite,
                  int(n), current)
        for link, contribution, workshop, user_collectivite, n, current in rows
    ]


@dataclass
class Counters:
    contributions: int
    elus: int
    collectivites: int
    unused: int
    published: int


def proposition_counters(proposition: Proposition) -> Counters:
    """How many contributions, élus and collectivités a proposition represents."""
    return _counters(ProvenanceLink.proposition_id == proposition.id,
                     proposition.motion.campaign_id, with_unused=False)


def motion_counters(motion: Motion) -> Counters:
    """What the motion represents, and how many published contributions fed nothing."""
    ids = select(Proposition.id).where(Proposition.motion_id == motion.id)
    return _counters(ProvenanceLink.proposition_id.in_(ids), motion.campaign_id, with_unused=True)


def _counters(condition, campaign_id: int, *, with_unused: bool) -> Counters:
    linked = (
        select(Contribution.id, Contribution.author_id,
               func.coalesce(Contribution.collectivite, User.collectivite).label("coll"))
        .join(ProvenanceLink, ProvenanceLink.contribution_id == Contribution.id)
        .join(User, Contribution.author_id == User.id, isouter=True)
        .where(condition, Contribution.status == ContributionStatus.PUBLISHED)
        .distinct().subquery()
    )
    n, elus, colls = db.session.execute(
        select(func.count(func.distinct(linked.c.id)),
               func.count(func.distinct(linked.c.author_id)),
               func.count(func.distinct(linked.c.coll)))
    ).one()
    published = unused = 0
    if with_unused:
        published = db.session.scalar(
            select(func.count(Contribution.id)).where(
                Contribution.campaign_id == campaign_id,
                Contribution.status == ContributionStatus.PUBLISHED)
        ) or 0
        unused = published - n
    return Counters(int(n), int(elus), int(colls), int(unused), int(published))


def propositions_fed_by(contribution: Contribution) -> list[tuple[Proposition, ProvenanceLink]]:
    """The propositions a contribution fed, with the link (and its cluster snapshot)."""
    return [tuple(r) for r in db.session.execute(
        select(Proposition, ProvenanceLink)
        .join(ProvenanceLink, ProvenanceLink.proposition_id == Proposition.id)
        .where(ProvenanceLink.contribution_id == contribution.id)
        .order_by(Proposition.id)
    ).all()]


def unused_contributions(motion: Motion, *, limit: int = 50) -> list[Contribution]:
    """A sample of published contributions that fed no proposition of the motion."""
    used = (select(ProvenanceLink.contribution_id)
            .join(Proposition, ProvenanceLink.proposition_id == Proposition.id)
            .where(Proposition.motion_id == motion.id))
    return list(db.session.scalars(
        select(Contribution).where(
            Contribution.campaign_id == motion.campaign_id,
            Contribution.status == ContributionStatus.PUBLISHED,
            Contribution.id.not_in(used),
        ).order_by(Contribution.id).limit(limit)
    ))


@dataclass
class CollectiviteSummary:
    """Who a set of propositions comes from: élus, collectivités, and how many
    collectivités of each type and size band (None: not linked to the imported list)."""

    contributions: int = 0
    elus: int = 0
    collectivites: int = 0
    by_kind: dict[CollectiviteKind | None, int] = field(default_factory=dict)
    by_size: dict[SizeBand | None, int] = field(default_factory=dict)

    def kinds_text(self) -> str:
        """"3 communes, 1 région, 1 hors de la liste": types in order, zero counts left out."""
        return ", ".join(collectivites.kind_count(k, self.by_kind[k])
                         for k in [*CollectiviteKind, None] if self.by_kind.get(k))

    def sizes_text(self) -> str:
        """"2 villages, 1 grande ville, 1 de taille inconnue"."""
        return ", ".join(collectivites.size_count(b, self.by_size[b])
                         for b in [*SizeBand, None] if self.by_size.get(b))

    def describe(self) -> str:
        """One French sentence, e.g. "5 élus de 4 collectivités : 2 villages, 1 ville…"."""
        head = (ngettext("%(num)d élu", "%(num)d élus", self.elus) + " "
                + ngettext("de %(num)d collectivité", "de %(num)d collectivités",
                           self.collectivites))
        sizes = self.sizes_text()
        return f"{head} : {sizes}" if sizes else head


def collectivite_summary(
    target: Proposition | Motion | Iterable[Proposition],
) -> CollectiviteSummary:
    """Count the élus and collectivités behind a proposition, several, or a whole motion,
    by type and size band as recorded on each contribution when it was posted."""
    if isinstance(target, Motion):
        condition = ProvenanceLink.proposition_id.in_(
            select(Proposition.id).where(Proposition.motion_id == target.id))
    elif isinstance(target, Proposition):
        condition = ProvenanceLink.proposition_id == target.id
    else:
        condition = ProvenanceLink.proposition_id.in_([p.id for p in target])
    rows = db.session.execute(
        select(Contribution.id, Contribution.author_id, Contribution.collectivite_id,
               Contribution.collectivite_kind, Contribution.collectivite_size,
               func.coalesce(Contribution.collectivite, User.collectivite))
        .join(ProvenanceLink, ProvenanceLink.contribution_id == Contribution.id)
        .join(User, Contribution.author_id == User.id, isouter=True)
        .where(condition, Contribution.status == ContributionStatus.PUBLISHED)
        .distinct()
    ).all()
    summary = CollectiviteSummary()
    contributions, authors = set(), set()
    places: dict[object, tuple[CollectiviteKind | None, SizeBand | None]] = {}
    for contribution_id, author_id, coll_id, kind, size, text in rows:
        contributions.add(contribution_id)
        if author_id is not None:
            authors.add(author_id)
        if coll_id is not None:
            places[coll_id] = (kind, size)
        elif text and text.strip():
            places.setdefault(text.strip().casefold(), (None, None))
    summary.contributions, summary.elus = len(contributions), len(authors)
    summary.collectivites = len(places)
    for kind, size in places.values():
        summary.by_kind[kind] = summary.by_kind.get(kind, 0) + 1
        summary.by_size[size] = summary.by_size.get(size, 0) + 1
    return summary
