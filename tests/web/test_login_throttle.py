"""Failed logins are limited per account and per address, in memory or in Redis."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from motion.models import AuditEvent
from motion.services.login_throttle import shared_store_warning
from tests.conftest import PASSWORD, REDIS_URL, RequestScopedClient, csrf_token


def _failed_logins(db) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "user.login_failed"))


def test_wrong_passwords_lock_the_account_even_for_the_right_password(app, db, client, login,
                                                                       make_user):
    user = make_user()
    codes = [login(user, f"wrong password {i}").status_code for i in range(12)]
    assert codes == [401] * 10 + [429] * 2
    response = login(user)  # the right password, straight after
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 15 * 60
    html = response.get_data(as_text=True)
    assert "Trop de tentatives de connexion échouées" in html
    assert _failed_logins(db) == 13
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.login_failed").order_by(AuditEvent.id)).all()
    assert events[0].object_id == user.id
    assert events[0].data["address"] == "127.0.0.1"
    assert events[-1].data["throttled"] is True


def test_a_successful_login_clears_the_account_counter(app, client, login, make_user):
    user = make_user()
    for i in range(9):
        assert login(user, f"wrong {i}").status_code == 401
    assert login(user).status_code == 302
    client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    assert [login(user, f"wrong again {i}").status_code for i in range(10)] == [401] * 10


def test_one_address_trying_many_accounts_is_limited(app, login, make_user):
    app.config["RATELIMIT_LOGIN_IP"] = "5 per 15 minutes"
    users = [make_user() for _ in range(6)]
    codes = [login(u, "not the password").status_code for u in users]
    assert codes == [401] * 5 + [429]
    # Also for an account that never failed, and for an unknown one.
    assert login(make_user()).status_code == 429
    assert login("nobody@example.fr", "x").status_code == 429


def test_workers_share_the_failed_login_counter_through_redis(app, redis_client, make_user):
    """Each attempt goes to a fresh app ("worker") on the same Redis: the limit still holds."""
    from motion import create_app

    user = make_user()
    config = {"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
              "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
              "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_LOGIN_ACCOUNT": "3 per minute",
              "RATELIMIT_KEY_PREFIX": f"motion-test-{uuid.uuid4().hex}"}
    codes = []
    for password in ["wrong 1", "wrong 2", "wrong 3", PASSWORD]:
        worker = create_app(config)
        worker.test_client_class = RequestScopedClient
        with worker.app_context():
            client = worker.test_client()
            token = csrf_token(client)
            response = client.post("/compte/connexion", data={
                "email": user.email, "password": password, "csrf_token": token})
            codes.append(response.status_code)
    assert codes == [401, 401, 401, 429]
    assert int(response.headers["Retry-After"]) <= 60
    assert any(redis_client.scan_iter(match=f"*{config['RATELIMIT_KEY_PREFIX']}*"))


def test_several_workers_without_redis_are_warned_about():
    assert shared_store_warning("memory://", 1) is None
    assert shared_store_warning("redis://127.0.0.1:6379", 4) is None
    warning = shared_store_warning("memory://", 4)
    assert "4 times" in warning
    assert "MOTION_RATELIMIT_STORAGE_URI" in warning


def test_serve_warns_at_start_with_several_workers_and_no_redis(runner, monkeypatch):
    monkeypatch.setenv("MOTION_ENV", "development")
    import motion.server

    started = []
    monkeypatch.setattr(motion.server.Server, "run", lambda self: started.append(self.settings))
    result = runner.invoke(args=["serve", "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert "3 workers count rate limits" in result.output
    assert started[0]["workers"] == 3
