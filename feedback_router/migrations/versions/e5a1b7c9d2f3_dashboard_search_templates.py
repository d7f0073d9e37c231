"""dashboard: folded search column, PostgreSQL unaccented full-text index, keyset indexes,
reply templates

Revision ID: e5a1b7c9d2f3
Revises: d9f3c2a7e1b6
Create Date: 2026-12-04 18:30:00

On PostgreSQL the search uses a text search configuration ``vi_unaccent`` (the ``simple``
parser, then ``unaccent`` then ``simple``) so "ngo 12 lang ha" matches "ngõ 12 Láng Hạ"; the
GIN index is on exactly the expression feedback_router/dashboard/search.py queries
(PG_DOCUMENT). It needs the ``unaccent`` extension (PostgreSQL contrib; creating it needs a
role allowed to CREATE EXTENSION). SQLite searches the folded ``search_text`` column.
"""
from alembic import op
import sqlalchemy as sa

# Registers reply_templates on Base.metadata so autogenerate does not propose dropping it.
import feedback_router.dashboard.reply_templates  # noqa: F401

revision = 'e5a1b7c9d2f3'
down_revision = 'd9f3c2a7e1b6'
branch_labels = None
depends_on = None

PG_DOCUMENT = ("coalesce(code, '') || ' ' || coalesce(description, '') || ' ' || coalesce(location_text, '')")


def _backfill_search_text() -> None:
    from nlu.text import fold

    conn = op.get_bind()
    tickets = sa.table('tickets', sa.column('id', sa.Integer), sa.column('code', sa.String),
                       sa.column('description', sa.Text), sa.column('location_text', sa.Text),
                       sa.column('search_text', sa.Text))
    last = 0
    while True:
        rows = conn.execute(sa.select(tickets.c.id, tickets.c.code, tickets.c.description, tickets.c.location_text)
                            .where(tickets.c.id > last).order_by(tickets.c.id).limit(2000)).all()
        if not rows:
            return
        for row in rows:
            text = fold(" ".join(p for p in (row.code, row.description, row.location_text) if p))
            conn.execute(tickets.update().where(tickets.c.id == row.id).values(search_text=text))
        last = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('search_text', sa.Text(), nullable=True))
    _backfill_search_text()
    op.create_index('ix_tickets_created_id', 'tickets', ['created_at', 'id'])
    op.create_index('ix_tickets_ward_created', 'tickets', ['ward_unit_id', 'created_at'])
    op.create_table(
        'reply_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=True),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
        sa.Column('created_by', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_reply_templates_category', 'reply_templates', ['category'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute("""DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'vi_unaccent') THEN
                CREATE TEXT SEARCH CONFIGURATION vi_unaccent (COPY = simple);
                ALTER TEXT SEARCH CONFIGURATION vi_unaccent
                    ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple;
            END IF; END $$""")
        op.execute(f"CREATE INDEX ix_tickets_fts ON tickets USING gin (to_tsvector('vi_unaccent'::regconfig, {PG_DOCUMENT}))")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_tickets_fts")
    op.drop_index('ix_reply_templates_category', table_name='reply_templates')
    op.drop_table('reply_templates')
    op.drop_index('ix_tickets_ward_created', table_name='tickets')
    op.drop_index('ix_tickets_created_id', table_name='tickets')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_column('search_text')
