"""Who is calling the API: a personal token (``Authorization: Bearer``) or the web session.

Reads accept either; writes need a token of scope ``write`` or, from the web session, the
CSRF token in the ``X-CSRFToken`` header (as the pages' own scripts send it).
"""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from motion.api.problems import is_api_request
from motion.errors import Forbidden
from motion.extensions import csrf, db, login_manager
from motion.models import Role, TokenScope
from motion.services import api_tokens


class Unauthorized(Forbidden):
    status_code = 401


def authenticate_token() -> None:
    """Before every request under /api/v1 with an ``Authorization`` header: the caller is
    the token's owner (whatever session cookie comes along), or nobody if it is not valid.

    Runs before the other request hooks, so that every check sees the right user; no
    translation happens here (the locale depends on the user being loaded).
    """
    header = request.headers.get("Authorization", "")
    if not header or not is_api_request():
        return
    scheme, _sep, secret = header.partition(" ")
    token = api_tokens.resolve(secret.strip()) if scheme.lower() == "bearer" else None
    if token is not None and token.user.is_demo and not current_app.config["DEMO_MODE"]:
        token = None
    if token is None:
        g.api_token_error = "scheme" if scheme.lower() != "bearer" else "invalid"
        login_manager._update_request_context_with_user(None)  # anonymous
        return
    if db.session.is_modified(token):
        db.session.commit()  # last use, in its own short transaction before the request's work
    g.api_token = token
    login_manager._update_request_context_with_user(token.user)


def _token_error() -> str | None:
    code = g.get("api_token_error")
    if code == "scheme":
        return _("En-tête Authorization invalide : « Bearer <jeton> » attendu.")
    if code == "invalid":
        return _("Jeton d’API invalide, expiré ou révoqué.")
    return None


def _require(scope: TokenScope) -> None:
    if not current_user.is_authenticated:
        raise Unauthorized(_token_error() or _(
            "Identifiez-vous : session ouverte ou jeton d’API valide "
            "(en-tête « Authorization: Bearer <jeton> »)."))
    token = g.get("api_token")
    if token is not None:
        if not token.allows(scope):
            raise Forbidden(_("Ce jeton est en lecture seule : créez un jeton de portée "
                              "« écriture » pour modifier."))
        return
    if scope == TokenScope.WRITE:
        try:
            csrf.protect()
        except CSRFError:
            raise Forbidden(_("Écriture depuis la session web : l’en-tête X-CSRFToken est "
                              "absent ou invalide. Utilisez un jeton d’API.")) from None


def _requiring(scope: TokenScope, *roles: Role):
    """A signed-in caller allowed ``scope`` and, if ``roles`` are given, holding one."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            _require(scope)
            if roles and not current_user.has_role(*roles):
                raise Forbidden(_("Vous n’avez pas les droits nécessaires pour accéder à "
                                  "cette page."))
            return view(*args, **kwargs)

        return wrapped

    return decorator


FACILITATORS = (Role.FACILITATOR, Role.ADMIN)
# A signed-in caller: a token of any scope, or the session.
reader = _requiring(TokenScope.READ)
# A write token, or the session with its CSRF token.
writer = _requiring(TokenScope.WRITE)
# The same, for facilitators and administrators only (as the web's pages).
facilitator_reader = _requiring(TokenScope.READ, *FACILITATORS)
facilitator_writer = _requiring(TokenScope.WRITE, *FACILITATORS)

