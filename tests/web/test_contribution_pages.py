"""Contribution pages: posting retries, edits, supports, comments, reports, limits, search."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from motion.models import Comment, Contribution, ContributionStatus, Report, Support
from motion.services import comments
from tests.conftest import csrf_token

KEY_RE = re.compile(r'name="client_key" type="hidden" value="([^"]+)"')


def _workshop_url(workshop, suffix=""):
    return f"/campagnes/{workshop.campaign.slug}/ateliers/{workshop.slug}{suffix}"


def _contribution_url(contribution, suffix=""):
    return f"/campagnes/{contribution.campaign.slug}/contributions/{contribution.id}{suffix}"


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def participant(make_user, make_workshop):
    """A user who takes part in the contribution's campaign (through another workshop)."""

    def make(contribution, **overrides):
        user = make_user(**overrides)
        make_workshop("Atelier voisin", campaign=contribution.campaign, members=[user])
        return user

    return make


def _form_key(client, workshop):
    html = client.get(_workshop_url(workshop)).get_data(as_text=True)
    match = KEY_RE.search(html)
    assert match, "no idempotency key in the form"
    return match.group(1)


def test_a_double_tap_on_publish_creates_one_contribution(client, db, login, make_user,
                                                          make_workshop, dev_rows):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    login(elu)
    key = _form_key(client, workshop)
    token = csrf_token(client, _workshop_url(workshop))
    data = {"text": dev_rows[100]["text"], "title": "", "client_key": key, "csrf_token": token}
    first = client.post(_workshop_url(workshop, "/contributions"), data=data)
    second = client.post(_workshop_url(workshop, "/contributions"), data=data)
    assert first.status_code == second.status_code == 302
    assert _count(db, Contribution) == 1
    assert first.headers["Location"] == second.headers["Location"]


