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


def test_an_elu_outside_the_campaign_is_told_how_to_join_before_voting(
        client, db, login, make_user, make_campaign):
    campaign = make_campaign("pleniere-2", collect_open=False)
    motions.create_motion(campaign)
    db.session.commit()
    login(make_user())
    response = client.get(f"/v/{campaign.slug}")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "ses pages (et ses votes) sont réservées à ses participants" in page
    assert "Pour la rejoindre, utilisez le lien d’invitation" in page
