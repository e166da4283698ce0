"""a report's id by its agency and year from the unique index alone

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "Queries pushed down"). Since 0023 ``ix_reports_year``
holds ``(year, agency_id) INCLUDE (id)``; for a city's 400 agencies PostgreSQL then read that
whole index (every report) rather than look up each agency's reports in
``uq_reports_agency_id_year``, whose entries lacked the id and so cost a table page each:
``v_failed_checks`` by city went from 15 to 160–210 ms at 100,000 reports. With the id
included the look-ups read the index alone. PostgreSQL only (SQLite's indexes hold the
rowid, which is ``reports.id``). ``ON CONFLICT (agency_id, year)`` still finds the index.
"""

from __future__ import annotations

from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

_NAME = 'uq_reports_agency_id_year'


def _unique(include: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE reports DROP CONSTRAINT {_NAME}, ADD CONSTRAINT {_NAME} UNIQUE (agency_id, year){include}")


def upgrade() -> None:
    _unique(" INCLUDE (id)")


def downgrade() -> None:
    _unique("")
