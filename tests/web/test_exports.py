"""The downloads page: files sent within the request, jobs with progress, the licence."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from motion.models import ExportJob
from motion.services import imports, motions
from tests.conftest import csrf_token, poll_job

SLUG = "export-web"


@pytest.fixture
def campaign_with_motion(db, make_campaign, dev_rows, tmp_path):
    """40 real answers in two workshops and a draft motion of two propositions."""
    campaign = make_campaign(SLUG)
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "workshop", "collectivite"])
        for i, row in enumerate(dev_rows[:40]):
            writer.writerow([row["id"], row["text"], f"Atelier {i % 2 + 1}", f"Commune n°{i}"])
    imports.import_csv(path, campaign)
    db.session.commit()
    motion = motions.create_motion(campaign, preamble="Réunis en congrès, les élus proposent :")
    contributions = motions.load_contributions(
        campaign, [c.id for c in campaign_contributions(db, campaign)])
    engagements = campaign.framework.engagements
    for i, engagement in enumerate(engagements[:2]):
        motions.create_proposition(
            motion, motions.section_for(motion, engagement.id),
            title=f"Proposition sur {engagement.title}", text=dev_rows[100 + i]["text"],
            contributions=contributions[i * 10:(i + 1) * 10])
    db.session.commit()
    return campaign


def campaign_contributions(db, campaign):
    from motion.models import Contribution

    return db.session.scalars(select(Contribution).where(
        Contribution.campaign_id == campaign.id).order_by(Contribution.id)).all()


def _post(client, data):
    token = csrf_token(client, f"/campagnes/{SLUG}/exports")
    return client.post(f"/campagnes/{SLUG}/exports", data={**data, "csrf_token": token})


def test_elus_cannot_export(client, login, make_user, campaign_with_motion):
    login(make_user(role="elu", campaign=campaign_with_motion))
    assert client.get(f"/campagnes/{SLUG}/exports").status_code == 403
    response = client.post(f"/campagnes/{SLUG}/exports", data={"kind": "motion",
                                                                "format": "odt"})
    assert response.status_code in (400, 403)
    assert client.get(f"/api/campagnes/{SLUG}/exports/1").status_code == 403
    # Everyone logged in may read the motion document itself.
    assert client.get(f"/campagnes/{SLUG}/motion/document").status_code == 200


def test_facilitator_downloads_small_exports_directly(
    client, login, make_user, campaign_with_motion
):
    from odf import teletype, text
    from odf.opendocument import load
    from pypdf import PdfReader

    login(make_user(role="facilitator", campaign=campaign_with_motion))
    page = unescape(client.get(f"/campagnes/{SLUG}/exports").get_data(as_text=True))
    assert "Exports et données ouvertes" in page
    assert "Licence Ouverte / Open Licence version 2.0" in page
    assert 'name="licence"' not in page  # the licence is the administrators' choice

    response = _post(client, {"kind": "motion", "format": "odt"})
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.oasis.opendocument.text"
    assert re.search(r'attachment; filename=motion-export-web-\d{8}\.odt',
                     response.headers["Content-Disposition"])
    headings = [teletype.extractText(h) for h in
                load(io.BytesIO(response.data)).text.getElementsByType(text.H)]
    assert "Préambule" in headings
    assert any(h.startswith("Proposition 1.1 — Proposition sur") for h in headings)

    response = _post(client, {"kind": "opendata", "format": "json"})
    data = json.loads(response.data)
    assert len(data["contributions"]) == 40
    assert [len(p["contribution_ids"]) for p in data["motion"]["propositions"]] == [10, 10]

    response = _post(client, {"kind": "report", "format": "pdf"})
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"
    assert "Couverture des engagements" in reader.pages[0].extract_text()


def test_text_downloads_name_their_charset_once(client, login, make_user, campaign_with_motion):
    """The Markdown motion said "charset=utf-8; charset=utf-8" in its Content-Type."""
    login(make_user(role="facilitator", campaign=campaign_with_motion))
    response = _post(client, {"kind": "motion", "format": "md"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.get_data(as_text=True).startswith("> **PROJET")


def test_large_campaigns_export_in_a_job_with_progress(
    app, client, db, login, make_user, campaign_with_motion
):
    from pypdf import PdfReader

    app.config["EXPORT_SYNC_MAX_CONTRIBUTIONS"] = 10
    login(make_user(role="facilitator", campaign=campaign_with_motion))
    page = client.get(f"/campagnes/{SLUG}/exports").get_data(as_text=True)
    assert "préparés en arrière-plan" in unescape(page)
    response = _post(client, {"kind": "motion", "format": "pdf"})
    assert response.status_code == 302
    job = db.session.scalars(select(ExportJob)).one()
    assert response.headers["Location"].endswith(f"/campagnes/{SLUG}/exports/{job.id}")
    status = poll_job(client.get, f"/api/campagnes/{SLUG}/exports/{job.id}", timeout=180)
    assert status["status"] == "done", status
    assert status["progress"] == 1.0
    page = client.get(f"/campagnes/{SLUG}/exports/{job.id}").get_data(as_text=True)
    assert "Le fichier est prêt." in page
    download = client.get(f"/campagnes/{SLUG}/exports/{job.id}/fichier")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert "filename=motion-export-web-" in download.headers["Content-Disposition"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(download.data)).pages)
    assert "PROJET" in text
    # The recent exports are listed; another campaign's job id is not found.
    assert f"/campagnes/{SLUG}/exports/{job.id}" in client.get(
        f"/campagnes/{SLUG}/exports").get_data(as_text=True)
    assert client.get(f"/campagnes/{SLUG}/exports/{job.id + 1}").status_code == 404


def test_admin_chooses_the_open_data_licence(
    client, login, make_user, campaign_with_motion
):
    facilitator = make_user(role="facilitator", campaign=campaign_with_motion)
    login(facilitator)
    token = csrf_token(client, f"/campagnes/{SLUG}/exports")
    response = client.post(f"/campagnes/{SLUG}/exports/licence",
                           data={"licence": "cc0-1.0", "csrf_token": token})
    assert response.status_code == 403
    client.post("/compte/deconnexion", data={"csrf_token": token})

    login(make_user(role="admin"))
    token = csrf_token(client, f"/campagnes/{SLUG}/exports")
    response = client.post(f"/campagnes/{SLUG}/exports/licence",
                           data={"licence": "gpl", "csrf_token": token})
    assert response.status_code == 400
    assert "Licence inconnue" in unescape(response.get_data(as_text=True))
    response = client.post(f"/campagnes/{SLUG}/exports/licence",
                           data={"licence": "odbl-1.0", "csrf_token": token})
    assert response.status_code == 302
    data = json.loads(_post(client, {"kind": "opendata", "format": "json"}).data)
    assert data["metadata"]["licence"]["id"] == "odbl-1.0"
    page = client.get(f"/campagnes/{SLUG}/exports").get_data(as_text=True)
    assert '<option value="odbl-1.0" selected>' in page


def test_errors_are_french_4xx(client, login, make_user, make_workshop, make_campaign,
                              campaign_with_motion):
    facilitator = make_user(role="facilitator", campaign=campaign_with_motion)
    login(facilitator)
    response = _post(client, {"kind": "motion", "format": "xls"})
    assert response.status_code == 400
    assert "pas proposé" in unescape(response.get_data(as_text=True))
    response = _post(client, {"kind": "sondage", "format": "pdf"})
    assert response.status_code == 400
    assert "Type d’export inconnu" in unescape(response.get_data(as_text=True))
    assert client.get(f"/campagnes/{SLUG}/exports/999/fichier").status_code == 404
    make_workshop(campaign=make_campaign("sans-motion"), members=[facilitator])
    token = csrf_token(client, "/campagnes/sans-motion/exports")
    response = client.post("/campagnes/sans-motion/exports",
                           data={"kind": "motion", "format": "docx", "csrf_token": token})
    assert response.status_code == 404
    assert "pas encore été créée" in unescape(response.get_data(as_text=True))
    response = client.get("/campagnes/sans-motion/motion/document")
    assert response.status_code == 404


def test_motion_document_page_is_the_pdf_html(client, login, make_user, campaign_with_motion):
    login(make_user(role="elu", campaign=campaign_with_motion))
    response = client.get(f"/campagnes/{SLUG}/motion/document")
    html = response.get_data(as_text=True)
    assert '<html lang="fr-FR">' in html
    assert '<link rel="stylesheet" href="/static/exports.css">' in html
    assert "PROJET — document de travail, non adopté" in html
    assert "<h2 id=\"preambule\">Préambule</h2>" in html
    assert html.count("<h3>Proposition ") == 2
    # Strict CSP: no inline scripts or styles.
    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
