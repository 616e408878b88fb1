"""Login, sessions, roles, CSRF and security headers."""

from __future__ import annotations

from tests.conftest import PASSWORD, csrf_token


def _session_cookie(client):
    return client.get_cookie("motion_session")


def test_login_page_is_french_by_default(client):
    response = client.get("/compte/connexion")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Mot de passe" in html


def test_english_is_available(client):
    client.get("/langue/en")
    html = client.get("/compte/connexion").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Password" in html
    assert "Mot de passe" not in html


def test_login_with_good_credentials_and_session_id_changes(client, login, make_user):
    user = make_user()
    client.get("/compte/connexion")
    before = _session_cookie(client)
    response = login(user)
    assert response.status_code == 302
    after = _session_cookie(client)
    assert after is not None
    assert (before is None or after.value != before.value)
    assert user.display_name in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_french_message(client, login, make_user):
    user = make_user()
    response = login(user, "not the right password")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_cookie_captured_before_logout_is_refused_after_it(app, client, login, make_user):
    user = make_user(role="admin")
    login(user)
    captured = _session_cookie(client).value
    assert client.get("/admin/").status_code == 200
    token = csrf_token(client, "/")
    assert client.post("/compte/deconnexion", data={"csrf_token": token}).status_code == 302
    attacker = app.test_client()
    attacker.set_cookie("motion_session", captured)
    response = attacker.get("/admin/")
    assert response.status_code == 302
    assert "/compte/connexion" in response.headers["Location"]


def test_set_cookie_is_httponly_lax_and_host_only(client, make_user):
    user = make_user()
    token = csrf_token(client)
    response = client.post("/compte/connexion",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    cookie = next(v for v in response.headers.getlist("Set-Cookie")
                  if v.startswith("motion_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Domain=" not in cookie
    assert "Secure" not in cookie  # tests are local development


def test_cookie_is_secure_in_production(instance_dir, migrated):
    from motion import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": migrated, "ENV": "production",
                      "SECRET_KEY": "a-real-production-secret-0123456789"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DEMO_MODE"] is False


def test_production_refuses_to_start_without_a_real_secret(instance_dir):
    import pytest

    from motion import ConfigurationError, create_app

    for secret in (None, "dev", "short"):
        with pytest.raises(ConfigurationError, match="SECRET_KEY"):
            create_app({"ENV": "production", "SECRET_KEY": secret})


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client, login, make_user, make_workshop):
    user = make_user(role="admin")
    workshop = make_workshop(members=[user])
    login(user)
    for path in ["/", "/compte/connexion", "/admin/",
                 f"/campagnes/{workshop.campaign.slug}/ateliers/{workshop.slug}"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html, path
        assert "onclick=" not in html, path


def test_post_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/compte/connexion",
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)


def test_anonymous_users_are_redirected_to_login(client, make_workshop):
    workshop = make_workshop()
    for path in ["/admin/", f"/campagnes/{workshop.campaign.slug}/ateliers/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert "/compte/connexion" in response.headers["Location"]


def test_elu_and_facilitator_get_403_on_admin(client, login, make_user):
    for role in ("elu", "facilitator"):
        client.delete_cookie("motion_session")
        login(make_user(role=role))
        response = client.get("/admin/")
        assert response.status_code == 403
        assert "Accès refusé" in response.get_data(as_text=True)


def test_admin_page_lists_campaigns_workshops_and_users(client, login, make_user,
                                                        make_workshop):
    admin = make_user(role="admin", display_name="Ada Admin")
    workshop = make_workshop("Atelier cybersécurité")
    login(admin)
    html = client.get("/admin/").get_data(as_text=True)
    assert workshop.campaign.title in html
    # Workshops are listed on their campaign's page, users on theirs.
    html = client.get(f"/admin/campagnes/{workshop.campaign.slug}").get_data(as_text=True)
    assert "Atelier cybersécurité" in html
    html = client.get("/admin/utilisateurs").get_data(as_text=True)
    assert admin.email in html


def test_open_redirect_after_login_is_refused(client, make_user):
    user = make_user()
    token = csrf_token(client)
    response = client.post("/compte/connexion", data={
        "email": user.email, "password": PASSWORD, "csrf_token": token,
        "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
