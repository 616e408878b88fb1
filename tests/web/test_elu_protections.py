"""An élu's words are protected: a withdrawal is confirmed and can be undone for a while,
the same text is not published twice (back + resubmit), and the limits are shown."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from motion.models import Contribution, ContributionStatus
from motion.models._types import utcnow
from tests.conftest import csrf_token


def _url(contribution, suffix=""):
    return f"/campagnes/{contribution.campaign.slug}/contributions/{contribution.id}{suffix}"


def test_withdrawal_is_confirmed_then_can_be_undone(client, db, login, make_contribution):
    contribution = make_contribution()
    login(contribution.author)
    page = client.get(_url(contribution, "/retirer")).get_data(as_text=True)
    assert "Retirer cette contribution ?" in page
    assert "pendant 10 minutes" in page
    response = client.post(_url(contribution, "/retirer"),
                           data={"csrf_token": csrf_token(client, _url(contribution, "/retirer"))})
    assert response.headers["Location"].endswith(_url(contribution, "/retirer"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Annuler le retrait" in page
    db.session.expire_all()
    assert db.session.get(Contribution, contribution.id).status == ContributionStatus.WITHDRAWN
    response = client.post(_url(contribution, "/retablir"),
                           data={"csrf_token": csrf_token(client, _url(contribution, "/retirer"))})
    assert response.status_code == 302
    assert "Retrait annulé" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Contribution, contribution.id).status == ContributionStatus.PUBLISHED


def test_undo_is_refused_after_the_delay(client, db, login, make_contribution):
    contribution = make_contribution()
    login(contribution.author)
    client.post(_url(contribution, "/retirer"),
                data={"csrf_token": csrf_token(client, _url(contribution, "/retirer"))})
    db.session.expire_all()
    withdrawn = db.session.get(Contribution, contribution.id)
    withdrawn.updated_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    page = client.get(_url(contribution, "/retirer")).get_data(as_text=True)
    assert "Le délai pour annuler le retrait est passé." in page
    response = client.post(_url(contribution, "/retablir"),
                           data={"csrf_token": csrf_token(client, _url(contribution, "/retirer"))})
    assert response.status_code == 400
    assert "ne peut plus être annulé" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Contribution, contribution.id).status == ContributionStatus.WITHDRAWN


def test_someone_else_cannot_withdraw_or_restore(client, db, login, make_user,
                                                 make_contribution):
    from motion.services.campaigns import add_member

    contribution = make_contribution()
    other = make_user()
    add_member(other, contribution.workshop)
    db.session.commit()
    login(other)
    assert client.get(_url(contribution, "/retirer")).status_code == 403


def test_the_same_text_is_not_published_twice(client, db, login, make_user, make_workshop,
                                              dev_rows):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    login(elu)
    path = f"/campagnes/{workshop.campaign.slug}/ateliers/{workshop.slug}"
    text = dev_rows[3]["text"]
    for _attempt in range(2):  # back, then submit again: a new form, hence a new key
        page = client.get(path).get_data(as_text=True)
        key = re.search(r'name="client_key"[^>]*value="([^"]+)"', page).group(1)
        response = client.post(path + "/contributions", data={
            "text": text, "title": "", "client_key": key, "engagement": "",
            "csrf_token": csrf_token(client, path)})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Vous avez déjà publié exactement ce texte" in body
    assert text[:40] in body  # what was typed is still there
    assert len(db.session.scalars(select(Contribution)).all()) == 1


def test_the_text_field_carries_its_limits_for_the_counter(client, login, make_user,
                                                           make_workshop):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    login(elu)
    page = client.get(f"/campagnes/{workshop.campaign.slug}/ateliers/{workshop.slug}"
                      ).get_data(as_text=True)
    assert 'data-counter-max="2000"' in page
    assert 'data-counter-min="20"' in page
    assert "/static/js/counter.js" in page
