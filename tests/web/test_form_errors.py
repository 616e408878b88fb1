"""Form errors beside their fields (RGAA 11.10, 11.11): aria-invalid, aria-describedby to a
message that names the field, a title that starts with "Erreur", nothing saved."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from motion.models import Comment, Contribution, ImportJob
from tests.conftest import csrf_token, field_error


def test_a_too_short_contribution_is_an_error_of_its_field(client, db, login, make_user,
                                                           make_workshop):
    elu = make_user()
    workshop = make_workshop(members=[elu])
    login(elu)
    url = f"/campagnes/{workshop.campaign.slug}/ateliers/{workshop.slug}"
    response = client.post(f"{url}/contributions",
                           data={"text": "Court.", "csrf_token": csrf_token(client, url)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "trop court" in field_error(html, "text", "Votre idée")
    assert 'class="flash flash-error' not in html  # beside the field, not a page message
    assert "Court." in html  # what was typed is kept
    assert db.session.scalar(select(func.count(Contribution.id))) == 0


def test_an_empty_answer_is_an_error_of_its_field(client, db, login, make_user,
                                                  make_workshop, make_contribution):
    contribution = make_contribution()
    elu = make_user()
    make_workshop("Atelier voisin", campaign=contribution.campaign, members=[elu])
    login(elu)
    url = f"/campagnes/{contribution.campaign.slug}/contributions/{contribution.id}"
    response = client.post(f"{url}/commentaires",
                           data={"text": "   ", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 400
    field_error(response.get_data(as_text=True), "text", "Votre réponse")
    assert db.session.scalar(select(func.count(Comment.id))) == 0

    # A failed reply: its error beside the reply's own field, in its opened form; the main
    # answer form stays empty and without error.
    token = csrf_token(client, url)
    client.post(f"{url}/commentaires", data={"text": "Première réponse", "csrf_token": token})
    first = db.session.scalar(select(Comment.id))
    response = client.post(f"{url}/commentaires", data={
        "text": " ", "parent_id": str(first), "csrf_token": token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field_error(html, f"reply-{first}", "Votre réponse")
    reply_form = html[html.index(f'id="k{first}"'):]
    assert re.search(r'<details class="reply" open>', reply_form)
    main = re.search(r'<textarea[^>]*\bid="text"[^>]*>', html).group(0)
    assert "aria-invalid" not in main
    assert html.count('aria-invalid="true"') == 1
    assert db.session.scalar(select(func.count(Comment.id))) == 1


def test_the_login_form_names_its_fields_and_their_purpose(client):
    page = client.get("/compte/connexion").get_data(as_text=True)
    assert re.search(r'<input[^>]*autocomplete="username"[^>]*name="email"[^>]*required', page)
    assert re.search(r'<input[^>]*autocomplete="current-password"[^>]*name="password"', page)
    response = client.post("/compte/connexion", data={
        "email": "", "password": "", "csrf_token": csrf_token(client)})
    html = response.get_data(as_text=True)
    field_error(html, "email", "Adresse e-mail")
    field_error(html, "password", "Mot de passe")


def test_the_new_campaign_form_shows_its_errors_beside_their_fields(client, login, make_user):
    login(make_user(role="admin"))
    token = csrf_token(client, "/admin/campagnes/nouvelle")
    response = client.post("/admin/campagnes/nouvelle", data={
        "title": "Congrès 2027", "slug": "Pas valide !", "timezone": "Europe/Paris",
        "start_collect": "2027-03-01T09:00", "csrf_token": token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "pas valide" in field_error(html, "slug", "Identifiant dans les adresses")
    assert 'value="Congrès 2027"' in html  # what was typed is kept
    assert 'value="2027-03-01T09:00"' in html
    response = client.post("/admin/campagnes/nouvelle", data={
        "title": "Congrès 2027", "slug": "", "timezone": "Mars/Olympus", "csrf_token": token})
    field_error(response.get_data(as_text=True), "timezone", "Fuseau horaire")


def test_the_workshop_form_shows_its_error_beside_its_field(client, login, make_user,
                                                            make_workshop):
    workshop = make_workshop("Atelier mobilités")
    login(make_user(role="admin"))
    url = f"/admin/campagnes/{workshop.campaign.slug}/ateliers/{workshop.id}"
    assert 'value="Atelier mobilités"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"name": "  ", "description": "Vélo et train",
                                       "csrf_token": csrf_token(client, url)})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "obligatoire" in field_error(html, "name", "Nom")
    assert "Vélo et train</textarea>" in html  # what was typed is kept


def test_the_campaign_settings_and_import_forms_show_their_errors_beside_their_fields(
        client, db, login, make_user, make_campaign):
    campaign = make_campaign()
    login(make_user(role="admin"))
    url = f"/admin/campagnes/{campaign.slug}"
    token = csrf_token(client, url)
    response = client.post(url, data={"title": "Congrès renommé", "slug": "Pas valide !",
                                      "timezone": "Europe/Paris", "csrf_token": token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "invalide" in field_error(html, "slug", "Identifiant dans les adresses")
    assert 'value="Congrès renommé"' in html
    assert 'value="Pas valide !"' in html
    assert f'action="/admin/campagnes/{campaign.slug}"' in html  # the address did not change
    db.session.expire_all()
    assert db.session.get(type(campaign), campaign.id).title != "Congrès renommé"

    response = client.post(f"{url}/imports", content_type="multipart/form-data", data={
        "csv_file": (io.BytesIO(b"id;contenu\n1;bonjour\n"), "x.csv"),
        "workshop_name": "Atelier importé", "csrf_token": token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "absente" in field_error(html, "csv_file", "Fichier CSV")
    assert 'value="Atelier importé"' in html
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_a_refused_role_change_is_an_error_of_that_row(client, db, login, make_user):
    make_user(display_name="Claire Martin")
    admin = make_user(role="admin", display_name="Admin Istrateur")
    login(admin)
    response = client.post(f"/admin/utilisateurs/{admin.id}", data={
        "role": "elu", "active": "1", "csrf_token": csrf_token(client, "/admin/utilisateurs")})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "administrateur" in field_error(html, f"role-{admin.id}", "Rôle de Admin Istrateur")
    assert html.count('aria-invalid="true"') == 1  # the other rows are untouched
    assert re.search(rf'id="role-{admin.id}".*?<option selected value="elu"', html, re.S)
    db.session.expire_all()
    assert db.session.get(type(admin), admin.id).role.value == "admin"
