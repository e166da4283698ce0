"""a year's cell sums in v_rollup_cells' grouping order, read from an index alone

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "v_rollup_cells by year"). ``v_rollup_cells`` filtered
by a year read the year's sums key by key from ``ix_cell_sums_key`` (key, year) and sorted
each key's ~390 sums (100,000 reports; ~3,900 at 1,000,000) on county, city and province
before grouping the editions together. ``ix_cell_sums_year`` (year, key, county, city,
province) INCLUDE (edition, reports, value) gives the year's sums already in that order
(a merge join with ``metrics``, the grouping, no sort). The price: one more index entry per
sum a load changes.
"""

from __future__ import annotations

from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index('ix_cell_sums_year', 'cell_sums', ['year', 'key', 'county', 'city', 'province'],
                    postgresql_include=['edition', 'reports', 'value'])
    op.execute("ANALYZE cell_sums")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index('ix_cell_sums_year', table_name='cell_sums')
