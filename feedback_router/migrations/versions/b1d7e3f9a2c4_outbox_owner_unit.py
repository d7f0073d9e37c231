"""outbox.unit_id: the unit whose operators call a hotline caller back, stored when enqueued

Revision ID: b1d7e3f9a2c4
Revises: f9d1e3a5b7c0
Create Date: 2026-12-04 20:00:00

Until now the outbox asked the domains (tickets, suggestions, bookings) who owns a row, which
made messaging import every domain (issue 13: the import cycle). Rows still waiting are
filled in from what they announce; sent rows never need it.
"""
from alembic import op
import sqlalchemy as sa

revision = 'b1d7e3f9a2c4'
down_revision = 'f9d1e3a5b7c0'
branch_labels = None
depends_on = None

WAITING = ('pending', 'sending', 'failed', 'callback')


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('unit_id', sa.String(80), nullable=True))
    op.execute("UPDATE outbox SET unit_id = (SELECT t.unit_id FROM tickets t WHERE t.id = outbox.ticket_id) "
               "WHERE ticket_id IS NOT NULL")
    bind = op.get_bind()
    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('unit_id', sa.String),
                      sa.column('payload', sa.JSON), sa.column('status', sa.String), sa.column('ticket_id', sa.Integer))
    rows = bind.execute(sa.select(outbox.c.id, outbox.c.payload).where(
        outbox.c.ticket_id.is_(None), outbox.c.status.in_(WAITING))).all()
    for row_id, payload in rows:
        payload = payload or {}
        unit = None
        if payload.get('suggestion_code'):
            unit = bind.execute(sa.text("SELECT unit_id FROM suggestions WHERE code = :c"),
                                {'c': payload['suggestion_code']}).scalar()
        elif payload.get('kind') == 'booking_reminder' and payload.get('code'):
            unit = bind.execute(sa.text("SELECT d.unit_id FROM bookings b JOIN slots s ON s.id = b.slot_id "
                                        "JOIN desks d ON d.id = s.desk_id WHERE b.code = :c"),
                                {'c': payload['code']}).scalar()
        if unit is not None:
            bind.execute(outbox.update().where(outbox.c.id == row_id).values(unit_id=unit))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('unit_id')
