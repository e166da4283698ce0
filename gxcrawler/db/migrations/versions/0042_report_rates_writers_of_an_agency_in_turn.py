"""report_rates: the writers of one agency's reports in turn, so a previous year written at the same time is kept

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-01

Review5 (docs/notes/analytics.md). Since 0036 each ``report_rates`` row keeps its previous year
(``prev_report_id``, ``prev_value``), written by the triggers on ``reports`` from ``reports`` as the
writing transaction sees it. Two loaders writing an agency's years N and N+1 at once (a portal
loaded by several workers) each missed the other's uncommitted report: N+1 kept no previous year
once both had committed, and ``v_rates_long`` showed no ``prev_value`` and no ``change`` beside a
stored year N. PostgreSQL: each trigger first takes a transaction advisory lock per agency it
writes (``gxcrawler.db.reportrates.LOCK``; one lock for all above ``LOCK_AGENCIES`` agencies), so
it reads ``reports`` after the other writers of those agencies have committed. No stored row
changes: a table already wrong this way is put right by ``reportrates.rebuild``, run here.
SQLite: nothing (its view computes the rates when read).
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db import reportrates

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        reportrates.create_triggers(conn, reportrates.FUNCTIONS)
        reportrates.rebuild(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        reportrates.create_triggers(conn, reportrates.FUNCTIONS_0036)
