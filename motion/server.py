"""The production server: gunicorn, configured for motion.

- Workers die with the master: each worker asks the kernel to kill it when its parent
  goes (Linux ``PR_SET_PDEATHSIG``), so a killed master never leaves workers on the port.
- No shared control socket: gunicorn's default (``~/.gunicorn/gunicorn.ctl``) would be
  one file for every server of the machine; motion opens none unless given a path.
- The access log never shows the secret tokens of invitation and password-reset links.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import re
import signal
import sys
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
# Paths whose last segment is a secret token (see views/invitations.py and views/auth.py).
TOKEN_PATHS = re.compile(r"(/(?:invitation|compte/reinitialisation)/)[^/?#\s\"]+")
TOKEN_PARAMS = re.compile(r"((?:^|[?&])(?:token|jeton)=)[^&\s\"]+")
REDACTED = "[masqué]"


def redact(text: str | None) -> str | None:
    """``text`` (a request line, path, query or referer) with link tokens masked."""
    if not text:
        return text
    return TOKEN_PARAMS.sub(r"\1" + REDACTED, TOKEN_PATHS.sub(r"\1" + REDACTED, text))


class RedactingLogger(Logger):
    """Gunicorn's logger, with tokens masked in the request line, path, query and referer."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{referer}i"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


def die_with_parent(server, worker) -> None:  # noqa: ARG001 (gunicorn hook signature)
    """post_fork hook: the kernel kills the worker when its master goes (Linux).

    SIGKILL rather than SIGTERM: a worker told to stop gracefully took 6 to 10 s here to
    let go of the port (interpreter shutdown of the loaded app). A normal stop of the
    master still stops its workers gracefully first.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        logger.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
    if os.getppid() != worker.ppid:  # the master died before the call above
        os.kill(os.getpid(), signal.SIGKILL)


def gunicorn_settings(*, host: str, port: int, workers: int, timeout: int,
                      control_socket: str | None = None) -> dict[str, Any]:
    """The gunicorn settings ``motion serve`` runs with."""
    settings: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "timeout": timeout,
        "accesslog": "-",
        "logger_class": RedactingLogger,
        "forwarded_allow_ips": "127.0.0.1",
        "post_fork": die_with_parent,
        "control_socket_disable": control_socket is None,
    }
    if control_socket is not None:
        settings["control_socket"] = control_socket
    return settings


class Server(BaseApplication):
    """Gunicorn running ``create_app()`` once per worker (one connection pool each)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self):
        from motion import create_app

        return create_app()
