"""Posting, editing, withdrawing, supports and comments (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from motion.errors import Forbidden, InvalidInput
from motion.models import (
    AuditEvent,
    Comment,
    Contribution,
    ContributionStatus,
    ContributionVersion,
    Support,
)
from motion.services import comments, contributions, supports

KEY = "k" * 24


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_retry_with_the_same_idempotency_key_creates_nothing(db, make_user, make_workshop,
                                                               dev_rows):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    first = contributions.post_contribution(elu, workshop, dev_rows[0]["text"], client_key=KEY)
    db.session.commit()
    again = contributions.post_contribution(elu, workshop, dev_rows[0]["text"], client_key=KEY)
    db.session.commit()
    assert again.id == first.id
    assert _count(db, Contribution) == 1
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "contribution.create")) == 1
    # Another key (another form) is another contribution.
    contributions.post_contribution(elu, workshop, dev_rows[1]["text"], client_key="z" * 24)
    db.session.commit()
    assert _count(db, Contribution) == 2


def test_a_malformed_idempotency_key_is_refused(db, make_user, make_workshop, dev_rows):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    with pytest.raises(InvalidInput):
        contributions.post_contribution(elu, workshop, dev_rows[0]["text"], client_key="<x>")
    db.session.rollback()
    assert _count(db, Contribution) == 0


def test_the_engagement_must_belong_to_the_campaign_framework(db, make_user, make_workshop,
                                                              dev_rows):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    engagement = workshop.campaign.framework.engagements[0]
    c = contributions.post_contribution(elu, workshop, dev_rows[7]["text"],
                                        engagement_id=engagement.id)
    db.session.commit()
    assert c.engagement_id == engagement.id
    with pytest.raises(InvalidInput, match="référentiel"):
        contributions.post_contribution(elu, workshop, dev_rows[8]["text"], engagement_id=99999)


def test_editing_keeps_the_previous_text_as_a_version(db, make_contribution, dev_rows):
    contribution = make_contribution(text=dev_rows[3]["text"])
    author = contribution.author
    changed = contributions.edit_contribution(author, contribution, dev_rows[4]["text"],
                                              title="Précision")
    db.session.commit()
    assert changed
    assert contribution.text == dev_rows[4]["text"]
    versions = db.session.scalars(select(ContributionVersion)).all()
    assert [(v.number, v.text, v.title) for v in versions] == [(1, dev_rows[3]["text"], None)]
    # Saving the same text again adds no version.
    assert not contributions.edit_contribution(author, contribution, dev_rows[4]["text"],
                                               title="Précision")


def test_an_elu_cannot_edit_or_withdraw_another_elus_contribution(db, make_contribution,
                                                                  make_user, dev_rows):
    contribution = make_contribution(text=dev_rows[5]["text"])
    intruder = make_user()
    with pytest.raises(Forbidden, match="vos propres contributions"):
        contributions.edit_contribution(intruder, contribution, dev_rows[6]["text"])
    with pytest.raises(Forbidden):
        contributions.withdraw_contribution(intruder, contribution)
    db.session.rollback()
    db.session.refresh(contribution)
    assert contribution.text == dev_rows[5]["text"]
    assert contribution.status == ContributionStatus.PUBLISHED
    assert _count(db, ContributionVersion) == 0


def test_no_edit_once_the_collect_phase_is_over(db, make_contribution, dev_rows):
    from datetime import timedelta

    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services.campaigns import set_phases

    contribution = make_contribution(text=dev_rows[9]["text"])
    now = utcnow()
    set_phases(contribution.campaign, {PhaseKind.COLLECT: now - timedelta(days=9),
                                       PhaseKind.SYNTHESIS: now - timedelta(hours=1)})
    db.session.commit()
    with pytest.raises(Forbidden, match="close"):
        contributions.edit_contribution(contribution.author, contribution, dev_rows[10]["text"])


def test_withdrawn_contributions_leave_the_workshop_list_but_stay_for_the_audit(
        db, make_contribution, dev_rows):
    kept = make_contribution(text=dev_rows[11]["text"])
    gone = make_contribution(text=dev_rows[12]["text"], workshop=kept.workshop)
    contributions.withdraw_contribution(gone.author, gone)
    db.session.commit()
    rows, total = contributions.list_workshop_contributions(kept.workshop)
    assert total == 1
    assert [c.id for c, _n in rows] == [kept.id]
    assert db.session.get(Contribution, gone.id).status == ContributionStatus.WITHDRAWN
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_id == gone.id, AuditEvent.action == "contribution.withdraw"))
    with pytest.raises(InvalidInput):
        contributions.withdraw_contribution(gone.author, gone)


def test_support_is_once_per_user_and_can_be_cancelled(db, make_contribution, make_user):
    contribution = make_contribution()
    fan = make_user(campaign=contribution.campaign)
    assert supports.add_support(fan, contribution)
    db.session.commit()
    assert not supports.add_support(fan, contribution)
    db.session.commit()
    assert supports.count_supports(contribution) == 1
    assert supports.remove_support(fan, contribution)
    db.session.commit()
    assert supports.count_supports(contribution) == 0
    assert not supports.remove_support(fan, contribution)
    with pytest.raises(InvalidInput):
        supports.add_support(contribution.author, contribution)


def test_twenty_threads_supporting_at_once_count_once(app, db, make_contribution, make_user):
    contribution = make_contribution()
    fan = make_user(campaign=contribution.campaign)
    contribution_id, fan_id = contribution.id, fan.id
    db.session.remove()  # free this thread's connection (SQLite write lock)
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []
    results: list[bool] = []

    def click() -> None:
        from motion.models import User

        with app.app_context():
            try:
                # Hold no connection while waiting: the pool is smaller than 20.
                barrier.wait(timeout=30)
                user = db.session.get(User, fan_id)
                target = db.session.get(Contribution, contribution_id)
                added = supports.add_support(user, target)
                db.session.commit()
                results.append(added)
            except BaseException as error:  # collected and asserted below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(results) == [False] * 19 + [True]
    assert db.session.scalar(select(func.count(Support.id)).where(
        Support.contribution_id == contribution_id)) == 1


def test_comments_thread_one_level_deep(db, make_contribution, make_user, dev_rows):
    contribution = make_contribution()
    alice, bob = make_user(), make_user()
    top = comments.post_comment(alice, contribution, dev_rows[20]["text"])
    db.session.commit()
    reply = comments.post_comment(bob, contribution, dev_rows[21]["text"], parent_id=top.id)
    db.session.commit()
    # A reply to a reply joins the same thread.
    nested = comments.post_comment(alice, contribution, dev_rows[22]["text"],
                                   parent_id=reply.id)
    db.session.commit()
    assert reply.parent_id == top.id
    assert nested.parent_id == top.id
    thread = comments.thread(contribution, bob)
    assert [(t.id, [r.id for r in rs]) for t, rs in thread] == [(top.id, [reply.id, nested.id])]


@pytest.mark.parametrize("text", ["", "   \n  ", "x" * 1001])
def test_empty_or_overlong_comments_are_refused(db, make_contribution, make_user, text):
    contribution = make_contribution()
    with pytest.raises(InvalidInput):
        comments.post_comment(make_user(), contribution, text)
    db.session.rollback()
    assert _count(db, Comment) == 0


def test_a_comment_retry_with_the_same_key_creates_nothing(db, make_contribution, make_user,
                                                           dev_rows):
    contribution = make_contribution()
    user = make_user()
    first = comments.post_comment(user, contribution, dev_rows[23]["text"], client_key=KEY)
    db.session.commit()
    second = comments.post_comment(user, contribution, dev_rows[23]["text"], client_key=KEY)
    db.session.commit()
    assert first.id == second.id
    assert _count(db, Comment) == 1


def test_withdrawn_contributions_take_no_comments_or_supports(db, make_contribution, make_user,
                                                             dev_rows):
    contribution = make_contribution()
    contributions.withdraw_contribution(contribution.author, contribution)
    db.session.commit()
    participant = make_user(campaign=contribution.campaign)
    with pytest.raises(Forbidden):
        comments.post_comment(participant, contribution, dev_rows[24]["text"])
    with pytest.raises(InvalidInput):
        supports.add_support(participant, contribution)


@pytest.mark.parametrize("model", [Contribution, Comment])
def test_a_key_raced_by_another_request_returns_the_row_that_won(
    db, make_contribution, make_user, dev_rows, monkeypatch, model
):
    # The other request commits between this one's look-up and its insert: the unique
    # (author, client key) refuses the second row, and the first comes back, not audited again.
    contribution = make_contribution()
    author = contribution.author if model is Contribution else make_user()

    def post(text):
        if model is Contribution:
            return contributions.post_contribution(author, contribution.workshop, text,
                                                   client_key=KEY)
        return comments.post_comment(author, contribution, text, client_key=KEY)

    first = post(dev_rows[30]["text"])
    db.session.commit()
    rows, events = _count(db, model), _count(db, AuditEvent)
    real_lookup, lookups = contributions.find_by_client_key, []

    def late_lookup(*args):
        lookups.append(args)
        return None if len(lookups) == 1 else real_lookup(*args)

    monkeypatch.setattr(contributions, "find_by_client_key", late_lookup)
    monkeypatch.setattr(comments, "find_by_client_key", late_lookup)
    again = post(dev_rows[31]["text"])
    db.session.commit()
    assert again.id == first.id
    assert len(lookups) == 2
    assert (_count(db, model), _count(db, AuditEvent)) == (rows, events)
