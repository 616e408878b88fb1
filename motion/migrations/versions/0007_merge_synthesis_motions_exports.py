"""merge the synthesis, motions and exports branches

Revision ID: 0007
Revises: 0004, 0005, 0006
Create Date: 2026-11-26 12:05:00

"""

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = ("0004", "0005", "0006")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