def test_a_too_short_text_is_shown_again_with_the_reason(client, db, login, make_user,
                                                         make_workshop):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    login(elu)
    token = csrf_token(client, _workshop_url(workshop))
    response = client.post(_workshop_url(workshop, "/contributions"),
                           data={"text": "Wifi gratuit", "csrf_token": token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "trop courte" in html
    assert "Wifi gratuit</textarea>" in html  # what was typed is kept
    assert _count(db, Contribution) == 0


def test_another_elus_contribution_cannot_be_edited_through_the_url(client, db, login,
                                                                    participant,
                                                                    make_contribution,
                                                                    dev_rows):
    contribution = make_contribution(text=dev_rows[101]["text"])
    intruder = participant(contribution)
    login(intruder)
    page = client.get(_contribution_url(contribution, "/modifier"))
    assert page.status_code == 403
    assert "vos propres contributions" in page.get_data(as_text=True)
    token = csrf_token(client, _contribution_url(contribution))
    response = client.post(_contribution_url(contribution, "/modifier"),
                           data={"text": dev_rows[102]["text"], "csrf_token": token})
    assert response.status_code == 403
    assert "vos propres contributions" in response.get_data(as_text=True)
    withdraw = client.post(_contribution_url(contribution, "/retirer"),
                           data={"csrf_token": token})
    assert withdraw.status_code == 403
    db.session.expire_all()
    same = db.session.get(Contribution, contribution.id)
    assert same.text == dev_rows[101]["text"]
    assert same.status == ContributionStatus.PUBLISHED


def test_the_author_edits_then_withdraws(client, db, login, make_contribution, dev_rows):
    contribution = make_contribution(text=dev_rows[103]["text"])
    login(contribution.author)
    token = csrf_token(client, _contribution_url(contribution, "/modifier"))
    response = client.post(_contribution_url(contribution, "/modifier"),
                           data={"text": dev_rows[104]["text"], "title": "Mieux dit",
                                 "csrf_token": token})
    assert response.status_code == 302
    html = client.get(_contribution_url(contribution)).get_data(as_text=True)
    assert "version précédente est conservée" in html
    assert "Mieux dit" in html
    client.post(_contribution_url(contribution, "/retirer"), data={"csrf_token": token})
    other_page = client.get(_workshop_url(contribution.workshop)).get_data(as_text=True)
    assert dev_rows[104]["text"][:30] not in other_page
    assert "0 contribution" in other_page


def test_no_edit_link_once_the_collect_phase_is_over(client, db, login, make_contribution,
                                                    dev_rows):
    """Every page that lists the author's contribution offers "Modifier" only while the edit
    page would accept it (the workshop list, the search list, the contribution's page)."""
    from datetime import timedelta

    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services.campaigns import set_phases

    contribution = make_contribution(text=dev_rows[105]["text"])
    edit_url = _contribution_url(contribution, "/modifier")
    pages = (_workshop_url(contribution.workshop),
             f"/campagnes/{contribution.campaign.slug}/contributions/",
             _contribution_url(contribution))
    login(contribution.author)
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        assert f'href="{edit_url}"' in html, page
    now = utcnow()
    set_phases(contribution.campaign, {PhaseKind.COLLECT: now - timedelta(days=9),
                                       PhaseKind.SYNTHESIS: now - timedelta(hours=1)})
    db.session.commit()
    assert client.get(edit_url).status_code == 403
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        assert dev_rows[105]["text"][:40] in unescape(html), page
        assert f'href="{edit_url}"' not in html, page
    assert "Votre contribution</p>" in client.get(pages[0]).get_data(as_text=True)


def test_unknown_or_withdrawn_contributions_are_a_french_404_for_others(
        client, db, login, participant, make_contribution):
    contribution = make_contribution()
    contribution.status = ContributionStatus.WITHDRAWN
    db.session.commit()
    login(participant(contribution))
    response = client.get(_contribution_url(contribution))
    assert response.status_code == 404
    assert "plus visible" in response.get_data(as_text=True)
    missing = client.get(f"/campagnes/{contribution.campaign.slug}/contributions/999999")
    assert missing.status_code == 404


def test_support_and_cancel_from_the_workshop_page(client, db, login, participant,
                                                   make_contribution):
    contribution = make_contribution()
    fan = participant(contribution)
    login(fan)
    page = _workshop_url(contribution.workshop)
    token = csrf_token(client, page)
    response = client.post(_contribution_url(contribution, "/soutenir"),
                           data={"csrf_token": token, "next": page})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(page)
    html = client.get(page).get_data(as_text=True)
    assert "1 soutien" in html
    assert "Vous soutenez cette idée" in html
    client.post(_contribution_url(contribution, "/soutenir"), data={"csrf_token": token})
    assert _count(db, Support) == 1
    client.post(_contribution_url(contribution, "/retirer-soutien"), data={"csrf_token": token})
    assert _count(db, Support) == 0
    # An external "next" is ignored.
    response = client.post(_contribution_url(contribution, "/soutenir"),
                           data={"csrf_token": token, "next": "https://evil.example/"})
    assert "evil.example" not in response.headers["Location"]


def test_comments_are_escaped_and_threaded(client, db, login, participant, make_contribution):
    contribution = make_contribution()
    login(participant(contribution))
    token = csrf_token(client, _contribution_url(contribution))
    client.post(_contribution_url(contribution, "/commentaires"),
                data={"text": "<img src=x onerror=alert(1)> d'accord", "csrf_token": token})
    top = db.session.scalars(select(Comment)).one()
    client.post(_contribution_url(contribution, "/commentaires"),
                data={"text": "Une réponse", "parent_id": str(top.id), "csrf_token": token})
    html = client.get(_contribution_url(contribution)).get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'class="replies"' in html
    bad = client.post(_contribution_url(contribution, "/commentaires"),
                      data={"text": "x", "parent_id": "abc", "csrf_token": token})
    assert bad.status_code == 400
    assert _count(db, Comment) == 2


def test_a_reply_has_the_actions_of_a_comment(client, db, login, participant, make_contribution):
    """Its author may withdraw it; anyone else may report it (as for a top-level comment)."""
    contribution = make_contribution()
    author = contribution.author  # writes the top comment
    replier = participant(contribution)
    page = _contribution_url(contribution)

    def sign_in(user) -> str:
        client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, page)})
        login(user)
        return csrf_token(client, page)

    login(author)
    token = csrf_token(client, page)
    client.post(_contribution_url(contribution, "/commentaires"),
                data={"text": "Qui a essayé ?", "csrf_token": token})
    top = db.session.scalars(select(Comment)).one()
    token = sign_in(replier)
    client.post(_contribution_url(contribution, "/commentaires"),
                data={"text": "Nous, à Figeac", "parent_id": str(top.id), "csrf_token": token})
    reply = db.session.scalars(select(Comment).where(Comment.parent_id == top.id)).one()
    withdraw = _contribution_url(contribution, f"/commentaires/{reply.id}/retirer")
    report = _contribution_url(contribution, f"/commentaires/{reply.id}/signaler")
    html = client.get(page).get_data(as_text=True)
    assert withdraw in html
    assert report not in html
    sign_in(author)
    html = client.get(page).get_data(as_text=True)
    assert report in html
    assert withdraw not in html
    token = sign_in(replier)
    assert client.post(withdraw, data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Comment, reply.id).status == "withdrawn"


