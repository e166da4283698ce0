"""v_rollup_county / v_rollup_city read the headlines in v_coverage's own join, from ix_reports_year

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "Roll-ups by year at a million reports"). Filtered by
a year, the roll-ups per county and city joined the year's ~150,000 coverage rows (1M
reports) again with ``reports`` by id for their headlines: a hash join with every report of
every year (a sequential scan of ``reports``, 1.2–1.4 s). PostgreSQL: the same rows from
``v_coverage``'s one join to ``reports`` (its SQL as of 0005 written out), and
``ix_reports_year`` (year, agency_id) INCLUDE (id) now also includes ``checks_failed`` and the
headline columns, so a year's reports and their sums come from the index alone. SQLite: as
before.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import ROLLUP_VIEWS_0034, VIEWS_0033, VIEWS_0034, create_views

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None

#: the reports columns the roll-ups sum (``gxcrawler.db.models.YEAR_INDEX_SUMS`` as of 0034)
_SUMS = [
    'checks_failed', 's3_new', 's3_carried_in', 's3_granted', 's3_partial', 's3_denied', 's3_unavailable',
    's3_rejected', 's3_other', 's3_total', 's3_carried_out', 's4_review', 's4_suit_direct',
    's4_suit_after_review', 's4_suits', 's4_review_corrected', 's4_suits_corrected',
]


def _year_index(include: list[str]) -> None:
    op.drop_index('ix_reports_year', table_name='reports')
    op.create_index('ix_reports_year', 'reports', ['year', 'agency_id'], unique=False, postgresql_include=include)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _year_index(['id', *_SUMS])
    create_views(op.get_bind(), {name: VIEWS_0034[name] for name in ROLLUP_VIEWS_0034})


def downgrade() -> None:
    create_views(op.get_bind(), {name: VIEWS_0033[name] for name in ROLLUP_VIEWS_0034})
    if op.get_bind().dialect.name == "postgresql":
        _year_index(['id'])
