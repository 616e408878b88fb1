"""Shared fixtures: the same suite runs on SQLite and, when configured, on PostgreSQL.

``MOTION_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
turns the PostgreSQL half on; each xdist worker gets its own database next to it.
``MOTION_REQUIRE_POSTGRES=1`` (CI) makes a missing PostgreSQL a failure, not a skip.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
DEV_CSV = DATA / "granddebat_questions_dev.csv"
PASSWORD = "correct horse battery staple"

PG_URL = os.environ.get("MOTION_TEST_DATABASE_URL")
REQUIRE_PG = os.environ.get("MOTION_REQUIRE_POSTGRES") == "1"
REDIS_URL = os.environ.get("MOTION_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REQUIRE_REDIS = os.environ.get("MOTION_REQUIRE_REDIS") == "1"
_pg_skipped: list[str] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    if not PG_URL:
        terminalreporter.write_line(
            "PostgreSQL part skipped: MOTION_TEST_DATABASE_URL is not set "
            "(only the SQLite suite ran).",
            yellow=True,
        )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):  # noqa: ARG001
    """Keep each module whose tests share a module- or class-scoped fixture on one xdist
    worker (``--dist loadgroup`` in the Makefile): under plain ``load`` both workers built
    the same seeded site, crawl or model once each. Other tests spread one by one.

    First among the hooks: xdist reads the ``xdist_group`` marks in its own hook."""
    for item in items:
        fixture_info = getattr(item, "_fixtureinfo", None)
        if fixture_info is None:
            continue
        scopes = {
            definition.scope
            for definitions in fixture_info.name2fixturedefs.values()
            for definition in definitions
        }
        if scopes & {"module", "class"}:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


_LOST_GROUPS = pytest.StashKey[str]()


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    """Notice when ``--dist loadgroup`` lost its groups: xdist tells the scheduler a test's
    group through a suffix of its node id (set on each worker after the hook above),
    which pytest 9.2 no longer takes (pytest-xdist#1386). Nothing failed then: the
    accessibility site and crawl were built on both workers (75 s each) and the suite
    neared its 15-minute limit. Now the grouped tests fail, saying why."""
    if not getattr(session.config.option, "loadgroup", False):  # set on xdist workers only
        return
    lost = [item.nodeid for item in session.items
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        session.config.stash[_LOST_GROUPS] = (
            f"--dist loadgroup ignores the xdist_group marks ({len(lost)} grouped tests): "
            "this pytest and pytest-xdist do not work together (see the pytest pin in "
            "pyproject.toml)")


def pytest_runtest_setup(item):
    lost = item.config.stash.get(_LOST_GROUPS, None)
    if lost and item.get_closest_marker("xdist_group"):
        pytest.fail(lost, pytrace=False)


def _worker_suffix(worker_id: str) -> str:
    return "main" if worker_id == "master" else worker_id


def _postgres_database(worker_id: str) -> str:
    """Create this worker's own database on the configured server (dropped at the end).

    The process id keeps concurrent runs on one server (CI, developers) apart.
    """
    base = make_url(PG_URL)
    name = f"{base.database}_{_worker_suffix(worker_id)}_{os.getpid()}"
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"unexpected database name {name!r}")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory, worker_id) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'motion-test.sqlite'}"
        return
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("MOTION_REQUIRE_POSTGRES=1 but MOTION_TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL not configured (MOTION_TEST_DATABASE_URL)")
    try:
        url = _postgres_database(worker_id)
    except Exception as error:  # the server is down or refuses us
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    yield url
    _drop_postgres_database(url)


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("instance")
    os.environ["MOTION_INSTANCE"] = str(path)
    return path


def _test_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
        # argon2id with its cheapest parameters: the library's recommended ones cost 0.1 s a
        # hash and a check, which the suite does thousands of times (see test_accounts for
        # the production parameters).
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
    }


@pytest.fixture(scope="session")
def migrated(database_url, instance_dir) -> str:
    """Bring this worker's database to the latest migration once per session."""
    from flask_migrate import upgrade

    from motion import create_app
    from motion.extensions import db

    app = create_app(_test_config(database_url))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="heads")
        db.engine.dispose()
    return database_url


def _empty_all_tables(db) -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app(migrated):
    """A fresh app on an empty, migrated database."""
    from motion import create_app
    from motion.extensions import db

    app = create_app(_test_config(migrated))
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables(db)
        db.engine.dispose()


@pytest.fixture
def db(app):
    from motion.extensions import db

    return db