def test_report_then_the_facilitator_hides_it(client, db, login, participant,
                                             make_contribution):
    contribution = make_contribution()
    elu = participant(contribution)
    login(elu)
    token = csrf_token(client, _contribution_url(contribution))
    response = client.post(_contribution_url(contribution, "/signaler"),
                           data={"reason": "Propos diffamatoires", "csrf_token": token})
    assert response.status_code == 302
    # A second report: back on the contribution with a calm notice, nothing added.
    again = client.post(_contribution_url(contribution, "/signaler"),
                        data={"reason": "Encore", "csrf_token": token})
    assert again.status_code == 302
    assert again.headers["Location"].endswith(_contribution_url(contribution))
    html = client.get(_contribution_url(contribution)).get_data(as_text=True)
    assert ("Vous avez déjà signalé cette contribution ; l’équipe d’animation "
            "l’examinera.") in html
    assert "Conflit" not in html
    assert _count(db, Report) == 1
    queue_url = f"/campagnes/{contribution.campaign.slug}/moderation/"
    assert client.get(queue_url).status_code == 403

    client.post("/compte/deconnexion", data={"csrf_token": token})
    login(participant(contribution, role="facilitator"))
    queue = client.get(queue_url).get_data(as_text=True)
    assert "Propos diffamatoires" in queue
    token = csrf_token(client, queue_url)
    action = f"{queue_url}contribution/{contribution.id}/masquer"
    no_reason = client.post(action, data={"reason": "", "csrf_token": token})
    assert no_reason.status_code == 400
    assert client.post(action, data={"reason": "Diffamation", "csrf_token": token}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Contribution, contribution.id).status == ContributionStatus.HIDDEN
    assert db.session.scalars(select(Report)).one().decision == "hide"


def test_reporting_a_comment_twice_is_a_calm_notice(client, db, login, participant,
                                                   make_contribution):
    contribution = make_contribution()
    comment = comments.post_comment(contribution.author, contribution, "Et les médiathèques ?")
    db.session.commit()
    login(participant(contribution))
    token = csrf_token(client, _contribution_url(contribution))
    url = _contribution_url(contribution, f"/commentaires/{comment.id}/signaler")
    assert client.post(url, data={"reason": "Spam", "csrf_token": token}).status_code == 302
    again = client.post(url, data={"reason": "Spam", "csrf_token": token})
    assert again.status_code == 302
    assert again.headers["Location"].endswith(_contribution_url(contribution))
    html = client.get(_contribution_url(contribution)).get_data(as_text=True)
    assert "Vous avez déjà signalé ce commentaire ; l’équipe d’animation l’examinera." in html
    assert _count(db, Report) == 1


def test_posting_is_rate_limited_per_user(app, client, db, login, make_user, make_workshop,
                                          dev_rows):
    app.config["RATELIMIT_POSTING"] = "2 per minute"
    elu = make_user()
    workshop = make_workshop(members=[elu])
    login(elu)
    token = csrf_token(client, _workshop_url(workshop))
    codes = [
        client.post(_workshop_url(workshop, "/contributions"),
                    data={"text": dev_rows[110 + i]["text"], "csrf_token": token}).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]
    last = client.post(_workshop_url(workshop, "/contributions"),
                       data={"text": dev_rows[120]["text"], "csrf_token": token})
    assert "Trop de requêtes" in last.get_data(as_text=True)
    assert _count(db, Contribution) == 2


