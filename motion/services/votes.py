"""Live votes in plenary, and the projection state the projector and phones follow.

A vote is one statement: an INSERT … SELECT that only produces a row while the round is
open and the voter belongs to the campaign, with ON CONFLICT DO UPDATE so that a changed
vote (or ten taps at once) updates the single row (unique user, proposition, round).
Tallies are always counted from the votes table. Closing a round takes the round's row
lock (PostgreSQL: votes hold a share lock on it; SQLite: one writer at a time), so the
frozen count is exactly what was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from motion.errors import Conflict, Forbidden, InvalidInput, NotFound
from motion.exports.document import VoteResult
from motion.extensions import db
from motion.models import (
    Membership,
    Motion,
    ProjectionState,
    Proposition,
    User,
    Vote,
    VoteChoice,
    VoteSession,
    VoteSessionStatus,
    Workshop,
)
from motion.models._types import UTCDateTime, utcnow
from motion.services import audit, motions, referents

CHOICES = {c.value: c for c in VoteChoice}


# ------------------------------------------------------------------ rounds


def open_session(motion: Motion) -> VoteSession | None:
    return db.session.scalar(
        select(VoteSession).join(Proposition, VoteSession.proposition_id == Proposition.id)
        .where(Proposition.motion_id == motion.id, VoteSession.status == VoteSessionStatus.OPEN))


def open_vote(proposition: Proposition, *, actor: User | None) -> VoteSession:
    """Open a new round on ``proposition`` and show it on the projector."""
    motion = proposition.motion
    motions.ensure_editable(motion)
    referents.require_lead(actor, motion.campaign, proposition.section.engagement_id)
    current = open_session(motion)
    if current is not None:
        if current.proposition_id == proposition.id:
            raise Conflict(_("Le vote sur cette proposition est déjà ouvert."))
        raise Conflict(_("Un autre vote est ouvert : clôturez-le d’abord."))
    last = motions.latest_round(proposition)
    session = VoteSession(proposition=proposition, round=(last.round + 1) if last else 1,
                          status=VoteSessionStatus.OPEN,
                          version_number=proposition.version_number,
                          opened_by_id=actor.id if actor else None)
    db.session.add(session)
    set_projection(motion, proposition)
    audit.record("vote.open", session, actor=actor, campaign_id=motion.campaign_id,
                 proposition=proposition.id, round=session.round)
    return session


def close_vote(session_id: int, *, actor: User | None) -> VoteSession:
    """Close the round, count it from the votes table and freeze the result."""
    # Lock the round: on PostgreSQL this waits for in-flight votes (they hold a share lock).
    session = db.session.scalar(
        select(VoteSession).where(VoteSession.id == session_id).with_for_update())
    if session is None:
        raise NotFound(_("Vote introuvable."))
    if session.status != VoteSessionStatus.OPEN:
        raise Conflict(_("Ce vote est déjà clos."))
    referents.require_lead(actor, session.proposition.motion.campaign,
                           session.proposition.section.engagement_id)
    # The UPDATE comes first so that, on SQLite, the write lock is held while counting.
    db.session.execute(
        update(VoteSession).where(VoteSession.id == session.id)
        .values(status=VoteSessionStatus.CLOSED, closed_at=utcnow(),
                closed_by_id=actor.id if actor else None)
        .execution_options(synchronize_session=False))
    counts = tally(session.id)
    db.session.refresh(session)
    session.count_for = counts.pour
    session.count_against = counts.contre
    session.count_abstain = counts.abstention
    proposition = session.proposition
    proposition.result_for, proposition.result_against = counts.pour, counts.contre
    proposition.result_abstain, proposition.result_at = counts.abstention, session.closed_at
    proposition.outcome = "adopted" if counts.adopted else "rejected"
    audit.record("vote.close", session, actor=actor, campaign_id=proposition.motion.campaign_id,
                 proposition=proposition.id, round=session.round, pour=counts.pour,
                 contre=counts.contre, abstention=counts.abstention)
    return session


# ------------------------------------------------------------------ votes


def _insert(dialect: str):
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"votes need PostgreSQL or SQLite, not {dialect}")


def cast_vote(session_id: int, user_id: int, choice: str) -> None:
    """Record (or change) ``user_id``'s vote in an open round, in one statement."""
    value = CHOICES.get(choice)
    if value is None:
        raise InvalidInput(_("Choix de vote inconnu : pour, contre ou abstention."))
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    member = exists().where(
        Membership.user_id == user_id,
        Membership.workshop_id == Workshop.id,
        Workshop.campaign_id == Motion.campaign_id,
    )
    source = (
        select(VoteSession.id, VoteSession.proposition_id, literal(user_id),
               literal(value.value), literal(now, UTCDateTime()), literal(now, UTCDateTime()))
        .join(Proposition, VoteSession.proposition_id == Proposition.id)
        .join(Motion, Proposition.motion_id == Motion.id)
        .where(VoteSession.id == session_id, VoteSession.status == VoteSessionStatus.OPEN, member)
    )
    if dialect == "postgresql":
        source = source.with_for_update(read=True, of=VoteSession)
    table = Vote.__table__
    statement = _insert(dialect)(table).from_select(
        ["session_id", "proposition_id", "user_id", "choice", "created_at", "updated_at"], source)
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "proposition_id", "session_id"],
        set_={"choice": statement.excluded.choice, "updated_at": statement.excluded.updated_at},
    ).returning(table.c.id)
    # RETURNING, not rowcount: drivers report -1 for INSERT … SELECT.
    if db.session.execute(statement).first() is not None:
        return
    _explain_refusal(session_id, user_id)


