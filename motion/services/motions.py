"""The motion: creation, propositions from clusters (extractive prefill), versions, adoption."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from motion.errors import Conflict, Forbidden, InvalidInput, NotFound
from motion.extensions import db
from motion.models import (
    Campaign,
    Cluster,
    Contribution,
    ContributionStatus,
    Motion,
    MotionSection,
    MotionStatus,
    PreambleVersion,
    Proposition,
    PropositionVersion,
    User,
    VoteSession,
    VoteSessionStatus,
)
from motion.models._types import utcnow
from motion.services import audit, lookup, provenance, referents

TITLE_MAX = 300
TEXT_MAX = 10_000
REASON_MAX = 500
PREFILL_QUOTES_PER_CLUSTER = 3
PREFILL_QUOTE_CHARS = 240


# ------------------------------------------------------------------ the motion


def get_motion(campaign: Campaign) -> Motion | None:
    return db.session.scalar(select(Motion).where(Motion.campaign_id == campaign.id))


def require_motion(campaign: Campaign) -> Motion:
    motion = get_motion(campaign)
    if motion is None:
        raise NotFound(_("La motion de cette campagne n’a pas encore été créée."))
    return motion


def create_motion(campaign: Campaign, *, actor: User | None = None,
                  title: str | None = None, preamble: str = "") -> Motion:
    """Create the campaign's motion with one section per engagement of its framework."""
    if get_motion(campaign) is not None:
        raise Conflict(_("La motion de cette campagne existe déjà."))
    motion = Motion(campaign=campaign, title=(title or _("Motion — %(campaign)s",
                                                        campaign=campaign.title))[:TITLE_MAX],
                    preamble=preamble)
    db.session.add(motion)
    if campaign.framework is not None:
        for position, engagement in enumerate(campaign.framework.engagements):
            motion.sections.append(MotionSection(
                engagement=engagement, position=position,
                title=f"{engagement.code} — {engagement.title}"[:TITLE_MAX]))
    motion.preamble_versions.append(PreambleVersion(
        number=1, text=preamble, author_id=actor.id if actor else None,
        reason=_("Création de la motion")))
    audit.record("motion.create", motion, actor=actor, campaign_id=campaign.id)
    return motion


def ensure_editable(motion: Motion) -> None:
    if motion.is_adopted:
        raise Forbidden(_("La motion est adoptée : son texte ne peut plus être modifié."))


def section_for(motion: Motion, engagement_id: int | None) -> MotionSection:
    """The motion's section for an engagement; without one, the "Autres propositions" section."""
    for section in motion.sections:
        if section.engagement_id == engagement_id:
            return section
    if engagement_id is not None:
        return section_for(motion, None)
    section = MotionSection(motion=motion, engagement_id=None, title=_("Autres propositions"),
                            position=len(motion.sections))
    db.session.add(section)
    db.session.flush()
    return section


def usable_sections(motion: Motion, user: User | None) -> list[MotionSection]:
    """The sections ``user`` may put a proposition in: every one, or for a référent those
    of the engagements they lead (services/referents.py)."""
    return [s for s in motion.sections
            if referents.can_lead(user, motion.campaign, s.engagement_id)]


def default_section(motion: Motion, engagement_id: int | None,
                    user: User | None) -> MotionSection | None:
    """Where a new proposition on ``engagement_id`` goes unless ``user`` chooses: that
    engagement's section (:func:`section_for`, "Autres propositions" made if needed) when
    they may use it, else the first section they may use; None if they may use none."""
    campaign = motion.campaign
    section = next((s for s in motion.sections if s.engagement_id == engagement_id), None)
    if section is None and referents.can_lead(user, campaign, None):
        section = section_for(motion, engagement_id)
    if section is not None and referents.can_lead(user, campaign, section.engagement_id):
        return section
    return next(iter(usable_sections(motion, user)), None)


