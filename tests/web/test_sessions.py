"""Engagement sessions over HTTP: a référent leads their engagement's session and no other's;
the programme, the axis slots, the coverage marks and the "Mes engagements" filter."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token, field_error
from tests.services.test_sessions import seed_congress

MISSING = '<span class="badge badge-missing">aucune proposition</span>'


@pytest.fixture
def congress(db, make_user, make_campaign, dev_rows):
    return seed_congress(db, make_user, make_campaign, dev_rows)


def _base(congress) -> str:
    return f"/campagnes/{congress.campaign.slug}"


def test_referent_of_e1_leads_e1_and_cannot_edit_e2(client, db, login, congress):
    c, base = congress, _base(congress)
    login(c.r1)
    token = csrf_token(client, f"{base}/seances/1")
    e1 = client.get(f"{base}/seances/1").get_data(as_text=True)
    assert "Rédiger le bilan et les objectifs" in e1
    assert "3 axes sans proposition" in e1
    e2 = client.get(f"{base}/seances/2").get_data(as_text=True)
    assert "Rédiger le bilan" not in e2
    assert "Projeter et ouvrir le vote" not in e2

    # E2's proposition page offers them no edit link (their own engagement's would).
    e2_page = client.get(f"{base}/motion/propositions/{c.e2_proposition.id}")
    assert e2_page.status_code == 200
    assert "/modifier" not in e2_page.get_data(as_text=True)
    # Every way of changing E2's session or its propositions is refused.
    e2p = c.e2_proposition.id
    refused = [
        client.post(f"{base}/seances/2/textes", data={"csrf_token": token, "bilan": "Non"}),
        client.post(f"{base}/seances/2/vote", data={"csrf_token": token, "proposition": e2p}),
        client.get(f"{base}/seances/2/proposition-d-axe?axe={c.e2.axes[0].id}"),
        client.post(
            f"{base}/seances/2/axes",
            data={"csrf_token": token, "proposition": e2p, "axe": c.e2.axes[0].id},
        ),
        client.get(f"{base}/motion/propositions/{e2p}/modifier"),
        client.post(
            f"{base}/motion/propositions/{e2p}/modifier",
            data={"csrf_token": token, "title": "T", "text": "Texte", "base_version": "1"},
        ),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert "référent d’un autre engagement" in refused[0].get_data(as_text=True)
    # Drafting from E2's themes into E2's part: refused, the typed text is kept on the page.
    kept = client.post(
        f"{base}/motion/propositions/nouvelle",
        data={
            "csrf_token": token,
            "themes": [c.clusters[2].id],
            "create": "1",
            "section": c.e2_proposition.section_id,
            "title": "Mon titre",
            "text": "Mon texte à garder",
        },
    )
    assert kept.status_code == 403
    assert "Mon texte à garder" in kept.get_data(as_text=True)
    # The plenary's control page refuses to open E2's vote for them too.
    client.post(f"{base}/motion/pilotage/afficher", data={"csrf_token": token, "proposition": e2p})
    assert (
        client.post(f"{base}/motion/pilotage/ouvrir", data={"csrf_token": token}).status_code == 403
    )

    saved = client.post(
        f"{base}/seances/1/textes",
        data={
            "csrf_token": token,
            "bilan": "Le très haut débit a progressé.",
            "objectifs": "Une proposition par axe.",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    from motion.services import sessions

    assert sessions.get_session(c.campaign, 1).bilan == "Le très haut débit a progressé."
    assert sessions.get_session(c.campaign, 2).bilan == ""
    bad = client.post(
        f"{base}/seances/1/textes",
        data={"csrf_token": token, "bilan": "x" * 20_001, "objectifs": "Mes objectifs gardés"},
    )
    assert bad.status_code == 400
    assert "trop long" in field_error(bad.get_data(as_text=True), "bilan-texte", "Bilan")
    assert "Mes objectifs gardés" in bad.get_data(as_text=True)  # nothing typed is lost


def test_axis_proposition_from_themes_then_vote_and_coverage(client, db, login, congress):
    c, base = congress, _base(congress)
    axis = c.e1.axes[0]
    login(c.r1)
    token = csrf_token(client, f"{base}/seances/1")
    coverage = client.get(f"{base}/couverture").get_data(as_text=True)
    assert coverage.count(MISSING) == 12  # every axis of the four engagements

    # The session's projection follows the session: its state's version changes with it.
    state_url = f"{base}/seances/1/projection/etat"
    before = client.get(state_url).get_json()
    assert before["proposition_id"] is None
    draft = client.get(f"{base}/seances/1/proposition-d-axe?axe={axis.id}")
    assert draft.status_code == 200
    page = draft.get_data(as_text=True)
    title = re.search(r'id="title" name="title" value="([^"]*)"', page).group(1)
    assert "Thème E1.1" in title
    created = client.post(
        f"{base}/seances/1/proposition-d-axe",
        data={
            "csrf_token": token,
            "axe": axis.id,
            "themes": [c.clusters[0].id],
            "title": "Le très haut débit partout",
            "text": "Raccorder chaque commune.",
        },
    )
    assert created.status_code == 302
    page = client.get(f"{base}/seances/1").get_data(as_text=True)
    assert "2 axes sans proposition" in page
    assert "E1.2, E1.3" in page
    coverage = client.get(f"{base}/couverture").get_data(as_text=True)
    assert coverage.count(MISSING) == 11

    from motion.models import Proposition

    proposition = db.session.query(Proposition).filter_by(title="Le très haut débit partout").one()
    own = client.get(f"{base}/motion/propositions/{proposition.id}").get_data(as_text=True)
    assert f"/propositions/{proposition.id}/modifier" in own
    opened = client.post(
        f"{base}/seances/1/vote",
        data={"csrf_token": token, "proposition": proposition.id, "action": "ouvrir"},
    )
    assert opened.status_code == 302
    assert f'data-proposition="{proposition.id}"' in client.get(
        f"{base}/motion/projection"
    ).get_data(as_text=True)
    state = client.get(state_url).get_json()
    assert state["version"] != before["version"]
    assert state["proposition_id"] == proposition.id
    assert state["session"]["status"] == "open"
    # Another engagement's projection does not show E1's vote.
    assert client.get(f"{base}/seances/2/projection/etat").get_json()["session"] is None
    screen = client.get(f"{base}/seances/1/projection").get_data(as_text=True)
    assert f'data-state-url="{state_url}"' in screen
    assert f'data-version="{state["version"]}"' in screen
    assert f'data-proposition="{proposition.id}"' in screen
    assert 'role="status" aria-atomic="true"' in screen
    assert re.findall(r"<script[^>]*>", screen) == [
        '<script src="/static/js/projection.js" defer>'
    ]
    closed = client.post(
        f"{base}/seances/1/vote",
        data={"csrf_token": token, "proposition": proposition.id, "action": "clore"},
    )
    assert closed.status_code == 302
    assert "Vote clos" in client.get(f"{base}/seances/1").get_data(as_text=True)
    assert client.get(state_url).get_json()["session"]["status"] == "closed"
    # A theme-less axis has nothing to draft from: a French message, not a 500.
    empty = client.get(f"{base}/seances/1/proposition-d-axe?axe={c.e1.axes[2].id}")
    assert empty.status_code == 400
    assert "Aucun thème" in empty.get_data(as_text=True)


def test_programme_referents_and_my_engagements_filter(client, db, login, congress):
    c, base = congress, _base(congress)
    login(c.admin)
    token = csrf_token(client, f"{base}/programme")
    programme = client.get(f"{base}/programme").get_data(as_text=True)
    assert programme.count('class="programme-session"') == 4
    assert "Référente E1" in programme
    added = client.post(
        f"{base}/programme/referents",
        data={
            "csrf_token": token,
            "engagement": c.campaign.framework.engagements[3].id,
            "user": c.r1.id,
        },
    )
    assert added.status_code == 302
    refused = client.post(
        f"{base}/programme/referents",
        data={"csrf_token": token, "engagement": c.e1.id, "user": c.elu.id},
    )
    assert refused.status_code == 400
    assert "animateur" in refused.get_data(as_text=True)
    # A refused programme: the page again, the error beside the session's order as typed.
    e1 = re.search(r'name="ordre_(\d+)"', programme).group(1)
    refused = client.post(f"{base}/programme", data={"csrf_token": token, f"ordre_{e1}": "9"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "1 à 4" in field_error(html, f"ordre_{e1}", "Ordre de la séance E1")
    assert re.search(rf'<input[^>]*name="ordre_{e1}"[^>]*value="9"', html)

    client.post("/compte/deconnexion", data={"csrf_token": token})
    login(c.r1)
    motion = client.get(f"{base}/motion?engagements=miens").get_data(as_text=True)
    assert "Mes engagements" in motion
    assert c.e1.title.replace("'", "&#39;") in motion
    assert c.e2.title.replace("'", "&#39;") not in motion
    assert "Sobriété des équipements" not in motion
    board = client.get(f"{base}/themes?engagements=miens").get_data(as_text=True)
    assert f'id="eng-{c.e1.id}"' in board
    assert f'id="eng-{c.e2.id}"' not in board
    assert f'id="eng-{c.e2.id}"' in client.get(f"{base}/themes").get_data(as_text=True)
    # Élus and plain facilitators see no filter.
    client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, f"{base}/motion")})
    login(c.facilitator)
    assert "Mes engagements" not in client.get(f"{base}/motion").get_data(as_text=True)


def test_every_route_changing_a_session_refuses_another_engagements_referent(
    app, client, login, congress
):
    """Whatever session route is added later, the référent of E2 cannot use it on E1's."""
    c, base = congress, _base(congress)
    login(c.r2)
    token = csrf_token(client, f"{base}/seances/2")
    adapter = app.url_map.bind("localhost")
    calls = [
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("sessions.") and "number" in rule.arguments
        for method in ("GET", "POST")
        if method in rule.methods
        and (method == "POST" or rule.endpoint == "sessions.new_axis_proposition")
    ]
    assert len(calls) >= 5
    for method, endpoint in calls:
        for number, expected in ((1, {403}), (2, {200, 302, 400})):
            url = adapter.build(endpoint, {"campaign_slug": c.campaign.slug, "number": number})
            form = {
                "csrf_token": token,
                "proposition": c.e2_proposition.id,
                "axe": (c.e1 if number == 1 else c.e2).axes[0].id,
                "action": "clore",
            }
            response = (
                client.post(url, data=form)
                if method == "POST"
                else client.get(url, query_string={"axe": form["axe"]})
            )
            assert response.status_code in expected, (method, url, response.status_code)
