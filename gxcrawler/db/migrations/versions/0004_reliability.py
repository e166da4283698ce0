"""reliability: when a document was last confirmed, and a running crawl's sign of life

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

* ``fetches.checked_at`` — when the URL's content was last confirmed (a full download,
  a 304, or a re-download with the same hash). The rolling re-fetch schedule re-checks
  every document within ``GX_REFETCH_EVERY`` / ``GX_REVALIDATE_EVERY`` nights of it.
* ``crawl_runs.heartbeat_at`` — updated every minute by a running crawl; an open run
  whose heartbeat stopped was killed, and the next start closes it as ``failed``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fetches') as batch:
        batch.add_column(sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('crawl_runs') as batch:
        batch.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('crawl_runs') as batch:
        batch.drop_column('heartbeat_at')
    with op.batch_alter_table('fetches') as batch:
        batch.drop_column('checked_at')
