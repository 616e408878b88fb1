"""Clustering a campaign's contributions into themes, and reading the result.

The work is done by ``nlp`` (a pure library); this module turns database rows into its
inputs, and its results into rows: clusters keep their stable ids across runs, and
facilitators' decisions (locked assignments, pinned clusters, names, mappings) are never
undone by a new run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from motion import jobs
from motion.errors import Conflict, InvalidInput
from motion.extensions import db
from motion.models import (
    Axis,
    Campaign,
    Cluster,
    ClusterAssignment,
    ClusteringRun,
    Contribution,
    ContributionStatus,
    Engagement,
    RunStatus,
    User,
)
from motion.services import audit, embedding, planner
from nlp import framework as nlp_framework
from nlp import pipeline as nlp_pipeline
from nlp import titles
from nlp.types import PreviousClustering

logger = logging.getLogger(__name__)

UNASSIGNED = -1


# ------------------------------------------------------------------ framework


def framework_spec(campaign: Campaign) -> nlp_framework.Framework | None:
    """The campaign's framework as the ``nlp`` library's value object."""
    framework = campaign.framework
    if framework is None or not framework.engagements:
        return None
    return nlp_framework.parse_framework(
        {
            "name": framework.name,
            "engagements": [
                {
                    "code": e.code,
                    "title": e.title,
                    "description": e.description,
                    "axes": [
                        {"code": a.code, "title": a.title, "description": a.description}
                        for a in e.axes
                    ],
                }
                for e in framework.engagements
            ],
        }
    )


# ------------------------------------------------------------------ runs


def latest_run(campaign: Campaign) -> ClusteringRun | None:
    return db.session.scalar(
        select(ClusteringRun)
        .where(ClusteringRun.campaign_id == campaign.id)
        .order_by(ClusteringRun.id.desc())
        .limit(1)
    )


def get_run(campaign: Campaign, run_id: int) -> ClusteringRun:
    return jobs.get(ClusteringRun, campaign, run_id, _("Calcul introuvable."))


#: Granularities a facilitator may ask for (target number of themes).
MIN_THEMES, MAX_THEMES = 2, 500


def request_run(
    campaign: Campaign, *, actor: User | None = None, n_themes: int | None = None
) -> ClusteringRun:
    """Create the progress record of a new run; refuse while another one is active.

    ``n_themes`` is the granularity (target number of themes), None = chosen from the data.
    """
    if n_themes is not None and not MIN_THEMES <= n_themes <= MAX_THEMES:
        raise InvalidInput(_("Le nombre de thèmes doit être compris entre %(low)d et %(high)d.",
                             low=MIN_THEMES, high=MAX_THEMES))
    if jobs.active(ClusteringRun, ClusteringRun.campaign_id == campaign.id) is not None:
        raise Conflict(_("Un calcul des thèmes est déjà en cours pour cette campagne."))
    record = ClusteringRun(
        campaign_id=campaign.id,
        requested_by=actor,
        status=RunStatus.QUEUED,
        message=_("En attente"),
        model=current_app.config["EMBEDDING_MODEL"],
        n_themes=n_themes,
    )
    db.session.add(record)
    audit.record("clustering.request", record, actor=actor, campaign_id=campaign.id)
    return record


def granularity(campaign: Campaign, choice: str | None, number: str | None) -> int | None:
    """The target number of themes the board's control asks for.

    ``choice``: empty (refresh: keep the last run's granularity), ``"auto"`` (chosen from
    the data), ``"larges"`` / ``"fins"`` (a third fewer / half more themes than the last
    run found), ``"nombre"`` (the number typed in ``number``).
    """
    last = db.session.scalar(
        select(ClusteringRun).where(
            ClusteringRun.campaign_id == campaign.id, ClusteringRun.status == RunStatus.DONE
        ).order_by(ClusteringRun.id.desc()).limit(1)
    )
    if not choice:
        return last.n_themes if last is not None else None
    if choice == "auto":
        return None
    if choice in ("larges", "fins"):
        if last is None or not last.n_clusters:
            raise InvalidInput(_("Calculez d’abord les thèmes."))
        factor = 2 / 3 if choice == "larges" else 3 / 2
        return min(MAX_THEMES, max(MIN_THEMES, round(last.n_clusters * factor)))
    if choice == "nombre":
        try:
            return int((number or "").strip())
        except ValueError:
            raise InvalidInput(_("Indiquez un nombre de thèmes.")) from None
    raise InvalidInput(_("Choix de granularité inconnu."))


def execute_run(run_id: int) -> bool:
    """Run a recorded clustering run now, in this process (see :func:`motion.jobs.execute`)."""
    return jobs.execute("cluster", run_id)


def run_job(record: ClusteringRun, progress: jobs.Progress) -> None:
    """The clustering job's work: embed, cluster and store; record what changed."""
    campaign = db.session.get(Campaign, record.campaign_id)
    progress(0.05, _("Lecture des contributions"))
    record.summary = cluster_campaign(campaign, record, progress=progress)
    audit.record(
        "clustering.run", record, actor=record.requested_by, campaign_id=campaign.id,
        clusters=record.n_clusters, contributions=record.n_contributions,
        unassigned=record.n_unassigned,
    )


