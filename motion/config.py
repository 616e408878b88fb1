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
    # argon2id parameters: None for argon2-cffi's recommended ones, or the name of a profile
    # of argon2.profiles ("RFC_9106_LOW_MEMORY", ...). "CHEAPEST" is for tests and is
    # refused in production; a login rehashes a password made with other parameters.
    "PASSWORD_HASH_PROFILE": None,
    "CONTRIBUTION_MIN_LENGTH": 20,
    "CONTRIBUTION_MAX_LENGTH": 2000,
    "COMMENT_MAX_LENGTH": 1000,
    "REPORT_REASON_MAX_LENGTH": 500,
    # Rate limits per user (Flask-Limiter syntax); storage "memory://" for one process,
    # e.g. "redis://127.0.0.1:6379" when several gunicorn workers share the limits.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_POSTING": "10 per minute;60 per hour",
    "RATELIMIT_REPORTING": "10 per hour",
    # SQLite: how long a writer waits for the lock before the request answers 503 with
    # Retry-After (the client retries), and the delay that header suggests.
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    "BUSY_RETRY_AFTER_SECONDS": 2,
    # Failed logins, per account and per client address (only failures count).
    "RATELIMIT_LOGIN_ACCOUNT": "10 per 15 minutes",
    "RATELIMIT_LOGIN_IP": "50 per 15 minutes",
    # A login ends after this many minutes without a request (the page warns before); a
    # fraction is allowed (0.25: 15 seconds, for tests).
    "SESSION_IDLE_MINUTES": 30,
    "PASSWORD_RESET_LIFETIME_MINUTES": 60,
    # Invitation files with more rows are imported by a background job.
    "INVITATION_SYNC_MAX_ROWS": 200,
    # E-mail: SMTP when MAIL_SMTP_HOST is set, otherwise .eml files in MAIL_DIR
    # (default: <instance>/mail), which is what development and tests use.
    "MAIL_SMTP_HOST": None,
    "MAIL_SMTP_PORT": 587,
    "MAIL_SMTP_USER": None,
    "MAIL_SMTP_PASSWORD": None,
    "MAIL_SMTP_STARTTLS": True,
    "MAIL_FROM": "motion <ne-pas-repondre@motion.invalid>",
    "MAIL_DIR": None,
    # Base URL for links in e-mails sent outside a request (digests), e.g. https://motion.example.fr
    "PUBLIC_URL": None,
    "INVITATION_LIFETIME_DAYS": 14,
    # Similar ideas while typing: cosine floor (USE v3) and how many. Lower than nlp's
    # near-duplicate default (0.85): rewordings of a dev answer score 0.70-0.76 against it,
    # while only about one answer in five has any other answer above 0.70.
    "SIMILAR_THRESHOLD": 0.7,
    "SIMILAR_MAX": 3,
    "IMPORT_MAX_TEXT_LENGTH": 5000,
    "EMBEDDING_MODEL": "use",
    # Jobs (clustering, exports, imports): "subprocess" (one detached process per job, no
    # Redis), "inline" (tests) or "rq" (Redis queues <JOB_QUEUE>:<kind>, `motion worker`).
    "JOB_BACKEND": "subprocess",
    "REDIS_URL": None,  # the queue's Redis; default: RATELIMIT_STORAGE_URI if it is Redis
    "JOB_QUEUE": "motion",
    "JOB_RETRIES": 2,
    "JOB_TIMEOUTS": {},  # seconds per kind, e.g. {"cluster": 10800} (motion.queue defaults)
    "EMBED_CHUNK": None,  # texts per embedding chunk (one queue job each on rq); None: 1000
    # CPU priority of job processes (os.nice increment): a re-clustering on the same cores
    # as the app servers yields to page and vote requests. 0 keeps the normal priority.
    "JOB_NICENESS": 10,
    "DEMO_MODE": None,  # None: on in development and tests, off in production
}

# Settings that may be given as MOTION_<NAME> in the environment.
ENV_KEYS = {
    "MOTION_ENV": "ENV",
    "MOTION_SECRET_KEY": "SECRET_KEY",
    "MOTION_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "MOTION_EMBEDDING_MODEL": "EMBEDDING_MODEL",
    "MOTION_DEMO_MODE": "DEMO_MODE",
    "MOTION_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "MOTION_RATELIMIT_POSTING": "RATELIMIT_POSTING",
    "MOTION_RATELIMIT_REPORTING": "RATELIMIT_REPORTING",
    "MOTION_RATELIMIT_LOGIN_ACCOUNT": "RATELIMIT_LOGIN_ACCOUNT",
    "MOTION_RATELIMIT_LOGIN_IP": "RATELIMIT_LOGIN_IP",
    "MOTION_SESSION_IDLE_MINUTES": "SESSION_IDLE_MINUTES",
    "MOTION_SMTP_HOST": "MAIL_SMTP_HOST",
    "MOTION_SMTP_PORT": "MAIL_SMTP_PORT",
    "MOTION_SMTP_USER": "MAIL_SMTP_USER",
    "MOTION_SMTP_PASSWORD": "MAIL_SMTP_PASSWORD",
    "MOTION_MAIL_FROM": "MAIL_FROM",
    "MOTION_MAIL_DIR": "MAIL_DIR",
    "MOTION_PUBLIC_URL": "PUBLIC_URL",
    "MOTION_JOB_BACKEND": "JOB_BACKEND",
    "MOTION_REDIS_URL": "REDIS_URL",
    "MOTION_JOB_QUEUE": "JOB_QUEUE",
    "MOTION_JOB_RETRIES": "JOB_RETRIES",
    "MOTION_EMBED_CHUNK": "EMBED_CHUNK",
    "MOTION_JOB_NICENESS": "JOB_NICENESS",
    "MOTION_PASSWORD_HASH_PROFILE": "PASSWORD_HASH_PROFILE",
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
            elif key in ("MAIL_SMTP_PORT", "JOB_RETRIES", "EMBED_CHUNK", "JOB_NICENESS"):
                value = int(value)
            elif key == "SESSION_IDLE_MINUTES":
                value = float(value)
                if not 0 < value < float("inf"):
                    raise ValueError(f"{env_name} must be a positive number of minutes, "
                                     f"not {environ[env_name]!r}")
            found[key] = value
    return found
