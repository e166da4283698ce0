"""report_values' covering index by key back, for a key named in the query: one cell across a year's reports

Revision ID: 0035
Revises: 0034
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "One cell across a year's reports"). Without an index by
key (0017), one cell over a year's reports (``v_s*_long`` / ``v_compare`` filtered by year
and key; ~145,000 reports at 1M) was one look-up of the primary key per report (two for
``v_compare``): an index leaf and a table page each, ~5 pages a report, 1.1 s / 3.0 s at 1M.
``ix_report_values_key`` ``(key, report_id) INCLUDE (value)`` (0006's shape) holds one key's
cells together with their values: a year's cells are one index range hash-joined with the
year's reports (index only), and ``v_compare``'s two look-ups a report stay in that range.

Partial, ``WHERE key >= ''`` (every row: keys are never NULL): PostgreSQL uses a partial index
only where the query's own conditions prove its predicate, and only a comparison of ``key``
with a constant (``key = 's3.new.total'``, ``key IN (…)``) proves this one; a join on
``key`` (``JOIN metrics m ON m.key = v.key``, every long view's) does not. The full index
let the planner read a section's keys' entries to find a year's first 100 cells (a
2019-edition key first: 0.4 s at 100,000 reports instead of 2 ms); with the predicate every
query without a key constant keeps its plan (all 107 of ``benchmarks/query_speed.py`` at
100,000 reports but the five naming a key). A generic plan (``key = $1``) does not use it.

Its cost: an index entry per loaded cell (COPY pays it too) and ~0.9 GB per 100,000
reports. PostgreSQL only (SQLite as before). The upgrade builds it (minutes at a million
reports, writes blocked meanwhile): run ``gxcrawler db upgrade`` between crawls.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index(
        'ix_report_values_key', 'report_values', ['key', 'report_id'], unique=False,
        postgresql_include=['value'], postgresql_where=sa.text("key >= ''"),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index('ix_report_values_key', table_name='report_values')
