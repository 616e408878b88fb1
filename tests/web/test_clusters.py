"""The facilitators' theme board."""

from __future__ import annotations

import csv
from html import unescape

from sqlalchemy import select

from motion.models import Cluster, ClusteringRun, RunStatus
from motion.services import imports
from tests.conftest import csrf_token, poll_job


def _campaign(db, make_campaign, dev_rows, tmp_path, n=300):
    campaign = make_campaign("plen")
    path = tmp_path / "c.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        writer.writerows([r["id"], r["text"]] for r in dev_rows[:n])
    imports.import_csv(path, campaign, workshop_name="Atelier")
    db.session.commit()
    return campaign


def test_elus_cannot_see_the_board(client, login, make_user, make_campaign):
    make_campaign("plen")
    login(make_user(role="elu"))
    assert client.get("/campagnes/plen/themes").status_code == 403


def test_facilitator_starts_a_run_and_sees_themes_grouped_by_engagement(
    client, db, login, make_user, make_campaign, dev_rows, tmp_path
):
    campaign = _campaign(db, make_campaign, dev_rows, tmp_path)
    login(make_user(role="facilitator", campaign=campaign))
    html = client.get("/campagnes/plen/themes").get_data(as_text=True)
    assert "Aucun thème calculé" in html
    token = csrf_token(client, "/campagnes/plen/themes")
    response = client.post("/campagnes/plen/themes/calculer", data={"csrf_token": token})
    assert response.status_code == 302
    run = db.session.scalars(select(ClusteringRun)).one()
    status = poll_job(client.get, f"/api/campagnes/plen/calculs/{run.id}", timeout=240,
                      every=0.5)
    assert status["status"] == RunStatus.DONE.value, status
    html = unescape(client.get("/campagnes/plen/themes").get_data(as_text=True))
    first_engagement = campaign.framework.engagements[0]
    assert f"{first_engagement.code} — {first_engagement.title}" in html
    assert "À classer" in html
    db.session.expire_all()
    cluster = db.session.scalars(select(Cluster).order_by(Cluster.size.desc())).first()
    assert cluster.name in html
    detail = client.get(f"/campagnes/plen/themes/{cluster.id}").get_data(as_text=True)
    assert "de la moins sûre à la plus sûre" in detail


def test_run_status_of_another_campaign_is_404(client, db, login, make_user, make_campaign):
    plen = make_campaign("plen")
    other = make_campaign("autre")
    run = ClusteringRun(campaign_id=other.id)
    db.session.add(run)
    db.session.commit()
    login(make_user(role="facilitator", campaign=plen))
    response = client.get(f"/api/campagnes/plen/calculs/{run.id}")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
