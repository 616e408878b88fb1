"""Planner statistics after bulk writes (PostgreSQL).

PostgreSQL plans queries from table statistics that autovacuum refreshes some time after
a change, or never where it is switched off. Right after an import of 100,000
contributions the statistics still described an empty table: a search then read the
campaign's 100,000 rows through the (campaign, status) index and matched each text
(3.1 s) instead of using the full-text index (2 ms). A bulk write therefore refreshes the
statistics of what it wrote, in its own transaction: ANALYZE counts the transaction's
own new rows, and its figures are published with the commit.
"""

from __future__ import annotations

from sqlalchemy import text

from motion.extensions import db

#: Rows written at once from which the statistics are refreshed at the end.
BULK_ROWS = 1000
_TABLES = frozenset({"contributions", "cluster_assignments"})


def refresh_after_bulk_write(rows: int, table: str) -> bool:
    """``ANALYZE table`` on PostgreSQL when ``rows`` reaches :data:`BULK_ROWS`; returns
    whether it ran (SQLite plans these queries well without statistics)."""
    if table not in _TABLES:
        raise ValueError(f"unexpected table {table!r}")
    if rows < BULK_ROWS or db.session.get_bind().dialect.name != "postgresql":
        return False
    db.session.execute(text(f"ANALYZE {table}"))
    return True
