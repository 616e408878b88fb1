"""The account page, idle timeout, forgotten passwords, HSTS and the __Host- cookie."""

from __future__ import annotations

import email
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from motion.models import UserSession
from motion.models._types import utcnow
from motion.models.invitations import PasswordReset
from tests.conftest import PASSWORD, RequestScopedClient, csrf_token

NEW_PASSWORD = "lampe tresor kiwi vague"


@pytest.fixture
def mailbox(app, tmp_path):
    app.config["MAIL_DIR"] = str(tmp_path / "mail")

    def read() -> list:
        folder = tmp_path / "mail"
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(folder.glob("*.eml"))] if folder.exists() else []

    return read


def _second_client(app, user):
    other = app.test_client()
    token = csrf_token(other)
    other.post("/compte/connexion", data={"email": user.email, "password": PASSWORD,
                                          "csrf_token": token})
    assert other.get("/compte/").status_code == 200
    return other


def _idle(db, minutes: int) -> None:
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(
        minutes=minutes), created_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def test_a_session_idle_for_more_than_30_minutes_ends(app, db, client, login, make_user):
    assert app.config["SESSION_IDLE_MINUTES"] == 30
    login(make_user())
    _idle(db, 29)
    assert client.get("/compte/").status_code == 200  # still alive, and marked as seen
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)
    _idle(db, 31)
    response = client.get("/compte/")
    assert response.status_code == 302
    assert "/compte/connexion" in response.headers["Location"]


def test_the_idle_limit_comes_from_the_environment(monkeypatch, migrated, instance_dir):
    from motion import create_app

    monkeypatch.setenv("MOTION_SESSION_IDLE_MINUTES", "5")
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32,
                      "SQLALCHEMY_DATABASE_URI": migrated})
    assert app.config["SESSION_IDLE_MINUTES"] == 5


def test_pages_carry_an_accessible_idle_warning_without_inline_script(client, login, make_user):
    login(make_user())
    html = client.get("/compte/").get_data(as_text=True)
    warning = re.search(r'<div id="idle-warning"[^>]*>', html).group(0)
    assert 'role="alertdialog"' in warning
    assert 'data-idle-seconds="1800"' in warning
    assert 'data-warn-seconds="120"' in warning
    assert "Session fermée après 30 minutes sans activité" in warning
    assert "hidden" in warning
    assert "Rester connecté" in html
    assert "/static/js/idle.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # CSP: no inline script


def test_a_delay_of_seconds_is_warned_and_announced_in_seconds(app, client, login, make_user):
    app.config["SESSION_IDLE_MINUTES"] = 0.25
    login(make_user())
    html = client.get("/compte/").get_data(as_text=True)
    warning = re.search(r'<div id="idle-warning"[^>]*>', html).group(0)
    assert 'data-idle-seconds="15"' in warning
    assert 'data-warn-seconds="8"' in warning  # half the delay, under two minutes
    assert "Session fermée après 15 secondes sans activité" in warning


