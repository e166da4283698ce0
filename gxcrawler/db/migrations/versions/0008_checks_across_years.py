"""checks across years: a report against the same agency's previous year

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Issue 15 (``gxcrawler.checks.YEAR_IDENTITIES``, ``gxcrawler.db.years``):

* ``check_results.other_report_id`` — a ``years.*`` check is stored with the year-N
  report and names the year-N−1 report here (``ON DELETE CASCADE``; partial index);
* the checks of every stored pair of consecutive years are computed here, and from
  then on by the loader whenever either report changes;
* ``v_failed_checks``: kind ``years``, ``other_report_id``, ``other_year``, ``other_url``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db import years
from gxcrawler.db.views import VIEWS_0007, VIEWS_0008, create_views, drop_views

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    drop_views(conn, {"v_failed_checks": VIEWS_0007["v_failed_checks"]})
    with op.batch_alter_table('check_results') as batch:
        batch.add_column(sa.Column('other_report_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_check_results_other_report_id_reports'), 'reports', ['other_report_id'], ['id'],
            ondelete='CASCADE',
        )
    op.create_index(
        'ix_check_results_other_report_id', 'check_results', ['other_report_id'], unique=False,
        postgresql_where=sa.text('other_report_id IS NOT NULL'),
        sqlite_where=sa.text('other_report_id IS NOT NULL'),
    )
    years.refresh_all(conn)
    create_views(conn, {"v_failed_checks": VIEWS_0008["v_failed_checks"]})


def downgrade() -> None:
    conn = op.get_bind()
    drop_views(conn, {"v_failed_checks": VIEWS_0008["v_failed_checks"]})
    op.execute("DELETE FROM check_results WHERE rule LIKE 'years.%'")
    op.drop_index('ix_check_results_other_report_id', table_name='check_results')
    with op.batch_alter_table('check_results') as batch:
        batch.drop_constraint(op.f('fk_check_results_other_report_id_reports'), type_='foreignkey')
        batch.drop_column('other_report_id')
    create_views(conn, {"v_failed_checks": VIEWS_0007["v_failed_checks"]})
