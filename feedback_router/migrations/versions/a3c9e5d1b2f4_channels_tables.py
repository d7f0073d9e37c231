"""channels: inbound dedupe, household devices, device announcements

Revision ID: a3c9e5d1b2f4
Revises: 6c5c11047c55
Create Date: 2026-11-22 09:00:00
"""
from alembic import op
import sqlalchemy as sa

# Registers the channel tables on Base.metadata so autogenerate does not propose dropping them.
import feedback_router.messaging.models  # noqa: F401


revision = 'a3c9e5d1b2f4'
down_revision = '6c5c11047c55'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'inbound_updates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('update_id', sa.String(length=255), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel', 'update_id', name='uq_inbound_channel_update'),
    )
    op.create_index('ix_inbound_updates_received_at', 'inbound_updates', ['received_at'])
    op.create_table(
        'devices',
        sa.Column('device_id', sa.String(length=64), nullable=False),
        sa.Column('household_code', sa.String(length=64), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('ward_unit_id', sa.String(length=80), nullable=True),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('secret', sa.String(length=128), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('device_id'),
    )
    op.create_index('ix_devices_ward_unit_id', 'devices', ['ward_unit_id'])
    op.create_table(
        'device_announcements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ward_unit_id', sa.String(length=80), nullable=True),
        sa.Column('device_id', sa.String(length=64), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(length=255), nullable=False),
        sa.Column('dedupe_key', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe_key', name='uq_device_ann_dedupe_key'),
    )
    op.create_index('ix_device_ann_ward_id', 'device_announcements', ['ward_unit_id', 'id'])
    op.create_index('ix_device_ann_device_id', 'device_announcements', ['device_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_device_ann_device_id', table_name='device_announcements')
    op.drop_index('ix_device_ann_ward_id', table_name='device_announcements')
    op.drop_table('device_announcements')
    op.drop_index('ix_devices_ward_unit_id', table_name='devices')
    op.drop_table('devices')
    op.drop_index('ix_inbound_updates_received_at', table_name='inbound_updates')
    op.drop_table('inbound_updates')
