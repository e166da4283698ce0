"""fetch_aliases: a link that redirects to a known document, so later nights ask the document itself

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30

Issue 16 (the cost of a night). A report linked as ``http://www.…`` that answers 301 to
``https://…``, or a CMS's ``download.jsp?id=`` answering 302 to ``/uploads/….pdf``, paid its
redirect every night before the conditional request on the document. One row per such
link (``url``) names where it led (``target``) when its own request was last followed
(``checked_at``); ``gxcrawler.crawl.incremental`` asks the target directly on other nights.
A table of its own: nothing in ``fetches`` or ``reports`` is rewritten by an alias.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'fetch_aliases',
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('spider', sa.String(length=40), nullable=True),
        sa.Column('target', sa.Text(), nullable=False),
        sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('url', name=op.f('pk_fetch_aliases')),
    )
    op.create_index(op.f('ix_fetch_aliases_spider'), 'fetch_aliases', ['spider'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_fetch_aliases_spider'), table_name='fetch_aliases')
    op.drop_table('fetch_aliases')
