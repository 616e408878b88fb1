from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from motion.config import load_environment
from motion.errors import Conflict, InvalidInput
from motion.models import UserSession
from motion.services import accounts


def test_passwords_are_hashed_with_argon2id(db, make_user):
    user = make_user(password="a very long password")
    assert user.password_hash.startswith("$argon2id$")
    assert "a very long password" not in user.password_hash
    assert accounts.authenticate(user.email, "a very long password") == user
    assert accounts.authenticate(user.email, "wrong password here") is None


def test_production_hashes_with_the_recommended_parameters_and_upgrades_test_hashes(
    app, db, make_user
):
    """The suite hashes with argon2's CHEAPEST profile (conftest); unset, the profile is
    argon2-cffi's recommended parameters, and a login upgrades a hash made otherwise."""
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    user = make_user(password="a very long password")
    assert f"m={CHEAPEST.memory_cost},t={CHEAPEST.time_cost}" in user.password_hash
    recommended = PasswordHasher()
    app.config["PASSWORD_HASH_PROFILE"] = None
    assert accounts.authenticate(user.email, "a very long password") == user
    assert not recommended.check_needs_rehash(user.password_hash)
    assert f"m={recommended.memory_cost},t={recommended.time_cost}" in user.password_hash
    assert accounts.authenticate(user.email, "a very long password") == user


@pytest.mark.parametrize(("profile", "env", "message"), [
    ("CHEAPEST", "production", "for tests"),
    ("FAST", "development", "not an argon2 profile"),
])
def test_a_weak_or_unknown_hash_profile_is_refused(monkeypatch, tmp_path, profile, env,
                                                   message):
    from motion import ConfigurationError, create_app

    monkeypatch.setenv("MOTION_INSTANCE", str(tmp_path))
    monkeypatch.setenv("MOTION_PASSWORD_HASH_PROFILE", profile)
    with pytest.raises(ConfigurationError, match=message):
        create_app({"ENV": env, "SECRET_KEY": "a-real-secret-key-of-32-characters"})
    monkeypatch.setenv("MOTION_PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY")
    assert create_app({"ENV": "production", "SECRET_KEY": "a-real-secret-key-of-32-chars",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"}
                      ).config["PASSWORD_HASH_PROFILE"] == "RFC_9106_LOW_MEMORY"


def test_password_needs_twelve_characters(db):
    with pytest.raises(InvalidInput, match="12 caractères"):
        accounts.create_user("court@example.fr", password="elevenchars")


def test_email_is_normalised_and_unique(db, make_user):
    make_user(email="Marie.Curie@Example.FR")
    with pytest.raises(Conflict):
        accounts.create_user("marie.curie@example.fr", password="x" * 12)
    assert accounts.get_user_by_email("  MARIE.curie@example.fr ") is not None


@pytest.mark.parametrize("email", ["", "pas-une-adresse", "a@b", "a b@c.fr"])
def test_invalid_email_is_refused(db, email):
    with pytest.raises(InvalidInput):
        accounts.create_user(email, password="x" * 12)


def test_unknown_role_is_refused(db):
    with pytest.raises(InvalidInput, match="Rôle inconnu"):
        accounts.create_user("r@example.fr", role="king", password="x" * 12)


def test_ended_session_no_longer_loads(db, make_user):
    user = make_user()
    token = accounts.start_session(user)
    assert accounts.load_session(token) == user
    accounts.end_session(token)
    assert accounts.load_session(token) is None


@pytest.mark.parametrize(("minutes", "timers", "touch"), [
    (30, (1800, 120), 60), (1, (60, 30), 15), (10 / 60, (10, 5), 2.5), (0.25, (15, 8), 3.75)])
def test_the_idle_limit_may_be_a_fraction_of_a_minute(app, minutes, timers, touch):
    app.config["SESSION_IDLE_MINUTES"] = minutes
    assert accounts.idle_timers() == timers  # the limit and the page's warning, in seconds
    assert accounts.touch_every() == timedelta(seconds=touch)


def test_a_short_idle_limit_records_activity_often_enough(app, db, make_user):
    """Under a limit shorter than TOUCH_EVERY, a request every 5 s keeps the session."""
    app.config["SESSION_IDLE_MINUTES"] = 0.25  # 15 s
    user = make_user()
    token = accounts.start_session(user)
    db.session.commit()
    start = db.session.scalar(select(UserSession.created_at))
    for seconds in range(5, 65, 5):
        db.session.rollback()  # a new request
        assert accounts.load_session(token, now=start + timedelta(seconds=seconds)) == user
    db.session.rollback()
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert seen >= start + timedelta(seconds=55)
    assert accounts.load_session(token, now=seen + timedelta(seconds=14)) == user
    db.session.rollback()
    assert accounts.load_session(token, now=seen + timedelta(seconds=30)) is None


def test_the_idle_limit_from_the_environment_is_checked():
    assert load_environment({"MOTION_SESSION_IDLE_MINUTES": "0.5"}) == {
        "SESSION_IDLE_MINUTES": 0.5}
    for bad in ("0", "-1", "inf", "nan"):
        with pytest.raises(ValueError, match="MOTION_SESSION_IDLE_MINUTES"):
            load_environment({"MOTION_SESSION_IDLE_MINUTES": bad})


def test_new_password_ends_open_sessions(db, make_user):
    user = make_user()
    token = accounts.start_session(user)
    accounts.set_password(user, "another long password")
    assert accounts.load_session(token) is None


def test_demo_accounts_refused_outside_demo_mode(app, db, make_user):
    user = make_user(is_demo=True)
    app.config["DEMO_MODE"] = False
    assert accounts.authenticate(user.email, "correct horse battery staple") is None
    app.config["DEMO_MODE"] = True
    assert accounts.authenticate(user.email, "correct horse battery staple") == user
