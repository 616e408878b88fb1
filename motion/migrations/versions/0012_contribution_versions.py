"""contributions_version, changed_in_version: similar-ideas indexes apply only changes

Each worker's index of a campaign reads the contributions stamped above the version it
has applied, instead of re-reading the campaign.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contributions_version", sa.Integer(),
                                      server_default="0", nullable=False))
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_in_version", sa.Integer(),
                                      server_default="0", nullable=False))
        batch_op.create_index("ix_contributions_campaign_changed",
                              ["campaign_id", "changed_in_version"], unique=False)


def downgrade():
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_index("ix_contributions_campaign_changed")
        batch_op.drop_column("changed_in_version")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("contributions_version")
