"""the rank triggers sort a partition's values with the new ones when the statement takes none out

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-01

Issue 12 (docs/notes/performance.md, "The rank values sorted when nothing goes"). Since 0027 the
statement triggers on ``reports`` merge a statement's values into each partition's sorted array
(``rank_values_county`` / ``rank_values_city``) with a window and a count per value, which only
a value taken out needs. PostgreSQL: ``rank_values_insert`` sorts the partition's values and the
new ones together (the same multiset, sorted: the same array) and no longer looks for emptied
partitions (an insert empties none); ``rank_values_update`` does so for each partition it takes
no value from, and merges the others as before; ``rank_values_delete`` as before
(``gxcrawler.db.ranks``: ``FUNCTIONS`` and ``FUNCTIONS_0027``). Both tables' ``sorted`` stored
``EXTERNAL`` (``ranks.SORTED_STORAGE``): out of line when large, as before, but without pglz's
attempt to compress each array written, which hardly ever succeeded (numeric arrays: 1 % at
100,000 reports); arrays written from now on. No stored value changes. SQLite: nothing (its
rank views are windows).
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db import ranks

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        ranks.create_triggers(conn, ranks.FUNCTIONS_0041)
        for scope in ranks.SCOPES:
            op.execute(f"ALTER TABLE {ranks.table(scope)} ALTER COLUMN sorted SET STORAGE {ranks.SORTED_STORAGE}")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for scope in ranks.SCOPES:
            op.execute(f"ALTER TABLE {ranks.table(scope)} ALTER COLUMN sorted SET STORAGE EXTENDED")
        ranks.create_triggers(conn, ranks.FUNCTIONS_0027)
