"""hotline_call_state: a call's caller number and next dialplan step, for every hotline replica (issue 15, part 4)

Revision ID: e8c1f5a3b7d2
Revises: d4b8f2c6e9a1
Create Date: 2026-12-05 11:00:00
"""
from alembic import op
import sqlalchemy as sa

# Registers the table on Base.metadata so autogenerate does not propose dropping it.
import feedback_router.messaging.calls  # noqa: F401

revision = 'e8c1f5a3b7d2'
down_revision = 'd4b8f2c6e9a1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'hotline_call_state',
        sa.Column('call_uuid', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('value', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('call_uuid', 'kind'),
    )
    op.create_index('ix_hotline_call_state_created_at', 'hotline_call_state', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_hotline_call_state_created_at', table_name='hotline_call_state')
    op.drop_table('hotline_call_state')
