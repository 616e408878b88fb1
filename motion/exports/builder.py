"""Read the database once into the plain values the renderers take.

Only published contributions are ever read: hidden and withdrawn ones, and everything
they would reveal (texts, ids among a proposition's sources or a theme's representatives),
stay out of every export.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import func, select

from motion.exports.document import (
    CoverageRow,
    FollowUpEntry,
    MotionDocument,
    PropositionEntry,
    ReportCluster,
    Section,
    SourceEntry,
    SynthesisReport,
    VoteResult,
)
from motion.exports.opendata import (
    DEFAULT_LICENCE,
    OpenCluster,
    OpenContribution,
    OpenDataSet,
    licence_for,
)
from motion.extensions import db
from motion.models import (
    Axis,
    Campaign,
    Cluster,
    Contribution,
    ContributionStatus,
    Engagement,
    ExportSettings,
    PhaseKind,
    Support,
    User,
    Workshop,
)
from motion.models._types import utcnow
from motion.models.motions import Motion, MotionSection, Proposition, ProvenanceLink
from motion.services import collectivite_coverage, followup, provenance
from motion.services.themes import queries

REPORT_REPRESENTATIVES = 3


def _in_french(build):
    """Build a document in French whatever the reader's interface language: the sentences
    the services write with gettext (collectivités by size and type, follow-up statuses,
    continuations) go into a text filed in French."""
    @functools.wraps(build)
    def in_french(*args, **kwargs):
        with force_locale("fr"):
            return build(*args, **kwargs)
    return in_french


def _zone(campaign: Campaign) -> ZoneInfo:
    try:
        return ZoneInfo(campaign.timezone or "Europe/Paris")
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Paris")


def _local_date(value: datetime | None, zone: ZoneInfo) -> date | None:
    return value.astimezone(zone).date() if value is not None else None


def _supports(campaign: Campaign) -> dict[int, int]:
    return dict(db.session.execute(
        select(Support.contribution_id, func.count(Support.id))
        .join(Contribution, Support.contribution_id == Contribution.id)
        .where(Contribution.campaign_id == campaign.id)
        .group_by(Support.contribution_id)
    ).all())


# ------------------------------------------------------------------ the motion


@_in_french
def build_motion_document(campaign: Campaign, *, now: datetime | None = None,
                          supports: dict[int, int] | None = None) -> MotionDocument | None:
    """The campaign's motion as the renderers take it (None while there is no motion)."""
    motion = db.session.scalar(select(Motion).where(Motion.campaign_id == campaign.id))
    if motion is None:
        return None
    zone = _zone(campaign)
    supports = _supports(campaign) if supports is None else supports
    sections = list(db.session.scalars(
        select(MotionSection).where(MotionSection.motion_id == motion.id)
        .order_by(MotionSection.position, MotionSection.id)
    ))
    propositions = list(db.session.scalars(
        select(Proposition).where(Proposition.motion_id == motion.id)
        .order_by(Proposition.position, Proposition.id)
    ))
    engagements = {
        e.id: e for e in db.session.scalars(
            select(Engagement).where(Engagement.id.in_(
                [s.engagement_id for s in sections if s.engagement_id is not None] or [-1])))
    }
    show_authors = bool(campaign.publish_author_names)
    rows = db.session.execute(
        select(ProvenanceLink.proposition_id, ProvenanceLink.cluster_id,
               ProvenanceLink.cluster_name, Contribution.id, Contribution.text,
               Contribution.title, Contribution.collectivite, Workshop.name,
               User.display_name)
        .join(Contribution, ProvenanceLink.contribution_id == Contribution.id)
        .join(Workshop, Contribution.workshop_id == Workshop.id)
        .outerjoin(User, Contribution.author_id == User.id)
        .join(Proposition, ProvenanceLink.proposition_id == Proposition.id)
        .where(Proposition.motion_id == motion.id,
               Contribution.status == ContributionStatus.PUBLISHED)
        .order_by(ProvenanceLink.proposition_id, Contribution.id)
    ).all()
    sources: dict[int, list[SourceEntry]] = defaultdict(list)
    cluster_ids: dict[int, list[int]] = defaultdict(list)
    for prop_id, cluster_id, cluster_name, cid, text, title, collectivite, workshop, author \
            in rows:
        body = f"{title}. {text}" if title else text
        sources[prop_id].append(SourceEntry(
            contribution_id=cid, text=body, workshop=workshop, collectivite=collectivite,
            author=author if show_authors else None, supports=supports.get(cid, 0),
            cluster=cluster_name,
        ))
        if cluster_id is not None and cluster_id not in cluster_ids[prop_id]:
            cluster_ids[prop_id].append(cluster_id)

    followups = {
        pid: FollowUpEntry(f.status.value, str(f.status_label), f.last_note, f.last_note_on,
                           f.links)
        for pid, f in followup.summaries(campaign, [p.id for p in propositions]).items()
    }
    continuations = followup.continuation_labels([p.id for p in propositions])
    by_section: dict[int, list[Proposition]] = defaultdict(list)
    for proposition in propositions:
        by_section[proposition.section_id].append(proposition)
    out_sections = []
    for index, section in enumerate(sections, start=1):
        engagement = engagements.get(section.engagement_id)
        entries = []
        for position, p in enumerate(by_section.get(section.id, []), start=1):
            vote = None
            if p.result_for is not None:
                vote = VoteResult(p.result_for or 0, p.result_against or 0,
                                  p.result_abstain or 0)
            entries.append(PropositionEntry(
                id=p.id, number=f"{index}.{position}", title=p.title, text=p.text,
                sources=tuple(sources.get(p.id, ())),
                cluster_ids=tuple(cluster_ids.get(p.id, ())), vote=vote,
                collectivite_profile=_collectivites_line(p),
                followup=followups.get(p.id), continues=continuations.get(p.id),
            ))
        out_sections.append(Section(
            code=engagement.code if engagement else "",
            title=engagement.title if engagement else section.title,
            propositions=tuple(entries),
        ))
    plenary = next((p for p in campaign.phases if p.kind == PhaseKind.PLENARY), None)
    return MotionDocument(
        campaign_slug=campaign.slug,
        congress=campaign.title,
        title=motion.title,
        preamble=motion.preamble or "",
        sections=tuple(out_sections),
        place=campaign.place,
        congress_date=_local_date(plenary.starts_at, zone) if plenary else None,
        adopted_on=_local_date(motion.adopted_at, zone) if motion.is_adopted else None,
        publish_author_names=show_authors,
        generated_at=(now or utcnow()).astimezone(zone),
    )


