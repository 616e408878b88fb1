"""Reading the themes: the board, a theme's page, per-theme statistics, the "à classer"
list and the coverage of the framework (contributions, themes, workshops and collectivités
per engagement and axis, so facilitators see which axis is under-covered)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

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
from motion.services import clustering, lookup


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


def members(cluster: Cluster, *, secondary: bool = False,
            limit: int | None = None) -> list[Contribution]:
    """The published contributions in a cluster now (``secondary``: those attached to it
    as their second theme), oldest first (``limit``: the first ones only)."""
    link = ClusterSecondaryMember if secondary else ClusterAssignment
    return list(db.session.scalars(
        select(Contribution)
        .join(link, link.contribution_id == Contribution.id)
        .where(link.cluster_id == cluster.id,
               Contribution.status == ContributionStatus.PUBLISHED)
        .order_by(Contribution.id).limit(limit)
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


def themes_of(campaign: Campaign, contribution_ids: Iterable[int]) -> dict[int, Cluster | None]:
    """The active theme each of ``contribution_ids`` is in now (None: "à classer"); those
    no longer published in the campaign are left out."""
    ids = list(contribution_ids)
    if not ids:
        return {}
    clusters = {c.id: c for c in active_clusters(campaign)}
    return {contribution_id: clusters.get(cluster_id)
            for contribution_id, cluster_id in db.session.execute(
                select(Contribution.id, ClusterAssignment.cluster_id)
                .outerjoin(ClusterAssignment,
                           ClusterAssignment.contribution_id == Contribution.id)
                .where(Contribution.id.in_(ids), Contribution.campaign_id == campaign.id,
                       Contribution.status == ContributionStatus.PUBLISHED))}


def _published(contribution_ids: list[int]) -> list[Contribution]:
    if not contribution_ids:
        return []
    return list(db.session.scalars(
        select(Contribution).where(Contribution.id.in_(contribution_ids))
        .order_by(Contribution.id)
    ))


def _unsorted_ids(campaign: Campaign) -> list[int]:
    return [p.contribution_id for p in placements(campaign, unsorted_only=True)]


def unsorted_contributions(campaign: Campaign, *, limit: int = 200) -> list[Contribution]:
    """The "à classer" contributions: published and in no active theme, oldest first."""
    return _published(_unsorted_ids(campaign)[:limit])


def unsorted_page(campaign: Campaign, *, page: int = 1, per_page: int = 50
                  ) -> tuple[list[Contribution], int, int]:
    """One page of the "à classer" contributions (oldest first), their total and the
    number of pages; a page past the last is the last one (the page shows that one)."""
    ids = _unsorted_ids(campaign)
    pages = max(1, -(-len(ids) // per_page))
    page = min(page, pages)
    return _published(ids[(page - 1) * per_page:page * per_page]), len(ids), pages


# ------------------------------------------------------------------ where contributions sit


@dataclass(frozen=True)
class Placement:
    """Where one published contribution sits, derived from its theme.

    In an active theme, it sits where the theme sits (the theme's engagement and axis, or
    "hors cadre"); a facilitator's move of the theme moves its contributions with it.
    Without a theme ("à classer"), it keeps the engagement its author chose, if any.
    This is the only place that decides it: the board, the theme pages, the coverage,
    the motion pages, the report and the open data all read it.
    """

    contribution_id: int
    cluster_id: int | None  # its active theme; None: "à classer"
    engagement_id: int | None
    axis_id: int | None
    workshop_id: int
    collectivite: str | None

    @property
    def out_of_frame(self) -> bool:
        """In a theme placed "hors cadre"."""
        return self.cluster_id is not None and self.engagement_id is None


def axes_by_engagement(campaign: Campaign) -> dict[int, set[int]]:
    """The campaign's framework: engagement id -> its axes' ids."""
    if campaign.framework is None:
        return {}
    return {e.id: {a.id for a in e.axes} for e in campaign.framework.engagements}


def cluster_place(cluster: Cluster, axes: dict[int, set[int]]
                  ) -> tuple[int | None, int | None]:
    """A theme's (engagement id, axis id) in the campaign's framework; (None, None): "hors
    cadre" (marked so, or mapped onto something that is not in the framework)."""
    if cluster.out_of_frame or cluster.engagement_id not in axes:
        return None, None
    axis_id = cluster.axis_id if cluster.axis_id in axes[cluster.engagement_id] else None
    return cluster.engagement_id, axis_id


