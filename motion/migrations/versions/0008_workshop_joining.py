"""campaigns.workshop_joining: who may join a campaign's workshops

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 02:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "workshop_joining",
            sa.Enum("open", "invitation", name="workshop_joining", native_enum=False,
                    create_constraint=True, length=20),
            server_default="open", nullable=False,
        ))


def downgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("workshop_joining")
