"""Engagement sessions: the congress mornings, their texts, programme and axis slots.

Each engagement of the campaign's framework has one session, made on first use with a
default programme (two days, two sessions each morning, from the plenary's first day).
The session page shows the bilan (its text and the previous campaign's propositions of
the engagement with their follow-up status), the objectifs, and one proposition slot per
axis. Who may change a session is decided by :mod:`motion.services.referents`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from motion import validation
from motion.errors import InvalidInput, NotFound
from motion.extensions import db
from motion.models import (
    Axis,
    Campaign,
    Cluster,
    Engagement,
    EngagementSession,
    MotionSection,
    PhaseKind,
    Proposition,
    PropositionAxis,
    ProvenanceLink,
    Role,
    User,
    VoteSession,
)
from motion.services import accounts, audit, campaigns, followup, motions, referents, votes
from motion.services.themes import queries

TEXT_MAX = 20_000
# The default programme: (day, start, end) of each session in order; two days, and each
# morning two sessions.
DEFAULT_SLOTS = [
    (0, time(9, 0), time(10, 45)),
    (0, time(11, 0), time(12, 45)),
    (1, time(9, 0), time(10, 45)),
    (1, time(11, 0), time(12, 45)),
]


# ------------------------------------------------------------------ sessions


def _engagements(campaign: Campaign) -> list[Engagement]:
    return list(campaign.framework.engagements) if campaign.framework is not None else []


def _default_times(campaign: Campaign, index: int) -> tuple[datetime | None, datetime | None]:
    """The default slot of the ``index``-th session (0-based) from the plenary's first day."""
    plenary = next((p for p in campaign.phases if p.kind == PhaseKind.PLENARY), None)
    if plenary is None:
        return None, None
    zone = ZoneInfo(campaign.timezone)
    first_day = plenary.starts_at.astimezone(zone).date()
    day, start, end = DEFAULT_SLOTS[index % len(DEFAULT_SLOTS)]
    day += 2 * (index // len(DEFAULT_SLOTS))
    when = first_day + timedelta(days=day)
    return (
        datetime.combine(when, start, zone).astimezone(ZoneInfo("UTC")),
        datetime.combine(when, end, zone).astimezone(ZoneInfo("UTC")),
    )


def ensure_sessions(campaign: Campaign) -> list[EngagementSession]:
    """The campaign's sessions in programme order, making the missing ones (flushes)."""
    existing = {
        s.engagement_id: s
        for s in db.session.scalars(
            select(EngagementSession).where(EngagementSession.campaign_id == campaign.id)
        )
    }
    missing = [(i, e) for i, e in enumerate(_engagements(campaign)) if e.id not in existing]
    if missing:
        try:
            with db.session.begin_nested():  # a request making them at the same time wins
                for index, engagement in missing:
                    starts_at, ends_at = _default_times(campaign, index)
                    existing[engagement.id] = EngagementSession(
                        campaign_id=campaign.id,
                        engagement=engagement,
                        position=index + 1,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        bilan="",
                        objectifs="",
                    )
                    db.session.add(existing[engagement.id])
        except IntegrityError:
            return ensure_sessions(campaign)
    ids = {e.id for e in _engagements(campaign)}
    return sorted(
        (s for s in existing.values() if s.engagement_id in ids),
        key=lambda s: (s.position, s.engagement.position, s.id),
    )


def engagement_number(campaign: Campaign, engagement_id: int) -> int:
    """The engagement's number in the campaign's framework (1-based), used in URLs."""
    for number, engagement in enumerate(_engagements(campaign), start=1):
        if engagement.id == engagement_id:
            return number
    raise NotFound(_("Cet engagement n’est pas dans le référentiel de la campagne."))


def get_session(campaign: Campaign, number: int) -> EngagementSession:
    """The session of the campaign's ``number``-th engagement (1-based)."""
    engagements = _engagements(campaign)
    if not 1 <= number <= len(engagements):
        raise NotFound(_("Cette séance n’existe pas dans la campagne."))
    engagement_id = engagements[number - 1].id
    return next(s for s in ensure_sessions(campaign) if s.engagement_id == engagement_id)


def update_texts(
    session: EngagementSession, *, bilan: str, objectifs: str, actor: User | None
) -> EngagementSession:
    """Save the session's bilan and objectifs (its leaders only)."""
    referents.require_lead(actor, session.campaign, session.engagement_id)
    session.bilan = validation.clean_text(
        bilan, label=_("Bilan"), max_length=TEXT_MAX, field="bilan"
    )
    session.objectifs = validation.clean_text(
        objectifs, label=_("Objectifs"), max_length=TEXT_MAX, field="objectifs"
    )
    session.updated_by_id = actor.id if actor else None
    audit.record(
        "session.texts",
        session,
        actor=actor,
        engagement=session.engagement.code,
    )
    return session


# ------------------------------------------------------------------ programme


@dataclass(frozen=True)
class Slot:
    """What the programme form gives for one session (strings, as typed)."""

    day: str = ""
    start: str = ""
    end: str = ""
    position: str = ""


def _parse_time(value: str, label: str, field: str | None = None) -> time:
    try:
        return time.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput(
            _(
                "%(label)s : heure invalide « %(value)s » (format attendu : HH:MM).",
                label=label,
                value=(value or "")[:40],
            ),
            field=field,
        ) from None


def _times(
    campaign: Campaign, slot: Slot, label: str, session_id: int | None = None
) -> tuple[datetime | None, datetime | None]:
    """The slot's start and end; an error names its programme form field (``jour_<id>``…)."""
    day = validation.parse_day(
        slot.day, _("Date invalide : « %(value)s » (format attendu : AAAA-MM-JJ)."),
        out_of_range=_("Date invalide : « %(value)s »."), field=f"jour_{session_id}",
    )
    if day is None:
        return None, None
    zone = ZoneInfo(campaign.timezone)
    start = datetime.combine(day, _parse_time(slot.start, label, f"debut_{session_id}"), zone)
    end = datetime.combine(day, _parse_time(slot.end, label, f"fin_{session_id}"), zone)
    if end <= start:
        raise InvalidInput(
            _("%(label)s : la fin doit suivre le début.", label=label), field=f"fin_{session_id}"
        )
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def update_programme(campaign: Campaign, slots: dict[int, Slot], *, actor: User | None) -> int:
    """Set the sessions' order and times; returns how many changed. Each changed session
    needs its leader (a référent changes only their own line)."""
    sessions = ensure_sessions(campaign)
    planned = {}
    for session in sessions:
        slot = slots.get(session.id)
        if slot is None:
            planned[session.id] = (session.position, session.starts_at, session.ends_at)
            continue
        label = session.engagement.code
        try:
            position = int((slot.position or "").strip())
        except ValueError:
            raise InvalidInput(
                _("%(label)s : l’ordre doit être un nombre.", label=label),
                field=f"ordre_{session.id}",
            ) from None
        if not 1 <= position <= len(sessions):
            raise InvalidInput(
                _("%(label)s : l’ordre va de 1 à %(n)d.", label=label, n=len(sessions)),
                field=f"ordre_{session.id}",
            )
        planned[session.id] = (position, *_times(campaign, slot, label, session.id))
    seen = {}
    for session_id, (position, _start, _end) in planned.items():
        if position in seen:
            raise InvalidInput(
                _("Deux séances ont le même numéro d’ordre."), field=f"ordre_{session_id}"
            )
        seen[position] = session_id
    changed = [s for s in sessions if planned[s.id] != (s.position, s.starts_at, s.ends_at)]
    for session in changed:  # all checked before anything changes
        referents.require_lead(actor, campaign, session.engagement_id)
    for session in changed:
        session.position, session.starts_at, session.ends_at = planned[session.id]
        session.updated_by_id = actor.id if actor else None
    if changed:
        audit.record(
            "session.programme",
            campaign,
            actor=actor,
            changed=[s.engagement.code for s in changed],
        )
    return len(changed)


def local_times(session: EngagementSession) -> tuple[datetime | None, datetime | None]:
    """The session's start and end in the campaign's time zone."""
    zone = ZoneInfo(session.campaign.timezone)
    return (
        session.starts_at.astimezone(zone) if session.starts_at else None,
        session.ends_at.astimezone(zone) if session.ends_at else None,
    )


# ------------------------------------------------------------------ axis slots


@dataclass
class AxisSlot:
    axis: Axis
    propositions: list[Proposition] = field(default_factory=list)
    themes: list[Cluster] = field(default_factory=list)  # placed on the axis, largest first

    @property
    def empty(self) -> bool:
        return not self.propositions


def axis_of(proposition: Proposition) -> int | None:
    return db.session.scalar(
        select(PropositionAxis.axis_id).where(PropositionAxis.proposition_id == proposition.id)
    )


def axes_with_proposition(campaign: Campaign) -> set[int]:
    """The axes that have at least one proposition in the campaign's motion."""
    motion = motions.get_motion(campaign)
    if motion is None:
        return set()
    return set(
        db.session.scalars(
            select(PropositionAxis.axis_id)
            .join(Proposition, PropositionAxis.proposition_id == Proposition.id)
            .where(Proposition.motion_id == motion.id)
        )
    )


def axis_themes(campaign: Campaign, engagement: Engagement) -> dict[int, list[Cluster]]:
    """Axis id -> the active themes placed on it (themes spanning engagements excluded)."""
    axes = queries.axes_by_engagement(campaign)
    result: dict[int, list[Cluster]] = {a.id: [] for a in engagement.axes}
    for cluster in queries.active_clusters(campaign):
        engagement_id, axis_id = queries.cluster_place(cluster, axes)
        if not cluster.mapped_per_text and engagement_id == engagement.id and axis_id in result:
            result[axis_id].append(cluster)
    for themes in result.values():
        themes.sort(key=lambda c: (-c.size, c.id))
    return result


def _section_propositions(campaign: Campaign, engagement: Engagement) -> list[Proposition]:
    motion = motions.get_motion(campaign)
    if motion is None:
        return []
    return list(
        db.session.scalars(
            select(Proposition)
            .join(MotionSection, Proposition.section_id == MotionSection.id)
            .where(Proposition.motion_id == motion.id, MotionSection.engagement_id == engagement.id)
            .order_by(Proposition.position, Proposition.id)
        )
    )


def _axis(engagement: Engagement, axis_id: int | None) -> Axis:
    axis = next((a for a in engagement.axes if a.id == axis_id), None)
    if axis is None:
        raise InvalidInput(_("Cet axe n’appartient pas à l’engagement de la séance."))
    return axis


def set_axis(
    session: EngagementSession, proposition: Proposition, axis_id: int | None, *, actor: User | None
) -> None:
    """Put a proposition of the session's engagement in an axis's slot (None: in none)."""
    referents.require_lead(actor, session.campaign, session.engagement_id)
    if (
        proposition.motion.campaign_id != session.campaign_id
        or proposition.section.engagement_id != session.engagement_id
    ):
        raise InvalidInput(_("Cette proposition n’appartient pas à cette séance."))
    motions.ensure_editable(proposition.motion)
    link = db.session.get(PropositionAxis, proposition.id)
    if axis_id is None:
        if link is not None:
            db.session.delete(link)
    else:
        axis = _axis(session.engagement, axis_id)
        if link is None:
            db.session.add(PropositionAxis(proposition_id=proposition.id, axis_id=axis.id))
        else:
            link.axis_id = axis.id
    audit.record(
        "session.axis", proposition, actor=actor, campaign_id=session.campaign_id, axis=axis_id
    )


def axis_draft(
    session: EngagementSession, axis_id: int | None, cluster_ids: list[int] | None = None
) -> tuple[Axis, list[Cluster], motions.Draft]:
    """The axis, its chosen themes (all of them by default) and the extractive draft."""
    axis = _axis(session.engagement, axis_id)
    placed = axis_themes(session.campaign, session.engagement)[axis.id]
    if cluster_ids:
        clusters = motions.load_clusters(session.campaign, cluster_ids)
    else:
        clusters = placed
    if not clusters:
        raise InvalidInput(
            _(
                "Aucun thème n’est rangé dans l’axe %(code)s : rangez-y des "
                "contributions depuis le tableau des thèmes, ou écrivez la "
                "proposition depuis la motion.",
                code=axis.code,
            )
        )
    return axis, clusters, motions.prefill(clusters, [])


def create_axis_proposition(
    session: EngagementSession,
    axis_id: int | None,
    *,
    title: str,
    text: str,
    cluster_ids: list[int],
    actor: User | None,
) -> Proposition:
    """Create the axis's proposition from its themes, in the engagement's part of the motion."""
    referents.require_lead(actor, session.campaign, session.engagement_id)
    axis = _axis(session.engagement, axis_id)
    motion = motions.require_motion(session.campaign)
    clusters = motions.load_clusters(session.campaign, cluster_ids)
    section = motions.section_for(motion, session.engagement_id)
    proposition = motions.create_proposition(
        motion, section, title=title, text=text, clusters=clusters, actor=actor
    )
    db.session.add(PropositionAxis(proposition_id=proposition.id, axis_id=axis.id))
    db.session.flush()
    return proposition


# ------------------------------------------------------------------ votes


def _session_proposition(session: EngagementSession, proposition_id: int | None) -> Proposition:
    motion = motions.require_motion(session.campaign)
    proposition = motions.get_proposition(motion, proposition_id or 0)
    if proposition.section.engagement_id != session.engagement_id:
        raise InvalidInput(_("Cette proposition n’appartient pas à cette séance."))
    return proposition


def open_vote(
    session: EngagementSession, proposition_id: int | None, *, actor: User | None
) -> VoteSession:
    """Show one of the session's propositions on the projector and open its vote."""
    proposition = _session_proposition(session, proposition_id)
    return votes.open_vote(proposition, actor=actor)


def close_vote(
    session: EngagementSession, proposition_id: int | None, *, actor: User | None
) -> VoteSession:
    """Close the open vote on one of the session's propositions."""
    proposition = _session_proposition(session, proposition_id)
    current = votes.open_session(proposition.motion)
    if current is None or current.proposition_id != proposition.id:
        raise InvalidInput(_("Aucun vote n’est ouvert sur cette proposition."))
    return votes.close_vote(current.id, actor=actor)


# ------------------------------------------------------------------ the page


@dataclass
class SessionPage:
    session: EngagementSession
    number: int
    referents: list[User]
    slots: list[AxisSlot]
    unplaced: list[Proposition]  # the engagement's propositions in no axis's slot
    previous: list  # the previous campaign's propositions with their follow-up status
    can_lead: bool
    has_motion: bool
    open_vote: VoteSession | None

    @property
    def missing(self) -> list[AxisSlot]:
        return [slot for slot in self.slots if slot.empty]


def previous_propositions(campaign: Campaign, engagement: Engagement) -> list:
    """The previous campaign's propositions of this engagement with their follow-up."""
    return list(followup.previous_propositions(campaign, engagement))


def bilan_draft(session: EngagementSession) -> str:
    """A first bilan written from the previous propositions' follow-up ("" without one)."""
    return followup.draft_bilan(session.campaign, session.engagement)


def session_page(campaign: Campaign, number: int, user: User | None) -> SessionPage:
    """What the session page shows, for ``user``."""
    session = get_session(campaign, number)
    engagement = session.engagement
    themes = axis_themes(campaign, engagement)
    propositions = _section_propositions(campaign, engagement)
    axes = (
        dict(
            db.session.execute(
                select(PropositionAxis.proposition_id, PropositionAxis.axis_id).where(
                    PropositionAxis.proposition_id.in_([p.id for p in propositions])
                )
            ).all()
        )
        if propositions
        else {}
    )
    slots = [
        AxisSlot(axis, [p for p in propositions if axes.get(p.id) == axis.id], themes[axis.id])
        for axis in engagement.axes
    ]
    motion = motions.get_motion(campaign)
    current = votes.open_session(motion) if motion is not None else None
    return SessionPage(
        session=session,
        number=number,
        referents=referents.referents(campaign).get(engagement.id, []),
        slots=slots,
        unplaced=[p for p in propositions if p.id not in axes],
        previous=previous_propositions(campaign, engagement),
        can_lead=referents.can_lead(user, campaign, engagement.id),
        has_motion=motion is not None,
        open_vote=current,
    )


def screen_state(campaign: Campaign, number: int) -> dict:
    """What the session's projection polls (small JSON): a ``version`` that changes with
    whatever the screen shows (texts, times, référents, the axes' propositions), and the
    projected vote when its proposition belongs to this engagement, in the shape of the
    plenary projection's state (``motion.services.votes.LiveState``)."""
    import hashlib

    session = get_session(campaign, number)
    engagement = session.engagement
    propositions = _section_propositions(campaign, engagement)
    ids = [p.id for p in propositions]
    axes = (
        dict(
            db.session.execute(
                select(PropositionAxis.proposition_id, PropositionAxis.axis_id).where(
                    PropositionAxis.proposition_id.in_(ids)
                )
            ).all()
        )
        if ids
        else {}
    )
    shown = [
        session.bilan,
        session.objectifs,
        [str(t) for t in local_times(session)],
        [u.id for u in referents.referents(campaign).get(engagement.id, [])],
        [(p.id, p.title, p.version_number, axes.get(p.id)) for p in propositions],
    ]
    version = hashlib.sha256(repr(shown).encode()).hexdigest()[:16]
    motion = motions.get_motion(campaign)
    live = votes.live_state(motion.id) if motion is not None else None
    if live is None or live.proposition_id not in ids:
        return {"version": version, "proposition_id": None, "session": None}
    return {"version": version, **live.as_dict()}


def programme(campaign: Campaign) -> list[tuple[int, EngagementSession]]:
    """The sessions in programme order, each with its engagement's number (for URLs)."""
    sessions = ensure_sessions(campaign)
    return [(engagement_number(campaign, s.engagement_id), s) for s in sessions]


# ------------------------------------------------------------------ demo

# Fictitious référents of the demo's engagements E3 and E4 (no one can log in as them); the
# demo facilitator account is référent of E1 and E2.
DEMO_REFERENTS = {
    "E3": ("Martine Keller (démo)", "referente.e3.demo@motion.local"),
    "E4": ("Olivier Sarr (démo)", "referent.e4.demo@motion.local"),
}
DEMO_OBJECTIFS = {
    "E1": "Faire aboutir le raccordement au très haut débit des territoires encore mal "
    "desservis, simplifier l’accès aux services publics en ligne et pérenniser le "
    "financement des structures de médiation numérique.",
    "E2": "Aider les collectivités à adopter et suivre leur stratégie numérique responsable, "
    "sensibiliser les habitants et allonger la durée de vie des équipements publics.",
    "E3": "Mutualiser les outils d’aide à la décision entre collectivités, accompagner les "
    "démarches de mutualisation et mesurer le poids du numérique dans les budgets locaux.",
    "E4": "Aider les collectivités à garder la maîtrise de leurs données, à se doter d’un plan "
    "de défense et d’une politique de sécurité, et encadrer l’usage de l’intelligence "
    "artificielle dans les services publics.",
}


def setup_demo(campaign: Campaign, facilitator: User | None) -> None:
    """The demo's sessions: référents, the default programme, a bilan drafted from the
    previous campaign's follow-up and objectifs (only where still empty; flushes)."""
    by_code = {s.engagement.code: s for s in ensure_sessions(campaign)}
    if facilitator is not None:
        for code in ("E1", "E2"):
            if code in by_code:
                referents.add_referent(campaign, by_code[code].engagement_id, facilitator)
    for code, (name, email) in DEMO_REFERENTS.items():
        session = by_code.get(code)
        workshop = next(
            (
                w
                for w in campaign.workshops
                if w.engagement is not None and w.engagement.code == code
            ),
            None,
        )
        if session is None or workshop is None:
            continue
        user = accounts.get_user_by_email(email) or accounts.create_user(
            email, display_name=name, role=Role.FACILITATOR, is_demo=True
        )
        campaigns.add_member(user, workshop)
        referents.add_referent(campaign, session.engagement_id, user)
    for code, session in by_code.items():
        if not session.bilan:
            session.bilan = bilan_draft(session)
        if not session.objectifs:
            session.objectifs = DEMO_OBJECTIFS.get(code, "")
    db.session.flush()


def place_by_themes(motion) -> int:
    """Put each proposition that is in no axis's slot into the axis of the themes it came
    from (when they agree on one axis of its engagement); returns how many were placed."""
    placed = 0
    for proposition in motions.propositions_in_order(motion):
        if db.session.get(PropositionAxis, proposition.id) is not None:
            continue
        engagement = proposition.section.engagement
        if engagement is None:
            continue
        axes = {a.id for a in engagement.axes}
        found = (
            set(
                db.session.scalars(
                    select(Cluster.axis_id)
                    .join(ProvenanceLink, ProvenanceLink.cluster_id == Cluster.id)
                    .where(ProvenanceLink.proposition_id == proposition.id)
                )
            )
            & axes
        )
        if len(found) == 1:
            db.session.add(PropositionAxis(proposition_id=proposition.id, axis_id=found.pop()))
            placed += 1
    db.session.flush()
    return placed
