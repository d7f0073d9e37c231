"""booking a turn at a one-stop desk: desks, slots, bookings

Revision ID: c4e8a1f2d3b5
Revises: 6c5c11047c55
Create Date: 2026-11-22 13:00:00
"""
from alembic import op
import sqlalchemy as sa

# Registers the booking tables on Base.metadata so autogenerate does not propose dropping them.
import feedback_router.booking.service  # noqa: F401


revision = 'c4e8a1f2d3b5'
down_revision = '6c5c11047c55'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('booked', 'arrived')")


def upgrade() -> None:
    op.create_table(
        'desks',
        sa.Column('id', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('kind', sa.Enum('ward_one_stop', 'city_service_centre', 'citizen_reception',
                                  name='desk_kind', native_enum=False, length=32), nullable=False),
        sa.Column('unit_id', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_desks_unit_id', 'desks', ['unit_id'])
    op.create_table(
        'slots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('desk_id', sa.String(length=80), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('booked', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['desk_id'], ['desks.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('desk_id', 'starts_at', name='uq_slot_desk_start'),
        sa.CheckConstraint('booked >= 0 AND booked <= capacity', name='ck_slot_booked_within_capacity'),
    )
    op.create_index('ix_slots_starts_at', 'slots', ['starts_at'])
    op.create_table(
        'bookings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('slot_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('procedure', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('booked', 'cancelled', 'arrived', 'no_show', name='booking_status',
                                    native_enum=False, length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['slot_id'], ['slots.id']),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    op.create_index('ix_bookings_slot_id', 'bookings', ['slot_id'])
    op.create_index('ix_bookings_contact_id', 'bookings', ['contact_id'])
    op.create_index('uq_booking_active_contact_slot', 'bookings', ['slot_id', 'contact_id'], unique=True,
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def downgrade() -> None:
    op.drop_index('uq_booking_active_contact_slot', table_name='bookings')
    op.drop_index('ix_bookings_contact_id', table_name='bookings')
    op.drop_index('ix_bookings_slot_id', table_name='bookings')
    op.drop_table('bookings')
    op.drop_index('ix_slots_starts_at', table_name='slots')
    op.drop_table('slots')
    op.drop_index('ix_desks_unit_id', table_name='desks')
    op.drop_table('desks')
