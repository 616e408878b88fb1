"""Campaigns are separated: an élu of campaign B cannot read, support, join, search or vote
in campaign A, neither through the services nor through the pages (French 403/404)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from motion.errors import Forbidden
from motion.models import Membership, Support, Vote, WorkshopJoining
from motion.services import campaigns, contributions, motions, search, supports, votes
from tests.conftest import csrf_token


@pytest.fixture
def two_campaigns(db, make_campaign, make_workshop, make_user, make_contribution):
    """Campaign A with an open workshop and a published idea; campaign B with its own élu."""
    campaign_a, campaign_b = make_campaign("congres-a"), make_campaign("congres-b")
    author_a = make_user(email="auteur.a@example.fr")
    workshop_a = make_workshop("Atelier inclusion", campaign=campaign_a, members=[author_a])
    open_a = make_workshop("Atelier territoires", campaign=campaign_a)
    idea = make_contribution(author=author_a, workshop=workshop_a)
    elu_b = make_user(email="elu.b@example.fr")
    make_workshop("Atelier fibre", campaign=campaign_b, members=[elu_b])
    return {"a": campaign_a, "b": campaign_b, "idea": idea, "open_a": open_a,
            "workshop_a": workshop_a, "elu_b": elu_b, "author_a": author_a}


def _memberships(db, user):
    return db.session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.user_id == user.id))


def test_services_refuse_an_elu_of_another_campaign(db, two_campaigns):
    a, idea, elu_b = two_campaigns["a"], two_campaigns["idea"], two_campaigns["elu_b"]
    with pytest.raises(Forbidden, match="ne participez pas"):
        contributions.get_contribution(a, idea.id, elu_b)
    with pytest.raises(Forbidden):
        supports.add_support(elu_b, idea)
    with pytest.raises(Forbidden):
        campaigns.join_workshop(elu_b, two_campaigns["open_a"])
    with pytest.raises(Forbidden):
        search.search(a, search.Filters(query="impôts"), viewer=elu_b)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Support)) == 0
    assert _memberships(db, elu_b) == 1


def test_a_member_of_the_campaign_still_reads_supports_and_joins(db, make_user, two_campaigns):
    a, idea = two_campaigns["a"], two_campaigns["idea"]
    neighbour = make_user()
    campaigns.add_member(neighbour, two_campaigns["open_a"])
    assert contributions.get_contribution(a, idea.id, neighbour) == idea
    assert supports.add_support(neighbour, idea) is True
    campaigns.join_workshop(neighbour, two_campaigns["workshop_a"])
    assert search.search(a, search.Filters(), viewer=neighbour).total == 1
    db.session.commit()
    assert _memberships(db, neighbour) == 2


def test_joining_by_invitation_only_is_a_campaign_setting(db, make_user, two_campaigns):
    a = two_campaigns["a"]
    member, admin = make_user(), make_user(role="admin")
    campaigns.add_member(member, two_campaigns["workshop_a"])
    a.workshop_joining = WorkshopJoining.INVITATION
    db.session.commit()
    with pytest.raises(Forbidden, match="sur invitation"):
        campaigns.join_workshop(member, two_campaigns["open_a"])
    campaigns.join_workshop(admin, two_campaigns["open_a"])  # administrators always may
    db.session.commit()
    assert _memberships(db, member) == 1


def test_a_closed_workshop_refuses_members_of_the_campaign(db, make_user, two_campaigns):
    member = make_user()
    campaigns.add_member(member, two_campaigns["workshop_a"])
    two_campaigns["open_a"].is_open = False
    db.session.commit()
    with pytest.raises(Forbidden, match="pas de nouveaux membres"):
        campaigns.join_workshop(member, two_campaigns["open_a"])


def test_an_elu_of_another_campaign_cannot_vote_even_after_trying_to_join(db, two_campaigns):
    a, elu_b = two_campaigns["a"], two_campaigns["elu_b"]
    motion = motions.create_motion(a)
    proposition = motions.create_proposition(
        motion, motion.sections[0], title="Former les agents",
        text="Former tous les agents d'accueil au numérique.", contributions=[])
    session = votes.open_vote(proposition, actor=None)
    db.session.commit()
    with pytest.raises(Forbidden):
        campaigns.join_workshop(elu_b, two_campaigns["open_a"])
    db.session.rollback()
    with pytest.raises(Forbidden, match="participants de la campagne"):
        votes.cast_vote(session.id, elu_b.id, "for")
    db.session.rollback()
    votes.cast_vote(session.id, two_campaigns["author_a"].id, "for")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1


def test_pages_of_another_campaign_are_a_french_403(client, db, login, two_campaigns):
    a, idea, elu_b = two_campaigns["a"], two_campaigns["idea"], two_campaigns["elu_b"]
    login(elu_b)
    base = f"/campagnes/{a.slug}"
    for path in (f"{base}/contributions/{idea.id}", f"{base}/contributions/",
                 f"{base}/ateliers/", f"{base}/ateliers/{two_campaigns['open_a'].slug}",
                 f"{base}/motion", f"/v/{a.slug}"):
        response = client.get(path)
        assert response.status_code == 403, path
        body = response.get_data(as_text=True)
        assert "ne participez pas" in body, path
    token = csrf_token(client, f"/campagnes/{two_campaigns['b'].slug}/ateliers/")
    for path in (f"{base}/contributions/{idea.id}/soutenir",
                 f"{base}/ateliers/{two_campaigns['open_a'].slug}/rejoindre",
                 f"/api/campagnes/{a.slug}/idees-proches"):
        response = client.post(path, data={"csrf_token": token, "texte": idea.text})
        assert response.status_code == 403, path
    assert db.session.scalar(select(func.count()).select_from(Support)) == 0
    assert _memberships(db, elu_b) == 1


def test_an_id_of_another_campaign_under_ones_own_campaign_is_a_404(client, login,
                                                                    two_campaigns):
    login(two_campaigns["elu_b"])
    response = client.get(
        f"/campagnes/{two_campaigns['b'].slug}/contributions/{two_campaigns['idea'].id}")
    assert response.status_code == 404
    assert "plus visible" in response.get_data(as_text=True)


def test_the_cli_sets_who_joins_workshops(db, runner):
    from motion.models import Campaign

    result = runner.invoke(args=["campaign", "add", "sur-invitation", "--title", "Congrès",
                                 "--workshop-joining", "invitation"])
    assert result.exit_code == 0, result.output
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "sur-invitation"))
    assert campaign.workshop_joining == WorkshopJoining.INVITATION
    refused = runner.invoke(args=["campaign", "add", "autre", "--title", "Congrès",
                                  "--workshop-joining", "tous"])
    assert refused.exit_code == 2
    assert "tous" in refused.output