# ------------------------------------------------------------------ the pipeline


def _published_contributions(campaign: Campaign) -> list[Contribution]:
    return list(
        db.session.scalars(
            select(Contribution)
            .where(
                Contribution.campaign_id == campaign.id,
                Contribution.status == ContributionStatus.PUBLISHED,
            )
            .order_by(Contribution.id)
        )
    )


def _previous_state(campaign: Campaign) -> PreviousClustering | None:
    rows = db.session.execute(
        select(ClusterAssignment.contribution_id, Cluster.stable_id, ClusterAssignment.locked)
        .join(Cluster, ClusterAssignment.cluster_id == Cluster.id, isouter=True)
        .where(ClusterAssignment.campaign_id == campaign.id)
    ).all()
    if not rows:
        return None
    keys = [str(cid) for cid, _sid, _locked in rows]
    labels = np.array([UNASSIGNED if sid is None else sid for _cid, sid, _l in rows])
    locked = {str(cid): (UNASSIGNED if sid is None else sid) for cid, sid, lk in rows if lk}
    pinned = set(
        db.session.scalars(
            select(Cluster.stable_id).where(
                Cluster.campaign_id == campaign.id, Cluster.pinned.is_(True)
            )
        )
    )
    max_id = db.session.scalar(
        select(func.max(Cluster.stable_id)).where(Cluster.campaign_id == campaign.id)
    )
    return PreviousClustering(
        keys=keys, labels=labels, locked=locked, pinned=pinned,
        next_id=(max_id if max_id is not None else -1) + 1,
    )


def _previous_granularity(campaign: Campaign, record: ClusteringRun) -> int | None:
    """The granularity of the last finished run: another one lets every text regroup."""
    return db.session.scalar(
        select(ClusteringRun.n_themes).where(
            ClusteringRun.campaign_id == campaign.id,
            ClusteringRun.status == RunStatus.DONE,
            ClusteringRun.id != record.id,
        ).order_by(ClusteringRun.id.desc()).limit(1)
    )


# Texts embedded per chunk: each chunk's vectors reach the cache (keyed by model and text
# hash) before the next one starts, and the progress record moves between chunks; a job
# retried after its worker died embeds only the chunks it had not finished. On the Redis
# queue, the chunks are also queue jobs (jobs.share_chunks): idle workers embed some while
# the run's own worker embeds the others, last first; the vectors meet in the cache.
EMBED_CHUNK = 1000


def _embed_in_chunks(embedder, texts: list[str], progress, *,
                     run_id: int | None = None) -> tuple[np.ndarray, dict]:
    """The texts' vectors, chunk by chunk with progress (0.1 to 0.5); and how many
    (distinct per chunk) the cache held and how many were embedded (and by which worker,
    when chunks are shared)."""
    size = current_app.config.get("EMBED_CHUNK") or EMBED_CHUNK
    starts = list(range(0, len(texts), size))
    share = jobs.share_chunks(
        "embed", run_id, "motion.services.clustering:embed_chunk",
        [(texts[s:s + size],) for s in starts]) if run_id is not None else None
    counts = {"cached": 0, "new": 0}
    vectors: dict[int, np.ndarray] = {}

    def report(done: int) -> None:
        progress(0.1 + 0.4 * done / len(starts),
                 f"{_('Analyse du sens des contributions')} "
                 f"({min(done * size, len(texts))}/{len(texts)})")

    for done, index in enumerate(reversed(range(len(starts))) if share else range(len(starts))):
        if share is not None and not share.claim(index):
            continue
        report(len(share.reports()) if share else done)
        vectors[index] = embedder.encode(texts[starts[index]:starts[index] + size])
        counts["cached"] += getattr(embedder, "last_hits_", 0)
        counts["new"] += getattr(embedder, "last_misses_", 0)
        if share is not None:
            share.finish(index, getattr(embedder, "last_misses_", 0))
    if share is not None:
        others = [i for i in range(len(starts)) if i not in vectors]
        share.wait(others, report)
        reports = share.reports()
        for index in others:  # from the cache (a chunk whose worker died: embedded here)
            vectors[index] = embedder.encode(texts[starts[index]:starts[index] + size])
            new = reports.get(index, getattr(embedder, "last_misses_", 0))
            counts["new"] += new
            counts["cached"] += len(vectors[index]) - new
        workers: dict[str, int] = {}
        for worker in share.claims().values():
            workers[worker] = workers.get(worker, 0) + 1
        counts["chunks_by_worker"] = workers
    return np.vstack([vectors[i] for i in range(len(starts))]), counts


