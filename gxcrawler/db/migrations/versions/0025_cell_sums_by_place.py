"""cell_sums' triggers sum a batch's cells per place (one number for county, city, province, year, edition) and key

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "The loader and the sums"). The triggers that keep
``cell_sums`` current grouped every written cell by six columns, five of them region and
year text repeated on every cell: 0.95 s of server CPU for 200,000 cells. They now number
the distinct (county, city, province, year, edition) of the written cells' reports first
and sum the cells per (that number, key): 0.24–0.33 s, the same sums
(``cellsums.delta_sql``). PostgreSQL: the functions are replaced; SQLite: ``v_cell_sums``,
which sums the cells when read, is made again with the same query. No data changes.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db import cellsums
from gxcrawler.db.views import VIEWS_0016, create_views

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        cellsums.create_triggers(conn, cellsums.FUNCTIONS_0025)
    else:
        create_views(conn, {"v_cell_sums": VIEWS_0016["v_cell_sums"]})


def downgrade() -> None:
    """Nothing to undo: the functions of 0016 computed the same sums."""
