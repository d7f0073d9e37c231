"""suggestions (supports, events) and confidential denunciations; merges the three heads

Revision ID: d9f3c2a7e1b6
Revises: a3c9e5d1b2f4, b7d2e4f61a90, c4e8a1f2d3b5
Create Date: 2026-12-01 08:30:00
"""
from alembic import op
import sqlalchemy as sa

# Registers the civic tables on Base.metadata so autogenerate does not propose dropping them.
import feedback_router.civic.models  # noqa: F401


revision = 'd9f3c2a7e1b6'
down_revision = ('a3c9e5d1b2f4', 'b7d2e4f61a90', 'c4e8a1f2d3b5')
branch_labels = None
depends_on = None

SUGGESTION_STATUS = sa.Enum('received', 'under_review', 'accepted', 'declined', name='suggestion_status',
                            native_enum=False, length=16)
DENUNCIATION_STATUS = sa.Enum('received', 'accepted', 'not_accepted', 'info_only', 'concluded',
                              name='denunciation_status', native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        'suggestions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('ward_unit_id', sa.String(length=80), nullable=True),
        sa.Column('unit_id', sa.String(length=80), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('status', SUGGESTION_STATUS, nullable=False),
        sa.Column('publish_consent', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('published', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('support_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    op.create_index('ix_suggestions_unit_status_created', 'suggestions', ['unit_id', 'status', 'created_at'])
    op.create_index('ix_suggestions_published_created', 'suggestions', ['published', 'created_at'])
    op.create_table(
        'suggestion_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('suggestion_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('status', SUGGESTION_STATUS, nullable=False),
        sa.Column('actor', sa.String(length=255), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_suggestion_events_suggestion_id', 'suggestion_events', ['suggestion_id'])
    op.create_table(
        'suggestion_supports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('suggestion_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('suggestion_id', 'contact_id', name='uq_support_suggestion_contact'),
    )
    op.create_index('ix_suggestion_supports_suggestion_id', 'suggestion_supports', ['suggestion_id'])
    op.create_table(
        'denunciations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('subject_unit_id', sa.String(length=80), nullable=True),
        sa.Column('handler_unit_id', sa.String(length=80), nullable=False),
        sa.Column('status', DENUNCIATION_STATUS, nullable=False),
        sa.Column('identity_token', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['handler_unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    op.create_index('ix_denunciations_status_created', 'denunciations', ['status', 'created_at'])
    op.create_table(
        'denunciation_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('denunciation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('status', DENUNCIATION_STATUS, nullable=False),
        sa.Column('actor', sa.String(length=255), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['denunciation_id'], ['denunciations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_denunciation_events_denunciation_id', 'denunciation_events', ['denunciation_id'])


def downgrade() -> None:
    op.drop_index('ix_denunciation_events_denunciation_id', table_name='denunciation_events')
    op.drop_table('denunciation_events')
    op.drop_index('ix_denunciations_status_created', table_name='denunciations')
    op.drop_table('denunciations')
    op.drop_index('ix_suggestion_supports_suggestion_id', table_name='suggestion_supports')
    op.drop_table('suggestion_supports')
    op.drop_index('ix_suggestion_events_suggestion_id', table_name='suggestion_events')
    op.drop_table('suggestion_events')
    op.drop_index('ix_suggestions_published_created', table_name='suggestions')
    op.drop_index('ix_suggestions_unit_status_created', table_name='suggestions')
    op.drop_table('suggestions')
