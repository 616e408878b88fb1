"""followup: follow-up statuses, notes, links and history; earlier propositions and continuations

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 05:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('earlier_propositions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('source_campaign_id', sa.Integer(), nullable=True),
    sa.Column('source_proposition_id', sa.Integer(), nullable=True),
    sa.Column('engagement_id', sa.Integer(), nullable=True),
    sa.Column('source_engagement_code', sa.String(length=40), nullable=True),
    sa.Column('source_engagement_title', sa.String(length=300), nullable=True),
    sa.Column('source_campaign_title', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_earlier_propositions_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_earlier_propositions_engagement_id_engagements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_earlier_propositions_imported_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_campaign_id'], ['campaigns.id'], name=op.f('fk_earlier_propositions_source_campaign_id_campaigns'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_proposition_id'], ['propositions.id'], name=op.f('fk_earlier_propositions_source_proposition_id_propositions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_earlier_propositions')),
    sa.UniqueConstraint('campaign_id', 'source_proposition_id', name=op.f('uq_earlier_propositions_campaign_id_source_proposition_id'))
    )
    with op.batch_alter_table('earlier_propositions', schema=None) as batch_op:
        batch_op.create_index('ix_earlier_propositions_campaign_engagement', ['campaign_id', 'engagement_id'], unique=False)

    op.create_table('proposition_followups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposition_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('not_transmitted', 'transmitted', 'answered', 'in_text', 'no_follow_up', name='followup_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposition_id'], ['propositions.id'], name=op.f('fk_proposition_followups_proposition_id_propositions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_proposition_followups_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposition_followups')),
    sa.UniqueConstraint('proposition_id', name=op.f('uq_proposition_followups_proposition_id'))
    )
    op.create_table('contribution_continuations',
    sa.Column('contribution_id', sa.Integer(), nullable=False),
    sa.Column('earlier_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'], name=op.f('fk_contribution_continuations_contribution_id_contributions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['earlier_id'], ['earlier_propositions.id'], name=op.f('fk_contribution_continuations_earlier_id_earlier_propositions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contribution_id', name=op.f('pk_contribution_continuations'))
    )
    with op.batch_alter_table('contribution_continuations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_continuations_earlier_id'), ['earlier_id'], unique=False)

    op.create_table('followup_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_followup_links_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['followup_id'], ['proposition_followups.id'], name=op.f('fk_followup_links_followup_id_proposition_followups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_links'))
    )
    with op.batch_alter_table('followup_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_links_followup_id'), ['followup_id'], unique=False)

    op.create_table('followup_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_id', sa.Integer(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_followup_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['followup_id'], ['proposition_followups.id'], name=op.f('fk_followup_notes_followup_id_proposition_followups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_notes'))
    )
    with op.batch_alter_table('followup_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_notes_followup_id'), ['followup_id'], unique=False)

    op.create_table('followup_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_id', sa.Integer(), nullable=False),
    sa.Column('old_status', sa.Enum('not_transmitted', 'transmitted', 'answered', 'in_text', 'no_follow_up', name='followup_old_status', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('new_status', sa.Enum('not_transmitted', 'transmitted', 'answered', 'in_text', 'no_follow_up', name='followup_new_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_followup_status_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['followup_id'], ['proposition_followups.id'], name=op.f('fk_followup_status_changes_followup_id_proposition_followups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_status_changes'))
    )
    with op.batch_alter_table('followup_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_status_changes_followup_id'), ['followup_id'], unique=False)

    op.create_table('proposition_continuations',
    sa.Column('proposition_id', sa.Integer(), nullable=False),
    sa.Column('earlier_id', sa.Integer(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['earlier_id'], ['earlier_propositions.id'], name=op.f('fk_proposition_continuations_earlier_id_earlier_propositions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposition_id'], ['propositions.id'], name=op.f('fk_proposition_continuations_proposition_id_propositions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_proposition_continuations_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('proposition_id', name=op.f('pk_proposition_continuations'))
    )
    with op.batch_alter_table('proposition_continuations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposition_continuations_earlier_id'), ['earlier_id'], unique=False)



def downgrade():
    with op.batch_alter_table('proposition_continuations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposition_continuations_earlier_id'))

    op.drop_table('proposition_continuations')
    with op.batch_alter_table('followup_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_status_changes_followup_id'))

    op.drop_table('followup_status_changes')
    with op.batch_alter_table('followup_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_notes_followup_id'))

    op.drop_table('followup_notes')
    with op.batch_alter_table('followup_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_links_followup_id'))

    op.drop_table('followup_links')
    with op.batch_alter_table('contribution_continuations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contribution_continuations_earlier_id'))

    op.drop_table('contribution_continuations')
    op.drop_table('proposition_followups')
    with op.batch_alter_table('earlier_propositions', schema=None) as batch_op:
        batch_op.drop_index('ix_earlier_propositions_campaign_engagement')

    op.drop_table('earlier_propositions')
