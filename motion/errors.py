"""Domain errors and their handlers (French HTML pages, JSON under /api)."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from motion.extensions import db

logger = logging.getLogger(__name__)


class MotionError(Exception):
    """Base of the domain errors: ``message`` is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The form field the message is about, so that a page can show it beside that field.
        self.field = field


class InvalidInput(MotionError):
    status_code = 400


class Forbidden(MotionError):
    status_code = 403


class NotFound(MotionError):
    status_code = 404


class Conflict(MotionError):
    status_code = 409


# Messages of a database that is busy rather than broken (SQLite's single writer; lock
# timeouts, deadlocks and serialisation failures on PostgreSQL).
BUSY_MESSAGES = ("database is locked", "database is busy", "database table is locked",
                 "lock timeout", "could not obtain lock", "deadlock detected",
                 "could not serialize access")


def is_busy(error: OperationalError) -> bool:
    return any(text in str(error.orig).lower() for text in BUSY_MESSAGES)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, title: str, message: str, **extensions):
    db.session.rollback()
    from motion.api.problems import is_api_request, problem

    if is_api_request():  # the versioned API answers RFC 9457 problem details
        return problem(status, title, message, **extensions)
    if _wants_json():
        return jsonify(error={"status": status, "title": title, "message": message}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


# What an error page says for each HTTP status: its title, and the message shown when the
# error brings none of its own (None: Werkzeug's own name or description).
_PAGES: dict[int, tuple[LazyString | None, LazyString | None]] = {
    400: (_l("Requête invalide"),
          _l("La demande n’a pas pu être comprise. Vérifiez le formulaire et réessayez.")),
    401: (_l("Authentification requise"),
          _l("Identifiez-vous : session ouverte ou jeton d’API valide.")),
    403: (_l("Accès refusé"),
          _l("Vous n’avez pas les droits nécessaires pour accéder à cette page.")),
    404: (_l("Page introuvable"), _l("La page demandée n’existe pas ou a été déplacée.")),
    405: (_l("Action non autorisée"), _l("Cette action n’est pas possible sur cette page.")),
    406: (None, _l("Le format de réponse demandé n’est pas disponible.")),
    409: (_l("Conflit de modification"),
          _l("Quelqu’un a modifié cet élément entre-temps. Rechargez la page.")),
    413: (_l("Envoi trop volumineux"), _l("Le fichier ou le texte envoyé est trop volumineux.")),
    415: (_l("Type de contenu non pris en charge"),
          _l("Type de contenu non pris en charge : envoyez du JSON.")),
    422: (_l("Paramètres invalides"),
          _l("Les paramètres envoyés sont invalides : voyez le détail par champ.")),
    429: (_l("Trop de requêtes"),
          _l("Trop de requêtes en peu de temps. Patientez un instant puis réessayez.")),
    500: (_l("Erreur interne"), _l("Une erreur inattendue s’est produite. Rien n’a été "
                                   "enregistré ; réessayez dans un instant.")),
    503: (_l("Serveur occupé"), None),
}


def _title(status: int, default: str | None = None) -> str:
    """The page title for ``status`` (else ``default``, else a 400's)."""
    title = _PAGES.get(status, (None, None))[0]
    return str(title) if title is not None else default or str(_PAGES[400][0])


def _message(status: int, default: str) -> str:
    """The message for ``status`` when the error brings none of its own (else ``default``)."""
    message = _PAGES.get(status, (None, None))[1]
    return str(message) if message is not None else default


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(MotionError)
    def handle_domain_error(error: MotionError):
        status = error.status_code
        return _render(status, _title(status), error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        return _render(
            400,
            _("Formulaire expiré"),
            _(
                "Le formulaire a expiré ou n’a pas été envoyé depuis cette application. "
                "Rechargez la page et recommencez."
            ),
        )

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        # Invalid API parameters (422) carry the field messages.
        messages = (getattr(error, "data", None) or {}).get("messages")
        return _render(
            status,
            _title(status, str(error.name)),
            _message(status, str(error.description)),
            **({"errors": messages} if messages else {}),
        )

    @app.errorhandler(OperationalError)
    def handle_database_error(error: OperationalError):
        if not is_busy(error):
            return handle_unexpected(error)
        # Another writer holds the database (SQLite: one writer at a time): nothing was
        # saved; the client may send the same request again (votes are idempotent).
        logger.warning("database busy on %s %s: %s", request.method, request.path, error.orig)
        response = _render(503, _title(503), _(
            "Le serveur est très sollicité en ce moment : rien n’a été enregistré. "
            "Réessayez dans quelques secondes."))
        response = make_response(response)
        response.headers["Retry-After"] = str(app.config.get("BUSY_RETRY_AFTER_SECONDS", 2))
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500, _title(500), _message(500, ""))
