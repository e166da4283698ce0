"""v_rollup_cells: the editions' sums added before the labels' join, without a sum accumulator

Revision ID: 0038
Revises: 0037
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "A year of ``v_rollup_cells`` added without an
accumulator"). A whole year of ``v_rollup_cells`` at 1,000,000 reports groups ~874,000 sums
(one or two editions each), read in the grouping's order from ``ix_cell_sums_year`` (0030):
1.0 s, most of it per group. PostgreSQL: the aggregate ``numeric_total`` (``numeric_add``
over the group's values; a group of one is its value, no ``sum`` accumulator built and
finished) and the labels joined to the groups instead of every sum. The same rows; SQLite as
before.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.cellsums import CREATE_TOTAL, DROP_TOTAL
from gxcrawler.db.views import VIEWS_0037, VIEWS_0038, create_views

revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE_TOTAL)
        create_views(op.get_bind(), {"v_rollup_cells": VIEWS_0038["v_rollup_cells"]})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        create_views(op.get_bind(), {"v_rollup_cells": VIEWS_0037["v_rollup_cells"]})
        op.execute(DROP_TOTAL)