def test_reporting_is_rate_limited_per_user(app, client, db, login, make_user, make_workshop,
                                            make_contribution):
    app.config["RATELIMIT_REPORTING"] = "1 per hour"
    first, second = make_contribution(), make_contribution()
    reporter = make_user()
    for contribution in (first, second):
        make_workshop("Atelier voisin", campaign=contribution.campaign, members=[reporter])
    login(reporter)
    token = csrf_token(client, _contribution_url(first))
    assert client.post(_contribution_url(first, "/signaler"),
                       data={"reason": "Spam", "csrf_token": token}).status_code == 302
    assert client.post(_contribution_url(second, "/signaler"),
                       data={"reason": "Spam", "csrf_token": token}).status_code == 429
    assert _count(db, Report) == 1


def test_search_page_filters_and_refuses_bad_dates(client, db, login, make_user, make_workshop,
                                                   make_contribution, dev_rows):
    elu = make_user(collectivite="Brest")
    workshop = make_workshop(members=[elu])
    for row in dev_rows[:30]:
        make_contribution(author=elu, workshop=workshop, text=row["text"])
    login(elu)
    base = f"/campagnes/{workshop.campaign.slug}/contributions/"
    html = client.get(base, query_string={"q": "impôts"}).get_data(as_text=True)
    found = re.findall(r'<p class="text">([^<]*)</p>', html)
    # Every answer with the word is found; SQLite also ignores accents, PostgreSQL stems.
    assert {r["text"] for r in dev_rows[:30] if "impôts" in r["text"]} <= {
        t.replace("&#39;", "'") for t in found}
    assert all(re.search(r"imp[oô]t", t, re.IGNORECASE) for t in found)
    html = client.get(base, query_string={"collectivite": "Brest"}).get_data(as_text=True)
    assert "30 résultats" in html
    bad = client.get(base, query_string={"du": "31/12/2026"})
    assert bad.status_code == 400
    assert "Date invalide" in bad.get_data(as_text=True)