# ------------------------------------------------------------------ contributions


@dataclass(frozen=True)
class _Row:
    id: int
    title: str | None
    text: str
    workshop: str
    collectivite: str | None
    created_at: datetime
    place: queries.Placement


def _published_rows(campaign: Campaign, places: list[queries.Placement]) -> list[_Row]:
    by_id = {p.contribution_id: p for p in places}
    rows = db.session.execute(
        select(Contribution.id, Contribution.title, Contribution.text, Workshop.name,
               Contribution.collectivite, Contribution.created_at)
        .join(Workshop, Contribution.workshop_id == Workshop.id)
        .where(Contribution.campaign_id == campaign.id,
               Contribution.status == ContributionStatus.PUBLISHED)
        .order_by(Contribution.id)
    ).all()
    # Where each one sits comes from the one read model the pages use.
    return [_Row(*r, place=by_id[r[0]]) for r in rows if r[0] in by_id]


def _codes(campaign: Campaign) -> tuple[dict[int, Engagement], dict[int, Axis]]:
    if campaign.framework_id is None:
        return {}, {}
    engagements = {e.id: e for e in db.session.scalars(
        select(Engagement).where(Engagement.framework_id == campaign.framework_id)
        .order_by(Engagement.position))}
    axes = {a.id: a for a in db.session.scalars(
        select(Axis).where(Axis.engagement_id.in_(list(engagements) or [-1])))}
    return engagements, axes


def _active_clusters(campaign: Campaign, places: list[queries.Placement]) -> list[Cluster]:
    sizes = queries.theme_sizes(places)
    return sorted(queries.active_clusters(campaign), key=lambda c: (-sizes[c.id], c.id))


def _code(items: dict[int, Engagement] | dict[int, Axis], item_id: int | None) -> str | None:
    return items[item_id].code if item_id in items else None


def licence_code(campaign: Campaign) -> str:
    settings = db.session.get(ExportSettings, campaign.id)
    return settings.licence if settings is not None else DEFAULT_LICENCE


