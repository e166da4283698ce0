"""the planner told how many cells and checks a report has

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

Issue 12, measured with ``benchmarks/query_speed.py`` (docs/notes/performance.md).
PostgreSQL estimates the distinct ``report_id`` values of ``report_values`` from a sample
of 30,000 rows; with ~160 cells per report the sample sees most reports once or twice and
the estimate stays far below the truth (42,293 for 1,000,000 reports; 36,927 for
100,000). The planner then expected 3,700 cells per report (428 at 100,000) and read the
whole 160-million-row table for one city's reports. Stating the ratio — distinct values
as a fraction of rows: one report per ~160 cells, per ~50 checks (identities, narrative
and cross-year checks) — makes the estimate right at any size and survives every
``ANALYZE``. At 1,000,000 reports (load 16): ``v_s3_long`` by city 61 s → 1.2 s, by county
3.4 s → 0.45 s, by county and year 419 → 32 ms. No effect on results. SQLite: nothing.
"""

from __future__ import annotations

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

#: table -> distinct report ids as a (negative) fraction of its rows
N_DISTINCT = {"report_values": -1 / 160, "check_results": -1 / 50}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, fraction in N_DISTINCT.items():
        op.execute(f"ALTER TABLE {table} ALTER COLUMN report_id SET (n_distinct = {fraction:.5f})")
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in N_DISTINCT:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN report_id RESET (n_distinct)")
        op.execute(f"ANALYZE {table}")
