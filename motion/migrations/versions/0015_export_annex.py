"""export_jobs.annex: which annex of sources a motion export carries

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 03:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("annex", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.drop_column("annex")
