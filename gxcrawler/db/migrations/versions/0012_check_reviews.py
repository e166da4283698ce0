"""check reviews: a failed check marked confirmed or dismissed, by the report's content

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

Issue 15 (``gxcrawler.db.reviews``, ``gxcrawler review``): table ``check_reviews`` keyed
by agency, year, rule and the content hashes of the report (and of the other report of
a check across years); ``v_failed_checks`` gains ``review`` (open | confirmed |
dismissed), ``review_note``, ``reviewer``, ``reviewed_at``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gxcrawler.db.views import VIEWS_0011, VIEWS_0012, create_views, drop_views

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    op.create_table(
        'check_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=60), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('other_sha256', sa.String(length=64), server_default='', nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('reviewer', sa.Text(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_check_reviews_agency_id_agencies'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_check_reviews')),
        sa.UniqueConstraint('agency_id', 'year', 'rule', 'sha256', 'other_sha256',
                            name=op.f('uq_check_reviews_agency_id_year_rule_sha256_other_sha256')),
    )
    drop_views(conn, {"v_failed_checks": VIEWS_0011["v_failed_checks"]})
    create_views(conn, {"v_failed_checks": VIEWS_0012["v_failed_checks"]})


def downgrade() -> None:
    conn = op.get_bind()
    drop_views(conn, {"v_failed_checks": VIEWS_0012["v_failed_checks"]})
    op.drop_table('check_reviews')
    create_views(conn, {"v_failed_checks": VIEWS_0011["v_failed_checks"]})
