"""Workshop pages and the plain posting form."""

from __future__ import annotations

from sqlalchemy import select

from motion.models import AuditEvent, Contribution
from tests.conftest import csrf_token


def _url(workshop, suffix=""):
    return f"/campagnes/{workshop.campaign.slug}/ateliers/{workshop.slug}{suffix}"


def _post(client, workshop, text, title=""):
    token = csrf_token(client, _url(workshop))
    return client.post(_url(workshop, "/contributions"),
                       data={"text": text, "title": title, "csrf_token": token})


def test_member_posts_a_contribution_and_sees_it_listed(client, db, login, make_user,
                                                        make_workshop, dev_rows):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    login(elu)
    text = dev_rows[10]["text"]
    response = _post(client, workshop, text, title="Mon idée")
    assert response.status_code == 302
    html = client.get(_url(workshop)).get_data(as_text=True)
    assert "Votre contribution est publiée" in html
    assert "Mon idée" in html
    contribution = db.session.scalars(select(Contribution)).one()
    assert contribution.author_id == elu.id
    assert contribution.collectivite == elu.collectivite
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_type == "contributions",
        AuditEvent.object_id == contribution.id)) == "contribution.create"


def test_non_member_cannot_post_and_nothing_is_saved(client, db, login, make_user,
                                                     make_workshop, dev_rows):
    elu = make_user()
    workshop = make_workshop()
    make_workshop("Autre atelier", campaign=workshop.campaign, members=[elu])
    login(elu)
    html = client.get(_url(workshop)).get_data(as_text=True)
    assert "sans en être membre" in html
    response = _post(client, workshop, dev_rows[0]["text"])
    assert response.status_code == 403
    assert "pas membre de l’atelier" in response.get_data(as_text=True)
    assert db.session.scalars(select(Contribution)).all() == []


def test_posting_after_the_collect_phase_is_refused(client, db, login, make_user,
                                                    make_workshop, make_campaign, dev_rows):
    elu = make_user()
    workshop = make_workshop(campaign=make_campaign(collect_open=False), members=[elu])
    login(elu)
    assert "phase de contribution est close" in client.get(_url(workshop)).get_data(
        as_text=True)
    response = _post(client, workshop, dev_rows[0]["text"])
    assert response.status_code == 403
    assert db.session.scalars(select(Contribution)).all() == []


def test_too_short_and_too_long_texts_get_a_french_400(client, db, login, make_user,
                                                       make_workshop):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    login(elu)
    short = _post(client, workshop, "   trop court   ")
    assert short.status_code == 400
    assert "trop courte" in short.get_data(as_text=True)
    long = _post(client, workshop, "mot " * 600)
    assert long.status_code == 400
    assert "trop longue" in long.get_data(as_text=True)
    assert db.session.scalars(select(Contribution)).all() == []


def test_html_in_a_contribution_is_escaped(client, login, make_user, make_workshop):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    login(elu)
    _post(client, workshop, "<script>alert('x')</script> des pistes cyclables sûres")
    html = client.get(_url(workshop)).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_joining_an_open_workshop(client, db, login, make_user, make_workshop):
    elu = make_user()
    workshop = make_workshop()
    make_workshop("Autre atelier", campaign=workshop.campaign, members=[elu])
    login(elu)
    token = csrf_token(client, _url(workshop))
    response = client.post(_url(workshop, "/rejoindre"), data={"csrf_token": token})
    assert response.status_code == 302
    assert "Proposer une idée" in client.get(_url(workshop)).get_data(as_text=True)


def test_unknown_workshop_is_a_french_404(client, login, make_user, make_workshop):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    login(elu)
    response = client.get(f"/campagnes/{workshop.campaign.slug}/ateliers/inconnu")
    assert response.status_code == 404
    assert "Aucun atelier « inconnu »" in response.get_data(as_text=True)


def test_home_shows_the_current_campaign_and_phase(client, make_workshop):
    workshop = make_workshop("Atelier fibre optique")
    html = client.get("/").get_data(as_text=True)
    assert workshop.campaign.title in html
    assert "Contributions ouvertes" in html
    assert "Atelier fibre optique" in html


def test_home_says_when_the_phase_ends_in_the_reader_s_language(client, make_campaign):
    """French: "jusqu’au 29 janvier 2027 à 17:55"; English: "until 29 January 2027 at
    17:55", not "à 17:55" (the pattern was written in French in the template)."""
    from datetime import UTC, datetime, timedelta

    from motion.models import PhaseKind
    from motion.models._types import utcnow

    make_campaign(phase_starts={PhaseKind.COLLECT: utcnow() - timedelta(days=1),
                                PhaseKind.SYNTHESIS: datetime(2027, 1, 29, 16, 55, tzinfo=UTC)})
    html = client.get("/").get_data(as_text=True)
    assert "jusqu’au 29 janvier 2027 à 17:55" in html
    client.get("/langue/en")
    html = client.get("/").get_data(as_text=True)
    assert "until 29 January 2027 at 17:55" in html
    assert " à " not in html.split('class="phase"', 1)[1].split("</p>", 1)[0]
