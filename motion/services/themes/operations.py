"""Facilitators shape the themes: rename, move, merge, split, move contributions, pin, lock.

Each operation goes through :class:`~motion.services.themes.journal.Change` (versions
checked, what it changed recorded for undo, audit event) and locks what the facilitator
decided (assignments, names, mappings) so that the next clustering run keeps it: a merge
locks every member onto the surviving cluster, a split locks every member onto its part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from motion.errors import Conflict, InvalidInput, NotFound
from motion.extensions import db
from motion.models import (
    Axis,
    Campaign,
    Cluster,
    ClusterAssignment,
    ClusterOperation,
    ClusterSecondaryMember,
    Contribution,
    ContributionStatus,
    Engagement,
    User,
)
from motion.services import embedding
from motion.services.themes import queries
from motion.services.themes.journal import Change, assignment_of, secondary_member, stale_message

MAX_NAME = 200
MAX_SUMMARY = 5000
MAX_PARTS = 6


# ------------------------------------------------------------------ lookups


def get_cluster(campaign: Campaign, cluster_id: int, *, active: bool = True) -> Cluster:
    cluster = db.session.get(Cluster, cluster_id)
    if cluster is None or cluster.campaign_id != campaign.id or (active and not cluster.active):
        raise NotFound(_("Thème introuvable."))
    return cluster


def _contribution(campaign: Campaign, contribution_id: int) -> Contribution:
    contribution = db.session.get(Contribution, contribution_id)
    if (
        contribution is None
        or contribution.campaign_id != campaign.id
        or contribution.status != ContributionStatus.PUBLISHED
    ):
        raise NotFound(_("Contribution introuvable."))
    return contribution


def _placed(campaign: Campaign, contribution_id: int, cluster: Cluster | None,
            expected_cluster_id: int | None) -> tuple[Contribution, int | None]:
    """The contribution and the id of its cluster (None: "à classer"), once ``cluster`` (if
    given) is an active theme of the campaign and the page's ``expected_cluster_id`` is
    still where the contribution is."""
    contribution = _contribution(campaign, contribution_id)
    if cluster is not None and (cluster.campaign_id != campaign.id or not cluster.active):
        raise NotFound(_("Thème introuvable."))
    assignment = assignment_of(contribution.id)
    current = assignment.cluster_id if assignment is not None else None
    if current != expected_cluster_id:
        raise Conflict(stale_message())
    return contribution, current


def _check_version(cluster: Cluster, expected: int | None) -> None:
    if expected is None:
        raise InvalidInput(_("Version du thème manquante : rechargez la page."))
    if int(expected) != cluster.version:
        raise Conflict(stale_message())


def _next_stable_id(campaign: Campaign) -> int:
    top = db.session.scalar(
        select(func.max(Cluster.stable_id)).where(Cluster.campaign_id == campaign.id)
    )
    return (top if top is not None else -1) + 1


def _lock_onto(change: Change, contribution_id: int, cluster: Cluster | None,
               campaign: Campaign) -> None:
    """Put a contribution in ``cluster`` (None: "à classer") and lock it there."""
    assignment = change.assignment(contribution_id)
    if assignment is None:
        assignment = ClusterAssignment(campaign_id=campaign.id, contribution_id=contribution_id,
                                       confidence=1.0)
        db.session.add(assignment)
    assignment.cluster_id = cluster.id if cluster is not None else None
    assignment.locked = True
    assignment.reassigned = False
    if cluster is not None:
        change.secondary(contribution_id)
        # A contribution cannot be in the same cluster twice.
        secondary = secondary_member(contribution_id)
        if secondary is not None and secondary.cluster_id == cluster.id:
            db.session.delete(secondary)


# ------------------------------------------------------------------ operations


def rename(campaign: Campaign, cluster: Cluster, *, name: str, summary: str | None = None,
           version: int | None, actor: User | None = None,
           reason: str | None = None) -> ClusterOperation:
    """Rename a cluster (the pipeline will no longer relabel it) and write its summary."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("Le nom du thème est obligatoire."))
    if len(name) > MAX_NAME:
        raise InvalidInput(_("Le nom du thème est trop long (%(n)d caractères au plus).",
                             n=MAX_NAME))
    summary = (summary if summary is not None else cluster.summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise InvalidInput(_("Le résumé est trop long (%(n)d caractères au plus).",
                             n=MAX_SUMMARY))
    _check_version(cluster, version)
    change = Change(campaign, "rename", actor, reason)
    change.cluster(cluster)
    old = cluster.name
    cluster.name, cluster.name_locked, cluster.summary = name, True, summary
    return change.finish(cluster, _("« %(old)s » renommé en « %(new)s »", old=old, new=name),
                         old_name=old, new_name=name)


def placement_choices(campaign: Campaign) -> list[tuple[str, str]]:
    """The places a cluster can be moved to: engagements, their axes, "hors cadre"."""
    choices = []
    if campaign.framework is not None:
        for engagement in campaign.framework.engagements:
            choices.append((f"e:{engagement.id}", f"{engagement.code} — {engagement.title}"))
            for axis in engagement.axes:
                choices.append((f"a:{axis.id}", f"{axis.code} — {axis.title}"))
    choices.append(("out", _("Hors cadre")))
    return choices


def place_value(cluster: Cluster) -> str:
    """Where a cluster is now, as one of :func:`placement_choices`' values."""
    if cluster.out_of_frame or cluster.engagement_id is None:
        return "out"
    return f"a:{cluster.axis_id}" if cluster.axis_id else f"e:{cluster.engagement_id}"


def _placement(campaign: Campaign, target: str) -> tuple[Engagement | None, Axis | None]:
    kind, _sep, raw = (target or "").partition(":")
    if kind == "out" and not raw:
        return None, None
    if kind in ("e", "a") and raw.isdigit() and campaign.framework is not None:
        for engagement in campaign.framework.engagements:
            if kind == "e" and engagement.id == int(raw):
                return engagement, None
            for axis in engagement.axes:
                if kind == "a" and axis.id == int(raw):
                    return engagement, axis
    raise InvalidInput(_("Cette place n’existe pas dans le référentiel de la campagne."))


def move_cluster(campaign: Campaign, cluster: Cluster, *, target: str, version: int | None,
                 actor: User | None = None, reason: str | None = None) -> ClusterOperation:
    """Move a cluster to an engagement, an axis or "hors cadre" (overrides the mapping)."""
    engagement, axis = _placement(campaign, target)
    _check_version(cluster, version)
    change = Change(campaign, "move", actor, reason)
    change.cluster(cluster)
    cluster.engagement_id = engagement.id if engagement else None
    cluster.axis_id = axis.id if axis else None
    cluster.out_of_frame = engagement is None
    cluster.mapping_locked = True
    cluster.mapped_per_text = False
    place = (axis.code if axis else engagement.code) if engagement else _("hors cadre")
    return change.finish(cluster, _("« %(name)s » déplacé vers %(place)s",
                                    name=cluster.name, place=place), target=target)


def merge(campaign: Campaign, clusters: Sequence[Cluster], *, versions: Mapping[int, int],
          name: str | None = None, actor: User | None = None,
          reason: str | None = None) -> ClusterOperation:
    """Merge clusters into the first one: it keeps every member, locked, and the others'
    history (they stay, inactive, with ``merged_into_id``)."""
    unique = list({c.id: c for c in clusters}.values())
    if len(unique) < 2:
        raise InvalidInput(_("Choisissez au moins deux thèmes à fusionner."))
    for cluster in unique:
        if cluster.campaign_id != campaign.id or not cluster.active:
            raise NotFound(_("Thème introuvable."))
        _check_version(cluster, versions.get(cluster.id))
    name = " ".join((name or "").split())
    if len(name) > MAX_NAME:
        raise InvalidInput(_("Le nom du thème est trop long (%(n)d caractères au plus).",
                             n=MAX_NAME))
    survivor, absorbed = unique[0], unique[1:]
    change = Change(campaign, "merge", actor, reason)
    for cluster in unique:
        change.cluster(cluster)
    member_ids = list(db.session.scalars(
        select(ClusterAssignment.contribution_id).where(
            ClusterAssignment.cluster_id.in_([c.id for c in unique])
        )
    ))
    for contribution_id in member_ids:
        _lock_onto(change, contribution_id, survivor, campaign)
    # Second-cluster memberships pointing at an absorbed cluster now point at the survivor.
    for secondary in db.session.scalars(
        select(ClusterSecondaryMember).where(
            ClusterSecondaryMember.cluster_id.in_([c.id for c in absorbed])
        )
    ):
        change.secondary(secondary.contribution_id)
        primary = assignment_of(secondary.contribution_id)
        if primary is not None and primary.cluster_id == survivor.id:
            db.session.delete(secondary)
        else:
            secondary.cluster_id = survivor.id
    keywords = list(survivor.keywords or [])
    reps = list(survivor.representative_ids or [])
    for cluster in absorbed:
        keywords += [k for k in cluster.keywords or [] if k not in keywords]
        reps += [r for r in cluster.representative_ids or [] if r not in reps]
        cluster.active = False
        cluster.pinned = False
        cluster.merged_into_id = survivor.id
    survivor.keywords = keywords[:12]
    survivor.representative_ids = reps[:5]
    if name:
        survivor.name, survivor.name_locked = name, True
    names = ", ".join(f"« {c.name} »" for c in absorbed)
    return change.finish(
        survivor,
        ngettext("%(names)s fusionné dans « %(name)s »",
                 "%(names)s fusionnés dans « %(name)s »", len(absorbed),
                 names=names, name=survivor.name),
        merged=[c.id for c in absorbed], survivor=survivor.id,
    )


@dataclass
class SplitPart:
    contribution_ids: list[int]
    keywords: list[str] = field(default_factory=list)


@dataclass
class SplitPlan:
    cluster: Cluster
    rows: list[tuple[Contribution, int, float]]  # contribution, proposed part, confidence
    parts: list[SplitPart]


def propose_split(campaign: Campaign, cluster: Cluster, *, n_parts: int = 2,
                  manual: bool = False) -> SplitPlan:
    """Propose sub-clusters of a cluster (k-means on the members' embeddings).

    ``manual``: no proposal, every member in part 1, for the facilitator to pick by hand.
    """
    from nlp.split import propose_split as nlp_propose

    members = queries.members(cluster)
    if not 2 <= n_parts <= MAX_PARTS:
        raise InvalidInput(_("Choisissez entre 2 et %(n)d sous-thèmes.", n=MAX_PARTS))
    if len(members) < n_parts:
        raise InvalidInput(_("Ce thème a trop peu de contributions pour être scindé en "
                             "%(n)d.", n=n_parts))
    if manual:
        return SplitPlan(cluster, [(c, 0, 1.0) for c in members],
                         [SplitPart([c.id for c in members])]
                         + [SplitPart([]) for _ in range(n_parts - 1)])
    texts = [c.text if not c.title else f"{c.title}. {c.text}" for c in members]
    vectors = embedding.embedder().encode(texts)
    try:
        proposal = nlp_propose(vectors, n_parts=n_parts, texts=texts, random_state=0)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    # The theme and its name stay with the first part: the one holding most of the theme's
    # representatives (its face on the board: after a merge, the survivor's), else the largest.
    representatives = set(cluster.representative_ids or [])
    labels = [int(p) for p in proposal.labels]
    order = sorted(range(n_parts), key=lambda p: (
        -sum(1 for c, label in zip(members, labels, strict=True)
             if label == p and c.id in representatives),
        -labels.count(p), p))
    rank = {part: index for index, part in enumerate(order)}
    parts = [SplitPart([], list(proposal.keywords[p])) for p in order]
    rows = []
    for contribution, part, confidence in zip(members, labels, proposal.confidence,
                                              strict=True):
        parts[rank[part]].contribution_ids.append(contribution.id)
        rows.append((contribution, rank[part], float(confidence)))
    rows.sort(key=lambda r: (r[1], r[2]))  # by part, borderline members first
    return SplitPlan(cluster, rows, parts)


def split(campaign: Campaign, cluster: Cluster, *, parts: Sequence[Sequence[int]],
          names: Sequence[str | None] = (), version: int | None,
          actor: User | None = None, reason: str | None = None) -> ClusterOperation:
    """Split a cluster: part 1 stays in it, each other part becomes a new cluster; every
    member is locked onto its part."""
    _check_version(cluster, version)
    parts = [list(dict.fromkeys(int(i) for i in part)) for part in parts]
    parts = [part for part in parts if part]
    if len(parts) < 2:
        raise InvalidInput(_("Répartissez les contributions dans au moins deux sous-thèmes "
                             "non vides."))
    members = set(db.session.scalars(
        select(ClusterAssignment.contribution_id)
        .join(Contribution, Contribution.id == ClusterAssignment.contribution_id)
        .where(ClusterAssignment.cluster_id == cluster.id,
               Contribution.status == ContributionStatus.PUBLISHED)
    ))
    chosen = [i for part in parts for i in part]
    if len(chosen) != len(set(chosen)):
        raise InvalidInput(_("Une contribution ne peut être que dans un seul sous-thème."))
    if set(chosen) != members:
        raise Conflict(stale_message())
    names = [" ".join((n or "").split())[:MAX_NAME] for n in names]
    names += [""] * (len(parts) - len(names))
    change = Change(campaign, "split", actor, reason)
    change.cluster(cluster)
    if names[0]:
        cluster.name, cluster.name_locked = names[0], True
    stable_id = _next_stable_id(campaign)
    created = []
    for index, part in enumerate(parts[1:], start=1):
        new = change.new_cluster(Cluster(
            campaign_id=campaign.id, stable_id=stable_id,
            name=names[index] or _("%(name)s (partie %(n)d)", name=cluster.name, n=index + 1),
            name_locked=bool(names[index]), keywords=[], representative_ids=part[:5],
            engagement_id=cluster.engagement_id, axis_id=cluster.axis_id,
            mapping_score=cluster.mapping_score, out_of_frame=cluster.out_of_frame,
            mapping_locked=cluster.mapping_locked, cohesion=None, is_new=False,
            split_from_id=cluster.id, created_run_id=cluster.updated_run_id,
        ))
        stable_id += 1
        created.append(new)
        for contribution_id in part:
            _lock_onto(change, contribution_id, new, campaign)
    for contribution_id in parts[0]:
        _lock_onto(change, contribution_id, cluster, campaign)
    cluster.representative_ids = [
        i for i in cluster.representative_ids or [] if i in set(parts[0])
    ] or parts[0][:5]
    return change.finish(
        cluster,
        ngettext("« %(name)s » scindé en %(num)d sous-thème",
                 "« %(name)s » scindé en %(num)d sous-thèmes", len(parts), name=cluster.name),
        created=[c.id for c in created],
    )


def move_contribution(campaign: Campaign, contribution_id: int, *, target: Cluster | None,
                      expected_cluster_id: int | None, actor: User | None = None,
                      reason: str | None = None) -> ClusterOperation:
    """Move one contribution to another cluster (None: "à classer") and lock it there."""
    contribution, current = _placed(campaign, contribution_id, target, expected_cluster_id)
    if current == (target.id if target is not None else None):
        raise InvalidInput(_("Cette contribution est déjà à cet endroit."))
    change = Change(campaign, "move_contribution", actor, reason)
    source = db.session.get(Cluster, current) if current is not None else None
    for cluster in (source, target):
        if cluster is not None:
            change.cluster(cluster)
    _lock_onto(change, contribution.id, target, campaign)
    where = f"« {target.name} »" if target is not None else _("« à classer »")
    return change.finish(
        target or source,
        _("Contribution n° %(id)d déplacée vers %(where)s", id=contribution.id, where=where),
        contribution=contribution.id, source=current,
        target=target.id if target is not None else None,
    )


NEW = "nouveau"  # a destination of move_contributions: a new theme made from the source


def move_contributions(campaign: Campaign, source: Cluster | None,
                       moves: Mapping[int, Cluster | str | None], *,
                       names: Mapping[str, str] | None = None, actor: User | None = None,
                       reason: str | None = None) -> ClusterOperation:
    """Move several contributions of ``source`` (None: "à classer") in one operation (one
    undo), each to its destination: a cluster, None ("à classer") or a key starting with
    :data:`NEW` (a new cluster split from ``source``, named from ``names`` or after it);
    all locked there."""
    if source is None and any(isinstance(d, str) or d is None for d in moves.values()):
        raise InvalidInput(_("Rangez les contributions à classer dans des thèmes existants."))
    if not moves:
        raise InvalidInput(_("Choisissez au moins une contribution et sa destination."))
    targets = {d.id: d for d in moves.values() if isinstance(d, Cluster)}
    for target in targets.values():
        if target.campaign_id != campaign.id or not target.active:
            raise NotFound(_("Thème introuvable."))
    if source is not None and source.id in targets:
        raise InvalidInput(_("Ces contributions sont déjà dans ce thème."))
    source_id = source.id if source is not None else None
    # Where each one is now (no assignment row: "à classer"); all published in the campaign.
    current = dict(db.session.execute(
        select(Contribution.id, ClusterAssignment.cluster_id)
        .outerjoin(ClusterAssignment, ClusterAssignment.contribution_id == Contribution.id)
        .where(Contribution.id.in_(list(moves)), Contribution.campaign_id == campaign.id,
               Contribution.status == ContributionStatus.PUBLISHED)
    ).all())
    if set(current) != set(moves) or any(current[i] != source_id for i in moves):
        raise Conflict(stale_message())
    change = Change(campaign, "move_contributions", actor, reason)
    if source is not None:
        change.cluster(source)
    for target in targets.values():
        change.cluster(target)
    created: dict[str, Cluster] = {}
    stable_id = _next_stable_id(campaign)
    for contribution_id, destination in sorted(moves.items()):
        if isinstance(destination, str):
            if destination not in created:
                name = " ".join(((names or {}).get(destination) or "").split())[:MAX_NAME]
                created[destination] = change.new_cluster(Cluster(
                    campaign_id=campaign.id, stable_id=stable_id,
                    name=name or _("%(name)s (partie %(n)d)", name=source.name,
                                   n=len(created) + 2),
                    name_locked=bool(name), keywords=[], representative_ids=[],
                    engagement_id=source.engagement_id, axis_id=source.axis_id,
                    mapping_score=source.mapping_score, out_of_frame=source.out_of_frame,
                    mapping_locked=source.mapping_locked, cohesion=None, is_new=False,
                    split_from_id=source.id, created_run_id=source.updated_run_id,
                ))
                stable_id += 1
            destination = created[destination]
            if len(destination.representative_ids) < 5:
                destination.representative_ids = [*destination.representative_ids,
                                                  contribution_id]
        _lock_onto(change, contribution_id, destination, campaign)
    if source is not None:
        source.representative_ids = [i for i in source.representative_ids or []
                                     if i not in moves]
    n_targets = len(targets) + len(created) + (None in moves.values())
    return change.finish(
        source if source is not None else next(iter(targets.values())),
        ngettext("%(num)d contribution de « %(name)s » déplacée",
                 "%(num)d contributions de « %(name)s » déplacées", len(moves),
                 name=source.name if source is not None else _("à classer"))
        + " " + ngettext("vers %(num)d destination", "vers %(num)d destinations", n_targets),
        moved=sorted(moves), created=[c.id for c in created.values()],
    )


def set_pinned(campaign: Campaign, cluster: Cluster, *, pinned: bool, version: int | None,
               actor: User | None = None, reason: str | None = None) -> ClusterOperation:
    """Pin a cluster (never dissolved nor relabelled by the pipeline), or unpin it."""
    _check_version(cluster, version)
    change = Change(campaign, "pin" if pinned else "unpin", actor, reason)
    change.cluster(cluster)
    cluster.pinned = pinned
    if pinned:
        cluster.name_locked = True
    message = _("« %(name)s » épinglé", name=cluster.name) if pinned else _(
        "« %(name)s » désépinglé", name=cluster.name)
    return change.finish(cluster, message)


def set_locked(campaign: Campaign, contribution_id: int, *, locked: bool,
               expected_cluster_id: int | None, actor: User | None = None,
               reason: str | None = None) -> ClusterOperation:
    """Lock a contribution's assignment where it is (the pipeline keeps it), or unlock it."""
    contribution = _contribution(campaign, contribution_id)
    assignment = assignment_of(contribution.id)
    if assignment is None:
        raise InvalidInput(_("Cette contribution n’a pas encore été rangée dans un thème."))
    if assignment.cluster_id != expected_cluster_id:
        raise Conflict(stale_message())
    change = Change(campaign, "lock" if locked else "unlock", actor, reason)
    change.assignment(contribution.id)
    cluster = db.session.get(Cluster, assignment.cluster_id) if assignment.cluster_id else None
    if cluster is not None:
        change.cluster(cluster)
    assignment.locked = locked
    message = _("Contribution n° %(id)d verrouillée dans son thème", id=contribution.id) \
        if locked else _("Contribution n° %(id)d déverrouillée", id=contribution.id)
    return change.finish(cluster, message, contribution=contribution.id)


def set_secondary(campaign: Campaign, contribution_id: int, *, cluster: Cluster | None,
                  expected_cluster_id: int | None, actor: User | None = None,
                  reason: str | None = None) -> ClusterOperation:
    """Mark a contribution as also belonging to a second cluster (None: remove it)."""
    contribution, primary = _placed(campaign, contribution_id, cluster, expected_cluster_id)
    if cluster is not None and cluster.id == primary:
        raise InvalidInput(_("Le second thème doit être différent du thème principal."))
    change = Change(campaign, "secondary", actor, reason)
    change.secondary(contribution.id)
    existing = secondary_member(contribution.id)
    for touched in (existing.cluster if existing else None, cluster):
        if touched is not None:
            change.cluster(touched)
    if existing is not None and cluster is None:
        db.session.delete(existing)
    elif existing is not None:
        existing.cluster_id = cluster.id
    elif cluster is not None:
        db.session.add(ClusterSecondaryMember(
            campaign_id=campaign.id, contribution_id=contribution.id, cluster_id=cluster.id,
            created_by_id=actor.id if actor is not None else None,
        ))
    else:
        raise InvalidInput(_("Cette contribution n’a pas de second thème."))
    message = _("Contribution n° %(id)d aussi rattachée à « %(name)s »", id=contribution.id,
                name=cluster.name) if cluster is not None else _(
        "Contribution n° %(id)d : second thème retiré", id=contribution.id)
    return change.finish(cluster, message, contribution=contribution.id,
                         secondary=cluster.id if cluster is not None else None)

