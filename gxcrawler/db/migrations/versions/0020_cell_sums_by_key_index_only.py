"""a few keys' sums across every region read from an index alone

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md). Since 0019 ``cell_sums`` is laid out by region (a
loaded batch updates neighbouring rows), so a key's sums lie one per page across the
whole table: worked queries 2 and 3 at 100,000 reports read every page of it (10,600
pages, ~300 ms at load 16; ten times that at a million reports). ``ix_cell_sums_key``
now holds every column those questions read: an index-only scan of the asked keys' entries
(query 2: 52–77 ms, query 3: 140–157 ms in the same hour). The price: a sum's update is no
longer in place (its value is in an index), measured +50 % on the triggers' work per batch.
"""

from __future__ import annotations

from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_INCLUDE = ['province', 'city', 'county', 'edition', 'reports', 'value']


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index('ix_cell_sums_key', table_name='cell_sums')
    op.create_index('ix_cell_sums_key', 'cell_sums', ['key', 'year'], postgresql_include=_INCLUDE)
    op.execute("ANALYZE cell_sums")  # (VACUUM cannot run in the migration's transaction)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index('ix_cell_sums_key', table_name='cell_sums')
    op.create_index('ix_cell_sums_key', 'cell_sums', ['key', 'year'])
