"""each report's failed identities counted and listed, kept current by triggers

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "Query 5 from a table, …"): worked query 5 grouped the
failed identities of every report each time it ran (433–575 ms at 100,000 reports, ~4 s at
1,000,000). PostgreSQL: table ``failed_identities`` (one row per report with a failed
identity: their number and the query's text of them), filled here from the stored
checks, and the triggers on ``check_results`` that keep it current in every transaction
that writes checks (``gxcrawler.db.failures``). SQLite: nothing (the worked queries are
PostgreSQL's).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db import failures

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.create_table(
        'failed_identities',
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('identities_failed', sa.Integer(), nullable=False),
        sa.Column('details', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_failed_identities_report_id_reports'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('report_id', name=op.f('pk_failed_identities')),
    )
    failures.rebuild(conn, failures.rebuild_statements(failures.COLUMNS_0026))
    failures.create_triggers(conn, failures.FUNCTIONS_0026, failures.TRIGGERS_0026)
    op.execute("ANALYZE failed_identities")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    failures.drop_triggers(conn, failures.FUNCTIONS_0026, failures.TRIGGERS_0026)
    op.drop_table('failed_identities')