@_in_french
def build_opendata(campaign: Campaign, *, now: datetime | None = None,
                   with_motion: bool = True) -> OpenDataSet:
    """Published contributions, active themes and the motion with provenance ids."""
    zone = _zone(campaign)
    now = now or utcnow()
    places = queries.placements(campaign)
    rows = _published_rows(campaign, places)
    supports = _supports(campaign)
    engagements, axes = _codes(campaign)
    clusters = _active_clusters(campaign, places)
    names = {c.id: c.name for c in clusters}
    published = {r.id for r in rows}
    sizes = queries.theme_sizes(places)
    framework_axes = queries.axes_by_engagement(campaign)
    contributions = tuple(
        OpenContribution(
            id=r.id, title=r.title, text=r.text, workshop=r.workshop,
            engagement=_code(engagements, r.place.engagement_id),
            axis=_code(axes, r.place.axis_id),
            cluster=r.place.cluster_id,
            cluster_name=names.get(r.place.cluster_id),
            supports=supports.get(r.id, 0),
            date=r.created_at.astimezone(zone).date().isoformat(),
            collectivite=r.collectivite,
        )
        for r in rows
    )
    open_clusters = []
    for c in clusters:
        engagement_id, axis_id = queries.cluster_place(c, framework_axes)
        open_clusters.append(OpenCluster(
            id=c.id, name=c.name, size=sizes.get(c.id, 0), keywords=tuple(c.keywords or ()),
            engagement=_code(engagements, engagement_id), axis=_code(axes, axis_id),
            out_of_frame=engagement_id is None,
            representative_ids=tuple(i for i in (c.representative_ids or ()) if i in published),
        ))
    motion = build_motion_document(campaign, now=now, supports=supports) if with_motion else None
    return OpenDataSet(
        campaign_slug=campaign.slug, campaign_title=campaign.title,
        licence=licence_for(licence_code(campaign)), generated_at=now.astimezone(zone),
        contributions=contributions, clusters=tuple(open_clusters), motion=motion,
    )



def _collectivites_line(proposition: Proposition) -> str | None:
    """The annex's line on who a proposition comes from, by size band and type."""
    summary = provenance.collectivite_summary(proposition)
    if not summary.collectivites:
        return None
    return (f"Collectivités représentées, par taille : {summary.sizes_text()} ; "
            f"par type : {summary.kinds_text()}.")


# ------------------------------------------------------------------ synthesis report


@_in_french
def build_report(campaign: Campaign, *, now: datetime | None = None) -> SynthesisReport:
    """Coverage per engagement and every active theme with its representative texts."""
    zone = _zone(campaign)
    places = queries.placements(campaign)
    rows = _published_rows(campaign, places)
    by_id = {r.id: r for r in rows}
    engagements, axes = _codes(campaign)
    clusters = _active_clusters(campaign, places)
    framework_axes = queries.axes_by_engagement(campaign)
    members: dict[int, list[_Row]] = defaultdict(list)
    for r in rows:
        if r.place.cluster_id is not None:
            members[r.place.cluster_id].append(r)
    # The same coverage as the web page's, engagement rows only.
    table = queries.coverage(campaign, places)
    other = {r.key: r.contributions for r in table if r.level == "other"}
    voices = {r.key: r for r in collectivite_coverage.coverage_by_collectivite(campaign, places)}
    coverage = tuple(CoverageRow(r.code, r.title, r.contributions, r.clusters,
                                 tuple(voices[r.key].size_counts()))
                     for r in table if r.level == "engagement")
    entries = []
    for c in clusters:
        reps = [by_id[i] for i in (c.representative_ids or ()) if i in by_id]
        engagement_id, axis_id = queries.cluster_place(c, framework_axes)
        engagement, axis = engagements.get(engagement_id), axes.get(axis_id)
        entries.append(ReportCluster(
            id=c.id, name=c.name, size=len(members.get(c.id, ())),
            keywords=tuple(c.keywords or ()),
            representatives=tuple(
                f"{r.title}. {r.text}" if r.title else r.text
                for r in reps[:REPORT_REPRESENTATIVES]),
            engagement=f"{engagement.code} — {engagement.title}" if engagement else None,
            axis=f"{axis.code} — {axis.title}" if axis else None,
            workshops=tuple(sorted({r.workshop for r in members.get(c.id, ())})),
        ))
    entries.sort(key=lambda e: (-e.size, e.id))
    return SynthesisReport(
        campaign_slug=campaign.slug,
        congress=campaign.title,
        coverage=coverage,
        clusters=tuple(entries),
        n_contributions=len(rows),
        n_out_of_frame=other["out"],
        n_unassigned=other["unsorted"],
        generated_at=(now or utcnow()).astimezone(zone),
    )
