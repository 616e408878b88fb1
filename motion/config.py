"""Default configuration. Secrets come from ``instance/config.py`` or ``MOTION_*``."""

from __future__ import annotations

import os
from typing import Any

# Plain defaults: nothing here reads the environment (see ``load_environment``).
DEFAULTS: dict[str, Any] = {
    # "production" refuses to start without a real SECRET_KEY and sets Secure cookies;
    # "development" (make run) generates a key in the instance folder.
    "ENV": "production",
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": None,  # default: sqlite:///<instance>/motion.sqlite
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_NAME": "motion_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,  # None: Secure outside development and tests
    "SESSION_COOKIE_DOMAIN": None,  # host-only cookie
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead of a clock
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "LANGUAGES": ["fr", "en"],
    "PASSWORD_MIN_LENGTH": 12,
    "CONTRIBUTION_MIN_LENGTH": 20,
    "CONTRIBUTION_MAX_LENGTH": 2000,
    "IMPORT_MAX_TEXT_LENGTH": 5000,
    "EMBEDDING_MODEL": "use",
    "DEMO_MODE": None,  # None: on in development and tests, off in production
}

# Settings that may be given as MOTION_<NAME> in the environment.
ENV_KEYS = {
    "MOTION_ENV": "ENV",
    "MOTION_SECRET_KEY": "SECRET_KEY",
    "MOTION_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "MOTION_EMBEDDING_MODEL": "EMBEDDING_MODEL",
    "MOTION_DEMO_MODE": "DEMO_MODE",
}

# Values that must never be used as a production secret.
WEAK_SECRETS = {"", "dev", "changeme", "change-me", "secret", "development", "test"}


def load_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Return the settings found in ``MOTION_*`` environment variables."""
    found: dict[str, Any] = {}
    for env_name, key in ENV_KEYS.items():
        if env_name in environ:
            value: Any = environ[env_name]
            if key == "DEMO_MODE":
                value = value.strip().lower() in {"1", "true", "yes", "on"}
            found[key] = value
    return found
