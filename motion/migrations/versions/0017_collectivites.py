"""collectivites: the list of collectivités, linked from users and snapshotted on contributions

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 05:30:00

Users keep their free-text ``collectivite``; ``collectivite_id`` links it to the list when
a name matches (case-insensitive). The table is new, so at upgrade the link only happens if
rows were inserted beforehand; the import service (motion.services.collectivites) links
matching users and backfills their contributions each time the list is imported.
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

KINDS = ("commune", "intercommunalite", "departement", "region", "autre")
SIZES = ("village", "ville", "grande_ville", "territoire")


def _rebuild_sqlite_search():
    """On SQLite a batch operation on ``contributions`` rebuilds the table, which drops the
    full-text search triggers: build the index and its triggers again with 0003's own
    statements (read from that revision, not copied)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    path = Path(__file__).with_name("0003_contributions_social.py")
    spec = importlib.util.spec_from_file_location("motion_migration_0003", path)
    revision_0003 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision_0003)
    for statement in [*revision_0003.SQLITE_SEARCH_DOWN, *revision_0003.SQLITE_SEARCH_UP]:
        op.execute(sa.text(statement))


def upgrade():
    op.create_table(
        "collectivites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("insee_code", sa.String(length=9), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                *KINDS,
                name="collectivite_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "population IS NULL OR population >= 0",
            name=op.f("ck_collectivites_population_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collectivites")),
        sa.UniqueConstraint("kind", "insee_code", name=op.f("uq_collectivites_kind_insee_code")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("collectivite_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_users_collectivite_id"), ["collectivite_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_collectivite_id_collectivites"),
            "collectivites",
            ["collectivite_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("collectivite_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "collectivite_kind",
                sa.Enum(
                    *KINDS,
                    name="collectivite_kind",
                    native_enum=False,
                    create_constraint=True,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "collectivite_size",
                sa.Enum(
                    *SIZES,
                    name="collectivite_size",
                    native_enum=False,
                    create_constraint=True,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.create_index(
            batch_op.f("ix_contributions_collectivite_id"), ["collectivite_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contributions_collectivite_id_collectivites"),
            "collectivites",
            ["collectivite_id"],
            ["id"],
            ondelete="SET NULL",
        )

    # Data: link users whose free-text collectivité names a listed one (none at first
    # upgrade; kept so the step is explicit and re-runnable after a downgrade/upgrade).
    op.execute(
        "UPDATE users SET collectivite_id = ("
        " SELECT MIN(c.id) FROM collectivites c"
        " WHERE lower(c.name) = lower(trim(users.collectivite)))"
        " WHERE collectivite IS NOT NULL AND collectivite_id IS NULL"
    )
    _rebuild_sqlite_search()


def downgrade():
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_contributions_collectivite_id_collectivites"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_contributions_collectivite_id"))
        # SQLite rebuilds the table: its CHECK constraints go before their columns.
        batch_op.drop_constraint(batch_op.f("ck_contributions_collectivite_size"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_contributions_collectivite_kind"), type_="check")
        batch_op.drop_column("collectivite_size")
        batch_op.drop_column("collectivite_kind")
        batch_op.drop_column("collectivite_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_users_collectivite_id_collectivites"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_users_collectivite_id"))
        batch_op.drop_column("collectivite_id")
    op.drop_table("collectivites")
    _rebuild_sqlite_search()
