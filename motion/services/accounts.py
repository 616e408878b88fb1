"""Accounts: users, password hashing (argon2id) and server-side login sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from motion.errors import Conflict, InvalidInput
from motion.extensions import db
from motion.models import Role, User, UserSession
from motion.models._types import utcnow
from motion.services import audit, passwords

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A syntactic check only; delivery proves the address.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def validate_email(email: str) -> str:
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise InvalidInput(_("Adresse e-mail invalide : %(email)s", email=email))
    return email


def validate_password(password: str, user: User | None = None) -> str:
    """Refuse a short, long, common or guessable password (with the reason, in French)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise InvalidInput(
            _("Le mot de passe doit contenir au moins %(n)d caractères.", n=minimum)
        )
    if len(password) > 1024:
        raise InvalidInput(_("Le mot de passe est trop long (1024 caractères au plus)."))
    passwords.check(password, [user.email, user.display_name] if user is not None else [])
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str,
    *,
    display_name: str | None = None,
    role: Role | str = Role.ELU,
    password: str | None = None,
    collectivite: str | None = None,
    is_demo: bool = False,
    actor: User | None = None,
) -> User:
    """Create a user; the e-mail must be new."""
    email = validate_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(
            _("Rôle inconnu : %(role)s (elu, facilitator ou admin)", role=role)
        ) from None
    if get_user_by_email(email) is not None:
        raise Conflict(_("Un compte existe déjà pour %(email)s.", email=email))
    user = User(
        email=email,
        display_name=(display_name or email.split("@")[0]).strip()[:120],
        role=role,
        collectivite=(collectivite or None),
        is_demo=is_demo,
    )
    if password is not None:
        user.password_hash = hash_password(validate_password(password, user))
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor, role=role.value)
    return user


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    user.password_hash = hash_password(validate_password(password, user))
    # A new password ends every open session of the account.
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    audit.record("user.set_password", user, actor=actor)


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = get_user_by_email(email)
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    if not user.is_active_account or not check_password(user, password):
        return None
    if user.is_demo and not current_app.config["DEMO_MODE"]:
        return None
    return user


def record_failed_login(email: str, address: str | None, *, throttled: bool = False) -> None:
    """Write a failed (or refused, ``throttled``) login in the audit log."""
    user = get_user_by_email(email)
    audit.record("user.login_failed", user, address=address, throttled=throttled,
                 **({} if user else {"email": normalise_email(email)[:254]}))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, user_agent: str | None = None) -> str:
    """Open a server-side session for ``user`` and return its secret token."""
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    db.session.add(
        UserSession(
            user=user,
            token_hash=_token_hash(token),
            expires_at=utcnow() + lifetime,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    user.last_login_at = utcnow()
    user.auth_token = token
    audit.record("user.login", user, actor=user)
    db.session.flush()
    return token


def load_session(token: str) -> User | None:
    """Return the user of a live session token, or None if it ended or expired."""
    row = db.session.scalar(
        select(UserSession).where(UserSession.token_hash == _token_hash(token))
    )
    if row is None or row.expires_at <= utcnow() or not row.user.is_active_account:
        return None
    if row.user.is_demo and not current_app.config["DEMO_MODE"]:
        return None
    row.user.auth_token = token
    return row.user


def end_session(token: str) -> None:
    db.session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def count_admins() -> int:
    return db.session.scalar(select(func.count()).where(User.role == Role.ADMIN)) or 0
