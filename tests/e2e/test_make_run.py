"""The README's `make run` path, far enough to get the French home page from a real server."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.e2e
def test_make_run_serves_the_demo_campaign(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTION_")}
    env["MOTION_INSTANCE"] = str(tmp_path / "instance")
    log = (tmp_path / "make-run.log").open("w+")
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"], cwd=REPO, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        body, deadline = None, time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    assert r.status == 200
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert body is not None, f"no HTTP 200 from make run:\n{output[-3000:]}"
        assert '<html lang="fr">' in body
        assert "Congrès national des élus au numérique — démonstration" in body
        assert "Transition écologique" in body
        assert "3300 real contributions" in output
        # The demo accounts and their passwords are printed for the newcomer.
        assert re.search(r"elu\s+elu\.demo@motion\.local\s+\S{12,}", output)
        assert (tmp_path / "instance" / "motion.sqlite").exists()
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    """End make and the server it started (its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
