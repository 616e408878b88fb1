"""The invitation import page (admin) and the invited élu's first screen."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from motion.models import User, Workshop
from motion.services.campaigns import get_or_create_workshop
from tests.conftest import csrf_token


@pytest.fixture
def admin(db, make_user, login):
    user = make_user(role="admin")
    login(user)
    db.session.commit()
    return user


def _upload(client, campaign_slug: str, data: bytes | None, name: str = "elus.csv"):
    form = {"csrf_token": csrf_token(client, "/admin/invitations"), "campaign": campaign_slug}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post("/admin/invitations", data=form, content_type="multipart/form-data")


def _main(html: str) -> str:
    return html.split('id="contenu"', 1)[1].split("</main>", 1)[0]


# 100: the file is imported in the request; 1: by a background job (its page's report).
@pytest.mark.parametrize("sync_max_rows", [100, 1])
def test_an_unknown_workshop_is_reported_line_by_line_and_not_created(
        app, db, client, admin, make_campaign, tmp_path, sync_max_rows):
    app.config.update(JOB_BACKEND="inline", MAIL_DIR=str(tmp_path / "mail"),
                      INVITATION_SYNC_MAX_ROWS=sync_max_rows)
    campaign = make_campaign()
    get_or_create_workshop(campaign, "Atelier inclusion")
    get_or_create_workshop(campaign, "Atelier territoires")
    db.session.commit()
    response = _upload(client, campaign.slug, (
        "email;nom;collectivité;ateliers\n"
        "anne@rennes.fr;Anne;Rennes;Atelier Inclusion\n"
        "bruno@lyon.fr;Bruno;Lyon;Atelier inexistant\n").encode())
    if response.status_code == 302:
        response = client.get(response.headers["Location"])
    html = _main(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "2 comptes créés" in html
    assert "2 invitations envoyées" in html
    assert "Des ateliers cités dans le fichier n’existent pas dans la campagne" in html
    assert "ligne 3" in html
    assert "« Atelier inexistant »" in html
    assert "Ateliers de la campagne « Congrès de test » : « Atelier inclusion », « Atelier " \
           "territoires »." in html
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Workshop.name))) == ["Atelier inclusion",
                                                                 "Atelier territoires"]
    bruno = db.session.scalar(select(User).where(User.email == "bruno@lyon.fr"))
    assert bruno is not None
    assert bruno.memberships == []


@pytest.fixture
def invitation_link(app, db, tmp_path):
    """The path of a fresh invitation link for an élu without a password yet."""
    from motion.services import accounts, invitations

    app.config.update(MAIL_DIR=str(tmp_path / "mail"), MAIL_SMTP_HOST=None)
    user = accounts.create_user("lea@ville.fr", display_name="Léa Martin")
    tokens = []
    invitations.invite(user, lambda token: tokens.append(token) or token)
    db.session.commit()
    return f"/invitation/{tokens[0]}"


@pytest.mark.parametrize(("password", "confirm", "field", "message"), [
    ("court", "court", "password", "au moins 12 caractères"),
    ("un mot de passe solide", "un autre mot de passe", "confirm",
     "Les deux mots de passe ne sont pas identiques."),
])
def test_a_refused_password_shows_the_invitation_form_again(db, client, invitation_link,
                                                            password, confirm, field,
                                                            message):
    response = client.post(invitation_link, data={
        "password": password, "confirm": confirm,
        "csrf_token": csrf_token(client, invitation_link)})
    assert response.status_code == 400
    html = _main(response.get_data(as_text=True))
    assert "Choisir mon mot de passe" in html
    assert "lea@ville.fr" in html
    error = html.split(f'id="{field}-error-1">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert re.search(f'<input [^>]*aria-invalid="true"[^>]*id="{field}"', html)
    db.session.expire_all()
    assert db.session.scalar(select(User.password_hash).where(
        User.email == "lea@ville.fr")) is None
    # Corrected, the same link still works.
    response = client.post(invitation_link, data={
        "password": "un mot de passe solide", "confirm": "un mot de passe solide",
        "csrf_token": csrf_token(client, invitation_link)})
    assert response.status_code == 302


COLUMNS = "La première ligne du fichier doit nommer ses colonnes : email (obligatoire), nom, " \
          "collectivité, ateliers"


@pytest.mark.parametrize(("data", "message"), [
    (None, "Choisissez un fichier CSV à importer."),
    (b"", "Le fichier est vide. " + COLUMNS),
    (b"\n\n", "Le fichier est vide. " + COLUMNS),
    (b"nom;mail perso;commune\nAnne;anne@rennes.fr;Rennes\n",
     "Colonne « email » introuvable dans la première ligne du fichier (elle contient : "
     "« nom », « mail perso », « commune »). " + COLUMNS),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "n’est pas un fichier CSV"),
    (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml", "classeur Excel ou LibreOffice"),
    (bytes(range(256)) * 4, "n’est pas un fichier CSV"),
    (b"email;nom\n\"" + b"x" * 200_000 + b"\n", "Fichier CSV illisible à la ligne"),
])
def test_a_bad_file_shows_the_import_form_again_with_the_reason(db, client, admin,
                                                                make_campaign, data, message):
    make_campaign()
    chosen = make_campaign()  # not the first of the list: the choice is kept
    response = _upload(client, chosen.slug, data)
    assert response.status_code == 400
    html = _main(response.get_data(as_text=True))
    assert "Importer et inviter" in html
    error = html.split('id="file-error-1">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert re.search(r'<input [^>]*aria-invalid="true"[^>]*id="file"', html)
    assert f'<option selected value="{chosen.slug}">' in html
    assert db.session.scalars(select(User).where(User.role == "elu")).all() == []
