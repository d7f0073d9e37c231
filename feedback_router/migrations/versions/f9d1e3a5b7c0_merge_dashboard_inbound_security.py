"""merge heads: dashboard (e6b2c8d0a4f5), inbound queue (f2b8d4e6a1c3), security sessions (a7c3e9f1b2d4)

Revision ID: f9d1e3a5b7c0
Revises: a7c3e9f1b2d4, e6b2c8d0a4f5, f2b8d4e6a1c3
Create Date: 2026-12-04 18:55:00
"""

revision = 'f9d1e3a5b7c0'
down_revision = ('a7c3e9f1b2d4', 'e6b2c8d0a4f5', 'f2b8d4e6a1c3')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