def embed_chunk(run_id: int, index: int, texts: list[str]) -> int | None:
    """A chunk job of a run's embedding: embed ``texts`` into the cache unless another
    worker has claimed chunk ``index``; how many were not cached yet (None: not ours)."""
    share = jobs.chunk_share("embed", run_id)
    if not share.claim(index):
        return None
    embedder = embedding.embedder()
    embedder.encode(texts)
    misses = int(getattr(embedder, "last_misses_", 0))
    share.finish(index, misses)
    return misses


def cluster_campaign(campaign: Campaign, record: ClusteringRun, *, progress=None) -> dict:
    """Embed, cluster, label and map the campaign's published contributions; store them."""
    progress = progress or (lambda value, message: None)
    contributions = _published_contributions(campaign)
    if len(contributions) < 2:
        raise InvalidInput(
            _("Il faut au moins deux contributions publiées pour calculer des thèmes.")
        )
    texts = [c.text if not c.title else f"{c.title}. {c.text}" for c in contributions]
    keys = [str(c.id) for c in contributions]

    started = time.perf_counter()
    embedder = embedding.embedder()
    vectors, embedded = _embed_in_chunks(embedder, texts, progress, run_id=record.id)
    embed_seconds = time.perf_counter() - started

    progress(0.5, _("Regroupement en thèmes"))
    previous = _previous_state(campaign)
    if previous is not None:
        previous = replace(previous, n_themes=_previous_granularity(campaign, record))
    result = nlp_pipeline.ClusteringPipeline(random_state=0, n_themes=record.n_themes).run(
        texts, embeddings=vectors, keys=keys, previous=previous
    )

    progress(0.8, _("Rattachement au référentiel"))
    spec = framework_spec(campaign)
    mapper = nlp_framework.FrameworkMapper(embedder).fit(spec) if spec is not None else None
    summary = _store(campaign, record, contributions, vectors, result, mapper, previous)
    summary["embedded"] = embedded
    summary["seconds"] = {"embed": round(embed_seconds, 2),
                          "total": round(time.perf_counter() - started, 2)}
    return summary


@dataclass
class _Lookup:
    engagements: dict[str, Engagement] = field(default_factory=dict)
    axes: dict[tuple[str, str], Axis] = field(default_factory=dict)

    @classmethod
    def of(cls, campaign: Campaign) -> _Lookup:
        lookup = cls()
        if campaign.framework is not None:
            for engagement in campaign.framework.engagements:
                lookup.engagements[engagement.code] = engagement
                for axis in engagement.axes:
                    lookup.axes[(engagement.code, axis.code)] = axis
        return lookup

    def engagement(self, code: str | None) -> Engagement | None:
        return self.engagements.get(code) if code else None

    def axis(self, engagement_code: str | None, axis_code: str | None) -> Axis | None:
        if not engagement_code or not axis_code:
            return None
        return self.axes.get((engagement_code, axis_code))


