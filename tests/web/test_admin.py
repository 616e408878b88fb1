"""Administration on the web: campaigns, phases, workshops, CSV imports, framework, roles;
campaigns side by side (switcher, archive)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from motion.models import Campaign, Contribution, ImportJob, PhaseKind, Role, User, Workshop
from motion.models._types import utcnow
from tests.conftest import csrf_token, poll_job


@pytest.fixture
def admin(db, make_user, login):
    user = make_user(role="admin", display_name="Admin Istrateur")
    login(user)
    db.session.commit()  # end the read transaction that saw the user before the login
    return user


def _main(html: str) -> str:
    return html.split('id="contenu"', 1)[1].split("</main>", 1)[0]


def _upload_framework(client, campaign, content) -> str:
    """Upload a framework file on the campaign page; the page shown afterwards."""
    data = content.encode() if isinstance(content, str) else content
    response = client.post(
        f"/admin/campagnes/{campaign.slug}/referentiel",
        data={"framework_file": (io.BytesIO(data), "ref.yaml"),
              "csrf_token": csrf_token(client, f"/admin/campagnes/{campaign.slug}")},
        content_type="multipart/form-data")
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _post(client, path, data, page="/admin/"):
    data = dict(data, csrf_token=csrf_token(client, page))
    return client.post(path, data=data, content_type="multipart/form-data")


def test_admin_creates_a_campaign_with_phases_and_one_workshop_per_engagement(client, db,
                                                                              admin):
    response = _post(client, "/admin/campagnes/nouvelle", {
        "title": "Congrès 2027", "slug": "congres-2027", "timezone": "Europe/Paris",
        "start_collect": "2027-03-01T09:00", "start_synthesis": "2027-04-01T09:00",
        "start_plenary": "2027-05-20T14:00", "start_closed": "2027-05-21T18:00",
        "engagement_workshops": "1",
    })
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "congres-2027"))
    assert [p.kind for p in campaign.phases] == [PhaseKind.COLLECT, PhaseKind.SYNTHESIS,
                                                 PhaseKind.PLENARY, PhaseKind.CLOSED]
    # 09:00 in Paris in March is 08:00 UTC.
    assert campaign.phases[0].starts_at.hour == 8
    engagements = campaign.framework.engagements
    assert len(engagements) >= 2
    assert sorted(w.engagement_id for w in campaign.workshops) == sorted(
        e.id for e in engagements)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Clôture" in html
    assert "2027-05-21T18:00" in html


def test_phases_in_the_wrong_order_are_refused_in_french(client, db, admin, make_campaign):
    campaign = make_campaign()
    before = [(p.kind, p.starts_at) for p in campaign.phases]
    response = _post(client, f"/admin/campagnes/{campaign.slug}/phases", {
        "start_collect": "2027-03-01T09:00", "start_synthesis": "2027-02-01T09:00"})
    # The page again (no redirect to an anchor the error is far above), the error beside
    # the Synthèse start, which the page's script focuses, and the dates as typed.
    assert response.status_code == 400
    html = _main(response.get_data(as_text=True))
    phases = html.split('id="phases"', 1)[1].split("</section>", 1)[0]
    assert '<p class="error" id="start_synthesis-error">La phase « Synthèse » doit commencer ' \
        'après la phase « Contributions ouvertes ».</p>' in phases
    assert re.search(r'<input [^>]*id="start_synthesis" name="start_synthesis" '
                     r'value="2027-02-01T09:00" aria-describedby="phases-help '
                     r'start_synthesis-error" aria-invalid="true"', phases)
    assert 'value="2027-03-01T09:00"' in phases
    assert 'aria-invalid="true"' not in html.replace(phases, "")
    assert "synthesis" not in html.replace('start_synthesis', '')
    assert "<title>Erreur : " in response.get_data(as_text=True)
    db.session.expire_all()
    assert [(p.kind, p.starts_at) for p in db.session.get(Campaign, campaign.id).phases] \
        == before


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"start_synthesis": "2027-04-01T09:00"}, "start_collect",
     "La date d’ouverture des contributions est obligatoire."),
    ({"start_collect": "2027-03-01T09:00", "start_plenary": "2027-13-40T09:00"},
     "start_plenary", "Date invalide : « 2027-13-40T09:00 »"),
])
def test_a_refused_phase_date_is_shown_beside_its_field(client, db, admin, make_campaign,
                                                        typed, field, message):
    campaign = make_campaign()
    response = _post(client, f"/admin/campagnes/{campaign.slug}/phases", typed)
    assert response.status_code == 400
    html = _main(response.get_data(as_text=True))
    assert message in html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert re.search(rf'<input [^>]*id="{field}"[^>]*aria-invalid="true"', html)
    for value in typed.values():
        assert f'value="{value}"' in html


def test_phases_can_be_changed_after_creation(client, db, admin, make_campaign):
    campaign = make_campaign()
    response = _post(client, f"/admin/campagnes/{campaign.slug}/phases", {
        "start_collect": "2026-01-05T10:00", "start_synthesis": "2026-02-01T10:00",
        "start_plenary": "2026-03-01T10:00"})
    assert response.status_code == 302
    db.session.expire_all()
    phases = db.session.get(Campaign, campaign.id).phases
    assert [p.kind for p in phases] == [PhaseKind.COLLECT, PhaseKind.SYNTHESIS,
                                        PhaseKind.PLENARY]
    assert phases[1].ends_at == phases[2].starts_at


def test_admin_edits_the_campaign_and_a_workshop(client, db, admin, make_workshop):
    workshop = make_workshop("Atelier fibre")
    campaign = workshop.campaign
    engagement = campaign.framework.engagements[1]
    response = _post(client, f"/admin/campagnes/{campaign.slug}", {
        "title": "Congrès renommé", "slug": "congres-renomme", "timezone": "America/Cayenne"})
    assert response.headers["Location"].endswith("/admin/campagnes/congres-renomme")
    response = _post(client, f"/admin/campagnes/congres-renomme/ateliers/{workshop.id}", {
        "name": "Atelier très haut débit", "description": "Fibre et 5G",
        "engagement_id": str(engagement.id)})
    assert response.status_code == 302
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    workshop = db.session.get(Workshop, workshop.id)
    assert (campaign.title, campaign.timezone) == ("Congrès renommé", "America/Cayenne")
    assert (workshop.name, workshop.engagement_id, workshop.is_open) == (
        "Atelier très haut débit", engagement.id, False)


def test_csv_import_reports_each_bad_line_in_french(client, db, admin, make_campaign,
                                                    dev_rows):
    campaign = make_campaign()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "text"])
    writer.writerow(["r1", dev_rows[0]["text"]])
    writer.writerow(["r-vide", "   "])
    writer.writerow(["r2", dev_rows[1]["text"]])
    writer.writerow(["r3", dev_rows[2]["text"]])
    content = out.getvalue()
    response = client.post(
        f"/admin/campagnes/{campaign.slug}/imports",
        data={"csv_file": (io.BytesIO(content.encode()), "contributions.csv"),
              "workshop_name": "Atelier importé",
              "csrf_token": csrf_token(client, f"/admin/campagnes/{campaign.slug}")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 contributions importées" in html
    assert "1 ligne écartée" in html
    assert "ligne 3" in html
    assert "texte vide" in html
    assert "rejected:" not in html
    assert "line 3" not in html
    texts = db.session.scalars(select(Contribution.text)).all()
    assert len(texts) == 3
    job = db.session.scalars(select(ImportJob)).one()
    assert (job.status.value, job.inserted, job.skipped) == ("done", 3, 0)


def test_csv_without_the_text_column_is_refused_at_once(client, db, admin, make_campaign):
    campaign = make_campaign()
    response = client.post(
        f"/admin/campagnes/{campaign.slug}/imports",
        data={"csv_file": (io.BytesIO(b"id;contenu\n1;bonjour\n"), "x.csv"),
              "csrf_token": csrf_token(client, f"/admin/campagnes/{campaign.slug}")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Colonne « text » absente du fichier" in response.get_data(as_text=True)
    assert db.session.scalars(select(ImportJob)).all() == []


def test_framework_upload_with_an_error_is_explained_in_french(client, db, admin,
                                                               make_campaign):
    campaign = make_campaign()
    framework_id = campaign.framework_id
    html = _upload_framework(client, campaign, b"name: X\nengagements: [\n")
    assert "Référentiel invalide (ref.yaml) : le YAML est mal formé ligne 3" in html
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).framework_id == framework_id


def test_framework_upload_replaces_the_framework(client, db, admin, make_campaign):
    campaign = make_campaign()
    yaml_text = (
        "name: Référentiel d'essai\nengagements:\n"
        "  - code: E1\n    title: Inclusion numérique\n    axes:\n"
        "      - code: E1.1\n        title: Médiation\n"
        "  - code: E2\n    title: Sobriété numérique\n    axes:\n"
        "      - code: E2.1\n        title: Matériel\n"
    )
    html = _upload_framework(client, campaign, yaml_text)
    assert "Référentiel « Référentiel d&#39;essai » chargé" in html
    db.session.expire_all()
    assert [e.code for e in db.session.get(Campaign, campaign.id).framework.engagements] \
        == ["E1", "E2"]


def test_the_user_search_takes_percent_and_underscore_literally(client, db, admin, make_user):
    make_user(display_name="Claire Martin", collectivite="Saint-Malo")
    make_user(display_name="Luc 100% numérique", collectivite="Brest")
    make_user(display_name="Anne Le_Goff", collectivite="Quimper")
    db.session.commit()

    def names(query):
        html = client.get("/admin/utilisateurs", query_string={"q": query}).get_data(as_text=True)
        return {n for n in ("Claire Martin", "Luc 100% numérique", "Anne Le_Goff") if n in html}

    assert names("%") == {"Luc 100% numérique"}
    assert names("_") == {"Anne Le_Goff"}
    assert names("martin") == {"Claire Martin"}


def test_roles_change_but_the_last_admin_stays(client, db, admin, make_user):
    elu = make_user(display_name="Claire Martin")
    response = _post(client, f"/admin/utilisateurs/{elu.id}",
                     {"role": "facilitator", "active": "1"}, page="/admin/utilisateurs")
    assert response.status_code == 302
    response = _post(client, f"/admin/utilisateurs/{admin.id}",
                     {"role": "elu", "active": "1"}, page="/admin/utilisateurs")
    assert response.status_code == 409
    assert "Il doit rester au moins un administrateur actif." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, elu.id).role == Role.FACILITATOR
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_admin_pages_are_refused_to_an_elu(client, login, make_user):
    login(make_user())
    assert client.get("/admin/campagnes/nouvelle").status_code == 403
    assert client.get("/admin/utilisateurs").status_code == 403


def test_a_second_campaign_does_not_hide_the_first(client, db, login, make_user,
                                                   make_campaign, make_workshop):
    demo = make_campaign("demo")
    demo.title = "Congrès de démonstration"
    elu = make_user()
    make_workshop("Atelier démo", campaign=demo, members=[elu])
    other = make_campaign("congres-2027")
    other.title = "Congrès 2027"
    db.session.commit()
    make_workshop("Atelier 2027", campaign=other)
    # The élu belongs only to the demo campaign: their home page stays on it.
    login(elu)
    html = client.get("/").get_data(as_text=True)
    assert "Congrès de démonstration" in html
    assert "Atelier démo" in html
    assert "Congrès 2027" not in html
    # A facilitator of both switches between them; the campaign comes from the URL.
    client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    facilitator = make_user(role="facilitator")
    make_workshop("Atelier démo", campaign=demo, members=[facilitator])
    make_workshop("Atelier 2027", campaign=other, members=[facilitator])
    login(facilitator)
    home = client.get("/").get_data(as_text=True)
    assert 'class="campaign-switcher"' in home
    assert "/campagnes/demo/" in home
    assert "/campagnes/congres-2027/" in home
    page = _main(client.get("/campagnes/demo/").get_data(as_text=True))
    assert "Atelier démo" in page
    assert "Atelier 2027" not in page
    assert "/campagnes/demo/ateliers/" in page


def test_archive_lists_closed_campaigns(client, db, make_campaign):
    now = utcnow()
    old = make_campaign("ancien", phase_starts={
        PhaseKind.COLLECT: now - timedelta(days=400),
        PhaseKind.CLOSED: now - timedelta(days=300)})
    old.title = "Congrès 2024"
    make_campaign("actuel").title = "Congrès 2026"
    db.session.commit()
    html = _main(client.get("/archives").get_data(as_text=True))
    assert "Congrès 2024" in html
    assert "Congrès 2026" not in html
    assert "Pas de motion pour cette campagne." in html


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert client.get(response.headers["Location"]).status_code == 200


def test_framework_problems_are_named_in_french(client, admin, make_campaign):
    campaign = make_campaign()
    yaml_text = "name: Réf\nversion: 2\nengagements:\n  - code: E1\n"
    html = _upload_framework(client, campaign, yaml_text)
    assert "champs inconnus en tête du fichier : version" in html
    yaml_text = "name: Réf\nengagements:\n  - code: E1\n"
    html = _upload_framework(client, campaign, yaml_text)
    assert "engagement 1 : le champ « title » manque" in html


def test_a_large_csv_is_imported_by_a_job_whose_progress_the_page_polls(app, client, db,
                                                                       admin, make_campaign,
                                                                       dev_rows):
    """Above IMPORT_SYNC_MAX_BYTES the import runs in a detached ``motion.jobs`` process."""

    app.config["IMPORT_SYNC_MAX_BYTES"] = 1024
    campaign = make_campaign()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "text"])
    for i, row in enumerate(dev_rows[:600]):
        writer.writerow([f"gd-{i}", row["text"] if i != 5 else ""])
    response = client.post(
        f"/admin/campagnes/{campaign.slug}/imports",
        data={"csv_file": (io.BytesIO(out.getvalue().encode()), "grand-debat.csv"),
              "csrf_token": csrf_token(client, f"/admin/campagnes/{campaign.slug}")},
        content_type="multipart/form-data")
    page = response.headers["Location"]
    job_id = int(page.rstrip("/").rsplit("/", 1)[1])
    status_url = f"/api/admin/campagnes/{campaign.slug}/imports/{job_id}"
    status = poll_job(client.get, status_url, timeout=240, every=0.5)
    assert status["status"] == "done", (status, app.instance_path)
    html = client.get(page).get_data(as_text=True)
    assert "599 contributions importées" in html
    assert "ligne 7" in html
    assert "texte vide" in html
    db.session.expire_all()
    assert len(db.session.scalars(select(Contribution.id)).all()) == 599
