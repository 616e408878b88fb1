"""engagement sessions: référents, bilan/objectifs and programme, propositions' axes

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 05:35:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "engagement_referents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_engagement_referents_campaign_id_campaigns"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"],
                                name=op.f("fk_engagement_referents_engagement_id_engagements"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_engagement_referents_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_referents")),
        sa.UniqueConstraint("campaign_id", "engagement_id", "user_id",
                            name=op.f("uq_engagement_referents_campaign_id_engagement_id_user_id")),
    )
    with op.batch_alter_table("engagement_referents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_referents_user_id"), ["user_id"],
                              unique=False)

    op.create_table(
        "engagement_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("bilan", sa.Text(), nullable=False),
        sa.Column("objectifs", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at",
                           name=op.f("ck_engagement_sessions_ends_after_start")),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_engagement_sessions_campaign_id_campaigns"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"],
                                name=op.f("fk_engagement_sessions_engagement_id_engagements"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_engagement_sessions_updated_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_sessions")),
        sa.UniqueConstraint("campaign_id", "engagement_id",
                            name=op.f("uq_engagement_sessions_campaign_id_engagement_id")),
    )

    op.create_table(
        "proposition_axes",
        sa.Column("proposition_id", sa.Integer(), nullable=False),
        sa.Column("axis_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["axis_id"], ["axes.id"],
                                name=op.f("fk_proposition_axes_axis_id_axes"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposition_id"], ["propositions.id"],
                                name=op.f("fk_proposition_axes_proposition_id_propositions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("proposition_id", name=op.f("pk_proposition_axes")),
    )
    with op.batch_alter_table("proposition_axes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposition_axes_axis_id"), ["axis_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("proposition_axes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposition_axes_axis_id"))
    op.drop_table("proposition_axes")
    op.drop_table("engagement_sessions")
    with op.batch_alter_table("engagement_referents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_referents_user_id"))
    op.drop_table("engagement_referents")
