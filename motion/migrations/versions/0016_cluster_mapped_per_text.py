"""clusters.mapped_per_text: a theme whose members are placed one by one

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 04:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mapped_per_text", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.drop_column("mapped_per_text")
