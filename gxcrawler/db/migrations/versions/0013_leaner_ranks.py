"""rank views without the previous year's value

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

``v_rate_ranks_county`` and ``v_rate_ranks_city`` (0009) carried ``prev_value`` and
``change`` through a join with every report of the previous year, which every ranking
paid for (measured at 100,000 reports: benchmarks/query_speed.py, docs/notes/analytics.md).
They are in ``v_rates_long``: join it on ``report_id`` and ``rate`` when needed.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import VIEWS_0012, VIEWS_0013, create_views

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_NAMES = ("v_rate_ranks_county", "v_rate_ranks_city")


def upgrade() -> None:
    create_views(op.get_bind(), {name: VIEWS_0013[name] for name in _NAMES})


def downgrade() -> None:
    create_views(op.get_bind(), {name: VIEWS_0012[name] for name in _NAMES})
