"""an agency's region changed moves its sums and rank values after the transactions writing reports

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-01

Review5 (docs/notes/analytics.md). The triggers of an agency's region (``cell_sums_agency_move``,
``rank_values_agency_move``) moved the cells and partitions of the reports their transaction saw,
and a loader writing one of the agency's reports at the same time added its cells and rates to the
region its own transaction saw: the loader's foreign key locks the agency row FOR KEY SHARE, which
an UPDATE of the region columns does not wait for. Whichever committed first, the report stayed in
the old county's ``v_cell_sums`` rows and ranking. PostgreSQL: both functions first take ``reports``
and ``report_values`` IN SHARE MODE (``cellsums.WAIT_FOR_WRITERS``): the change waits for the
writers to end and holds the next ones until it ends; the loaders' path is unchanged. Tables
already wrong this way are put right by ``gxcrawler.db.cellsums.rebuild`` / ``ranks.rebuild``
(not run here: minutes at a million reports, and only a region changed during a load needs it).
SQLite: nothing (no such tables).
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db import cellsums, ranks

revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        cellsums.create_triggers(conn, cellsums.FUNCTIONS)
        ranks.create_triggers(conn, ranks.FUNCTIONS)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        cellsums.create_triggers(conn, cellsums.FUNCTIONS_0025)
        ranks.create_triggers(conn, ranks.FUNCTIONS_0041)
