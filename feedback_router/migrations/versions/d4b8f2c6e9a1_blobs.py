"""blobs: uploads and synthesized speech in the database when BLOB_STORE=database (issue 15, part 4)

Revision ID: d4b8f2c6e9a1
Revises: c7e2a9d4f1b3
Create Date: 2026-12-05 10:00:00

Files already under UPLOAD_DIR stay there: their references are paths, which
feedback_router.messaging.blobs.read still follows.
"""
from alembic import op
import sqlalchemy as sa

# Registers the table on Base.metadata so autogenerate does not propose dropping it.
import feedback_router.messaging.blobs  # noqa: F401

revision = 'd4b8f2c6e9a1'
down_revision = 'c7e2a9d4f1b3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'blobs',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('mime', sa.String(length=100), nullable=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_blobs_created_at', 'blobs', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_blobs_created_at', table_name='blobs')
    op.drop_table('blobs')
