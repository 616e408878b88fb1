"""clustering_runs.n_themes: the granularity a run was asked for

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 03:25:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clustering_runs") as batch:
        batch.add_column(sa.Column("n_themes", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("clustering_runs") as batch:
        batch.drop_column("n_themes")
