"""motion backup / restore: a backup taken while contributions pour in, restored into a
fresh instance that serves (SQLite online backup API; pg_dump/pg_restore)."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from motion.backup import BackupError, backup, restore
from motion.models import Contribution
from tests.conftest import PG_URL, RequestScopedClient


@pytest.fixture
def fresh_database_url(database_url, tmp_path):
    """An empty database of the same kind, dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    name = f"motion_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count(Contribution.id)))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_backup_under_load_restores_into_a_fresh_instance_that_serves(
        app, db, runner, make_user, make_workshop, dev_rows, tmp_path, fresh_database_url):
    from motion import create_app
    from motion.services import contributions

    author = make_user()
    workshop = make_workshop(members=[author])
    author_id, workshop_id = author.id, workshop.id
    for row in dev_rows[:50]:
        contributions.post_contribution(author, workshop, row["text"])
    db.session.commit()

    stop = threading.Event()
    written: list[int] = []

    def load() -> None:  # another "worker" posting ideas, one commit each
        writer = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                             "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
        with writer.app_context():
            from motion.extensions import db as writer_db
            from motion.models import User, Workshop

            user = writer_db.session.get(User, author_id)
            where = writer_db.session.get(Workshop, workshop_id)
            for row in dev_rows[50:400]:
                if stop.is_set():
                    break
                contributions.post_contribution(user, where, row["text"])
                writer_db.session.commit()
                written.append(1)
            writer_db.session.remove()

    thread = threading.Thread(target=load)
    thread.start()
    try:
        while len(written) < 20:  # the load is really running
            thread.join(0.05)
            assert thread.is_alive() or len(written) >= 20
        before = 50 + len(written)
        result = runner.invoke(args=["backup", str(tmp_path / "motion.backup")])
        assert result.exit_code == 0, result.output
        after_backup = 50 + len(written)
    finally:
        stop.set()
        thread.join()
    assert "written to" in result.output

    restore(fresh_database_url, tmp_path / "motion.backup")
    restored = _count(fresh_database_url)
    assert before <= restored <= after_backup  # a consistent snapshot taken under load

    served = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                         "SQLALCHEMY_DATABASE_URI": fresh_database_url})
    served.test_client_class = RequestScopedClient
    with served.app_context():
        client = served.test_client()
        assert client.get("/healthz").get_json() == {"status": "ok"}
        assert client.get("/compte/connexion").status_code == 200
        from motion.extensions import db as served_db

        served_db.engine.dispose()


def test_restore_refuses_a_file_of_the_other_kind(database_url, tmp_path):
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a backup")
    with pytest.raises(BackupError, match="is not a"):
        restore(database_url, wrong)


def test_an_in_memory_database_cannot_be_backed_up(tmp_path):
    with pytest.raises(BackupError, match="in-memory"):
        backup("sqlite://", tmp_path / "x")
