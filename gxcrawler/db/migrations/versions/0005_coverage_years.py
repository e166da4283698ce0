"""v_coverage plans for the years it has; failed checks read from their index alone

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Issue 12, measured at 100,000 reports (docs/notes/performance.md):

* ``report_years()`` (PostgreSQL): the statistics years from the first report to the
  last, planned as 20 rows; ``v_coverage`` takes its years from it
  (``gxcrawler.db.views.VIEWS_0005``). With ``generate_series()`` over subqueries the
  planner expected 1,000 years and hashed every report for a one-county filter.
* ``ix_check_results_failed`` also holds ``rule``, ``left`` and ``right`` (PostgreSQL
  INCLUDE), so ``v_failed_checks`` reads the failed identities from the small index
  instead of one table page each (the failures are few: the index stays small).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db.views import REPORT_YEARS_FUNCTION, VIEWS_0003, VIEWS_0005, create_views

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _failed_index(include: list[str]) -> None:
    op.drop_index('ix_check_results_failed', table_name='check_results')
    op.create_index(
        'ix_check_results_failed', 'check_results', ['report_id'], unique=False,
        postgresql_include=include, postgresql_where=sa.text('NOT ok'), sqlite_where=sa.text('NOT ok'),
    )


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute(REPORT_YEARS_FUNCTION)
    create_views(conn, {"v_coverage": VIEWS_0005["v_coverage"]})
    _failed_index(["rule", "left", "right"])


def downgrade() -> None:
    conn = op.get_bind()
    _failed_index([])
    create_views(conn, {"v_coverage": VIEWS_0003["v_coverage"]})
    if conn.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS report_years()")
