"""failed checks read from their partial index alone, other report included

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md). ``v_failed_checks`` joins each failed check to its
other report (checks across years, 0008) on ``other_report_id``, which the partial index
``ix_check_results_failed`` (0005: ``report_id`` INCLUDE ``rule, left, right``) did not
hold, so every failed check visited its table page: worked query 5 at 100,000 reports
read 19,000 pages for 26,703 failed checks (558 ms at load 6). With the column included
it is an index-only scan (290 ms in the same hour). PostgreSQL only; SQLite's index is
not covering anyway.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def _failed_index(include: list[str]) -> None:
    op.drop_index('ix_check_results_failed', table_name='check_results')
    op.create_index(
        'ix_check_results_failed', 'check_results', ['report_id'], unique=False,
        postgresql_include=include, postgresql_where=sa.text('NOT ok'), sqlite_where=sa.text('NOT ok'),
    )


def upgrade() -> None:
    _failed_index(["rule", "left", "right", "other_report_id"])


def downgrade() -> None:
    _failed_index(["rule", "left", "right"])
