"""End-to-end helpers: a real ``motion serve`` process and Debian's chromium via Playwright."""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# No background traffic: this machine has no network but the package registries.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """End a process started in its own session, and everything it started."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for_http(url: str, process: subprocess.Popen, log_path: Path,
                  timeout: float = 60) -> str:
    """Wait for HTTP 200 on ``url`` from a starting server; fail with its log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return response.read().decode()
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"no HTTP 200 from {url}:\n{log_path.read_text()[-3000:]}")


class Seed(NamedTuple):
    instance: Path
    url: str
    app: Any


@contextmanager
def open_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                  instance_config: str = "") -> Iterator[Seed]:
    """Open a new migrated SQLite database for a live server, to seed it in an app context.

    Leaving the block commits what was added and closes the connections, so the server
    process starts on a quiet file. ``instance_config`` becomes ``instance/config.py``.
    """
    from flask_migrate import upgrade

    from motion import create_app
    from motion.extensions import db

    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    if instance_config:
        (instance / "config.py").write_text(instance_config)
    url = f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    monkeypatch.setenv("MOTION_INSTANCE", str(instance))
    app = create_app({"TESTING": True, "SECRET_KEY": "e2e-secret-key-not-for-production",
                      "SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_PROFILE": "CHEAPEST"})
    with app.app_context():
        upgrade(revision="heads")
        yield Seed(instance, url, app)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def collect_campaign(slug: str, title: str, *workshops: str, authors=(), members=(),
                     texts=()) -> Any:
    """Inside a seed block: a campaign on the association's framework, collecting since
    yesterday for 30 days, with ``workshops`` (names). Each user of ``members`` joins the
    first workshop, each of ``authors`` every workshop; the ``texts`` are posted in turn by
    the first author, in the workshops taken in turn (last first). Returns the campaign."""
    from datetime import timedelta

    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import campaigns, contributions, frameworks

    now = utcnow()
    campaign = campaigns.create_campaign(
        slug, title, framework=frameworks.ensure_default_framework(),
        phase_starts={PhaseKind.COLLECT: now - timedelta(days=1),
                      PhaseKind.SYNTHESIS: now + timedelta(days=30)})
    rooms = [campaigns.get_or_create_workshop(campaign, name) for name in workshops]
    for user in authors:
        for room in rooms:
            campaigns.add_member(user, room)
    for user in members:
        campaigns.add_member(user, rooms[0])
    for i, text in enumerate(texts):
        contributions.post_contribution(authors[0], rooms[-1 - i % len(rooms)], text)
    return campaign


def sign_in(page, server: str, email: str) -> None:
    """Log ``email`` in through the login page (every e2e account has PASSWORD)."""
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD

    page.goto(f"{server}/compte/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    expect(page.locator(".flash-success")).to_contain_text("Bienvenue")


@pytest.fixture
def seed_database(tmp_path, monkeypatch) -> Callable[..., Any]:
    """``with seed_database(instance_config="") as (instance, url, app):`` (see open_database)."""
    return functools.partial(open_database, tmp_path, monkeypatch)


def start_server(tmp_path: Path, processes: list[subprocess.Popen], instance: Path,
                 database_url: str, *, workers: int = 1) -> str:
    """Start ``motion serve`` (production server) on an instance; returns its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTION_")}
    env.update(MOTION_INSTANCE=str(instance), MOTION_ENV="development",
               MOTION_DATABASE_URL=database_url, MOTION_PASSWORD_HASH_PROFILE="CHEAPEST")
    log_path = tmp_path / f"server-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "motion"), "serve", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    processes.append(process)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/healthz", process, log_path)
    return base


@pytest.fixture
def live_server(tmp_path) -> Iterator[Callable[..., str]]:
    """``live_server(instance, database_url, workers=1)`` starts a server (see start_server)."""
    processes: list[subprocess.Popen] = []
    yield functools.partial(start_server, tmp_path, processes)
    for process in processes:
        stop(process)


@contextmanager
def launch_chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make install-browser` (Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    yield context.new_page()
    context.close()
