"""rank views without the previous year's value

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

``v_rate_ranks_county`` and ``v_rate_ranks_city`` (0009) carried ``prev_value`` and
``change`` through a join with every report of the previous year, which every ranking
paid for (measured at 100,000 reports: benchmarks/query_speed.py, docs/notes/analytics.md).
(0013 is issue 13's OCR flag.) They are in ``v_rates_long``: join it on ``report_id`` and ``rate`` when needed.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import VIEWS_0012, VIEWS_0014, create_views

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_NAMES = ("v_rate_ranks_county", "v_rate_ranks_city")


def upgrade() -> None:
    create_views(op.get_bind(), {name: VIEWS_0014[name] for name in _NAMES})


def downgrade() -> None:
    create_views(op.get_bind(), {name: VIEWS_0012[name] for name in _NAMES})
