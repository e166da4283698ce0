"""worked queries 4 and 5 and the roll-up of cells by year without reading what they do not need

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "Queries pushed down"):

* ``ix_reports_year`` becomes ``(year, agency_id) INCLUDE (id)``: a year's reports by agency
  come from the index alone. ``v_coverage`` of one year (worked query 4, the roll-ups and
  ``v_missing_reports`` by year) read each report's table page for its agency: 5,300
  pages for a year of 100,000 reports, ten times that at a million.
* ``v_failed_checks``: the same rows, the report and agency LEFT JOINed and the review's
  columns looked up (``gxcrawler.db.views.failed_checks_0023``): a query grouping failures
  by report reads the failed-checks index alone (worked query 5 now counts each report's
  failures first, then names the report).
* ``v_rollup_cells``: the same rows, grouped key first (``cellsums.rollup_cells_sql``).
* ``v_compare`` (PostgreSQL): the same rows, each report's cells merged with its previous
  report's (``compare.view_sql``): a city's comparison hashed every cell twice (60–80 s).
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import VIEWS_0016, VIEWS_0023, create_views

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

_NAMES = ("v_failed_checks", "v_rollup_cells", "v_compare")


def _year_index(columns: list[str], include: list[str]) -> None:
    op.drop_index('ix_reports_year', table_name='reports')
    op.create_index('ix_reports_year', 'reports', columns, unique=False, postgresql_include=include)


def upgrade() -> None:
    _year_index(['year', 'agency_id'], ['id'])
    create_views(op.get_bind(), {name: VIEWS_0023[name] for name in _NAMES})


def downgrade() -> None:
    create_views(op.get_bind(), {name: VIEWS_0016[name] for name in _NAMES})
    _year_index(['year'], [])