def test_a_page_past_the_last_one_goes_to_the_last_one(app, client, db, login, make_user,
                                                       make_workshop, make_contribution,
                                                       dev_rows, monkeypatch):
    """A stale link (the list has shrunk since) to the search or a workshop's list: its
    last page, filters kept, and a word saying so, instead of "Page 99999 sur 3" and an
    empty list; a page number that cannot be one stays a French 404."""
    from motion.views import contributions as contribution_views
    from motion.views import workshops as workshop_views

    monkeypatch.setattr(contribution_views, "PER_PAGE", 2)
    monkeypatch.setattr(workshop_views, "PER_PAGE", 2)
    elu = make_user(collectivite="Brest")
    workshop = make_workshop(members=[elu])
    for row in dev_rows[200:205]:
        make_contribution(author=elu, workshop=workshop, text=row["text"])
    login(elu)
    search_url = f"/campagnes/{workshop.campaign.slug}/contributions/"
    workshop_url = _workshop_url(workshop)
    for url, query in ((search_url, {"collectivite": "Brest"}), (workshop_url, {})):
        response = client.get(url, query_string={**query, "page": "99999"})
        assert response.status_code == 302, url
        location = response.headers["Location"]
        assert "page=3" in location
        assert "page=99999" not in location
        assert all(f"{k}={v}" in location for k, v in query.items())
        html = client.get(location).get_data(as_text=True)
        assert "Page 3 sur 3" in html
        assert "Cette liste s’arrête à la page 3 : la voici." in html
        assert client.get(url, query_string={**query, "page": "2"}).status_code == 200
        for bad in ("0", "-1", "abc"):
            assert client.get(url, query_string={"page": bad}).status_code == 404
    # A list of one page: that page, without a page number.
    response = client.get(search_url, query_string={"q": "zzzqqq", "page": "4"})
    assert response.headers["Location"].endswith(f"{search_url}?q=zzzqqq")
    assert "Cette liste ne compte qu’une page : la voici." in client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_similar_ideas_api_needs_login_and_answers_json(client, login, participant,
                                                        make_contribution, dev_rows):
    contribution = make_contribution(text=dev_rows[7]["text"])
    url = f"/api/campagnes/{contribution.campaign.slug}/idees-proches"
    assert client.post(url, data={"texte": "x"}).status_code in (302, 400, 401)
    login(participant(contribution))
    token = csrf_token(client, "/compte/notifications/")
    paraphrase = ("Il faut finir de raccorder toute la France à Internet, jusqu'aux coins les "
                  "plus reculés, puisque les services ne sont plus au village.")
    response = client.post(url, data={"texte": paraphrase}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    [suggestion] = response.get_json()["suggestions"]
    assert suggestion["id"] == contribution.id
    assert suggestion["message"].startswith("Une idée proche existe déjà dans l’atelier")
    assert suggestion["support_url"].endswith(f"/contributions/{contribution.id}/soutenir")
    # A long paste fits in the body (in a URL it gave 414); past the maximum length it is cut.
    long_paste = " ".join([paraphrase] * 40)
    assert len(long_paste) > 4_000
    response = client.post(url, data={"texte": long_paste}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert isinstance(response.get_json()["suggestions"], list)
    # POST only, with the CSRF token.
    assert client.get(url, query_string={"texte": paraphrase}).status_code == 405
    refused = client.post(url, data={"texte": paraphrase})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["message"]
    unknown = client.post("/api/campagnes/inconnue/idees-proches", data={"texte": paraphrase},
                          headers={"X-CSRFToken": token})
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["message"]


@pytest.mark.parametrize("flags", [{}, {"replies": "y", "phase_changes": "y"}])
def test_notification_preferences_are_saved(client, db, login, make_user, flags):
    from motion.services.notifications import get_preferences

    user = make_user()
    login(user)
    token = csrf_token(client, "/compte/notifications/")
    response = client.post("/compte/notifications/", data={"csrf_token": token, **flags})
    assert response.status_code == 302
    pref = get_preferences(user)
    assert (pref.replies, pref.weekly_digest, pref.phase_changes) == (
        "replies" in flags, False, "phase_changes" in flags)


def test_admin_imports_invitations_and_the_link_sets_a_password(app, client, db, login,
                                                                make_user, make_campaign,
                                                                tmp_path):
    import email
    import io

    app.config["MAIL_DIR"] = str(tmp_path)
    campaign = make_campaign()
    login(make_user(role="admin"))
    token = csrf_token(client, "/admin/invitations")
    csv_data = "email,nom,collectivité,ateliers\nlea@ville-nantes.fr,Léa,Nantes,Atelier eau\n"
    response = client.post("/admin/invitations", data={
        "csrf_token": token, "campaign": campaign.slug,
        "file": (io.BytesIO(csv_data.encode()), "elus.csv"),
    }, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "1 compte créé" in response.get_data(as_text=True)
    [mail_file] = list(tmp_path.glob("*.eml"))
    body = email.message_from_bytes(mail_file.read_bytes(),
                                    policy=email.policy.default).get_content()
    link = re.search(r"http://localhost(/invitation/\S+)", body).group(1)
    client.post("/compte/deconnexion", data={"csrf_token": token})
    page = client.get(link)
    assert page.status_code == 200
    token = csrf_token(client, link)
    done = client.post(link, data={"csrf_token": token, "password": "un long mot de passe",
                                   "confirm": "un long mot de passe"})
    assert done.status_code == 302
    assert client.get(link).status_code == 410


def test_workshops_page_lists_mine_first_and_the_others_read_only(client, login, make_user,
                                                                   make_workshop,
                                                                   make_campaign):
    campaign = make_campaign()
    elu = make_user()
    make_workshop("Atelier eau", campaign=campaign, members=[elu])
    make_workshop("Atelier mobilités", campaign=campaign)
    login(elu)
    html = client.get(f"/campagnes/{campaign.slug}/ateliers/").get_data(as_text=True)
    assert html.index("Mes ateliers") < html.index("Atelier eau") < html.index(
        "Autres ateliers") < html.index("Atelier mobilités")
