"""The JSON API: tokens, permissions as on the web, problem details, pages and writes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.conftest import csrf_token, poll_job

BASE = "/api/v1/campaigns/congres-api"


def test_openapi_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)  # raises on an invalid document
    assert "/api/v1/campaigns/{campaign_slug}/contributions" in spec["paths"]


def test_reference_page_lists_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path, item in spec["paths"].items():
        for method in ("get", "post"):
            if method in item:
                assert f"{method.upper()} {path}" in html
    # Only the app's own scripts (the CSP forbids others).
    assert re.findall(r'<script[^>]*src="(?!/static/)', html) == []


def test_reads_need_a_token_or_a_session(client, seeded):
    response = client.get(BASE)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 401
    assert body["type"] == "about:blank"
    assert "jeton" in body["detail"]
    assert client.get(BASE, headers={"Authorization": "Bearer mot_nope"}).get_json()[
        "detail"] == "Jeton d’API invalide, expiré ou révoqué."


def test_token_reads_campaign_workshops_framework(seeded, make_token, api_get):
    token = make_token(seeded.elu, "read")
    campaign = api_get(BASE, token).get_json()
    assert campaign["slug"] == "congres-api"
    assert campaign["current_phase"] == "collect"
    workshops = api_get(f"{BASE}/workshops", token).get_json()["items"]
    assert {w["slug"] for w in workshops} == {"inclusion-numerique", "democratie-locale"}
    assert all(w["member"] for w in workshops)
    framework = api_get(f"{BASE}/framework", token).get_json()
    assert [e["code"] for e in framework["engagements"]] == ["E1", "E2", "E3", "E4"]
    listed = api_get("/api/v1/campaigns", token).get_json()["items"]
    assert [c["slug"] for c in listed] == ["congres-api"]


def test_outsider_is_refused_as_on_the_web(seeded, make_token, api_get, login, client):
    token = make_token(seeded.outsider, "read")
    for path in (BASE, f"{BASE}/contributions", f"{BASE}/motion",
                 f"{BASE}/contributions/{seeded.contributions[0].id}"):
        response = api_get(path, token)
        assert response.status_code == 403, path
        assert response.content_type == "application/problem+json"
    listed = [c["slug"] for c in api_get("/api/v1/campaigns", token).get_json()["items"]]
    assert listed
    assert "congres-api" not in listed
    # The web refuses the same user the same campaign.
    login(seeded.outsider)
    assert client.get("/campagnes/congres-api/contributions/").status_code == 403


def test_themes_and_exports_are_for_facilitators(seeded_motion, make_token, api_get):
    seeded = seeded_motion
    elu, facilitator = make_token(seeded.elu, "read"), make_token(seeded.facilitator, "read")
    assert api_get(f"{BASE}/themes", elu).status_code == 403
    themes = api_get(f"{BASE}/themes", facilitator).get_json()
    assert themes["items"], "the seeded campaign is clustered"
    theme = themes["items"][0]
    detail = api_get(f"{BASE}/themes/{theme['id']}", facilitator).get_json()
    assert detail["members"]
    assert len(detail["members"]) <= detail["size"] + 5
    assert api_get(f"{BASE}/exports/1", elu).status_code == 403


def test_contribution_pages_follow_the_cursor(seeded, make_token, api_get):
    token = make_token(seeded.elu, "read")
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 25} | ({"cursor": cursor} if cursor else {})
        page = api_get(f"{BASE}/contributions", token, query_string=query).get_json()
        seen += [c["id"] for c in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted((c.id for c in seeded.contributions), reverse=True)
    one_workshop = api_get(f"{BASE}/contributions", token,
                           query_string={"workshop": "inclusion-numerique", "limit": 200}
                           ).get_json()["items"]
    assert len(one_workshop) == 30
    assert {c["workshop"] for c in one_workshop} == {"inclusion-numerique"}
    bad = api_get(f"{BASE}/contributions", token, query_string={"cursor": "%%%"})
    assert bad.status_code == 400
    assert "Curseur" in bad.get_json()["detail"]
    invalid = api_get(f"{BASE}/contributions", token, query_string={"limit": 0})
    assert invalid.status_code == 422
    assert "limit" in invalid.get_json()["errors"]["query"]


def test_write_token_posts_a_contribution_once_per_key(seeded, make_token, client):
    token = make_token(seeded.elu, "write")
    body = {"workshop": "inclusion-numerique", "client_key": "k" * 20,
            "text": "Former les agents d'accueil des mairies à l'accompagnement numérique."}
    headers = {"Authorization": f"Bearer {token}"}
    first = client.post(f"{BASE}/contributions", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.post(f"{BASE}/contributions", json=body, headers=headers)
    assert again.get_json()["id"] == first.get_json()["id"]
    read = client.get(f"{BASE}/contributions/{first.get_json()['id']}", headers=headers)
    assert read.get_json()["text"] == body["text"]
    short = client.post(f"{BASE}/contributions", headers=headers,
                        json={"workshop": "inclusion-numerique", "text": "trop court"})
    assert short.status_code == 400
    assert short.get_json()["detail"].startswith("Votre contribution est trop courte")


def test_read_token_cannot_write_and_session_needs_csrf(seeded, make_token, client, login):
    body = {"workshop": "inclusion-numerique",
            "text": "Ouvrir les données des marchés publics numériques de la commune."}
    read = make_token(seeded.elu, "read")
    refused = client.post(f"{BASE}/contributions", json=body,
                          headers={"Authorization": f"Bearer {read}"})
    assert refused.status_code == 403
    assert "lecture seule" in refused.get_json()["detail"]
    login(seeded.elu)
    no_csrf = client.post(f"{BASE}/contributions", json=body)
    assert no_csrf.status_code == 403
    assert "X-CSRFToken" in no_csrf.get_json()["detail"]
    token = csrf_token(client, "/compte/jetons/")
    ok = client.post(f"{BASE}/contributions", json=body, headers={"X-CSRFToken": token})
    assert ok.status_code == 201


def test_expired_and_revoked_tokens_stop_working(db, seeded, make_token, api_get):
    from motion.models import ApiToken
    from motion.models._types import utcnow
    from motion.services import api_tokens

    token = make_token(seeded.elu, "read")
    assert api_get(BASE, token).status_code == 200
    row = db.session.query(ApiToken).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert api_get(BASE, token).status_code == 401
    second = make_token(seeded.elu, "read")
    api_tokens.revoke_token(seeded.elu, db.session.query(ApiToken).order_by(
        ApiToken.id.desc()).first().id)
    db.session.commit()
    assert api_get(BASE, second).status_code == 401


def test_tokens_are_stored_hashed(db, seeded, make_token):
    from motion.models import ApiToken

    secret = make_token(seeded.elu, "write")
    row = db.session.query(ApiToken).one()
    assert secret not in (row.token_hash, row.prefix)
    assert len(row.token_hash) == 64
    assert secret.startswith(row.prefix)


def test_motion_propositions_provenance_and_votes(seeded_motion, make_token, api_get):
    seeded = seeded_motion
    token = make_token(seeded.elu, "read")
    motion = api_get(f"{BASE}/motion", token).get_json()
    assert motion["status"] == "draft"
    assert len(motion["propositions"]) == 3
    first = motion["propositions"][0]
    assert first["provenance"]["contributions"] > 0
    assert first["vote"] == {"outcome": None, "pour": None, "contre": None,
                             "abstention": None, "closed_at": None}
    detail = api_get(f"{BASE}/motion/propositions/{first['id']}", token).get_json()
    assert len(detail["sources"]) == first["provenance"]["contributions"]
    ids = {c.id for c in seeded.contributions}
    assert all(s["contribution_id"] in ids for s in detail["sources"])
    votes = api_get(f"{BASE}/motion/votes", token).get_json()["items"]
    assert [v["proposition_id"] for v in votes] == [p["id"] for p in motion["propositions"]]


def test_token_page_creates_shows_once_and_revokes(seeded, client, login):
    login(seeded.elu)
    page = client.get("/compte/jetons/")
    assert page.status_code == 200
    token = csrf_token(client, "/compte/jetons/")
    created = client.post("/compte/jetons/", data={
        "csrf_token": token, "name": "Tableur", "scope": "read", "days": "30"})
    html = created.get_data(as_text=True)
    assert created.status_code == 200
    assert "mot_" in html
    secret = html.split('<code class="token-secret">')[1].split("<")[0]
    assert client.get(BASE, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert secret not in client.get("/compte/jetons/").get_data(as_text=True)
    from motion.extensions import db
    from motion.models import ApiToken

    token_id = db.session.query(ApiToken.id).scalar()
    client.post(f"/compte/jetons/{token_id}/revoquer",
                data={"csrf_token": csrf_token(client, "/compte/jetons/")})
    # The token wins over the session cookie that comes along: revoked is refused.
    assert client.get(BASE, headers={"Authorization": f"Bearer {secret}"}).status_code == 401


@pytest.mark.parametrize("days", ["0", "3650"])
def test_token_page_refuses_bad_lifetimes(seeded, client, login, days):
    login(seeded.elu)
    response = client.post("/compte/jetons/", data={
        "csrf_token": csrf_token(client, "/compte/jetons/"), "name": "x", "scope": "read",
        "days": days})
    assert response.status_code == 400


@pytest.mark.slow
def test_export_job_start_poll_download(seeded_motion, make_token, api_get, client):
    token = make_token(seeded_motion.facilitator, "write")
    started = client.post(f"{BASE}/exports", json={"kind": "motion", "format": "md"},
                          headers={"Authorization": f"Bearer {token}"})
    assert started.status_code == 202
    job = started.get_json()
    assert started.headers["Location"].endswith(f"/exports/{job['id']}")
    done = poll_job(lambda url: api_get(url, token), started.headers["Location"], timeout=120,
                    every=0.5)
    assert done["status"] == "done", done
    download = api_get(done["download_url"], token)
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("text/markdown")
    text = download.get_data(as_text=True)
    first = api_get(f"{BASE}/motion", token).get_json()["propositions"][0]["title"]
    assert first in text


@pytest.mark.slow
def test_clustering_run_then_themes(seeded, make_token, api_get, client):
    token = make_token(seeded.facilitator, "write")
    assert api_get(f"{BASE}/themes", token).get_json()["items"] == []
    started = client.post(f"{BASE}/clustering-runs", headers={"Authorization": f"Bearer {token}"})
    assert started.status_code == 202
    again = client.post(f"{BASE}/clustering-runs", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    done = poll_job(lambda url: api_get(url, token), started.headers["Location"], timeout=300,
                    every=0.5)
    assert done["status"] == "done", done
    themes = api_get(f"{BASE}/themes", token).get_json()
    members = sum(t["size"] for t in themes["items"]) + themes["unassigned"]
    assert themes["items"]
    assert members == len(seeded.contributions)


def test_unknown_routes_and_methods_answer_problem_details(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"
    assert missing.get_json()["detail"] == "La page demandée n’existe pas ou a été déplacée."
    wrong = client.delete("/api/v1/campaigns")
    assert wrong.status_code == 405
    assert wrong.content_type == "application/problem+json"
    # The web keeps its French HTML pages.
    assert client.get("/nothing-here").content_type.startswith("text/html")
