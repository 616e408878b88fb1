"""export_jobs.addressee_id: a transmission dossier prepared as a background job

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 06:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("addressee_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_export_jobs_addressee_id_addressees"), "addressees",
            ["addressee_id"], ["id"], ondelete="CASCADE")


def downgrade():
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_export_jobs_addressee_id_addressees"), type_="foreignkey")
        batch_op.drop_column("addressee_id")
