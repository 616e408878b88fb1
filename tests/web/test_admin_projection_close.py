"""The projected screen stops inviting the room to vote once the vote is closed."""

from __future__ import annotations

from motion.services import campaigns, motions, votes


def test_votez_sur_disappears_after_the_close(client, db, login, make_user, make_campaign):
    campaign = make_campaign("pleniere", collect_open=False)
    workshop = campaigns.get_or_create_workshop(campaign, "Atelier inclusion")
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(
        motion, motion.sections[0], title="Former les agents",
        text="Former tous les agents d'accueil au numérique.", contributions=[])
    facilitator = make_user(role="facilitator")
    campaigns.add_member(facilitator, workshop)
    db.session.commit()
    login(facilitator)
    db.session.commit()
    session = votes.open_vote(proposition, actor=None)
    db.session.commit()
    screen = client.get("/campagnes/pleniere/motion/projection").get_data(as_text=True)
    assert "Votez sur" in screen
    votes.close_vote(session.id, actor=None)
    db.session.commit()
    screen = client.get("/campagnes/pleniere/motion/projection").get_data(as_text=True)
    assert "Vote clos" in screen
    assert "Votez sur" not in screen
