"""motion: participatory motion drafting with semantic clustering."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_percent, get_locale, gettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from motion import config as default_config
from motion.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def N_(message: str) -> str:
    """Mark a message for translation where it is translated later (at display)."""
    return message


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration."""


def instance_folder(environ: os._Environ[str] | dict[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    return Path(environ.get("MOTION_INSTANCE", "instance")).resolve()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app: config → extensions → errors → blueprints → cli."""
    app = Flask(
        __name__,
        instance_path=str(instance_folder()),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    _configure(app, test_config)
    _init_extensions(app)

    from motion.errors import register_error_handlers

    register_error_handlers(app)

    from motion import validation

    validation.init_app(app)  # the id converter must exist before the routes
    _register_request_hooks(app)

    from motion.views import register_blueprints

    register_blueprints(app)

    from motion.cli import register_commands

    register_commands(app)
    return app


def _configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(default_config.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(default_config.load_environment(os.environ))
    if test_config is not None:
        app.config.from_mapping(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'motion.sqlite'}"
        )
    local = app.config["ENV"] == "development" or app.testing or app.debug
    if app.config["DEMO_MODE"] is None:
        app.config["DEMO_MODE"] = local
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not local
    default_name = default_config.DEFAULTS["SESSION_COOKIE_NAME"]
    if (app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_NAME"] == default_name
            and not app.config["SESSION_COOKIE_DOMAIN"]):
        # Secure, host-only, path /: the browser then refuses the cookie from a subdomain
        # or over plain HTTP.
        app.config["SESSION_COOKIE_NAME"] = "__Host-" + app.config["SESSION_COOKIE_NAME"]
    _check_hash_profile(app.config["PASSWORD_HASH_PROFILE"], local)
    secret = app.config.get("SECRET_KEY")
    if not secret or secret in default_config.WEAK_SECRETS or len(str(secret)) < 16:
        if not local:
            raise ConfigurationError(
                "No real SECRET_KEY configured. Set MOTION_SECRET_KEY or SECRET_KEY in "
                f"{Path(app.instance_path) / 'config.py'} (at least 16 random characters, "
                "e.g. from `python -c 'import secrets; print(secrets.token_hex(32))'`), "
                "or run with MOTION_ENV=development for local use."
            )
        app.config["SECRET_KEY"] = _development_secret(Path(app.instance_path))


def _check_hash_profile(profile: str | None, local: bool) -> None:
    import argon2.profiles

    if profile is None:
        return
    known = sorted(n for n in dir(argon2.profiles) if n.isupper())
    if profile not in known:
        raise ConfigurationError(
            f"PASSWORD_HASH_PROFILE {profile!r} is not an argon2 profile: use one of "
            f"{', '.join(known)}, or leave it unset for the library's recommended parameters.")
    if profile == "CHEAPEST" and not local:
        raise ConfigurationError(
            "PASSWORD_HASH_PROFILE CHEAPEST is for tests: it would leave passwords "
            "easy to crack. Leave it unset in production.")


def _development_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so local sessions survive restarts."""
    path = instance / "dev_secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)  # no default limits: views opt in (posting, reporting)
    app.config.setdefault("COMPRESS_REGISTER", False)  # see compress_response below
    compress.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    app.jinja_env.globals.update(
        get_locale=get_locale, format_datetime=format_datetime, format_date=format_date,
        format_percent=format_percent,
    )

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Connectez-vous pour accéder à cette page.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are revocable server-side instead

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _enable_sqlite_pragmas(app)

    @login_manager.user_loader
    def load_user(token: str):
        from motion.services.accounts import load_session

        return load_session(token)


def _enable_sqlite_pragmas(app: Flask) -> None:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, connection_record):  # noqa: ARG001
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
        cursor.close()

    @event.listens_for(engine, "savepoint")
    def _begin_before_savepoint(connection, name):  # noqa: ARG001
        # The driver opens a transaction only before a write: a SAVEPOINT issued before
        # any would itself be the transaction, and its RELEASE would commit the rows
        # (and a later rollback would keep them). Open it first; IMMEDIATE because a
        # savepoint is there to write.
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    user_locale = getattr(current_user, "locale", None)
    if user_locale in languages:
        return user_locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _register_request_hooks(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint and request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure:  # HTTPS (directly, or X-Forwarded-Proto from the proxy)
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response

    @app.after_request
    def compress_response(response):
        # gzip / zstd / brotli, except for requests another site makes the browser send:
        # a page mixing a secret (CSRF token) with reflected input must not be compressed
        # for them (BREACH).
        if request.headers.get("Sec-Fetch-Site", "same-origin") != "cross-site":
            response = compress.after_request(response)
        return response

    @app.context_processor
    def inject_globals():
        from motion.services.campaign_admin import campaign_for_request, visible_campaigns

        if "current_campaign" not in g:
            try:
                # The campaign in the URL, else the person's own newest one: never global.
                g.current_campaign = campaign_for_request(
                    (request.view_args or {}).get("campaign_slug"), current_user)
            except SQLAlchemyError:  # error pages must render even when the database fails
                logger.exception("could not load the current campaign")
                db.session.rollback()
                g.current_campaign = None
        return {"current_campaign": g.current_campaign, "languages": app.config["LANGUAGES"],
                "switcher_campaigns": lambda: visible_campaigns(current_user)}
