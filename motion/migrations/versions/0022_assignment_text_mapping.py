"""cluster_assignments: engagement_id, axis_id, mapping_score, out_of_frame renamed text_*

They only keep what the mapper said of each text alone (a contribution in a theme sits
where its theme sits); the new names say so.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 05:50:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

COLUMNS = (("engagement_id", "engagements"), ("axis_id", "axes"))
PLAIN = ("mapping_score", "out_of_frame")


def _rename(prefix_from: str, prefix_to: str) -> None:
    with op.batch_alter_table("cluster_assignments", schema=None) as batch_op:
        for column, target in COLUMNS:
            batch_op.drop_constraint(
                f"fk_cluster_assignments_{prefix_from}{column}_{target}", type_="foreignkey")
            batch_op.alter_column(f"{prefix_from}{column}",
                                  new_column_name=f"{prefix_to}{column}")
        for column in PLAIN:
            batch_op.alter_column(f"{prefix_from}{column}",
                                  new_column_name=f"{prefix_to}{column}")
    # A second batch: SQLite's batch mode leaves out a foreign key created on a column it
    # renames in the same batch.
    with op.batch_alter_table("cluster_assignments", schema=None) as batch_op:
        for column, target in COLUMNS:
            batch_op.create_foreign_key(
                f"fk_cluster_assignments_{prefix_to}{column}_{target}", target,
                [f"{prefix_to}{column}"], ["id"], ondelete="SET NULL")


def upgrade():
    _rename("", "text_")


def downgrade():
    _rename("text_", "")
