"""Accounts: users, password hashing (argon2id) and server-side login sessions."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from motion.errors import Conflict, InvalidInput, MotionError
from motion.extensions import db
from motion.models import Role, User, UserSession
from motion.models._types import utcnow
from motion.models.invitations import PasswordReset
from motion.services import audit, collectivites, mail, passwords

logger = logging.getLogger(__name__)

class LinkExpired(MotionError):
    status_code = 410


@functools.cache
def _hasher_for(profile: str | None) -> PasswordHasher:
    if profile is None:
        return PasswordHasher()  # argon2id with the library's current recommended parameters
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _hasher() -> PasswordHasher:
    """argon2id with the parameters of ``PASSWORD_HASH_PROFILE`` (see motion.config)."""
    return _hasher_for(current_app.config["PASSWORD_HASH_PROFILE"])


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
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
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
        is_demo=is_demo,
    )
    collectivites.set_user_collectivite(user, collectivite)
    if password is not None:
        user.password_hash = hash_password(validate_password(password, user))
    db.session.add(user)
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
        _hasher().hash(password)  # spend the same time as a real check
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


# last_seen_at is written at most this often (one small write per user and minute), or
# every quarter of the idle limit when that is shorter (see touch_every).
TOUCH_EVERY = timedelta(seconds=60)
# The page warns this long before the end, or half the idle limit when that is shorter.
WARN_BEFORE = timedelta(minutes=2)


def idle_limit() -> timedelta:
    """How long a session may sit without a request: ``SESSION_IDLE_MINUTES``, which may be
    a fraction (a few seconds in tests)."""
    return timedelta(minutes=float(current_app.config["SESSION_IDLE_MINUTES"]))


def touch_every() -> timedelta:
    """How stale ``last_seen_at`` may get before a request writes it again.

    Well under the idle limit, or a user busy every few seconds would still be signed out;
    a session may end that much before the page's own count, which stays inside the
    warning (two minutes, or half the limit), so "Rester connecté" still works."""
    return min(TOUCH_EVERY, idle_limit() / 4)


def idle_timers() -> tuple[int, int]:
    """Return the idle limit and how long before it the page warns, in whole seconds."""
    limit = idle_limit()
    return (max(1, round(limit.total_seconds())),
            max(1, round(min(WARN_BEFORE, limit / 2).total_seconds())))


def load_session(token: str, *, now: datetime | None = None) -> User | None:
    """Return the user of a live session token, or None if it ended, expired or sat idle
    longer than ``SESSION_IDLE_MINUTES``; a live one is marked as seen now."""
    now = now or utcnow()
    row = db.session.scalar(  # one query on every request: the session and its user
        select(UserSession).options(joinedload(UserSession.user))
        .where(UserSession.token_hash == _token_hash(token))
    )
    if row is None or row.expires_at <= now or not row.user.is_active_account:
        return None
    if row.user.is_demo and not current_app.config["DEMO_MODE"]:
        return None
    last_seen = row.last_seen_at or row.created_at
    if now - last_seen > idle_limit():
        return None
    if now - last_seen >= touch_every():
        _touch(row.id, now)
    row.user.auth_token = token
    row.user.session_id = row.id
    return row.user


def _touch(session_id: int, now: datetime) -> None:
    """Record activity in its own short transaction (most requests never commit)."""
    try:
        with db.engine.begin() as conn:
            conn.execute(update(UserSession).where(UserSession.id == session_id)
                         .values(last_seen_at=now))
    except OperationalError:  # a busy SQLite file: the next request will record it
        logger.warning("could not record the activity of session %s", session_id)


def keep_alive(user: User) -> datetime:
    """Mark the user's current session as seen now; return when it would sit idle out."""
    now = utcnow()
    _touch(user.session_id, now)
    return now + idle_limit()


def list_sessions(user: User) -> list[UserSession]:
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at > utcnow())
        .order_by(UserSession.created_at.desc())
    ))


def end_other_sessions(user: User) -> int:
    """End every session of ``user`` but the one this request came with; return how many."""
    current = _token_hash(user.auth_token or "")
    result = db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id, UserSession.token_hash != current))
    audit.record("user.end_other_sessions", user, actor=user, count=result.rowcount)
    return result.rowcount


def change_password(user: User, current: str, new: str, confirm: str) -> int:
    """Change one's own password (the current one required); end one's other sessions."""
    if not check_password(user, current):
        raise InvalidInput(_("Le mot de passe actuel n’est pas le bon."))
    if new != confirm:
        raise InvalidInput(_("Les deux mots de passe ne sont pas identiques."))
    user.password_hash = hash_password(validate_password(new, user))
    audit.record("user.change_password", user, actor=user)
    return end_other_sessions(user)


def request_password_reset(email: str, link_for: Callable[[str], str]) -> None:
    """Mail a single-use, short-lived link to set a new password, if the account exists.

    The answer is the same either way (no way to learn which addresses have an account).
    """
    user = get_user_by_email(email)
    if user is None or not user.is_active_account or user.is_demo:
        return
    now = utcnow()
    minutes = int(current_app.config["PASSWORD_RESET_LIFETIME_MINUTES"])
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, token_hash=_token_hash(token), created_at=now,
                          expires_at=now + timedelta(minutes=minutes))
    db.session.add(reset)
    db.session.flush()
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        mail.queue(
            user.email, _("Réinitialisation de votre mot de passe motion"),
            _("Bonjour %(name)s,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien :\n\n"
              "%(link)s\n\nIl est valable %(minutes)d minutes et ne sert qu’une fois. Si vous "
              "n’avez rien demandé, ignorez ce message : votre mot de passe ne change pas.",
              name=user.display_name, link=link_for(token), minutes=minutes),
        )
    audit.record("user.password_reset_request", user)


def get_password_reset(token: str, now: datetime | None = None) -> PasswordReset:
    """The reset of a link; a clear error if it is unknown, used or expired."""
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token)))
    if reset is None or not reset.is_usable(now or utcnow()):
        raise LinkExpired(_("Ce lien de réinitialisation n’est pas (ou plus) valable : "
                            "demandez-en un nouveau."))
    return reset


def reset_password(token: str, password: str, confirm: str) -> User:
    """Set a new password through a valid reset link (once); every session ends."""
    reset = get_password_reset(token)
    if password != confirm:
        raise InvalidInput(_("Les deux mots de passe ne sont pas identiques."))
    set_password(reset.user, password, actor=reset.user)
    reset.used_at = utcnow()
    db.session.flush()
    return reset.user


def end_session(token: str) -> None:
    db.session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def count_admins() -> int:
    return db.session.scalar(select(func.count()).where(User.role == Role.ADMIN)) or 0
