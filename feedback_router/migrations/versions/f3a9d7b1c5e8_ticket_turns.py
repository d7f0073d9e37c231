"""ticket_turns: a replayed turn is recognised by its message id, not by its words (issue 15, part 4)

Revision ID: f3a9d7b1c5e8
Revises: e8c1f5a3b7d2
Create Date: 2026-12-05 12:00:00

Tickets filed before have no row: a replay of a turn from before the upgrade (minutes old at
most) would file once more, which is what a citizen sees when they send a report twice.
"""
from alembic import op
import sqlalchemy as sa

# Registers the table on Base.metadata so autogenerate does not propose dropping it.
import feedback_router.tickets.replay  # noqa: F401

revision = 'f3a9d7b1c5e8'
down_revision = 'e8c1f5a3b7d2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ticket_turns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('joined', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('contact_id', 'message_id', name='uq_ticket_turn_message'),
    )
    op.create_index('ix_ticket_turns_ticket_id', 'ticket_turns', ['ticket_id'])


def downgrade() -> None:
    op.drop_index('ix_ticket_turns_ticket_id', table_name='ticket_turns')
    op.drop_table('ticket_turns')
