"""v_rollup_county / v_rollup_city grouped on the region's names byte by byte (COLLATE "C")

Revision ID: 0037
Revises: 0036
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "``v_rollup_cells`` kept, the roll-ups sorted byte by
byte"). A whole year's rows of ``v_rollup_county`` at 1,000,000 reports sorted ~150,000 joined rows on
province, city and county to group them (17 sums a group do not fit a hash in ``work_mem``),
each comparison through the database collation's ``strcoll`` without abbreviated keys.
PostgreSQL: the same groups with the names compared ``COLLATE "C"`` (equal is equal bytes in
both), the names given back in the database's collation. SQLite as before.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import ROLLUP_VIEWS_0034, VIEWS_0036, VIEWS_0037, create_views

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        create_views(op.get_bind(), {name: VIEWS_0037[name] for name in ROLLUP_VIEWS_0034})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        create_views(op.get_bind(), {name: VIEWS_0036[name] for name in ROLLUP_VIEWS_0034})