def placements(campaign: Campaign, *, unsorted_only: bool = False) -> list[Placement]:
    """Where every published contribution of the campaign sits, by contribution id.

    ``unsorted_only``: only the rows in no active theme are read (the same rule, applied
    by the database first: at 100,000 contributions the "à classer" page no longer
    derives the place of every other one)."""
    axes = axes_by_engagement(campaign)
    clusters = {c.id: c for c in active_clusters(campaign)}
    statement = (
        select(Contribution.id, ClusterAssignment.cluster_id, Contribution.engagement_id,
               Contribution.workshop_id, Contribution.collectivite,
               ClusterAssignment.text_engagement_id, ClusterAssignment.text_axis_id,
               ClusterAssignment.text_out_of_frame)
        .outerjoin(ClusterAssignment, ClusterAssignment.contribution_id == Contribution.id)
        .where(Contribution.campaign_id == campaign.id,
               Contribution.status == ContributionStatus.PUBLISHED)
        .order_by(Contribution.id)
    )
    if unsorted_only:
        statement = statement.where(or_(ClusterAssignment.cluster_id.is_(None),
                                        ClusterAssignment.cluster_id.not_in(list(clusters))))
    rows = db.session.execute(statement).all()
    result = []
    for (contribution_id, cluster_id, chosen, workshop_id, collectivite,
         own_engagement, own_axis, own_out_of_frame) in rows:
        cluster = clusters.get(cluster_id)
        if cluster is not None and cluster.mapped_per_text:
            # A theme spanning engagements: the member sits where its own text maps.
            engagement_id, axis_id = (None, None) if own_out_of_frame else (
                own_engagement if own_engagement in axes else None,
                own_axis if own_engagement in axes and own_axis in axes[own_engagement]
                else None)
        elif cluster is not None:
            engagement_id, axis_id = cluster_place(cluster, axes)
        else:
            engagement_id, axis_id = (chosen if chosen in axes else None), None
        result.append(Placement(contribution_id, cluster.id if cluster else None,
                                engagement_id, axis_id, workshop_id, collectivite))
    return result


def theme_sizes(rows: Iterable[Placement]) -> Counter[int]:
    """Published contributions per active theme."""
    return Counter(p.cluster_id for p in rows if p.cluster_id is not None)


# ------------------------------------------------------------------ board and theme page


@dataclass
class BoardItem:
    cluster: Cluster
    representatives: list[Contribution]
    size: int = 0  # published contributions in it now


@dataclass
class AxisSection:
    axis: Axis
    clusters: list[BoardItem] = field(default_factory=list)
    more: int = 0  # its smaller themes, folded away (listed on the shelf page)

    @property
    def key(self) -> str:
        return f"a{self.axis.id}"


@dataclass
class EngagementSection:
    engagement: Engagement
    axes: list[AxisSection] = field(default_factory=list)
    clusters: list[BoardItem] = field(default_factory=list)  # no axis chosen
    more: int = 0  # themes without an axis, folded away

    @property
    def key(self) -> str:
        return f"e{self.engagement.id}"

    @property
    def count(self) -> int:
        return (len(self.clusters) + self.more
                + sum(len(a.clusters) + a.more for a in self.axes))


@dataclass
class Board:
    engagements: list[EngagementSection]
    out_of_frame: list[BoardItem]
    unassigned: list[Contribution]
    unassigned_count: int
    has_clusters: bool
    # Themes whose ideas are placed one by one (Cluster.mapped_per_text): shown apart, so
    # that an engagement's section holds exactly the ideas that count in it.
    spanning: list[BoardItem] = field(default_factory=list)
    out_of_frame_more: int = 0
    spanning_more: int = 0
    folded: bool = False  # some shelves show only their largest themes


# Representatives per card on the board (text cut at 160 characters): 3, fewer when there
# are many cards, so that the board shows about BOARD_REPRESENTATIVE_BUDGET of them in all.
BOARD_REPRESENTATIVES = 3
BOARD_REPRESENTATIVE_BUDGET = 160
# Cards on the board (the page budget of 300 kB at 100,000 contributions and 300-400
# themes): up to BOARD_CARDS every theme has its card; beyond, each shelf (an axis, an
# engagement without axis, "à cheval", "hors cadre") shows its largest themes, as many
# per shelf as keeps the board within BOARD_CARDS, and links to the others (``shelf``).
BOARD_CARDS = 48
SPANNING, OUT_OF_FRAME = "a-cheval", "hors-cadre"


def _shelf_size(shelves: list[list[BoardItem]], cards: int) -> int | None:
    """The most themes a shelf shows (at least one) so that all of them show at most
    ``cards``; None when every theme fits."""
    if sum(len(s) for s in shelves) <= cards:
        return None
    size = 1
    while sum(min(len(s), size + 1) for s in shelves) <= cards:
        size += 1
    return size


