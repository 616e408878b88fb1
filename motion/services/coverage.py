"""Coverage of the framework: contributions, themes, workshops and collectivités per
engagement and axis, so facilitators see which axis is under-covered before the plenary."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from motion.extensions import db
from motion.models import Campaign, Cluster, ClusterAssignment, Contribution, ContributionStatus


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
