"""The versioned JSON API under ``/api/v1``, documented by an OpenAPI 3.1 document.

flask-smorest generates the document from the routes and their marshmallow schemas
(``/api/v1/openapi.json``); ``/api/v1/docs`` is a reference page rendered from that
document by our own template (no external script: the CSP forbids them). Errors are
RFC 9457 problem details from the app's error handlers (``motion.errors``).
"""

from __future__ import annotations

import http
from typing import TYPE_CHECKING

from flask_smorest import Api
from flask_smorest.utils import prepare_response

from motion.api.problems import PROBLEM_MIMETYPE
from motion.api.schemas import ProblemSchema

if TYPE_CHECKING:
    from flask import Flask

API_VERSION = "1.0.0"

SECURITY_SCHEMES = {
    "bearerToken": {
        "type": "http", "scheme": "bearer",
        "description": "A personal API token, created on the account page "
                       "(/compte/jetons); scope read or write.",
    },
    "sessionCookie": {
        "type": "apiKey", "in": "cookie", "name": "motion_session",
        "description": "The web session; writes also need the X-CSRFToken header.",
    },
}


class MotionApi(Api):
    """flask-smorest's Api with problem+json error responses in the document, and the app's
    own error handlers left in place (smorest would replace them for every page)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """The app's handlers already answer problem+json under /api/v1."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457), detail in French",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


api = MotionApi()


def init_app(app: Flask) -> None:
    """Register the API blueprints, the document, the reference page, token login, the
    token page and the interchange pages (Decidim, spreadsheets)."""
    from motion.api import campaigns, contributions, docs, exports, motions, themes, tokens
    from motion.api.auth import authenticate_token
    from motion.extensions import csrf

    app.config.setdefault("API_TITLE", "motion API")
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Campaigns, workshops, contributions, themes, the motion, "
                                "votes and exports of motion. Errors are RFC 9457 problem "
                                "details with a French `detail`."},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": SECURITY_SCHEMES},
        "security": [{"bearerToken": []}, {"sessionCookie": []}],
    })
    api.init_app(app)
    for module in (campaigns, contributions, themes, motions, exports):
        csrf.exempt(module.blp)  # checked by motion.api.auth for session writes only
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(tokens.bp)
    from motion.views import interchange

    app.register_blueprint(interchange.bp)
    # First of the app's request hooks (blueprints are registered before the access guard).
    app.before_request(authenticate_token)
