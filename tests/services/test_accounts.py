from __future__ import annotations

import pytest

from motion.errors import Conflict, InvalidInput
from motion.services import accounts


def test_passwords_are_hashed_with_argon2id(db, make_user):
    user = make_user(password="a very long password")
    assert user.password_hash.startswith("$argon2id$")
    assert "a very long password" not in user.password_hash
    assert accounts.authenticate(user.email, "a very long password") == user
    assert accounts.authenticate(user.email, "wrong password here") is None


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
