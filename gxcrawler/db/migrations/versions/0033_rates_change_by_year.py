"""v_rates_long's previous year joined by year + 1 too: a year's change from two index ranges

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "A year's change from two index ranges"). Since 0029
``v_rates_long`` joins each kept rate with the previous year's by ``p.year = t.year - 1``;
a filter ``year = Y`` does not reach the previous year's rows through ``t.year - 1``, so a
whole year's ``change`` hashed the whole table or looked each row up (263–300 ms at
100,000 reports). The join also states ``p.year + 1 = t.year`` (the same rows), which
PostgreSQL turns into ``p.year + 1 = Y``: a range of ``ix_report_rates_next_year``
((year + 1), rate) INCLUDE (agency_id, year, value, report_id), read from the index alone.
The price: one more index entry per kept rate (7 a report). PostgreSQL only, as the table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db.views import VIEWS_0032, VIEWS_0033, create_views

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index('ix_report_rates_next_year', 'report_rates', [sa.text('(year + 1)'), 'rate'],
                    postgresql_include=['agency_id', 'year', 'value', 'report_id'])
    op.execute("ANALYZE report_rates")  # the expression's statistics
    create_views(op.get_bind(), {"v_rates_long": VIEWS_0033["v_rates_long"]})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    create_views(op.get_bind(), {"v_rates_long": VIEWS_0032["v_rates_long"]})
    op.drop_index('ix_report_rates_next_year', table_name='report_rates')
