"""a report page's table pictures stored and linked: report_pictures, report_values.picture

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30

Issue 13: a township page whose tables are pasted as pictures is read by OCR with its
pictures (``reports.source_type`` ``ocr``). Each picture is a document of its own in
``documents`` (content-addressed, like the page), linked to the report by
``report_pictures`` (its URL, its place on the page, its hash); each cell read from one
names it (``report_values.picture``, the place; NULL for cells read from text). So a value
is traced to the bytes it was read from, and ``gxcrawler reparse`` reads such a report
again without the network. Nullable column: adding it rewrites nothing on PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_pictures',
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_pictures_report_id_reports'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sha256'], ['documents.sha256'], name=op.f('fk_report_pictures_sha256_documents')),
        sa.PrimaryKeyConstraint('report_id', 'position', name=op.f('pk_report_pictures')),
    )
    op.create_index(op.f('ix_report_pictures_sha256'), 'report_pictures', ['sha256'], unique=False)
    op.add_column('report_values', sa.Column('picture', sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column('report_values', 'picture')
    op.drop_index(op.f('ix_report_pictures_sha256'), table_name='report_pictures')
    op.drop_table('report_pictures')