def _store(campaign, record, contributions, vectors, result, mapper, previous) -> dict:
    lookup = _Lookup.of(campaign)
    existing = {
        c.stable_id: c
        for c in db.session.scalars(select(Cluster).where(Cluster.campaign_id == campaign.id))
    }
    result_clusters = {info.id: info for info in result.clusters}
    centroids = np.vstack([info.centroid for info in result.clusters]) if result.clusters else None
    cluster_maps = (
        mapper.map(centroids).rows if (mapper is not None and centroids is not None) else []
    )
    # A theme speaks for its members only when enough of them agree with its centroid
    # (nlp.framework.FrameworkMapper.map_clustered); otherwise they are placed one by one.
    followed = (
        mapper.map_clustered(vectors, result.labels,
                             {info.id: info.centroid for info in result.clusters}
                             ).through_cluster
        if (mapper is not None and centroids is not None) else {}
    )
    rows_by_stable: dict[int, Cluster] = {}
    for info, mapping in zip(result.clusters, cluster_maps or [None] * len(result.clusters),
                             strict=False):
        cluster = existing.get(info.id)
        if cluster is None:
            cluster = Cluster(campaign_id=campaign.id, stable_id=info.id,
                              created_run_id=record.id, is_new=True)
            db.session.add(cluster)
        else:
            cluster.is_new = False
        cluster.active = True
        cluster.updated_run_id = record.id
        cluster.size = len(info.members)
        cluster.keywords = list(info.keywords)
        cluster.representative_ids = [contributions[i].id for i in info.representatives]
        # Cohesion: mean cosine similarity of the members to their centroid.
        cluster.cohesion = float(np.mean(vectors[info.members] @ info.centroid))
        if not cluster.name_locked:
            cluster.name = _default_name(
                info.keywords, info.id, [contributions[i].text for i in info.representatives])
        if mapping is not None and not cluster.mapping_locked:
            _apply_cluster_mapping(cluster, mapping, lookup)
            cluster.mapped_per_text = not followed.get(info.id, True)
        rows_by_stable[info.id] = cluster
    for stable_id, cluster in existing.items():
        if stable_id not in result_clusters and not cluster.pinned:
            cluster.active = False
            cluster.size = 0
    db.session.flush()

    contribution_maps = mapper.map(vectors).rows if mapper is not None else [None] * len(vectors)
    assignments = {
        a.contribution_id: a
        for a in db.session.scalars(
            select(ClusterAssignment).where(ClusterAssignment.campaign_id == campaign.id)
        )
    }
    added = 0
    for i, contribution in enumerate(contributions):
        label = int(result.labels[i])
        assignment = assignments.get(contribution.id)
        if assignment is None:
            assignment = ClusterAssignment(campaign_id=campaign.id, contribution=contribution)
            db.session.add(assignment)
            assignments[contribution.id] = assignment
            added += 1
        elif assignment.locked:
            continue
        assignment.cluster = rows_by_stable.get(label) if label != UNASSIGNED else None
        assignment.confidence = float(result.confidence[i])
        assignment.reassigned = bool(result.is_outlier_reassigned[i])
        assignment.run_id = record.id
        mapping = contribution_maps[i]
        if mapping is not None:
            assignment.text_engagement = lookup.engagement(mapping.engagement)
            assignment.text_axis = lookup.axis(mapping.engagement, mapping.axis)
            assignment.text_mapping_score = float(mapping.score)
            assignment.text_out_of_frame = bool(mapping.out_of_frame)
    db.session.flush()
    planner.refresh_after_bulk_write(added, "cluster_assignments")
    # No copy of the theme's place on the assignment: a contribution in a theme sits
    # where the theme sits (a centroid is a far more reliable signal than one short text,
    # and it follows the facilitators' moves), derived when reading
    # (motion.services.themes.queries.placements).

    n_unassigned = int(np.sum(np.asarray(result.labels) == UNASSIGNED))
    record.n_contributions = len(contributions)
    record.n_clusters = len(result.clusters)
    record.n_unassigned = n_unassigned
    db.session.flush()
    record.snapshot = run_snapshot(campaign)
    previous_run = db.session.scalar(
        select(ClusteringRun.id).where(
            ClusteringRun.campaign_id == campaign.id,
            ClusteringRun.status == RunStatus.DONE,
            ClusteringRun.id != record.id,
        ).order_by(ClusteringRun.id.desc()).limit(1)
    )
    changes = result.changes
    if changes is None:
        return {"previous_run_id": previous_run, "new_contributions": 0, "new_clusters": [],
                "moved": 0, "new_per_cluster": {}}
    return {
        "previous_run_id": previous_run,
        "new_contributions": len({str(c.id) for c in contributions} - set(previous.keys)),
        "new_clusters": [rows_by_stable[i].id for i in changes.new_clusters
                         if i in rows_by_stable],
        "moved": len(changes.moved),
        "new_per_cluster": {str(rows_by_stable[sid].id): int(n)
                            for sid, n in changes.new_texts_per_cluster.items()
                            if sid in rows_by_stable},
        "dissolved": [existing[i].id for i in changes.dissolved if i in existing],
    }


