"""earlier_propositions.axis_id, source_axis_code: an earlier proposition keeps its axis

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 05:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("earlier_propositions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("axis_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source_axis_code", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_earlier_propositions_axis_id_axes"), "axes", ["axis_id"], ["id"],
            ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("earlier_propositions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_earlier_propositions_axis_id_axes"),
                                 type_="foreignkey")
        batch_op.drop_column("source_axis_code")
        batch_op.drop_column("axis_id")