class RequestScopedClient(FlaskClient):
    """Give every request its own app context, hence its own ``g`` and database session,
    as in production; the test's own session (the fixture's app context) stays apart."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = RequestScopedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---------------------------------------------------------------- factories

@pytest.fixture
def make_user(db):
    from motion.services import accounts

    counter = iter(range(1, 10_000))

    def make(**overrides):
        n = next(counter)
        values = {
            "email": f"user{n}@example.fr",
            "display_name": f"Élu {n}",
            "role": "elu",
            "password": PASSWORD,
            "collectivite": f"Commune {n}",
        }
        values.update(overrides)
        campaign = values.pop("campaign", None)
        user = accounts.create_user(values.pop("email"), **values)
        if campaign is not None:  # take part in it, through its first workshop
            from motion.services.campaigns import add_member, get_or_create_workshop

            workshop = (campaign.workshops[0] if campaign.workshops
                        else get_or_create_workshop(campaign, "Animation"))
            add_member(user, workshop)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_campaign(db):
    from datetime import timedelta

    from motion.models import PhaseKind
    from motion.models._types import utcnow
    from motion.services import campaigns, frameworks

    counter = iter(range(1, 10_000))

    def make(slug: str | None = None, *, collect_open: bool = True, **overrides):
        now = utcnow()
        starts = (
            {PhaseKind.COLLECT: now - timedelta(days=1),
             PhaseKind.SYNTHESIS: now + timedelta(days=30)}
            if collect_open
            else {PhaseKind.COLLECT: now - timedelta(days=30),
                  PhaseKind.SYNTHESIS: now - timedelta(days=1)}
        )
        values = {"framework": frameworks.ensure_default_framework(), "phase_starts": starts}
        values.update(overrides)
        campaign = campaigns.create_campaign(
            slug or f"congres-{next(counter)}", "Congrès de test", **values
        )
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def make_workshop(db, make_campaign):
    from motion.services import campaigns

    def make(name: str = "Atelier numérique responsable", *, campaign=None, members=()):
        campaign = campaign or make_campaign()
        workshop = campaigns.get_or_create_workshop(campaign, name)
        for user in members:
            campaigns.add_member(user, workshop)
        db.session.commit()
        return workshop

    return make


@pytest.fixture
def dev_rows():
    """The real labelled dev set (Grand Débat National, Licence Ouverte)."""
    import csv

    if not DEV_CSV.exists():
        pytest.fail(f"dev data missing: {DEV_CSV}")
    with DEV_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def make_contribution(db, make_user, make_workshop, dev_rows):
    from motion.services import contributions

    counter = iter(range(10_000))

    def make(*, author=None, workshop=None, text=None, title=None):
        author = author or make_user()
        workshop = workshop or make_workshop(members=[author])
        from motion.services.campaigns import add_member

        add_member(author, workshop)
        body = text if text is not None else dev_rows[next(counter)]["text"]
        contribution = contributions.post_contribution(author, workshop, body, title=title)
        db.session.commit()
        return contribution

    return make


# ---------------------------------------------------------------- web helpers

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/compte/connexion") -> str:
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def poll_job(get, url: str, timeout: float, every: float = 0.3) -> dict:
    """Read a job's progress record (``get(url)``, a JSON response: ``client.get``, or a
    call with an API token) until it says it has finished or ``timeout`` seconds have
    passed; the last state read."""
    deadline = time.monotonic() + timeout
    state = get(url).get_json()
    while not state["finished"] and time.monotonic() < deadline:
        time.sleep(every)
        state = get(url).get_json()
    return state


def field_error(html: str, element_id: str, label: str,
                tags: str = "input|textarea|select") -> str:
    """The error message tied to the form element ``element_id`` (a control, or a
    ``fieldset`` for a group), which must name ``label``; the page title says "Erreur"."""
    element = re.search(rf'<(?:{tags})[^>]*\bid="{element_id}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in element
    if element.startswith("<fieldset"):
        assert 'tabindex="-1"' in element  # forms.js puts the focus on it
    described = re.search(r'aria-describedby="([^"]+)"', element).group(1).split()
    messages = [re.search(rf'id="{i}"[^>]*>([^<]*)<', html).group(1) for i in described]
    named = [m for m in messages if m.startswith(f"{label} : ")]
    assert named, messages
    assert re.search(r"<title>Erreur : ", html)
    return named[0]


@pytest.fixture
def login(client):
    def do_login(user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        token = csrf_token(client)
        return client.post(
            "/compte/connexion",
            data={"email": email, "password": password, "csrf_token": token},
        )

    return do_login


@pytest.fixture
def redis_client():
    """The test Redis: skipped when unreachable, a failure under MOTION_REQUIRE_REDIS=1."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"Redis not reachable at {REDIS_URL}: {exc}"
        if REQUIRE_REDIS:
            pytest.fail(message + " (MOTION_REQUIRE_REDIS=1)")
        pytest.skip(message)
    return client


@pytest.fixture
def sqlite_only(database_url) -> Iterator[None]:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite-specific")
    return
