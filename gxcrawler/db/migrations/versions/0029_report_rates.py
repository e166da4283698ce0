"""each report's rates kept (report_rates): a whole year's rates and ranks are an index read

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "Rates kept per report"): ``v_rates_long`` and the
rank views filtered or counted by a whole year computed every report of the year's seven
rates from ``reports`` read whole (435–505 ms at 100,000 reports under load, 5–9.5 s at
1,000,000). PostgreSQL: table ``report_rates`` (per report and rate its numerator, base
and value), filled here from ``reports``, the triggers on ``reports`` and
``analytics_settings`` that keep it current, and the three views reading it
(``gxcrawler.db.reportrates``: the same rows). SQLite computes the rates when read.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db import reportrates
from gxcrawler.db.views import RATE_VIEWS_0029, VIEWS_0027, VIEWS_0029, create_views

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.create_table(
        'report_rates',
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('edition', sa.String(length=4), nullable=True),
        sa.Column('rate', sa.Text(), nullable=False),
        sa.Column('numerator', sa.Numeric(), nullable=True),
        sa.Column('base', sa.Numeric(), nullable=True),
        sa.Column('value', sa.Numeric(), nullable=True),
    )
    # rows first, then the key and indexes (faster on a full table); as of 0029: no previous year
    reportrates.rebuild(conn, reportrates.rebuild_statements(previous=False))
    op.create_primary_key('pk_report_rates', 'report_rates', ['agency_id', 'year', 'rate'])
    op.create_index('ix_report_rates_year', 'report_rates', ['year', 'rate'],
                    postgresql_include=['agency_id', 'value'])
    op.create_index('ix_report_rates_agency_id', 'report_rates', ['agency_id'])
    reportrates.create_triggers(conn, reportrates.FUNCTIONS_0029)
    op.execute("ANALYZE report_rates")
    create_views(conn, {name: VIEWS_0029[name] for name in RATE_VIEWS_0029})


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    create_views(conn, {name: VIEWS_0027[name] for name in RATE_VIEWS_0029})
    reportrates.drop_triggers(conn)
    op.drop_table('report_rates')
