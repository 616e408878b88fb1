"""The queries behind the contribution lists (workshop page, search and its filters, the
board, the "à classer" list, a theme page) can all be served by an index on PostgreSQL.

Every SELECT the pages run is captured and EXPLAINed with sequential scans switched off:
the planner still chooses a Seq Scan on a table only when no index can serve the filter.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

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
