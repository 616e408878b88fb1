"""Personal API tokens: create (shown once), list, revoke, and resolve a bearer token."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from motion.errors import InvalidInput
from motion.extensions import db
from motion.models import ApiToken, TokenScope, User
from motion.models._types import utcnow
from motion.services import audit, lookup

TOKEN_PREFIX = "mot_"
LIFETIMES_DAYS = (7, 30, 90, 365)
MAX_ACTIVE_TOKENS = 20


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with its secret, which is never stored."""
    name = " ".join((name or "").split())[:100]
    if not name:
        raise InvalidInput(_("Donnez un nom au jeton (par exemple l’outil qui l’utilisera)."))
    try:
        scope = TokenScope(scope)
    except ValueError:
        raise InvalidInput(_("Portée inconnue : choisissez lecture ou écriture.")) from None
    if days not in LIFETIMES_DAYS:
        raise InvalidInput(_("Durée de validité invalide."))
    if len(active_tokens(user)) >= MAX_ACTIVE_TOKENS:
        raise InvalidInput(ngettext(
            "Vous avez déjà %(num)d jeton actif : révoquez-le d’abord.",
            "Vous avez déjà %(num)d jetons actifs : révoquez-en un d’abord.",
            MAX_ACTIVE_TOKENS))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, scope=scope, token_hash=_hash(secret),
                     prefix=secret[:12], expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    audit.record("api_token.create", token, actor=user, scope=scope.value, days=days)
    return token, secret


def active_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that are neither revoked nor expired, newest first."""
    now = utcnow()
    return [t for t in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    ) if t.is_valid(now)]


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (a second revocation changes nothing)."""
    token = lookup.get_owned(ApiToken, token_id, _("Ce jeton n’existe pas."), user_id=user.id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoke", token, actor=user)
    return token


def resolve(secret: str) -> ApiToken | None:
    """The live token with this secret and an active owner, or None; notes its last use."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    now = utcnow()
    if token is None or not token.is_valid(now) or not token.user.is_active_account:
        return None
    # One write a minute at most, not one per request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token
