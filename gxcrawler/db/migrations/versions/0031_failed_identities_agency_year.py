"""failed_identities keeps each report's agency and year; worked query 5 names them alone

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "Worked queries at a million reports"): worked query 5 read
``failed_identities`` (0026) but named its reports through ``v_reports``, and at 1,000,000
reports PostgreSQL joined its 85,738 rows with every report's entry of
``uq_reports_agency_id_year`` (3.2 s). PostgreSQL: the table gets ``agency_id`` and
``year`` (filled from ``reports``), the triggers on ``check_results`` write them, and a row
trigger on ``reports`` moves them with a report given another agency or year
(``gxcrawler.db.failures``). SQLite: nothing (no such table).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db import failures

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    failures.drop_triggers(conn, failures.FUNCTIONS_0026, failures.TRIGGERS_0026)
    op.add_column('failed_identities', sa.Column('agency_id', sa.Integer(), nullable=True))
    op.add_column('failed_identities', sa.Column('year', sa.Integer(), nullable=True))
    failures.rebuild(conn)
    op.alter_column('failed_identities', 'agency_id', nullable=False)
    op.alter_column('failed_identities', 'year', nullable=False)
    failures.create_triggers(conn)
    op.execute("ANALYZE failed_identities")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    failures.drop_triggers(conn)
    op.drop_column('failed_identities', 'year')
    op.drop_column('failed_identities', 'agency_id')
    failures.create_triggers(conn, failures.FUNCTIONS_0026, failures.TRIGGERS_0026)
