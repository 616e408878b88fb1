"""The queries behind the contribution lists (workshop page, search and its filters, the
board, the "à classer" list, a theme page) can all be served by an index on PostgreSQL.

Every SELECT the pages run is captured and EXPLAINed with sequential scans switched off:
the planner still chooses a Seq Scan on a table only when no index can serve the filter.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from motion.models import Cluster
from motion.services import clustering, imports
from tests.services.test_clustering import _write_rows

LIST_TABLES = ("contributions", "cluster_assignments", "supports", "clusters")


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")


def test_the_contribution_lists_filters_hit_an_index(
    postgres_only, client, db, login, make_user, make_campaign, dev_rows, tmp_path
):
    campaign = make_campaign("index")
    imports.import_csv(_write_rows(tmp_path / "rows.csv", dev_rows[:300]), campaign)
    db.session.commit()
    record = clustering.request_run(campaign)
    db.session.commit()
    assert clustering.execute_run(record.id)
    facilitator = make_user(role="facilitator", campaign=campaign)
    workshop = campaign.workshops[0]
    cluster_id = db.session.scalars(select(Cluster.id).limit(1)).first()
    db.session.rollback()
    login(facilitator)

    pages = [
        f"/campagnes/index/ateliers/{workshop.slug}",
        "/campagnes/index/contributions/",
        "/campagnes/index/contributions/?q=internet",
        f"/campagnes/index/contributions/?atelier={workshop.id}&du=2020-01-01&au=2040-01-01",
        "/campagnes/index/contributions/?collectivite=Commune%201",
        "/campagnes/index/themes",
        "/campagnes/index/themes/a-classer",
        f"/campagnes/index/themes/{cluster_id}",
    ]
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if statement.lstrip().upper().startswith("SELECT") and any(
                f" {table}" in statement for table in LIST_TABLES):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(statements) >= len(pages)

    scans = []
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            plan = "\n".join(row[0] for row in conn.exec_driver_sql(
                "EXPLAIN " + statement, parameters))
            scans += [(line.strip(), statement) for line in plan.splitlines()
                      if "Seq Scan on" in line
                      and line.split("Seq Scan on ")[1].split()[0] in LIST_TABLES]
        conn.rollback()
    assert not scans, "\n\n".join(f"{line}\n{statement}" for line, statement in scans[:5])


def _reltuples(db, table: str) -> float:
    return db.session.execute(
        text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}).scalar_one()


def test_a_bulk_import_and_a_clustering_run_refresh_the_planner_statistics(
    postgres_only, db, make_campaign, make_user, dev_rows, tmp_path, monkeypatch
):
    """Autovacuum refreshes statistics late, or never where it is off (as on this machine):
    after 100,000 imported rows the planner still saw an empty table and a search read
    every row of the campaign (3.1 s) instead of the full-text index (2 ms). The import
    and the run ANALYZE what they wrote (at BULK_ROWS rows and more; lowered here)."""
    from motion.services import planner, search

    monkeypatch.setattr(planner, "BULK_ROWS", 200)
    campaign = make_campaign("stats")
    assert _reltuples(db, "contributions") <= 0  # emptied by TRUNCATE: no statistics
    imports.import_csv(_write_rows(tmp_path / "rows.csv", dev_rows[:300]), campaign)
    db.session.commit()
    assert _reltuples(db, "contributions") == 300

    viewer = make_user(role="facilitator", campaign=campaign)
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if "plainto_tsquery" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        assert search.search(campaign, search.Filters(query="internet"), viewer=viewer).total
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    with db.engine.connect() as conn:
        for statement, parameters in statements:  # the count, then the page
            plan = "\n".join(row[0] for row in conn.exec_driver_sql(
                "EXPLAIN " + statement, parameters))
            assert "ix_contributions_search" in plan, plan

    record = clustering.request_run(campaign)
    db.session.commit()
    assert clustering.execute_run(record.id)
    assert _reltuples(db, "cluster_assignments") == 300