def board(campaign: Campaign, *, unassigned_sample: int = 20,
          cards: int | None = None, representatives: bool = True) -> Board:
    """The clusters grouped by engagement and axis, then out of frame, then unsorted,
    largest first (``cards``: fold the shelves so that the board shows at most that many
    themes, see BOARD_CARDS; None: every theme, for the motion's and the API's lists)."""
    rows = placements(campaign)
    sizes = theme_sizes(rows)
    clusters = sorted(active_clusters(campaign), key=lambda c: (-sizes[c.id], c.id))
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
    axes = axes_by_engagement(campaign)
    out_of_frame, spanning = [], []
    for cluster in clusters:
        item = BoardItem(cluster, [], sizes[cluster.id])
        engagement_id, axis_id = cluster_place(cluster, axes)
        if cluster.mapped_per_text:
            spanning.append(item)
        elif engagement_id is None:
            out_of_frame.append(item)
        elif axis_id is not None:
            by_axis[axis_id].clusters.append(item)
        else:
            by_engagement[engagement_id].clusters.append(item)
    unsorted = [p.contribution_id for p in rows if p.cluster_id is None]
    result = Board(sections, out_of_frame, _published(unsorted[:unassigned_sample]),
                   len(unsorted), bool(clusters), spanning)
    holders = [*by_axis.values(), *by_engagement.values()]
    size = _shelf_size([h.clusters for h in holders] + [spanning, out_of_frame],
                       cards) if cards else None
    if size is not None:
        result.folded = True
        for holder in holders:
            holder.more = max(0, len(holder.clusters) - size)
            holder.clusters = holder.clusters[:size]
        result.spanning_more = max(0, len(spanning) - size)
        result.out_of_frame_more = max(0, len(out_of_frame) - size)
        result.spanning, result.out_of_frame = spanning[:size], out_of_frame[:size]
    shown = [*result.spanning, *result.out_of_frame,
             *(i for h in holders for i in h.clusters)]
    if representatives:
        _add_representatives(shown)
    return result


