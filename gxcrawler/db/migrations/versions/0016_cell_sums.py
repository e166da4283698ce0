"""every cell summed per region, year and edition, kept current by triggers

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30

Issue 12 (``gxcrawler.db.cellsums``, docs/notes/performance.md): the worked queries 2
and 3 and the cell views by year or city summed millions of cells — seconds at 100,000
reports. PostgreSQL: table ``cell_sums`` (one row per province, city, county, year,
edition and key: the reports with the cell and their sum), filled here from the stored
cells, and the triggers that keep it current in every transaction that writes cells,
reports or an agency's region. Views: ``v_cell_sums`` (the sums with their labels; on
SQLite computed from the cells when read) and ``v_rollup_cells`` reading the sums.

On a large database the fill reads every cell once (minutes at a million reports).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db import cellsums
from gxcrawler.db.models import ExactDecimal
from gxcrawler.db.views import VIEWS_0014, VIEWS_0016, create_views, drop_views

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        # the table as 0016 made it (0019 reorders its indexes)
        op.create_table(
            'cell_sums',
            sa.Column('key', sa.String(length=80), nullable=False),
            sa.Column('year', sa.Integer(), nullable=False),
            sa.Column('province', sa.Text(), nullable=True),
            sa.Column('city', sa.Text(), nullable=True),
            sa.Column('county', sa.Text(), nullable=True),
            sa.Column('edition', sa.String(length=4), nullable=True),
            sa.Column('reports', sa.Integer(), nullable=False),
            sa.Column('value', ExactDecimal(), nullable=False),
            postgresql_with={"fillfactor": "80"},
        )
        op.create_index(
            'ux_cell_sums_group', 'cell_sums', ['key', 'year', 'province', 'city', 'county', 'edition'],
            unique=True, postgresql_nulls_not_distinct=True,
        )
        op.create_index('ix_cell_sums_county', 'cell_sums', ['county', 'year'])
        op.create_index('ix_cell_sums_city', 'cell_sums', ['city', 'year'])
        cellsums.rebuild(conn)
        cellsums.create_triggers(conn, cellsums.FUNCTIONS_0025)
        op.execute("ANALYZE cell_sums")
    create_views(conn, {name: VIEWS_0016[name] for name in ("v_cell_sums", "v_rollup_cells")})


def downgrade() -> None:
    conn = op.get_bind()
    drop_views(conn, {"v_cell_sums": VIEWS_0016["v_cell_sums"]})
    create_views(conn, {"v_rollup_cells": VIEWS_0014["v_rollup_cells"]})
    if conn.dialect.name == "postgresql":
        cellsums.drop_triggers(conn)
        op.drop_table('cell_sums')