def _require_section_lead(user: User | None, motion: Motion, section: MotionSection) -> None:
    """Refuse a section ``user`` may not put propositions in, saying which ones they may
    use (a référent's engagements) rather than require_lead's general message."""
    campaign = motion.campaign
    if referents.can_lead(user, campaign, section.engagement_id):
        return
    codes = referents.engagement_codes(user, campaign)
    if not codes:  # not a facilitator: require_lead's own message
        referents.require_lead(user, campaign, section.engagement_id)
    if section.engagement_id is None:
        message = _("Vous êtes référent de %(codes)s : vos propositions vont dans les parties "
                    "de ces engagements. La partie « %(section)s » est réservée aux "
                    "administrateurs et aux animateurs qui ne sont référents d’aucun "
                    "engagement.", codes=codes, section=section.title)
    else:
        message = _("Vous êtes référent de %(codes)s : vos propositions vont dans les parties "
                    "de ces engagements. La partie « %(section)s » est menée par ses "
                    "référents et les administrateurs.", codes=codes, section=section.title)
    raise Forbidden(message, field="section")


def get_section(motion: Motion, section_id: int) -> MotionSection:
    try:
        return lookup.get_owned(MotionSection, section_id, _("Partie de la motion inconnue."),
                                error=InvalidInput, motion_id=motion.id)
    except InvalidInput as error:
        raise InvalidInput(error.message, field="section") from None


def propositions_in_order(motion: Motion) -> list[Proposition]:
    """The motion's propositions in reading order (section, then position)."""
    return list(db.session.scalars(
        select(Proposition).join(MotionSection, Proposition.section_id == MotionSection.id)
        .where(Proposition.motion_id == motion.id)
        .order_by(MotionSection.position, Proposition.position, Proposition.id)
    ))


def get_proposition(motion: Motion, proposition_id: int) -> Proposition:
    return lookup.get_owned(Proposition, proposition_id, _("Proposition introuvable."),
                            motion_id=motion.id)


# ------------------------------------------------------------------ prefill


