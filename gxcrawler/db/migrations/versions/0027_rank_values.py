"""the rank views from each partition's values kept sorted: any filter reaches the tables

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md): ``v_rate_ranks_county`` filtered by agency and
``v_rate_ranks_city`` by county or agency ranked every report before filtering (3–35 s at
100,000 reports). PostgreSQL: tables ``rank_values_county`` and ``rank_values_city`` (per
partition and rate: how many values and the values sorted), filled here, the triggers on
``reports``, ``agencies`` and ``analytics_settings`` that keep them current, and the two
views reading them (``gxcrawler.db.ranks``: the same rows). SQLite keeps the windows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db import ranks
from gxcrawler.db.views import VIEWS_0023, VIEWS_0027, create_views

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

_NAMES = ("v_rate_ranks_county", "v_rate_ranks_city")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for scope, region in ranks.SCOPES.items():
        op.create_table(
            ranks.table(scope),
            *(sa.Column(c, sa.Text(), nullable=False) for c in region),
            sa.Column('year', sa.Integer(), nullable=False),
            sa.Column('rate', sa.Text(), nullable=False),
            sa.Column('ranked', sa.BigInteger(), nullable=False),
            sa.Column('sorted', sa.ARRAY(sa.Numeric()), nullable=False),
            sa.PrimaryKeyConstraint(*region, 'year', 'rate', name=op.f(f'pk_{ranks.table(scope)}')),
        )
    ranks.rebuild(conn)
    ranks.create_triggers(conn, ranks.FUNCTIONS_0027)
    op.execute("ANALYZE rank_values_county")
    op.execute("ANALYZE rank_values_city")
    create_views(conn, {name: VIEWS_0027[name] for name in _NAMES})


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    create_views(conn, {name: VIEWS_0023[name] for name in _NAMES})
    ranks.drop_triggers(conn)
    op.drop_table('rank_values_city')
    op.drop_table('rank_values_county')