def run_snapshot(campaign: Campaign) -> dict[str, int | None]:
    """Where each published contribution stands now: "contribution id" -> cluster id."""
    rows = db.session.execute(
        select(ClusterAssignment.contribution_id, ClusterAssignment.cluster_id)
        .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
        .where(
            ClusterAssignment.campaign_id == campaign.id,
            Contribution.status == ContributionStatus.PUBLISHED,
        )
    ).all()
    return {str(contribution_id): cluster_id for contribution_id, cluster_id in rows}


def _default_name(keywords, stable_id: int, texts=()) -> str:
    """A readable title from the theme's central texts (nlp.titles), else its keywords."""
    title = titles.propose_title(list(texts), list(keywords))
    if title:
        return title[:200]
    return _("Thème %(n)d", n=stable_id + 1)


def _apply_cluster_mapping(cluster: Cluster, mapping, lookup: _Lookup) -> None:
    cluster.engagement = lookup.engagement(mapping.engagement)
    cluster.axis = lookup.axis(mapping.engagement, mapping.axis)
    cluster.mapping_score = float(mapping.score)
    cluster.out_of_frame = bool(mapping.out_of_frame)
    cluster.second_engagement = lookup.engagement(mapping.second_engagement)
    cluster.second_axis = None  # the mapper reports a runner-up engagement only
    cluster.second_score = (
        float(mapping.second_score) if mapping.second_score is not None else None
    )


# ------------------------------------------------------------------ comparing runs


@dataclass
class RunComparison:
    first: ClusteringRun
    second: ClusteringRun
    moved: list[tuple[Contribution, Cluster | None, Cluster | None]]
    added: int
    removed: int
    new_clusters: list[Cluster]
    dissolved_clusters: list[Cluster]
    total_moved: int


def finished_runs(campaign: Campaign) -> list[ClusteringRun]:
    return list(db.session.scalars(
        select(ClusteringRun)
        .where(ClusteringRun.campaign_id == campaign.id, ClusteringRun.status == RunStatus.DONE)
        .order_by(ClusteringRun.id.desc())
    ))


def compare_runs(campaign: Campaign, first_id: int, second_id: int, *,
                 limit: int = 300) -> RunComparison:
    """What changed between two runs: contributions that changed cluster, clusters that
    appeared or disappeared."""
    first = get_run(campaign, first_id)
    second = get_run(campaign, second_id)
    if first.status != RunStatus.DONE or second.status != RunStatus.DONE:
        raise InvalidInput(_("Seuls des calculs terminés peuvent être comparés."))
    if first.id > second.id:
        first, second = second, first
    a, b = first.snapshot or {}, second.snapshot or {}
    if not a or not b:
        raise InvalidInput(_("Ces calculs sont antérieurs à l’historique des calculs : ils ne "
                             "peuvent pas être comparés."))
    moved_keys = sorted((k for k in a.keys() & b.keys() if a[k] != b[k]), key=int)
    clusters_a = {v for v in a.values() if v is not None}
    clusters_b = {v for v in b.values() if v is not None}
    needed = clusters_a | clusters_b
    by_id = {c.id: c for c in db.session.scalars(select(Cluster).where(Cluster.id.in_(needed)))}
    shown = [int(k) for k in moved_keys[:limit]]
    contributions = {c.id: c for c in db.session.scalars(
        select(Contribution).where(Contribution.id.in_(shown)))} if shown else {}
    moved = [(contributions[i], by_id.get(a[str(i)]) if a[str(i)] is not None else None,
              by_id.get(b[str(i)]) if b[str(i)] is not None else None)
             for i in shown if i in contributions]
    return RunComparison(
        first=first, second=second, moved=moved,
        added=len(b.keys() - a.keys()), removed=len(a.keys() - b.keys()),
        new_clusters=sorted((by_id[i] for i in clusters_b - clusters_a if i in by_id),
                            key=lambda c: c.name),
        dissolved_clusters=sorted((by_id[i] for i in clusters_a - clusters_b if i in by_id),
                                  key=lambda c: c.name),
        total_moved=len(moved_keys),
    )