def test_staying_signed_in_extends_the_session(app, db, client, login, make_user):
    login(make_user())
    _idle(db, 28)
    token = csrf_token(client, "/compte/")
    response = client.post("/compte/session/prolonger", data={"csrf_token": token},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert "idle_until" in response.get_json()
    assert utcnow() - db.session.scalar(select(UserSession.last_seen_at)) < timedelta(minutes=1)


def test_changing_the_password_ends_the_other_sessions(app, db, client, login, make_user):
    app.test_client_class = RequestScopedClient
    user = make_user()
    login(user)
    other = _second_client(app, user)
    token = csrf_token(client, "/compte/")
    wrong = client.post("/compte/mot-de-passe", data={
        "csrf_token": token, "current": "pas le bon", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400
    assert "Le mot de passe actuel n’est pas le bon." in wrong.get_data(as_text=True)
    weak = client.post("/compte/mot-de-passe", data={
        "csrf_token": token, "current": PASSWORD, "password": "motdepasse12",
        "confirm": "motdepasse12"})
    assert weak.status_code == 400
    assert "plus courants" in weak.get_data(as_text=True)
    done = client.post("/compte/mot-de-passe", data={
        "csrf_token": token, "current": PASSWORD, "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD}, follow_redirects=True)
    assert "1 autre session a été fermée." in done.get_data(as_text=True)
    assert client.get("/compte/").status_code == 200  # this one stays
    assert other.get("/compte/").status_code == 302  # the other one ended


def test_ending_the_other_sessions(app, db, client, login, make_user):
    app.test_client_class = RequestScopedClient
    user = make_user()
    login(user)
    other = _second_client(app, user)
    page = client.get("/compte/").get_data(as_text=True)
    assert "cette session" in page
    ended = client.post("/compte/sessions/autres",
                        data={"csrf_token": csrf_token(client, "/compte/")}, follow_redirects=True)
    assert "1 autre session a été fermée." in ended.get_data(as_text=True)
    assert other.get("/compte/").status_code == 302
    assert client.get("/compte/").status_code == 200
    assert db.session.scalar(select(func.count(UserSession.id))) == 1


def _reset_link(mail) -> str:
    return re.search(r"http://localhost(/compte/reinitialisation/\S+)", mail.get_content())[1]


def test_forgotten_password_by_mail_single_use_link(app, db, client, login, make_user, mailbox):
    user = make_user()
    other = _second_client(app, user)
    token = csrf_token(client, "/compte/mot-de-passe-oublie")
    answer = client.post("/compte/mot-de-passe-oublie", data={"csrf_token": token,
                                                              "email": "inconnu@example.fr"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Si un compte existe pour cette adresse" in answer
    assert mailbox() == []  # nothing for an unknown address, and the same answer
    client.post("/compte/mot-de-passe-oublie", data={"csrf_token": token,
                                                     "email": user.email.upper()})
    (mail,) = mailbox()
    assert mail["To"] == user.email
    link = _reset_link(mail)
    assert "60 minutes" in mail.get_content()
    form = csrf_token(client, link)
    weak = client.post(link, data={"csrf_token": form, "password": "azertyuiopqs",
                                   "confirm": "azertyuiopqs"})
    assert weak.status_code == 400
    assert "rangée du clavier" in weak.get_data(as_text=True)
    done = client.post(link, data={"csrf_token": form, "password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert other.get("/compte/").status_code == 302  # every session ended
    assert client.get(link).status_code == 410  # single use
    assert login(user, NEW_PASSWORD).status_code == 302


def test_an_expired_reset_link_is_refused(app, db, client, make_user, mailbox):
    user = make_user()
    token = csrf_token(client, "/compte/mot-de-passe-oublie")
    client.post("/compte/mot-de-passe-oublie", data={"csrf_token": token, "email": user.email})
    link = _reset_link(mailbox()[0])
    db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "demandez-en un nouveau" in response.get_data(as_text=True)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/compte/connexion").headers
    secure = client.get("/compte/connexion", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_cookie_has_the_host_prefix(migrated, instance_dir, make_user):
    from motion import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": migrated, "ENV": "production",
                      "SECRET_KEY": "a-real-production-secret-0123456789"})
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-motion_session"
    user = make_user()
    app.test_client_class = RequestScopedClient
    client = app.test_client()
    page = client.get("/compte/connexion", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    response = client.post("/compte/connexion", base_url="https://localhost", data={
        "email": user.email, "password": PASSWORD, "csrf_token": token},
        headers={"Referer": "https://localhost/compte/connexion"})  # CSRF's HTTPS check
    assert response.status_code == 302
    cookie = next(v for v in response.headers.getlist("Set-Cookie")
                  if v.startswith("__Host-motion_session="))
    assert "Secure" in cookie
    assert "Path=/" in cookie
    assert "Domain=" not in cookie
