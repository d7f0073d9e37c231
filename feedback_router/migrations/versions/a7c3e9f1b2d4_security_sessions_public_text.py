"""security: staff session versions (revocable sessions), moderated public ticket text

Revision ID: a7c3e9f1b2d4
Revises: d9f3c2a7e1b6
Create Date: 2026-12-04 18:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c3e9f1b2d4'
down_revision = 'd9f3c2a7e1b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff_session_versions',
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('dashboard_users.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('version', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        'ticket_public_texts',
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('public_description', sa.Text(), nullable=False),
        sa.Column('moderated_by', sa.String(length=120), nullable=False),
        sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table('ticket_public_texts')
    op.drop_table('staff_session_versions')
