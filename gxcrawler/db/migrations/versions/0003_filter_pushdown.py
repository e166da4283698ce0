"""views that filter first: stored headlines, narrower report_values, region and failure indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Issue 12 (docs/notes/performance.md):

* ``reports`` gains ``checks`` and the headline columns of ``v_reports``
  (``gxcrawler.db.headlines``), filled here from the stored cells and from then on by
  the loader; ``v_reports`` becomes a plain join, so filters use indexes;
* ``report_values`` loses ``section``, ``row`` and ``column`` (functions of the key,
  in ``metrics``). On PostgreSQL the space comes back as rows are rewritten, or at
  once with ``VACUUM FULL report_values`` (locks the table while it runs);
* indexes: ``agencies(city)``, ``agencies(county)``, and ``check_results(report_id)``
  of failed identities only;
* the views of ``gxcrawler.db.views.VIEWS_0003``.

Downgrade restores 0002 exactly (columns refilled from ``metrics``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db import views_0002
from gxcrawler.db.headlines import backfill_sql
from gxcrawler.db.models import ExactDecimal
from gxcrawler.db.views import VIEWS_0003, create_views, drop_views

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: the headline columns this revision adds to reports (by name: HEADLINES may grow later)
_HEADLINES = (
    "s3_new", "s3_carried_in", "s3_granted", "s3_partial", "s3_denied", "s3_unavailable",
    "s3_rejected", "s3_other", "s3_total", "s3_carried_out", "s4_review", "s4_suit_direct",
    "s4_suit_after_review", "s4_suits",
)
#: report_values columns that 0002 had: name -> type
_DERIVED = {"section": sa.String(length=4), "row": sa.String(length=40), "column": sa.String(length=40)}


def upgrade() -> None:
    conn = op.get_bind()
    views_0002.drop_views(conn)
    op.add_column('reports', sa.Column('checks', sa.Integer(), server_default='0', nullable=False))
    for column in _HEADLINES:
        op.add_column('reports', sa.Column(column, ExactDecimal(), nullable=True))
    op.execute(backfill_sql(_HEADLINES))
    for column in _DERIVED:
        op.drop_column('report_values', column)
    op.create_index('ix_agencies_city', 'agencies', ['city'], unique=False)
    op.create_index('ix_agencies_county', 'agencies', ['county'], unique=False)
    op.create_index(
        'ix_check_results_failed', 'check_results', ['report_id'], unique=False,
        postgresql_where=sa.text('NOT ok'), sqlite_where=sa.text('NOT ok'),
    )
    create_views(conn, VIEWS_0003)


def downgrade() -> None:
    conn = op.get_bind()
    drop_views(conn, VIEWS_0003)
    op.drop_index('ix_check_results_failed', table_name='check_results')
    op.drop_index('ix_agencies_county', table_name='agencies')
    op.drop_index('ix_agencies_city', table_name='agencies')
    for column, kind in _DERIVED.items():
        op.add_column('report_values', sa.Column(column, kind, nullable=True))
    op.execute(
        'UPDATE report_values SET section = m.section, "row" = m.row_key, "column" = m.column_key '
        'FROM metrics m WHERE m.key = report_values.key'
    )
    with op.batch_alter_table('report_values') as batch:  # SQLite: NOT NULL needs a rebuilt table
        for column, kind in _DERIVED.items():
            batch.alter_column(column, existing_type=kind, nullable=False)
    for column in ('checks', *_HEADLINES):
        op.drop_column('reports', column)
    views_0002.create_views(conn)
