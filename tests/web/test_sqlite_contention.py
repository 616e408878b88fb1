"""SQLite under write contention: a busy database answers 503 with Retry-After, never 500;
the same vote sent again once the lock is gone is recorded once; a CLI import commits in
batches so that votes go through while it runs."""

from __future__ import annotations

import csv
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from motion.models import Contribution, Vote
from motion.services import motions, votes
from tests.conftest import csrf_token


@pytest.fixture
def plenary(app, db, sqlite_only, make_campaign, make_user, make_workshop):
    """A round open on a proposition, an élu of the campaign signed in on a phone."""
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 200  # new connections wait 0.2 s, not 5 s
    db.engine.dispose()
    campaign = make_campaign(collect_open=False)
    elu = make_user()
    make_workshop(campaign=campaign, members=[elu])
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(
        motion, motion.sections[0], title="Très haut débit",
        text="Raccorder chaque école au très haut débit.", contributions=[])
    session = votes.open_vote(proposition, actor=None)
    db.session.commit()
    return {"campaign": campaign, "elu": elu, "session_id": session.id}


class WriteLock:
    """Another process's write transaction on the same SQLite file (BEGIN IMMEDIATE)."""

    def __init__(self, url: str) -> None:
        self.connection = sqlite3.connect(make_url(url).database, isolation_level=None)

    def __enter__(self):
        self.connection.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        self.connection.execute("ROLLBACK")
        self.connection.close()


def _vote(client, session_id, key="cle-idempotence-0001"):
    return client.post(f"/api/votes/{session_id}", json={"choice": "for"},
                       headers={"X-CSRFToken": csrf_token(client, "/"), "Idempotency-Key": key})


def test_a_locked_database_answers_503_with_retry_after_then_the_retry_counts_once(
        app, db, client, login, plenary):
    login(plenary["elu"])
    csrf_token(client, "/")  # the session exists before the lock
    with WriteLock(app.config["SQLALCHEMY_DATABASE_URI"]):
        busy = _vote(client, plenary["session_id"])
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "2"
    assert busy.get_json()["error"]["title"] == "Serveur occupé"
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0
    first, again = _vote(client, plenary["session_id"]), _vote(client, plenary["session_id"])
    assert first.status_code == again.status_code == 200
    assert first.get_json()["key"] == "cle-idempotence-0001"
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1


def test_a_busy_page_is_a_french_503(app, client, login, plenary):
    login(plenary["elu"])
    token = csrf_token(client, f"/v/{plenary['campaign'].slug}")
    with WriteLock(app.config["SQLALCHEMY_DATABASE_URI"]):
        response = client.post(f"/v/{plenary['campaign'].slug}", data={
            "csrf_token": token, "session": plenary["session_id"], "choice": "for"})
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert "très sollicité" in response.get_data(as_text=True)


def test_votes_go_through_while_a_cli_import_runs(app, db, runner, client, login, plenary,
                                                  dev_rows, tmp_path):
    """Real concurrent writers: the CLI import in a thread, votes from the test client."""
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 5000
    db.engine.dispose()
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        for row in dev_rows[:1200]:
            writer.writerow([row["id"], row["text"]])
    login(plenary["elu"])
    csrf_token(client, "/")
    result, slug = {}, plenary["campaign"].slug

    def run_import():
        try:
            with app.app_context():  # its own session, as a separate `motion import` has
                result["cli"] = runner.invoke(args=["import", str(path), "--campaign",
                                                    slug])
        except BaseException as error:  # reported below
            result["error"] = error

    thread = threading.Thread(target=run_import)
    thread.start()
    statuses = []
    while thread.is_alive():
        statuses.append(_vote(client, plenary["session_id"], key=f"cle-{len(statuses):016d}")
                        .status_code)
        time.sleep(0.05)
    thread.join()
    assert "error" not in result, result.get("error")
    assert result["cli"].exit_code == 0, result["cli"].output
    assert "inserted 1200" in result["cli"].output
    assert statuses
    assert 500 not in statuses
    assert set(statuses) <= {200, 503}
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 1200
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
