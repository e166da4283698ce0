"""v_compare: every cell of a report beside the same agency's previous year

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

Issue 15 (``gxcrawler.db.compare``; ``gxcrawler compare AGENCY YEAR1 YEAR2`` for any two
years). No table changes.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import VIEWS_0011, create_views, drop_views

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_VIEWS = {"v_compare": VIEWS_0011["v_compare"]}


def upgrade() -> None:
    create_views(op.get_bind(), _VIEWS)


def downgrade() -> None:
    drop_views(op.get_bind(), _VIEWS)
