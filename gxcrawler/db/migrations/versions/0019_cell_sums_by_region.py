"""cell_sums indexed and laid out by region; its triggers look a batch's reports up by id

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md). Measured at 100,000 reports with the triggers of
0016: one batch of 20 reports' cells cost 0.5 s to find their reports (the planner knows
no statistics of a trigger's transition table and hashed every report and agency) and
another 0.5 s to update 1,400 sums scattered over as many table pages and index leaves
(the unique index began with the key). Now the triggers look the batch's reports up by
id (``cellsums.delta_sql``), the unique index begins with the region (county, city,
province, year, edition, key) so a portal's batch updates neighbouring entries, the rows
are rewritten in that order (fillfactor 70: room for in-place updates), and
``(key, year)`` serves the questions about a few keys across every region.
PostgreSQL only; long on a large database (the table is rewritten from the cells: with
0018 and 0020, 31 min at a million reports on the development machine at load 5–13).
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db import cellsums

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _indexes(unique: list[str], drop: str, create: tuple[str, list[str]], fillfactor: int) -> None:
    op.drop_index('ux_cell_sums_group', table_name='cell_sums')
    op.drop_index(drop, table_name='cell_sums')
    op.execute(f"ALTER TABLE cell_sums SET (fillfactor = {fillfactor})")
    op.create_index('ux_cell_sums_group', 'cell_sums', unique, unique=True, postgresql_nulls_not_distinct=True)
    op.create_index(create[0], 'cell_sums', create[1])


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    _indexes(list(cellsums.GROUP), 'ix_cell_sums_county', ('ix_cell_sums_key', ['key', 'year']), 70)
    cellsums.create_triggers(conn, cellsums.FUNCTIONS_0025)
    cellsums.rebuild(conn)  # rewritten in the index's order
    op.execute("ANALYZE cell_sums")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _indexes(
        ['key', 'year', 'province', 'city', 'county', 'edition'], 'ix_cell_sums_key',
        ('ix_cell_sums_county', ['county', 'year']), 80,
    )
