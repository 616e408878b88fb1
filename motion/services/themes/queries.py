"""Reading the themes: the board, a theme's page, per-theme statistics, the "à classer"
list and the coverage of the framework (contributions, themes, workshops and collectivités
per engagement and axis, so facilitators see which axis is under-covered)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from motion.errors import NotFound
from motion.extensions import db
from motion.models import (
    Axis,
    Campaign,
    Cluster,
    ClusterAssignment,
    ClusterSecondaryMember,
    Contribution,
    ContributionStatus,
    Engagement,
    RunStatus,
    Support,
    Workshop,
)
from motion.services import clustering


@dataclass
class ClusterStats:
    supports: int = 0
    workshops: list[str] = field(default_factory=list)
    collectivites: list[str] = field(default_factory=list)
    new_contributions: int = 0


def cluster_stats(campaign: Campaign) -> dict[int, ClusterStats]:
    """Per active cluster: supports, workshops and collectivités represented."""
    stats: dict[int, ClusterStats] = defaultdict(ClusterStats)
    published = (Contribution.status == ContributionStatus.PUBLISHED)
    for cluster_id, count in db.session.execute(
        select(ClusterAssignment.cluster_id, func.count(Support.id))
        .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
        .join(Support, Support.contribution_id == Contribution.id)
        .where(ClusterAssignment.campaign_id == campaign.id,
               ClusterAssignment.cluster_id.is_not(None), published)
        .group_by(ClusterAssignment.cluster_id)
    ):
        stats[cluster_id].supports = int(count)
    workshops: dict[int, set[str]] = defaultdict(set)
    collectivites: dict[int, set[str]] = defaultdict(set)
    for cluster_id, workshop, collectivite in db.session.execute(
        select(ClusterAssignment.cluster_id, Workshop.name, Contribution.collectivite)
        .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
        .join(Workshop, Workshop.id == Contribution.workshop_id)
        .where(ClusterAssignment.campaign_id == campaign.id,
               ClusterAssignment.cluster_id.is_not(None), published)
        .distinct()
    ):
        workshops[cluster_id].add(workshop)
        if collectivite:
            collectivites[cluster_id].add(collectivite)
    for cluster_id, names in workshops.items():
        stats[cluster_id].workshops = sorted(names)
        stats[cluster_id].collectivites = sorted(collectivites.get(cluster_id, ()))
    run = clustering.latest_run(campaign)
    if run is not None and run.status == RunStatus.DONE and run.summary:
        for cluster_id, count in (run.summary.get("new_per_cluster") or {}).items():
            stats[int(cluster_id)].new_contributions = int(count)
    return dict(stats)


def active_clusters(campaign: Campaign) -> list[Cluster]:
    return list(db.session.scalars(
        select(Cluster)
        .where(Cluster.campaign_id == campaign.id, Cluster.active.is_(True))
        .order_by(Cluster.name, Cluster.id)
    ))


def secondary_members(cluster: Cluster) -> list[Contribution]:
    return list(db.session.scalars(
        select(Contribution)
        .join(ClusterSecondaryMember, ClusterSecondaryMember.contribution_id == Contribution.id)
        .where(ClusterSecondaryMember.cluster_id == cluster.id,
               Contribution.status == ContributionStatus.PUBLISHED)
        .order_by(Contribution.id)
    ))


def secondary_of(contribution_ids: Iterable[int]) -> dict[int, Cluster]:
    ids = list(contribution_ids)
    if not ids:
        return {}
    return {
        row.contribution_id: row.cluster
        for row in db.session.scalars(
            select(ClusterSecondaryMember).where(
                ClusterSecondaryMember.contribution_id.in_(ids)
            )
        )
    }


def unassigned_rows(campaign: Campaign, *, limit: int = 200
                    ) -> list[tuple[ClusterAssignment, Contribution]]:
    """The "à classer" contributions, with their assignment row."""
    return [tuple(r) for r in db.session.execute(
        select(ClusterAssignment, Contribution)
        .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
        .where(ClusterAssignment.campaign_id == campaign.id,
               ClusterAssignment.cluster_id.is_(None),
               Contribution.status == ContributionStatus.PUBLISHED)
        .order_by(Contribution.id)
        .limit(limit)
    ).all()]


# ------------------------------------------------------------------ board and theme page



@dataclass
class BoardItem:
    cluster: Cluster
    representatives: list[Contribution]


@dataclass
class AxisSection:
    axis: Axis
    clusters: list[BoardItem] = field(default_factory=list)


@dataclass
class EngagementSection:
    engagement: Engagement
    axes: list[AxisSection] = field(default_factory=list)
    clusters: list[BoardItem] = field(default_factory=list)  # no axis chosen

    @property
    def count(self) -> int:
        return len(self.clusters) + sum(len(a.clusters) for a in self.axes)


@dataclass
class Board:
    engagements: list[EngagementSection]
    out_of_frame: list[BoardItem]
    unassigned: list[Contribution]
    unassigned_count: int
    has_clusters: bool


def board(campaign: Campaign, *, unassigned_sample: int = 20) -> Board:
    """The clusters grouped by engagement and axis, then out of frame, then unsorted."""
    clusters = list(
        db.session.scalars(
            select(Cluster)
            .where(Cluster.campaign_id == campaign.id, Cluster.active.is_(True))
            .order_by(Cluster.size.desc(), Cluster.id)
        )
    )
    rep_ids = {i for c in clusters for i in c.representative_ids}
    reps = {
        c.id: c
        for c in db.session.scalars(
            select(Contribution).where(
                Contribution.id.in_(rep_ids),
                Contribution.status == ContributionStatus.PUBLISHED,
            )
        )
    } if rep_ids else {}
    sections = []
    by_engagement: dict[int, EngagementSection] = {}
    by_axis: dict[int, AxisSection] = {}
    if campaign.framework is not None:
        for engagement in campaign.framework.engagements:
            section = EngagementSection(engagement)
            for axis in engagement.axes:
                by_axis[axis.id] = AxisSection(axis)
                section.axes.append(by_axis[axis.id])
            by_engagement[engagement.id] = section
            sections.append(section)
    out_of_frame = []
    for cluster in clusters:
        item = BoardItem(cluster, [reps[i] for i in cluster.representative_ids if i in reps][:5])
        if cluster.out_of_frame or cluster.engagement_id not in by_engagement:
            out_of_frame.append(item)
        elif cluster.axis_id in by_axis:
            by_axis[cluster.axis_id].clusters.append(item)
        else:
            by_engagement[cluster.engagement_id].clusters.append(item)
    unassigned_query = (
        select(Contribution)
        .join(ClusterAssignment, ClusterAssignment.contribution_id == Contribution.id)
        .where(
            ClusterAssignment.campaign_id == campaign.id,
            ClusterAssignment.cluster_id.is_(None),
            Contribution.status == ContributionStatus.PUBLISHED,
        )
    )
    unassigned_count = db.session.scalar(
        select(func.count()).select_from(unassigned_query.subquery())
    )
    unassigned = list(db.session.scalars(unassigned_query.order_by(Contribution.id)
                                         .limit(unassigned_sample)))
    return Board(sections, out_of_frame, unassigned, unassigned_count or 0, bool(clusters))


@dataclass
class ClusterDetail:
    cluster: Cluster
    rows: list[tuple[ClusterAssignment, Contribution]]
    workshops: list[str]


def cluster_detail(campaign: Campaign, cluster_id: int) -> ClusterDetail:
    """A cluster with all its published contributions, least confident first."""
    cluster = db.session.get(Cluster, cluster_id)
    if cluster is None or cluster.campaign_id != campaign.id:
        raise NotFound(_("Thème introuvable."))
    rows = db.session.execute(
        select(ClusterAssignment, Contribution)
        .join(Contribution, ClusterAssignment.contribution_id == Contribution.id)
        .where(
            ClusterAssignment.cluster_id == cluster.id,
            Contribution.status == ContributionStatus.PUBLISHED,
        )
        .order_by(ClusterAssignment.confidence, Contribution.id)
    ).all()
    workshops = sorted({c.workshop.name for _a, c in rows})
    return ClusterDetail(cluster, [tuple(r) for r in rows], workshops)


# ------------------------------------------------------------------ coverage


@dataclass
class CoverageRow:
    key: str  # "e:ID", "a:ID", "none" (engagement without axis), "out", "unsorted"
    code: str
    title: str
    level: str  # "engagement", "axis" or "other"
    contributions: int = 0
    clusters: int = 0
    workshops: int = 0
    collectivites: int = 0
    share: float = 0.0  # of the largest row of the same level, for the chart


@dataclass
class _Counter:
    contributions: set[int] = field(default_factory=set)
    clusters: set[int] = field(default_factory=set)
    workshops: set[int] = field(default_factory=set)
    collectivites: set[str] = field(default_factory=set)

    def add(self, contribution_id, cluster_id, workshop_id, collectivite) -> None:
        self.contributions.add(contribution_id)
        if cluster_id is not None:
            self.clusters.add(cluster_id)
        self.workshops.add(workshop_id)
        if collectivite:
            self.collectivites.add(collectivite.strip().casefold())


def coverage(campaign: Campaign) -> list[CoverageRow]:
    """One row per engagement, then its axes, then "hors cadre" and "à classer"."""
    counters: dict[str, _Counter] = defaultdict(_Counter)
    rows = db.session.execute(
        select(Cluster.id, Cluster.engagement_id, Cluster.axis_id, Cluster.out_of_frame,
               Contribution.id, Contribution.workshop_id, Contribution.collectivite)
        .select_from(ClusterAssignment)
        .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
        .join(Cluster, Cluster.id == ClusterAssignment.cluster_id, isouter=True)
        .where(ClusterAssignment.campaign_id == campaign.id,
               Contribution.status == ContributionStatus.PUBLISHED)
    ).all()
    engagement_ids = set()
    if campaign.framework is not None:
        engagement_ids = {e.id for e in campaign.framework.engagements}
    for cluster_id, engagement_id, axis_id, out_of_frame, cid, workshop_id, coll in rows:
        if cluster_id is None:
            counters["unsorted"].add(cid, None, workshop_id, coll)
            continue
        if out_of_frame or engagement_id not in engagement_ids:
            counters["out"].add(cid, cluster_id, workshop_id, coll)
            continue
        counters[f"e:{engagement_id}"].add(cid, cluster_id, workshop_id, coll)
        counters[f"a:{axis_id}" if axis_id else f"none:{engagement_id}"].add(
            cid, cluster_id, workshop_id, coll)

    result: list[CoverageRow] = []

    def row(key, code, title, level):
        counter = counters.get(key, _Counter())
        item = CoverageRow(key, code, title, level, len(counter.contributions),
                           len(counter.clusters), len(counter.workshops),
                           len(counter.collectivites))
        result.append(item)
        return item

    if campaign.framework is not None:
        for engagement in campaign.framework.engagements:
            row(f"e:{engagement.id}", engagement.code, engagement.title, "engagement")
            for axis in engagement.axes:
                row(f"a:{axis.id}", axis.code, axis.title, "axis")
            if f"none:{engagement.id}" in counters and engagement.axes:
                row(f"none:{engagement.id}", engagement.code, _("Sans axe précis"), "axis")
    row("out", "—", _("Hors cadre"), "other")
    row("unsorted", "—", _("À classer"), "other")
    for level in ("engagement", "axis", "other"):
        top = max((r.contributions for r in result if r.level == level), default=0)
        for r in result:
            if r.level == level and top:
                r.share = r.contributions / top
    return result
