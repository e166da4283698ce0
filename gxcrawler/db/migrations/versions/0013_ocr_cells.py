"""OCR'd cells flagged: report_values.ocr

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

Issue 13 (``gxcrawler.formats.ocr``): reports printed as pictures are read by OCR
(``reports.source_type`` ``ocr``); each of their cells says how it was read —
``read`` (every character sure) or ``settled`` (a doubtful reading that alone satisfies the
identities). NULL for cells read from printed text. A nullable column: adding it rewrites
nothing on PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('report_values', sa.Column('ocr', sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column('report_values', 'ocr')
