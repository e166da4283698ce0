"""narrative checks stored: a number the text states, against its cell, with the sentence

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Issue 15: ``check_results.sentence`` holds the report's sentence of a ``narrative.*``
check (``gxcrawler.parsing.narrative``; ``left`` the number stated, ``right`` the
table's). The loader stores them with the identities; reports loaded before this
revision get theirs when re-parsed (``gxcrawler reparse``). ``v_failed_checks`` gains
``kind`` (identity | narrative) and ``sentence`` (``gxcrawler.db.views.VIEWS_0007``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db.views import VIEWS_0005, VIEWS_0007, create_views, drop_views

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    drop_views(conn, {"v_failed_checks": VIEWS_0005["v_failed_checks"]})
    with op.batch_alter_table('check_results') as batch:
        batch.add_column(sa.Column('sentence', sa.Text(), nullable=True))
    create_views(conn, {"v_failed_checks": VIEWS_0007["v_failed_checks"]})


def downgrade() -> None:
    conn = op.get_bind()
    drop_views(conn, {"v_failed_checks": VIEWS_0007["v_failed_checks"]})
    op.execute("DELETE FROM check_results WHERE rule LIKE 'narrative.%'")
    with op.batch_alter_table('check_results') as batch:
        batch.drop_column('sentence')
    create_views(conn, {"v_failed_checks": VIEWS_0005["v_failed_checks"]})