def _first_sentence(text: str, limit: int = PREFILL_QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + " …"
    return sentence


def load_clusters(campaign: Campaign, cluster_ids: list[int]) -> list[Cluster]:
    if not cluster_ids:
        return []
    clusters = list(db.session.scalars(select(Cluster).where(
        Cluster.id.in_(cluster_ids), Cluster.campaign_id == campaign.id)))
    if len(clusters) != len(set(cluster_ids)):
        raise InvalidInput(_("Un des thèmes choisis n’existe pas dans cette campagne."))
    order = {cid: i for i, cid in enumerate(cluster_ids)}
    return sorted(clusters, key=lambda c: order[c.id])


def load_contributions(campaign: Campaign, contribution_ids: list[int]) -> list[Contribution]:
    if not contribution_ids:
        return []
    found = list(db.session.scalars(select(Contribution).where(
        Contribution.id.in_(contribution_ids), Contribution.campaign_id == campaign.id,
        Contribution.status == ContributionStatus.PUBLISHED)))
    if len(found) != len(set(contribution_ids)):
        raise InvalidInput(_("Une des contributions choisies n’existe pas ou n’est plus publiée."))
    return found


@dataclass
class Draft:
    title: str
    text: str
    engagement_id: int | None


def prefill(clusters: list[Cluster], contributions: list[Contribution]) -> Draft:
    """An extractive draft: the clusters' names, their representatives' first sentences and
    keywords, and the single contributions' texts. No text is generated."""
    if not clusters and not contributions:
        raise InvalidInput(_("Choisissez au moins un thème ou une contribution."))
    reps = {c.id: c for c in db.session.scalars(select(Contribution).where(
        Contribution.id.in_([i for cl in clusters for i in cl.representative_ids]),
        Contribution.status == ContributionStatus.PUBLISHED))} if clusters else {}
    names = [cl.name for cl in clusters] or [
        (c.title or _first_sentence(c.text, 80)) for c in contributions[:2]]
    title = " ; ".join(names)[:TITLE_MAX]
    lines: list[str] = []
    seen: set[str] = set()
    for cluster in clusters:
        quotes = []
        for rid in cluster.representative_ids:
            if rid in reps and len(quotes) < PREFILL_QUOTES_PER_CLUSTER:
                sentence = _first_sentence(reps[rid].text)
                if sentence.lower() not in seen:
                    seen.add(sentence.lower())
                    quotes.append(sentence)
        lines.append(_("Les élus demandent notamment (%(theme)s) :", theme=cluster.name))
        lines += [f"« {q} »" for q in quotes]
        if cluster.keywords:
            lines.append(_("Mots-clés : %(words)s.", words=", ".join(cluster.keywords[:8])))
        lines.append("")
    for contribution in contributions:
        lines.append(f"« {_first_sentence(contribution.text, 600)} »")
    engagement_id = next((cl.engagement_id for cl in clusters if cl.engagement_id), None)
    if engagement_id is None:  # the one its author chose, else its workshop's
        engagement_id = next((c.engagement_id or c.workshop.engagement_id for c in contributions
                              if c.engagement_id or c.workshop.engagement_id), None)
    return Draft(title, "\n".join(lines).strip()[:TEXT_MAX], engagement_id)


# ------------------------------------------------------------------ propositions


def _clean(title: str, text: str) -> tuple[str, str]:
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise InvalidInput(_("Le titre de la proposition est obligatoire."))
    if not text:
        raise InvalidInput(_("Le texte de la proposition est obligatoire."))
    if len(title) > TITLE_MAX:
        raise InvalidInput(_("Le titre dépasse %(n)d caractères.", n=TITLE_MAX))
    if len(text) > TEXT_MAX:
        raise InvalidInput(_("Le texte dépasse %(n)d caractères.", n=TEXT_MAX))
    return title, text


def create_proposition(
    motion: Motion, section: MotionSection, *, title: str, text: str,
    clusters: list[Cluster] = (), contributions: list[Contribution] = (),
    actor: User | None = None,
) -> Proposition:
    """Create a proposition (version 1) and link it to its clusters' contributions."""
    ensure_editable(motion)
    if section.motion_id != motion.id:
        raise InvalidInput(_("Partie de la motion inconnue."), field="section")
    _require_section_lead(actor, motion, section)
    title, text = _clean(title, text)
    position = (db.session.scalar(select(func.max(Proposition.position))
                                  .where(Proposition.section_id == section.id)) or 0) + 1
    proposition = Proposition(motion=motion, section=section, position=position, title=title,
                              text=text, version_number=1,
                              created_by_id=actor.id if actor else None)
    proposition.versions.append(PropositionVersion(
        number=1, title=title, text=text, author_id=actor.id if actor else None,
        kind="create", reason=_("Création")))
    db.session.add(proposition)
    db.session.flush()
    provenance.link_clusters(proposition, list(clusters), actor=actor)
    provenance.link_contributions(proposition, list(contributions), actor=actor)
    audit.record("proposition.create", proposition, actor=actor, campaign_id=motion.campaign_id,
                 clusters=[c.id for c in clusters], contributions=[c.id for c in contributions])
    return proposition


# ------------------------------------------------------------------ the voted text


def latest_round(proposition: Proposition) -> VoteSession | None:
    """The proposition's latest vote round, open or closed (None before any vote)."""
    return db.session.scalar(
        select(VoteSession).where(VoteSession.proposition_id == proposition.id)
        .order_by(VoteSession.round.desc()).limit(1))


def text_lock(proposition: Proposition, *, restoring: int | None = None) -> str | None:
    """Why the proposition's text may no longer change (None while it may).

    A vote round records the version put to the vote (``VoteSession.version_number``) and
    its result becomes the proposition's outcome, printed beside its text in the adopted
    motion: while a round is open the room votes on the text shown, and once one is closed
    that text is the one the plenary decided. So neither may be replaced; a new round votes
    the same text again. Only the version voted may be brought back (``restoring``), for a
    text changed after its vote before this was refused."""
    voted = latest_round(proposition)
    if voted is None:
        return None
    if voted.is_open:
        return _("Le vote sur cette proposition est ouvert : son texte ne peut pas changer "
                 "pendant que la plénière vote.")
    if restoring is not None and restoring == voted.version_number:
        return None
    return _("La plénière a voté cette proposition sur sa version %(n)d : son texte, celui "
             "qu’elle a voté, ne peut plus être modifié. Pour soumettre un autre texte au "
             "vote, créez une nouvelle proposition.", n=voted.version_number)


def changed_since_vote(motion: Motion) -> dict[int, PropositionVersion]:
    """Proposition id -> the version its last closed vote was on, for the propositions
    whose current title or text is no longer that version's (changed after the vote)."""
    last = (
        select(VoteSession.proposition_id, func.max(VoteSession.round).label("round"))
        .join(Proposition, VoteSession.proposition_id == Proposition.id)
        .where(Proposition.motion_id == motion.id,
               VoteSession.status == VoteSessionStatus.CLOSED)
        .group_by(VoteSession.proposition_id).subquery())
    rows = db.session.execute(
        select(Proposition, PropositionVersion)
        .join(last, last.c.proposition_id == Proposition.id)
        .join(VoteSession, (VoteSession.proposition_id == Proposition.id)
              & (VoteSession.round == last.c.round))
        .join(PropositionVersion, (PropositionVersion.proposition_id == Proposition.id)
              & (PropositionVersion.number == VoteSession.version_number))).all()
    return {p.id: v for p, v in rows if (v.title, v.text) != (p.title, p.text)}


# ------------------------------------------------------------------ versions


def add_version(proposition: Proposition, *, title: str, text: str, actor: User | None,
                reason: str, kind: str = "edit", restored_from: int | None = None,
                base_version: int | None = None) -> PropositionVersion:
    """Save a new text as the next version (refused if someone saved since ``base_version``,
    or once the text is put to the vote: :func:`text_lock`)."""
    ensure_editable(proposition.motion)
    referents.require_lead(actor, proposition.motion.campaign, proposition.section.engagement_id)
    locked = text_lock(proposition, restoring=restored_from if kind == "restore" else None)
    if locked:
        raise Conflict(locked)
    if base_version is not None and base_version != proposition.version_number:
        raise Conflict(_("Quelqu’un a enregistré une autre version entre-temps (version %(n)d). "
                         "Votre texte n’est pas perdu : comparez puis enregistrez à nouveau.",
                         n=proposition.version_number))
    title, text = _clean(title, text)
    number = proposition.version_number + 1
    version = PropositionVersion(number=number, title=title, text=text,
                                 author_id=actor.id if actor else None,
                                 reason=(reason or "").strip()[:REASON_MAX], kind=kind,
                                 restored_from=restored_from)
    proposition.versions.append(version)
    proposition.title, proposition.text, proposition.version_number = title, text, number
    audit.record(f"proposition.{kind}", proposition, actor=actor,
                 campaign_id=proposition.motion.campaign_id, version=number)
    return version


def get_version(proposition: Proposition, number: int) -> PropositionVersion:
    version = db.session.scalar(select(PropositionVersion).where(
        PropositionVersion.proposition_id == proposition.id, PropositionVersion.number == number))
    if version is None:
        raise NotFound(_("Version %(n)d introuvable.", n=number))
    return version


def restore_version(proposition: Proposition, number: int, *, actor: User | None) -> \
        PropositionVersion:
    """Make an earlier version's text current again, as a new version."""
    old = get_version(proposition, number)
    return add_version(proposition, title=old.title, text=old.text, actor=actor,
                       reason=_("Restauration de la version %(n)d", n=number), kind="restore",
                       restored_from=number)


# ------------------------------------------------------------------ preamble


def save_preamble(motion: Motion, text: str, *, actor: User | None, reason: str = "",
                  base_version: int | None = None, restored_from: int | None = None) -> \
        PreambleVersion:
    """Save the preamble as a new version. It may not be emptied: every export prints it
    under its heading, which an empty text would leave bare (only the motion's first
    version, made with it, is empty until someone writes it)."""
    ensure_editable(motion)
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Le préambule ne peut pas être vide : écrivez le texte qui "
                             "ouvre la motion."), field="text")
    if len(text) > TEXT_MAX:
        raise InvalidInput(_("Le texte dépasse %(n)d caractères.", n=TEXT_MAX))
    current = max((v.number for v in motion.preamble_versions), default=0)
    if base_version is not None and base_version != current:
        raise Conflict(_("Quelqu’un a enregistré une autre version du préambule entre-temps "
                         "(version %(n)d). Votre texte n’est pas perdu : enregistrez à nouveau.",
                         n=current))
    version = PreambleVersion(number=current + 1, text=text,
                              author_id=actor.id if actor else None,
                              reason=(reason or "").strip()[:REASON_MAX],
                              restored_from=restored_from)
    motion.preamble_versions.append(version)
    motion.preamble = text
    audit.record("motion.preamble", motion, actor=actor, version=version.number)
    return version


