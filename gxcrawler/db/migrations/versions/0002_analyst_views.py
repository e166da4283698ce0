"""analyst views

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

The views of issue 6 (``gxcrawler.db.views_0002``, frozen): v_reports, v_s2_long, v_s3_long,
v_s4_long, v_coverage, v_failed_checks. The same SQL runs on PostgreSQL and SQLite.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views_0002 import create_views, drop_views

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_views(op.get_bind())


def downgrade() -> None:
    drop_views(op.get_bind())