def _explain_refusal(session_id: int, user_id: int) -> None:
    row = db.session.execute(
        select(VoteSession.status, Motion.campaign_id)
        .join(Proposition, VoteSession.proposition_id == Proposition.id)
        .join(Motion, Proposition.motion_id == Motion.id)
        .where(VoteSession.id == session_id)).first()
    if row is None:
        raise NotFound(_("Vote introuvable."))
    if row.status != VoteSessionStatus.OPEN:
        raise Conflict(_("Ce vote est clos : votre voix n’a pas été enregistrée."))
    raise Forbidden(_("Seuls les participants de la campagne peuvent voter."))


def my_vote(session_id: int, user_id: int) -> str | None:
    return db.session.scalar(select(Vote.choice).where(
        Vote.session_id == session_id, Vote.user_id == user_id))


# A round's count is the same value the exports print: one rule for "adopted".
Tally = VoteResult


def tally(session_id: int) -> Tally:
    """Count a round from the votes table."""
    counts = dict(db.session.execute(
        select(Vote.choice, func.count()).where(Vote.session_id == session_id)
        .group_by(Vote.choice)).all())
    return Tally(counts.get(VoteChoice.FOR, 0), counts.get(VoteChoice.AGAINST, 0),
                 counts.get(VoteChoice.ABSTAIN, 0))


# ------------------------------------------------------------------ projection


def projection(motion: Motion) -> ProjectionState:
    state = db.session.scalar(select(ProjectionState).where(ProjectionState.motion_id == motion.id))
    if state is None:
        state = ProjectionState(motion=motion)
        db.session.add(state)
        db.session.flush()
    return state


def set_projection(motion: Motion, proposition: Proposition | None) -> ProjectionState:
    """Show ``proposition`` (or the motion's title page) on the projector."""
    if proposition is not None and proposition.motion_id != motion.id:
        raise InvalidInput(_("Cette proposition n’appartient pas à la motion."))
    state = projection(motion)
    state.proposition = proposition
    state.updated_at = utcnow()
    db.session.flush()
    return state


def step(motion: Motion, delta: int) -> ProjectionState:
    """Move the projector to the next (+1) or previous (-1) proposition."""
    ordered = motions.propositions_in_order(motion)
    if not ordered:
        raise InvalidInput(_("La motion n’a encore aucune proposition."))
    state = projection(motion)
    ids = [p.id for p in ordered]
    if state.proposition_id in ids:
        index = max(0, min(len(ids) - 1, ids.index(state.proposition_id) + delta))
    else:
        index = 0 if delta >= 0 else len(ids) - 1
    return set_projection(motion, ordered[index])


@dataclass(frozen=True)
class LiveState:
    """What the projector and the phones poll: the shown proposition and its round."""

    proposition_id: int | None
    session_id: int | None
    round: int | None
    status: str | None
    tally: Tally | None

    def as_dict(self) -> dict:
        return {
            "proposition_id": self.proposition_id,
            "session": None if self.session_id is None else {
                "id": self.session_id, "round": self.round, "status": self.status,
                **(self.tally.as_dict() if self.tally else {}),
            },
        }


def live_state(motion_id: int) -> LiveState:
    """Two small queries: the shown proposition with its latest round, then the count."""
    row = db.session.execute(
        select(ProjectionState.proposition_id, VoteSession.id, VoteSession.round,
               VoteSession.status)
        .join(VoteSession, VoteSession.proposition_id == ProjectionState.proposition_id,
              isouter=True)
        .where(ProjectionState.motion_id == motion_id)
        .order_by(VoteSession.round.desc()).limit(1)).first()
    if row is None:
        return LiveState(None, None, None, None, None)
    proposition_id, session_id, round_, status = row
    if session_id is None:
        return LiveState(proposition_id, None, None, None, None)
    return LiveState(proposition_id, session_id, round_, str(status), tally(session_id))
