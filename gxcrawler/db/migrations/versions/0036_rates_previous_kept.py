"""each report_rates row keeps the previous year's report and value: a year's change is one index range

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "The previous year kept per rate"). Since 0033
``v_rates_long`` joins each kept rate with the previous year's by two index ranges hash-joined:
a whole year's ``change`` hashed 1,000,000 rows at 1,000,000 reports (~1 s). PostgreSQL:
``report_rates`` gets ``prev_report_id`` and ``prev_value`` (the agency's report of the year
before and its value of the rate), filled from ``reports``; the triggers on ``reports`` and
``analytics_settings`` (``gxcrawler.db.reportrates``) write them with a report's rows and set
them again on the next year's rows of every report written, moved or deleted; ``v_rates_long``
reads them (no join), a year's change from ``ix_report_rates_year_change`` alone, which
replaces ``ix_report_rates_next_year`` (0033; only that join read it). SQLite: nothing (no
such table; its view computes the rates when read).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db import reportrates
from gxcrawler.db.views import VIEWS_0034, VIEWS_0036, create_views

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.drop_index('ix_report_rates_next_year', table_name='report_rates')
    op.add_column('report_rates', sa.Column('prev_report_id', sa.Integer(), nullable=True))
    op.add_column('report_rates', sa.Column('prev_value', sa.Numeric(), nullable=True))
    reportrates.create_triggers(conn, reportrates.FUNCTIONS_0036)
    reportrates.rebuild(conn)  # every row written again with its previous year (no dead copies)
    op.create_index('ix_report_rates_year_change', 'report_rates', ['year', 'rate'],
                    postgresql_include=['agency_id', 'value', 'prev_value'])
    op.execute("ANALYZE report_rates")
    create_views(conn, {"v_rates_long": VIEWS_0036["v_rates_long"]})


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    create_views(conn, {"v_rates_long": VIEWS_0034["v_rates_long"]})
    reportrates.create_triggers(conn, reportrates.FUNCTIONS_0029)
    op.drop_index('ix_report_rates_year_change', table_name='report_rates')
    op.drop_column('report_rates', 'prev_value')
    op.drop_column('report_rates', 'prev_report_id')
    op.create_index('ix_report_rates_next_year', 'report_rates', [sa.text('(year + 1)'), 'rate'],
                    postgresql_include=['agency_id', 'year', 'value', 'report_id'])
    op.execute("ANALYZE report_rates")