def _add_representatives(items: list[BoardItem]) -> None:
    """Give the cards ``items`` their representative contributions (published ones)."""
    per_card = min(BOARD_REPRESENTATIVES,
                   max(1, BOARD_REPRESENTATIVE_BUDGET // max(1, len(items))))
    rep_ids = {i for item in items for i in item.cluster.representative_ids}
    reps = {
        c.id: c
        for c in db.session.scalars(
            select(Contribution).where(
                Contribution.id.in_(rep_ids),
                Contribution.status == ContributionStatus.PUBLISHED,
            )
        )
    } if rep_ids else {}
    for item in items:
        item.representatives = [reps[i] for i in item.cluster.representative_ids
                                if i in reps][:per_card]


@dataclass
class Shelf:
    """One page of the themes of a shelf of the board, largest first."""

    key: str
    title: str
    items: list[BoardItem]
    total: int
    page: int = 1
    pages: int = 1


def shelf(campaign: Campaign, key: str, *, page: int = 1, per_page: int = 20) -> Shelf:
    """The themes of one shelf of the board (``key``: "a<axis id>", "e<engagement id>"
    for its themes without axis, "a-cheval" or "hors-cadre"), a page at a time (a page
    past the last is the last one); an unknown shelf is a 404."""
    full = board(campaign, unassigned_sample=0, representatives=False)
    found = None
    if key == SPANNING:
        found = (_("Thèmes à cheval sur plusieurs engagements"), full.spanning)
    elif key == OUT_OF_FRAME:
        found = (_("Hors cadre"), full.out_of_frame)
    for section in full.engagements:
        engagement = section.engagement
        if key == section.key:
            title = f"{engagement.code} — {engagement.title}"
            if section.axes:
                title = f"{title} : {_('Sans axe précis')}"
            found = (title, section.clusters)
        for axis_section in section.axes:
            if key == axis_section.key:
                axis = axis_section.axis
                found = (f"{axis.code} — {axis.title}", axis_section.clusters)
    if found is None:
        raise NotFound(_("Ce groupe de thèmes n’existe pas."))
    title, items = found
    pages = max(1, -(-len(items) // per_page))
    page = min(page, pages)
    chosen = items[(page - 1) * per_page:page * per_page]
    _add_representatives(chosen)
    return Shelf(key, title, chosen, len(items), page, pages)


@dataclass
class ClusterDetail:
    cluster: Cluster
    rows: list[tuple[ClusterAssignment, Contribution]]  # this page's, least confident first
    workshops: list[str]
    total: int = 0  # published contributions in the cluster
    collectivites: list[str] = field(default_factory=list)
    page: int = 1
    pages: int = 1


def cluster_detail(campaign: Campaign, cluster_id: int, *, page: int = 1,
                   per_page: int | None = None) -> ClusterDetail:
    """A cluster with its published contributions, least confident first (``per_page``:
    one page of them, the last one for a page past it; the workshops, collectivités and
    total cover them all)."""
    cluster = lookup.get_owned(Cluster, cluster_id, _("Thème introuvable."),
                               campaign_id=campaign.id)
    in_cluster = (ClusterAssignment.cluster_id == cluster.id,
                  Contribution.status == ContributionStatus.PUBLISHED)
    statement = (
        select(ClusterAssignment, Contribution)
        .join(Contribution, ClusterAssignment.contribution_id == Contribution.id)
        .where(*in_cluster)
        .order_by(ClusterAssignment.confidence, Contribution.id)
    )
    total = db.session.scalar(
        select(func.count()).select_from(ClusterAssignment)
        .join(Contribution, ClusterAssignment.contribution_id == Contribution.id)
        .where(*in_cluster)
    ) or 0
    pages = max(1, -(-total // per_page)) if per_page else 1
    page = min(page, pages)
    if per_page:
        statement = statement.offset((page - 1) * per_page).limit(per_page)
    rows = db.session.execute(statement).all()
    workshops, collectivites = set(), set()
    for workshop, collectivite in db.session.execute(
        select(Workshop.name, Contribution.collectivite)
        .join(Contribution, Contribution.workshop_id == Workshop.id)
        .join(ClusterAssignment, ClusterAssignment.contribution_id == Contribution.id)
        .where(*in_cluster).distinct()
    ):
        workshops.add(workshop)
        if collectivite:
            collectivites.add(collectivite)
    return ClusterDetail(cluster, [tuple(r) for r in rows], sorted(workshops), total,
                         sorted(collectivites), page, pages)


# ------------------------------------------------------------------ coverage


@dataclass
class CoverageRow:
    key: str  # "e:ID", "a:ID", "none:ID" (engagement without axis), "out", "unsorted"
    code: str
    title: str
    level: str  # "engagement", "axis" or "other"
    contributions: int = 0
    clusters: int = 0
    workshops: int = 0
    collectivites: int = 0
    share: float = 0.0  # of the largest row, for the chart: every bar on one scale

    @property
    def axis_id(self) -> int | None:
        """The axis of an axis row ("a:ID"); None for every other row."""
        return int(self.key[2:]) if self.key.startswith("a:") else None


@dataclass
class _Counter:
    contributions: set[int] = field(default_factory=set)
    clusters: set[int] = field(default_factory=set)
    workshops: set[int] = field(default_factory=set)
    collectivites: set[str] = field(default_factory=set)

    def add(self, placement: Placement) -> None:
        self.contributions.add(placement.contribution_id)
        if placement.cluster_id is not None:
            self.clusters.add(placement.cluster_id)
        self.workshops.add(placement.workshop_id)
        if placement.collectivite:
            self.collectivites.add(placement.collectivite.strip().casefold())


def coverage(campaign: Campaign, rows: Iterable[Placement] | None = None) -> list[CoverageRow]:
    """One row per engagement, then its axes, then "hors cadre" and "à classer".

    The engagement and axis rows count the contributions of the themes placed there;
    "à classer" counts the contributions without a theme (whatever their author chose).
    """
    counters: dict[str, _Counter] = defaultdict(_Counter)
    for placement in placements(campaign) if rows is None else rows:
        if placement.cluster_id is None:
            counters["unsorted"].add(placement)
        elif placement.engagement_id is None:
            counters["out"].add(placement)
        else:
            counters[f"e:{placement.engagement_id}"].add(placement)
            counters[f"a:{placement.axis_id}" if placement.axis_id
                     else f"none:{placement.engagement_id}"].add(placement)

    result: list[CoverageRow] = []

    def row(key, code, title, level):
        counter = counters.get(key, _Counter())
        result.append(CoverageRow(key, code, title, level, len(counter.contributions),
                                  len(counter.clusters), len(counter.workshops),
                                  len(counter.collectivites)))

    if campaign.framework is not None:
        for engagement in campaign.framework.engagements:
            row(f"e:{engagement.id}", engagement.code, engagement.title, "engagement")
            for axis in engagement.axes:
                row(f"a:{axis.id}", axis.code, axis.title, "axis")
            if f"none:{engagement.id}" in counters and engagement.axes:
                row(f"none:{engagement.id}", engagement.code, _("Sans axe précis"), "axis")
    row("out", "—", _("Hors cadre"), "other")
    row("unsorted", "—", _("À classer"), "other")
    # One scale for every bar: "à classer" with 2 contributions is not drawn as long as
    # an engagement's 659 (each level once had its own scale).
    top = max((r.contributions for r in result), default=0)
    for r in result:
        r.share = r.contributions / top if top else 0.0
    return result
