"""zalo_tokens: the OA token pair in the database, locked while refreshing (issue 15, part 4)

Revision ID: c7e2a9d4f1b3
Revises: b1d7e3f9a2c4
Create Date: 2026-12-05 09:00:00

The row is seeded by the first process that needs it (feedback_router.messaging.zalo_tokens),
from the old ZALO_TOKEN_FILE when there is one: the migration cannot know that file's path.
"""
from alembic import op
import sqlalchemy as sa

# Registers the table on Base.metadata so autogenerate does not propose dropping it.
import feedback_router.messaging.zalo_tokens  # noqa: F401

revision = 'c7e2a9d4f1b3'
down_revision = 'b1d7e3f9a2c4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'zalo_tokens',
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('access_token', sa.Text(), nullable=False),
        sa.Column('refresh_token', sa.Text(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('account'),
    )


def downgrade() -> None:
    op.drop_table('zalo_tokens')
