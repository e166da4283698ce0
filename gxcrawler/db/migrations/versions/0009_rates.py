"""derived rates: 受理合计, 公开率, 实质公开率, 不予公开率, 复议纠错率, 诉讼纠错率, 争议转化率

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Issue 15 (``gxcrawler.db.rates``, docs/notes/analytics.md):

* ``reports.s4_review_corrected`` and ``reports.s4_suits_corrected`` — headline columns
  (结果纠正 of 行政复议, of both lawsuit rows), filled here from the stored cells and from
  then on by the loader, so the rate views stay plain joins;
* ``analytics_settings`` with ``rate_min_base`` = 30: a rate whose base is smaller is NULL;
* views ``v_rates`` (per report), ``v_rates_long`` (per report and rate, beside the
  previous year), ``v_rate_ranks_county`` and ``v_rate_ranks_city`` (rankings).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db.headlines import HEADLINES, headline_select
from gxcrawler.db.models import ExactDecimal
from gxcrawler.db.rates import DEFAULT_MIN_BASE, MIN_BASE_SETTING
from gxcrawler.db.views import VIEWS_0009, create_views, drop_views

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_COLUMNS = ("s4_review_corrected", "s4_suits_corrected")
_VIEWS = {name: VIEWS_0009[name] for name in ("v_rates", "v_rates_long", "v_rate_ranks_county", "v_rate_ranks_city")}


def upgrade() -> None:
    for column in _COLUMNS:
        op.add_column('reports', sa.Column(column, ExactDecimal(), nullable=True))
    keys = ", ".join(f"'{k}'" for c in _COLUMNS for k in HEADLINES[c])
    assignments = ", ".join(f"{c} = h.{c}" for c in _COLUMNS)
    op.execute(
        f"UPDATE reports SET {assignments} FROM (SELECT v.report_id, {headline_select('v', _COLUMNS)} "
        f"FROM report_values v WHERE v.key IN ({keys}) GROUP BY v.report_id) AS h WHERE h.report_id = reports.id"
    )
    settings = op.create_table(
        'analytics_settings',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('value', ExactDecimal(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_analytics_settings')),
    )
    op.bulk_insert(settings, [{
        "name": MIN_BASE_SETTING,
        "value": DEFAULT_MIN_BASE,
        "note": "rates (v_rates, v_rates_long, v_rate_ranks_*) are NULL when their base is smaller",
    }])
    create_views(op.get_bind(), _VIEWS)


def downgrade() -> None:
    drop_views(op.get_bind(), _VIEWS)
    op.drop_table('analytics_settings')
    for column in _COLUMNS:
        op.drop_column('reports', column)
