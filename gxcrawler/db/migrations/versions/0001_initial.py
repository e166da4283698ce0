"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22

Every table of issue 2, and the metric catalog (re-synced by each `upgrade`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from gxcrawler.db.migrate import metric_rows
from gxcrawler.db.models import ExactDecimal

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('short_name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('province', sa.Text(), nullable=True),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('county', sa.Text(), nullable=True),
    sa.Column('division_code', sa.String(length=12), nullable=True),
    sa.Column('portal', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('name', name=op.f('uq_agencies_name'))
    )
    op.create_index(op.f('ix_agencies_division_code'), 'agencies', ['division_code'], unique=False)
    op.create_index(op.f('ix_agencies_portal'), 'agencies', ['portal'], unique=False)
    op.create_table('crawl_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spider', sa.String(length=40), nullable=False),
    sa.Column('args', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('reports_found', sa.Integer(), nullable=False),
    sa.Column('reports_new', sa.Integer(), nullable=False),
    sa.Column('reports_changed', sa.Integer(), nullable=False),
    sa.Column('reports_unchanged', sa.Integer(), nullable=False),
    sa.Column('reports_skipped', sa.Integer(), nullable=False),
    sa.Column('reports_failed', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_runs'))
    )
    op.create_index(op.f('ix_crawl_runs_spider'), 'crawl_runs', ['spider'], unique=False)
    op.create_table('documents',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('first_fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_documents'))
    )
    op.create_table('metrics',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('section', sa.String(length=4), nullable=False),
    sa.Column('table_code', sa.String(length=20), nullable=False),
    sa.Column('table_label', sa.Text(), nullable=False),
    sa.Column('row_key', sa.String(length=40), nullable=False),
    sa.Column('row_label', sa.Text(), nullable=False),
    sa.Column('column_key', sa.String(length=40), nullable=False),
    sa.Column('column_label', sa.Text(), nullable=False),
    sa.Column('row_label_2019', sa.Text(), nullable=False),
    sa.Column('column_label_2019', sa.Text(), nullable=False),
    sa.Column('editions', sa.String(length=20), nullable=False),
    sa.Column('in_2019', sa.Boolean(), nullable=False),
    sa.Column('in_2021', sa.Boolean(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_metrics'))
    )
    op.create_table('agency_aliases',
    sa.Column('alias', sa.Text(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_aliases_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('alias', 'agency_id', name=op.f('pk_agency_aliases'))
    )
    op.create_index(op.f('ix_agency_aliases_agency_id'), 'agency_aliases', ['agency_id'], unique=False)
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('agency_raw', sa.Text(), nullable=True),
    sa.Column('page_url', sa.Text(), nullable=True),
    sa.Column('document_url', sa.Text(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('edition', sa.String(length=4), nullable=True),
    sa.Column('source_type', sa.String(length=8), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('spider', sa.String(length=40), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('parsed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('warnings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('blank', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('checks_failed', sa.Integer(), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_reports_agency_id_agencies')),
    sa.ForeignKeyConstraint(['sha256'], ['documents.sha256'], name=op.f('fk_reports_sha256_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('agency_id', 'year', name=op.f('uq_reports_agency_id_year'))
    )
    op.create_index(op.f('ix_reports_sha256'), 'reports', ['sha256'], unique=False)
    op.create_index('ix_reports_year', 'reports', ['year'], unique=False)
    op.create_table('check_results',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=60), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('left', ExactDecimal(), nullable=False),
    sa.Column('right', ExactDecimal(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_check_results_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'rule', name=op.f('pk_check_results'))
    )
    op.create_index('ix_check_results_rule_ok', 'check_results', ['rule', 'ok'], unique=False)
    op.create_table('fetches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('spider', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_url', sa.Text(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('hints', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('region', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['last_run_id'], ['crawl_runs.id'], name=op.f('fk_fetches_last_run_id_crawl_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_fetches_report_id_reports'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fetches')),
    sa.UniqueConstraint('url', name=op.f('uq_fetches_url'))
    )
    op.create_index(op.f('ix_fetches_last_run_id'), 'fetches', ['last_run_id'], unique=False)
    op.create_index(op.f('ix_fetches_report_id'), 'fetches', ['report_id'], unique=False)
    op.create_index(op.f('ix_fetches_sha256'), 'fetches', ['sha256'], unique=False)
    op.create_index(op.f('ix_fetches_spider'), 'fetches', ['spider'], unique=False)
    op.create_table('report_values',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('section', sa.String(length=4), nullable=False),
    sa.Column('row', sa.String(length=40), nullable=False),
    sa.Column('column', sa.String(length=40), nullable=False),
    sa.Column('value', ExactDecimal(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_values_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'key', name=op.f('pk_report_values'))
    )
    op.create_index('ix_report_values_key', 'report_values', ['key'], unique=False)
    op.create_index('ix_agencies_region', 'agencies', ['province', 'city', 'county'], unique=False)
    metrics = sa.table('metrics', *(sa.column(c) for c in metric_rows()[0]))
    op.bulk_insert(metrics, metric_rows())


def downgrade() -> None:
    op.drop_index('ix_agencies_region', table_name='agencies')
    op.drop_index('ix_report_values_key', table_name='report_values')
    op.drop_table('report_values')
    op.drop_index(op.f('ix_fetches_spider'), table_name='fetches')
    op.drop_index(op.f('ix_fetches_sha256'), table_name='fetches')
    op.drop_index(op.f('ix_fetches_report_id'), table_name='fetches')
    op.drop_index(op.f('ix_fetches_last_run_id'), table_name='fetches')
    op.drop_table('fetches')
    op.drop_index('ix_check_results_rule_ok', table_name='check_results')
    op.drop_table('check_results')
    op.drop_index('ix_reports_year', table_name='reports')
    op.drop_index(op.f('ix_reports_sha256'), table_name='reports')
    op.drop_table('reports')
    op.drop_index(op.f('ix_agency_aliases_agency_id'), table_name='agency_aliases')
    op.drop_table('agency_aliases')
    op.drop_table('metrics')
    op.drop_table('documents')
    op.drop_index(op.f('ix_crawl_runs_spider'), table_name='crawl_runs')
    op.drop_table('crawl_runs')
    op.drop_index(op.f('ix_agencies_portal'), table_name='agencies')
    op.drop_index(op.f('ix_agencies_division_code'), table_name='agencies')
    op.drop_table('agencies')