def get_preamble_version(motion: Motion, number: int) -> PreambleVersion:
    for version in motion.preamble_versions:
        if version.number == number:
            return version
    raise NotFound(_("Version %(n)d introuvable.", n=number))


def restore_preamble(motion: Motion, number: int, *, actor: User | None) -> PreambleVersion:
    old = get_preamble_version(motion, number)
    return save_preamble(motion, old.text, actor=actor, restored_from=number,
                         reason=_("Restauration de la version %(n)d", n=number))


# ------------------------------------------------------------------ adoption


def unvoted_propositions(motion: Motion) -> list[Proposition]:
    """The propositions no closed vote has decided (no outcome), in reading order. Adopting
    the motion adopts them with it: the exports keep them in its body and the follow-up
    counts them adopted (services/followup.py: adopted_propositions)."""
    return [p for p in propositions_in_order(motion) if p.outcome is None]


def adopt(motion: Motion, *, actor: User | None,
          without_vote: Collection[int] | None = None) -> Motion:
    """Mark the motion adopted today: from then on it is read-only.

    ``without_vote`` is the list of unvoted propositions the facilitator confirmed are
    adopted with the motion (the confirmation page sends the ones it showed): adoption is
    refused unless it names exactly the propositions unvoted now, so that none is adopted
    unseen (not confirmed, or voted or added since the page was shown). None skips this
    check, for callers that adopt on purpose without a page (the demo's earlier congress)."""
    ensure_editable(motion)
    open_votes = db.session.scalar(
        select(func.count(VoteSession.id))
        .join(Proposition, VoteSession.proposition_id == Proposition.id)
        .where(Proposition.motion_id == motion.id, VoteSession.status == VoteSessionStatus.OPEN))
    if open_votes:
        raise Conflict(_("Un vote est encore ouvert : clôturez-le avant d’adopter la motion."))
    unvoted = [p.id for p in unvoted_propositions(motion)]
    if without_vote is not None and set(without_vote) != set(unvoted):
        if not without_vote:
            raise InvalidInput(_("Cochez la case de confirmation pour les adopter sans vote "
                                 "avec la motion, ou mettez-les d’abord au vote."),
                               field="sans_vote")  # beside the list of unvoted propositions
        raise Conflict(_("Les propositions non votées ont changé depuis l’affichage de cette "
                         "page : vérifiez la liste ci-dessous avant d’adopter la motion."))
    motion.status = MotionStatus.ADOPTED
    motion.adopted_at = utcnow()
    motion.adopted_by_id = actor.id if actor else None
    audit.record("motion.adopt", motion, actor=actor, adopted_without_vote=unvoted)
    return motion
