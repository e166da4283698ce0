"""report_values read by key from the index alone

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Issue 12, measured with ``benchmarks/query_speed.py`` (docs/notes/performance.md):
``ix_report_values_key`` becomes ``(key, report_id) INCLUDE (value)`` on PostgreSQL
(``(key, report_id)`` on SQLite). A question about a few keys over many reports —
why requests were refused (8 keys, every report), litigation outcomes, a year's sum
of one cell — reads those keys' entries from the index (an index-only scan) instead of
every page of the table: the README's worked query 2 at 10,000 reports went from a
full scan of ``report_values`` (673 ms) to 200 ms, under load. The index replaces the
``(key)`` one (same uses). It costs space: the ``(key)`` index was deduplicated by
PostgreSQL (a key stored once per page with a list of row pointers: ~110 MB at 100,000
reports), the covering one holds a full entry per cell (887 MB at 100,000 reports, next to
a 1,001 MB table and a 792 MB primary key).

On a large database the upgrade rebuilds the index (minutes at a million reports,
writes blocked meanwhile): run ``gxcrawler db upgrade`` between crawls.
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_report_values_key', table_name='report_values')
    op.create_index(
        'ix_report_values_key', 'report_values', ['key', 'report_id'], unique=False,
        postgresql_include=['value'],
    )


def downgrade() -> None:
    op.drop_index('ix_report_values_key', table_name='report_values')
    op.create_index('ix_report_values_key', 'report_values', ['key'], unique=False)
