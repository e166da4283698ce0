"""report_values without its index by key

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md). ``ix_report_values_key`` (``(key, report_id)
INCLUDE (value)`` since 0006) served the questions about a few keys over many reports;
``cell_sums`` (0016) answers them from sums made already, and nothing else reads by key
alone (a report's cells come by the primary key ``(report_id, key)``). Every loaded cell
updated the index: measured in 2026-11-30's pair at load 6–8, the loader took +33 % with
it. Dropping it also frees ~0.9 GB per 100,000 reports. The downgrade rebuilds it
(minutes on a large database).
"""

from __future__ import annotations

from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_report_values_key', table_name='report_values')


def downgrade() -> None:
    op.create_index(
        'ix_report_values_key', 'report_values', ['key', 'report_id'], unique=False,
        postgresql_include=['value'],
    )
