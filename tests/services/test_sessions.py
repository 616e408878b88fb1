"""Engagement sessions: référents, the programme, bilan/objectifs and one proposition per axis."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from motion.errors import Forbidden, InvalidInput
from tests.seeding import place_themes


def seed_congress(
    db, make_user, make_campaign, dev_rows, *, passwords: bool = True
) -> SimpleNamespace:
    """A campaign in its plenary's run-up: four élus' ideas in three themes placed on
    E1.1, E1.2 and E2.1, the motion with one E2 proposition, référents of E1 and E2
    (``passwords``: the users can sign in; hashing them costs time)."""
    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import campaigns, contributions, motions, referents

    now = utcnow()
    campaign = make_campaign(
        phase_starts={
            PhaseKind.COLLECT: now - timedelta(days=1),
            PhaseKind.SYNTHESIS: now + timedelta(days=10),
            PhaseKind.PLENARY: now + timedelta(days=30),
        }
    )
    workshop = campaigns.get_or_create_workshop(campaign, "Atelier du congrès")
    password = {} if passwords else {"password": None}
    elu = make_user(campaign=campaign, **password)
    users = {
        name: make_user(role="facilitator", display_name=name, campaign=campaign, **password)
        for name in ("Référente E1", "Référent E2", "Animatrice")
    }
    admin = make_user(role="admin", display_name="Admin", **password)
    engagements = campaign.framework.engagements
    e1, e2 = engagements[0], engagements[1]
    ideas = [contributions.post_contribution(elu, workshop, dev_rows[i]["text"]) for i in range(4)]
    places = [
        (e1, e1.axes[0], ideas[:2]),
        (e1, e1.axes[1], ideas[2:3]),
        (e2, e2.axes[0], ideas[3:]),
    ]
    clusters = place_themes(campaign, places)
    motion = motions.create_motion(campaign)
    e2_proposition = motions.create_proposition(
        motion,
        motions.section_for(motion, e2.id),
        title="Sobriété des équipements",
        text="Allonger la durée de vie des équipements des collectivités.",
        clusters=[clusters[2]],
    )
    referents.add_referent(campaign, e1.id, users["Référente E1"])
    referents.add_referent(campaign, e2.id, users["Référent E2"])
    db.session.commit()
    return SimpleNamespace(
        campaign=campaign,
        e1=e1,
        e2=e2,
        elu=elu,
        admin=admin,
        r1=users["Référente E1"],
        r2=users["Référent E2"],
        facilitator=users["Animatrice"],
        clusters=clusters,
        motion=motion,
        e2_proposition=e2_proposition,
        ideas=ideas,
    )


@pytest.fixture
def congress(db, make_user, make_campaign, dev_rows):
    return seed_congress(db, make_user, make_campaign, dev_rows, passwords=False)


def test_who_leads_which_session(congress):
    from motion.services import referents

    c = congress
    leads = {
        name: [referents.can_lead(user, c.campaign, e.id) for e in (c.e1, c.e2)]
        for name, user in (
            ("r1", c.r1),
            ("r2", c.r2),
            ("facilitator", c.facilitator),
            ("admin", c.admin),
            ("elu", c.elu),
        )
    }
    assert leads == {
        "r1": [True, False],
        "r2": [False, True],
        "facilitator": [True, True],
        "admin": [True, True],
        "elu": [False, False],
    }
    # "Autres propositions" (no engagement): not a référent's own session.
    assert not referents.can_lead(c.r1, c.campaign, None)
    assert referents.can_lead(c.facilitator, c.campaign, None)


def test_a_referent_of_e1_cannot_touch_e2s_session(db, congress):
    from motion.services import motions, sessions, votes

    c = congress
    e2_session = sessions.get_session(c.campaign, 2)
    with pytest.raises(Forbidden, match="référent d’un autre engagement"):
        sessions.update_texts(e2_session, bilan="Bilan", objectifs="", actor=c.r1)
    with pytest.raises(Forbidden):
        motions.add_version(
            c.e2_proposition, title="Autre", text="Autre texte", actor=c.r1, reason=""
        )
    with pytest.raises(Forbidden):
        votes.open_vote(c.e2_proposition, actor=c.r1)
    with pytest.raises(Forbidden):
        motions.create_proposition(
            c.motion, c.e2_proposition.section, title="T", text="X", actor=c.r1
        )
    db.session.rollback()
    # E2's own référent does all of it; so does a facilitator who is référent of none.
    sessions.update_texts(
        e2_session,
        bilan="Trois propositions transmises.",
        objectifs="Une proposition par axe.",
        actor=c.r2,
    )
    round_ = votes.open_vote(c.e2_proposition, actor=c.r2)
    db.session.commit()
    with pytest.raises(Forbidden):
        votes.close_vote(round_.id, actor=c.r1)
    db.session.rollback()
    votes.close_vote(round_.id, actor=c.facilitator)
    db.session.commit()
    assert e2_session.bilan == "Trois propositions transmises."
    assert c.e2_proposition.outcome == "rejected"  # nobody voted: 0 pour, 0 contre


def test_programme_two_days_four_sessions_then_edited(db, congress):
    from motion.models import PhaseKind
    from motion.services import sessions

    c = congress
    rows = sessions.ensure_sessions(c.campaign)
    db.session.commit()
    assert [s.engagement.code for s in rows] == ["E1", "E2", "E3", "E4"]
    zone = ZoneInfo(c.campaign.timezone)
    plenary = next(p for p in c.campaign.phases if p.kind == PhaseKind.PLENARY)
    first_day = plenary.starts_at.astimezone(zone).date()
    starts = [s.starts_at.astimezone(zone) for s in rows]
    assert [(t.date() - first_day).days for t in starts] == [0, 0, 1, 1]
    assert [t.hour for t in starts] == [9, 11, 9, 11]
    assert all(s.ends_at > s.starts_at for s in rows)

    e1, e2 = rows[0], rows[1]
    day = (first_day + timedelta(days=1)).isoformat()
    swap = {
        e1.id: sessions.Slot(day, "14:00", "15:30", "2"),
        e2.id: sessions.Slot(day, "09:30", "11:00", "1"),
    }
    with pytest.raises(Forbidden):  # r1 may move E1's session, not E2's
        sessions.update_programme(c.campaign, swap, actor=c.r1)
    db.session.rollback()
    assert sessions.update_programme(c.campaign, swap, actor=c.facilitator) == 2
    db.session.commit()
    assert [s.engagement.code for s in sessions.ensure_sessions(c.campaign)][:2] == ["E2", "E1"]
    assert e1.starts_at.astimezone(zone).hour == 14
    for bad, message in (
        ({e1.id: sessions.Slot(day, "15:00", "14:00", "2")}, "fin"),
        ({e1.id: sessions.Slot("31/12", "09:00", "10:00", "2")}, "Date"),
        ({e1.id: sessions.Slot(day, "9h", "10:00", "2")}, "heure"),
        ({e1.id: sessions.Slot(day, "09:00", "10:00", "1")}, "même numéro"),
    ):
        with pytest.raises(InvalidInput, match=message):
            sessions.update_programme(c.campaign, bad, actor=c.admin)
        db.session.rollback()


def test_one_slot_per_axis_filled_from_its_themes(db, congress):
    from motion.services import sessions

    c = congress
    page = sessions.session_page(c.campaign, 1, c.r1)
    assert [s.axis.code for s in page.missing] == ["E1.1", "E1.2", "E1.3"]
    assert [t.name for t in page.slots[0].themes] == ["Thème E1.1"]
    assert page.can_lead
    assert page.previous == []

    session = page.session
    axis, clusters, draft = sessions.axis_draft(session, c.e1.axes[0].id)
    assert clusters == [c.clusters[0]]
    assert "Thème E1.1" in draft.title
    proposition = sessions.create_axis_proposition(
        session,
        axis.id,
        title=draft.title,
        text=draft.text,
        cluster_ids=[cl.id for cl in clusters],
        actor=c.r1,
    )
    db.session.commit()
    assert {link.contribution_id for link in proposition.provenance} == {i.id for i in c.ideas[:2]}
    assert proposition.section.engagement_id == c.e1.id
    page = sessions.session_page(c.campaign, 1, c.r1)
    assert [s.axis.code for s in page.missing] == ["E1.2", "E1.3"]
    assert page.slots[0].propositions == [proposition]
    assert sessions.axes_with_proposition(c.campaign) == {c.e1.axes[0].id}

    with pytest.raises(InvalidInput, match="Aucun thème"):  # E1.3 has no theme
        sessions.axis_draft(session, c.e1.axes[2].id)
    with pytest.raises(InvalidInput, match="axe n’appartient pas"):
        sessions.axis_draft(session, c.e2.axes[0].id)
    with pytest.raises(InvalidInput, match="n’appartient pas à cette séance"):
        sessions.set_axis(session, c.e2_proposition, c.e1.axes[1].id, actor=c.admin)
    # Moving the proposition to E1.2 empties E1.1's slot again.
    sessions.set_axis(session, proposition, c.e1.axes[1].id, actor=c.r1)
    assert sessions.axes_with_proposition(c.campaign) == {c.e1.axes[1].id}


def test_referents_are_facilitators_of_the_campaign(db, congress, make_user):
    from motion.services import referents

    c = congress
    with pytest.raises(InvalidInput, match="animateur"):
        referents.add_referent(c.campaign, c.e1.id, c.elu)
    outsider = make_user(role="facilitator")
    with pytest.raises(InvalidInput, match="ne participe pas"):
        referents.add_referent(c.campaign, c.e1.id, outsider)
    # Référent of E1 and E3: leads both.
    referents.add_referent(c.campaign, c.campaign.framework.engagements[2].id, c.r1)
    assert referents.referent_engagement_ids(c.r1, c.campaign) == {
        c.e1.id,
        c.campaign.framework.engagements[2].id,
    }
    referents.remove_referent(c.campaign, c.e1.id, c.r1.id)
    assert not referents.can_lead(c.r1, c.campaign, c.e1.id)
    assert [u.id for u in referents.candidates(c.campaign)] == sorted(
        [c.facilitator.id, c.r1.id, c.r2.id],
        key=lambda i: {c.facilitator.id: 0, c.r2.id: 1, c.r1.id: 2}[i],
    )


def test_propositions_from_one_axis_themes_find_their_slot(db, congress):
    from motion.services import motions, sessions

    c = congress
    section = motions.section_for(c.motion, c.e1.id)
    one_axis = motions.create_proposition(
        c.motion, section, title="Très haut débit", text="Raccorder.", clusters=[c.clusters[0]]
    )
    two_axes = motions.create_proposition(
        c.motion, section, title="Deux axes", text="Les deux.", clusters=c.clusters[:2]
    )
    # The E2 proposition came from E2.1's theme: placed too; the two-axes one stays out.
    assert sessions.place_by_themes(c.motion) == 2
    assert sessions.axis_of(one_axis) == c.e1.axes[0].id
    assert sessions.axis_of(c.e2_proposition) == c.e2.axes[0].id
    assert sessions.axis_of(two_axes) is None
    assert sessions.place_by_themes(c.motion) == 0  # what is placed stays placed


def test_two_first_visits_at_once_make_the_sessions_once(app, db, make_campaign):
    """The first two visits of the programme at the same moment: the second request's
    insert waits on the first one's rows, fails on the unique (campaign, engagement) and
    reads the sessions the first one made; both see the same four sessions."""
    import threading

    from sqlalchemy import func, select

    from motion.models import Campaign, EngagementSession
    from motion.services import sessions

    campaign_id = make_campaign("premiere-visite").id
    db.session.commit()
    first_flushed, first_may_commit = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def visit(name: str) -> None:
        with app.app_context():
            try:
                if name == "second":
                    first_flushed.wait(30)
                    # The first request commits while this one waits on its rows.
                    threading.Timer(0.5, first_may_commit.set).start()
                campaign = db.session.get(Campaign, campaign_id)
                seen[name] = [(s.id, s.engagement_id) for s in sessions.ensure_sessions(campaign)]
                db.session.flush()
                if name == "first":
                    first_flushed.set()
                    first_may_commit.wait(30)
                db.session.commit()
            except BaseException as error:  # reported below
                seen[f"{name} error"] = error
                db.session.rollback()
            finally:
                first_flushed.set()
                db.session.remove()

    threads = [threading.Thread(target=visit, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert "first error" not in seen
    assert "second error" not in seen
    assert seen["first"] == seen["second"]
    assert len(seen["first"]) == 4
    db.session.expire_all()
    assert db.session.scalar(select(func.count(EngagementSession.id))
                             .where(EngagementSession.campaign_id == campaign_id)) == 4
