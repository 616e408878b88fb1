"""Failed logins counted per account and per client address in the limiter's store.

The counters live where Flask-Limiter keeps its own (``RATELIMIT_STORAGE_URI``): in memory
for one process, in Redis when several gunicorn workers must share them. Only failures
count; once an account or an address reached its limit, every attempt (even with the
right password) is refused until the window ends.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import current_app
from limits import RateLimitItem, parse_many

from motion.extensions import limiter
from motion.services.accounts import normalise_email


def _scopes(email: str, address: str | None) -> list[tuple[list[RateLimitItem], tuple[str, ...]]]:
    config = current_app.config
    # A hash: the store never holds the e-mail addresses people typed.
    account = hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]
    prefix = config.get("RATELIMIT_KEY_PREFIX") or "motion"
    return [
        (parse_many(config["RATELIMIT_LOGIN_ACCOUNT"]), (prefix, "login-account", account)),
        (parse_many(config["RATELIMIT_LOGIN_IP"]), (prefix, "login-ip", address or "-")),
    ]


def retry_after(email: str, address: str | None) -> int | None:
    """Seconds to wait when the account or the address failed too often, else None."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return None
    wait = None
    for items, keys in _scopes(email, address):
        for item in items:
            if not limiter.limiter.test(item, *keys):
                reset_at, _remaining = limiter.limiter.get_window_stats(item, *keys)
                seconds = max(1, math.ceil(reset_at - time.time()))
                wait = max(wait or 0, seconds)
    return wait


def record_failure(email: str, address: str | None) -> None:
    """Count one failed login against the account and the address."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    for items, keys in _scopes(email, address):
        for item in items:
            limiter.limiter.hit(item, *keys)


def forget_account(email: str, address: str | None) -> None:
    """A successful login clears the account's failures (not the address's)."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    items, keys = _scopes(email, address)[0]
    for item in items:
        limiter.limiter.clear(item, *keys)


def shared_store_warning(storage_uri: str, workers: int) -> str | None:
    """A warning when several workers would each count on their own (no shared store)."""
    if workers > 1 and storage_uri.startswith("memory"):
        return (
            f"WARNING: {workers} workers count rate limits (failed logins included) each in "
            "its own memory, so an attacker gets up to "
            f"{workers} times the configured rate. Set MOTION_RATELIMIT_STORAGE_URI="
            "redis://HOST:6379 so that the workers share them."
        )
    return None
