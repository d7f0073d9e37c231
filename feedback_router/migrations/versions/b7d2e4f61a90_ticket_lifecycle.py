"""ticket lifecycle: SLA, duplicates, outbox, dashboard users

Revision ID: b7d2e4f61a90
Revises: 6c5c11047c55
Create Date: 2026-11-22 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d2e4f61a90'
down_revision = '6c5c11047c55'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_key', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('ack_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('public_reply', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('report_count', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('rating', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reopen_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_tickets_merged_into', 'tickets', ['merged_into_id'], ['id'])
        batch_op.create_index('ix_tickets_unit_created', ['unit_id', 'created_at'], unique=False)
        batch_op.create_index('ix_tickets_status_sla', ['status', 'sla_due_at'], unique=False)
        batch_op.create_index('ix_tickets_category_location_key', ['category', 'location_key'], unique=False)

    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='status', nullable=False))
        batch_op.add_column(sa.Column('public', sa.Boolean(), server_default='0', nullable=False))

    op.create_table(
        'ticket_followers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', 'contact_id', name='uq_follower_ticket_contact'),
    )
    op.create_index('ix_ticket_followers_ticket_id', 'ticket_followers', ['ticket_id'])

    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('recipient', sa.String(length=255), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('dedupe_key', sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe_key'),
    )
    op.create_index('ix_outbox_status_next', 'outbox', ['status', 'next_attempt_at'])
    op.create_index('ix_outbox_ticket_id', 'outbox', ['ticket_id'])

    op.create_table(
        'dashboard_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('unit_id', sa.String(length=80), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username'),
    )


def downgrade() -> None:
    op.drop_table('dashboard_users')
    op.drop_index('ix_outbox_ticket_id', table_name='outbox')
    op.drop_index('ix_outbox_status_next', table_name='outbox')
    op.drop_table('outbox')
    op.drop_index('ix_ticket_followers_ticket_id', table_name='ticket_followers')
    op.drop_table('ticket_followers')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_column('public')
        batch_op.drop_column('kind')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_category_location_key')
        batch_op.drop_index('ix_tickets_status_sla')
        batch_op.drop_index('ix_tickets_unit_created')
        batch_op.drop_constraint('fk_tickets_merged_into', type_='foreignkey')
        for col in ('merged_into_id', 'reopen_count', 'rating', 'report_count', 'public_reply', 'resolved_at',
                    'escalated_at', 'overdue', 'sla_due_at', 'ack_due_at', 'location_key'):
            batch_op.drop_column(col)
