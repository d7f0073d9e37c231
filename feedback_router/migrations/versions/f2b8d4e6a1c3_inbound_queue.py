"""inbound queue: the dedupe row also keeps the message, its attempts and its lease

Revision ID: f2b8d4e6a1c3
Revises: d9f3c2a7e1b6
Create Date: 2026-12-04 18:30:00
"""
from alembic import op
import sqlalchemy as sa

import feedback_router.messaging.models  # noqa: F401


revision = 'f2b8d4e6a1c3'
down_revision = 'd9f3c2a7e1b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_updates') as batch:
        batch.add_column(sa.Column('sender_id', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('payload', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('replies', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('last_error', sa.Text(), nullable=True))
    op.create_index('ix_inbound_status_next', 'inbound_updates', ['status', 'next_attempt_at'])
    op.create_index('ix_inbound_sender_id', 'inbound_updates', ['sender_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_inbound_sender_id', table_name='inbound_updates')
    op.drop_index('ix_inbound_status_next', table_name='inbound_updates')
    with op.batch_alter_table('inbound_updates') as batch:
        for name in ('last_error', 'replies', 'lease_until', 'next_attempt_at', 'attempts', 'payload', 'sender_id'):
            batch.drop_column(name)
