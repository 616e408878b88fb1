"""Live votes: exact tallies under concurrency, one vote per participant, closed rounds frozen."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from motion.errors import Conflict, Forbidden, InvalidInput
from motion.models import Proposition, User, Vote, VoteSession
from motion.services import campaigns, motions, votes


@pytest.fixture
def plenary(db, make_campaign):
    """A campaign past its collect phase, a workshop, a motion with two propositions."""
    campaign = make_campaign("pleniere", collect_open=False)
    workshop = campaigns.get_or_create_workshop(campaign, "Atelier inclusion")
    motion = motions.create_motion(campaign)
    section = motion.sections[0]
    first = motions.create_proposition(motion, section, title="Former les agents",
                                       text="Former tous les agents d'accueil au numérique.",
                                       contributions=[])
    second = motions.create_proposition(motion, section, title="Ouvrir des tiers-lieux",
                                        text="Ouvrir un tiers-lieu numérique par canton.")
    db.session.commit()
    return {"campaign": campaign, "workshop": workshop, "motion": motion,
            "first": first, "second": second}


@pytest.fixture
def voters(db, plenary):
    def make(n: int) -> list[int]:
        users = [User(email=f"votant{i}@example.fr", display_name=f"Votant {i}")
                 for i in range(n)]
        db.session.add_all(users)
        db.session.flush()
        for user in users:
            campaigns.add_member(user, plenary["workshop"])
        db.session.commit()
        return [u.id for u in users]

    return make


def _in_threads(app, calls):
    """Run each call in its own thread, app context and database session, all at once."""
    from motion.extensions import db

    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                call()
                db.session.commit()
            except BaseException as error:  # reported to the test below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_fifty_concurrent_votes_from_fifty_users_count_exactly(app, db, plenary, voters):
    ids = voters(50)
    sid = votes.open_vote(plenary["first"], actor=None).id
    db.session.commit()
    choices = ["for"] * 23 + ["against"] * 17 + ["abstain"] * 10
    errors = _in_threads(app, [
        (lambda uid=uid, c=c: votes.cast_vote(sid, uid, c))
        for uid, c in zip(ids, choices, strict=True)
    ])
    assert errors == []
    db.session.expire_all()
    assert votes.tally(sid) == votes.Tally(23, 17, 10)
    assert db.session.scalar(select(func.count(Vote.id))) == 50


def test_ten_simultaneous_votes_from_one_user_count_once(app, db, plenary, voters):
    [uid] = voters(1)
    sid = votes.open_vote(plenary["first"], actor=None).id
    db.session.commit()
    choices = ["for", "against"] * 5
    errors = _in_threads(app, [(lambda c=c: votes.cast_vote(sid, uid, c)) for c in choices])
    assert errors == []
    db.session.expire_all()
    rows = db.session.scalars(select(Vote).where(Vote.session_id == sid)).all()
    assert len(rows) == 1
    assert rows[0].choice in ("for", "against")
    assert votes.tally(sid).total == 1


def test_a_vote_can_be_changed_until_the_round_closes_then_it_is_refused(db, plenary, voters):
    a, b = voters(2)
    session = votes.open_vote(plenary["first"], actor=None)
    db.session.commit()
    votes.cast_vote(session.id, a, "for")
    votes.cast_vote(session.id, b, "for")
    db.session.commit()
    votes.cast_vote(session.id, a, "against")  # changed
    db.session.commit()
    assert votes.tally(session.id) == votes.Tally(1, 1, 0)

    closed = votes.close_vote(session.id, actor=None)
    db.session.commit()
    assert (closed.count_for, closed.count_against, closed.count_abstain) == (1, 1, 0)
    with pytest.raises(Conflict, match="clos"):
        votes.cast_vote(session.id, b, "against")
    db.session.rollback()
    db.session.expire_all()
    assert votes.tally(session.id) == votes.Tally(1, 1, 0)
    proposition = db.session.get(Proposition, plenary["first"].id)
    assert (proposition.result_for, proposition.result_against, proposition.outcome) == \
        (1, 1, "rejected")
    with pytest.raises(Conflict):
        votes.close_vote(session.id, actor=None)


def test_only_campaign_participants_vote_and_choices_are_checked(db, plenary, voters):
    [member] = voters(1)
    outsider = User(email="dehors@example.fr", display_name="Hors campagne")
    db.session.add(outsider)
    session = votes.open_vote(plenary["first"], actor=None)
    db.session.commit()
    with pytest.raises(Forbidden):
        votes.cast_vote(session.id, outsider.id, "for")
    with pytest.raises(InvalidInput):
        votes.cast_vote(session.id, member, "peut-être")
    db.session.rollback()
    assert votes.tally(session.id).total == 0


def test_one_round_open_at_a_time_and_a_new_round_starts_empty(db, plenary, voters):
    [uid] = voters(1)
    first = votes.open_vote(plenary["first"], actor=None)
    db.session.commit()
    with pytest.raises(Conflict):
        votes.open_vote(plenary["second"], actor=None)
    votes.cast_vote(first.id, uid, "for")
    votes.close_vote(first.id, actor=None)
    db.session.commit()
    again = votes.open_vote(plenary["first"], actor=None)
    db.session.commit()
    assert again.round == 2
    assert votes.tally(again.id).total == 0
    state = votes.live_state(plenary["motion"].id)
    assert state.proposition_id == plenary["first"].id
    assert state.session_id == again.id
    assert state.status == "open"
    assert db.session.scalar(select(func.count(VoteSession.id))) == 2


def test_votes_racing_the_close_are_either_counted_or_refused(app, db, plenary, voters):
    ids = voters(30)
    sid = votes.open_vote(plenary["first"], actor=None).id
    db.session.commit()
    calls = [(lambda uid=uid: votes.cast_vote(sid, uid, "for")) for uid in ids]
    calls.append(lambda: votes.close_vote(sid, actor=None))
    errors = _in_threads(app, calls)
    assert all(isinstance(e, Conflict) for e in errors), errors
    db.session.expire_all()
    frozen = db.session.get(VoteSession, sid)
    # The frozen count is exactly what the table holds: no vote slipped in after closing.
    assert frozen.count_for == votes.tally(sid).pour == 30 - len(errors)


def test_a_text_put_to_the_vote_can_no_longer_change(db, plenary, voters, make_user):
    """The plenary decides on the version a round records: the text cannot change while
    the round is open nor after it closed (edit, restore, accepting or merging amendments,
    filing one); a new round votes the same text again."""
    from motion.models import PropositionVersion
    from motion.services import amendments

    [uid] = voters(1)
    first = plenary["first"]
    authors = [make_user(campaign=plenary["campaign"], password=None) for _ in range(3)]
    pending = [amendments.propose(first, author, text=f"Former les agents ({n}).",
                                  justification="Plus précis.")
               for n, author in enumerate(authors)]
    motions.add_version(first, title=first.title, text="Former les agents d'accueil.",
                        actor=None, reason="")
    db.session.commit()

    def refused(match):
        for change in (
            lambda: motions.add_version(first, title="T", text="Autre.", actor=None, reason=""),
            lambda: motions.restore_version(first, 1, actor=None),
            lambda: amendments.accept(pending[0], actor=None),
            lambda: amendments.merge(first, [pending[0].id, pending[1].id], text="Fusion.",
                                     actor=None),
        ):
            with pytest.raises(Conflict, match=match):
                change()
            db.session.rollback()
        with pytest.raises(Conflict, match="ne reçoit plus d’amendements"):
            amendments.propose(first, authors[0], text="Encore un autre.", justification="J.")
        db.session.rollback()
        assert not amendments.amendments_open(first)

    session = votes.open_vote(first, actor=None)
    db.session.commit()
    assert session.version_number == 2
    refused("ouvert : son texte ne peut pas changer")
    votes.cast_vote(session.id, uid, "for")
    votes.close_vote(session.id, actor=None)
    db.session.commit()
    refused("La plénière a voté cette proposition sur sa version 2")
    db.session.expire_all()
    assert (first.version_number, first.text) == (2, "Former les agents d'accueil.")
    amendments.reject(pending[2], actor=None, reason="La plénière a voté le texte.")
    assert motions.changed_since_vote(plenary["motion"]) == {}

    # A text changed after its vote before this was refused: the adoption page names it,
    # and the version voted (only it) may be brought back.
    first.versions.append(PropositionVersion(number=3, title=first.title, text="Changé.",
                                             kind="edit"))
    first.text, first.version_number = "Changé.", 3
    db.session.commit()
    changed = motions.changed_since_vote(plenary["motion"])
    assert {pid: v.number for pid, v in changed.items()} == {first.id: 2}
    with pytest.raises(Conflict):
        motions.restore_version(first, 1, actor=None)
    db.session.rollback()
    motions.restore_version(first, 2, actor=None)
    db.session.commit()
    assert first.text == "Former les agents d'accueil."
    assert motions.changed_since_vote(plenary["motion"]) == {}
    again = votes.open_vote(first, actor=None)  # a new round: the same text
    assert (again.round, again.version_number) == (2, 4)
