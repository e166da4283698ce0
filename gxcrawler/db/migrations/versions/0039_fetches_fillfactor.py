"""fetches: fill factor 50, so a re-crawl's fetch rows are updated in place (HOT)

Revision ID: 0039
Revises: 0038
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "An unchanged reload nearer nothing"). Every crawl rewrites
each URL's ``fetches`` row (``last_seen``, ``outcome``): its indexed columns (url, spider,
sha256, report_id, last_run_id) mostly keep their values, so the new version may stay on its
page without new index entries (a heap-only tuple) — when the page has room. Pages filled to
100 % by the first load have none: each version went to another page with six index entries
(22 buffers a row). Half of each page left free: the unchanged reload's fetch rows all HOT,
~0.02 ms of server CPU a report instead of ~0.03–0.04. Applies to pages written from now on
(``VACUUM FULL fetches`` rewrites the old ones). A storage parameter: no row changes.
PostgreSQL only.
"""

from __future__ import annotations

from alembic import op

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None

#: the fill factor of ``fetches``' heap pages (PostgreSQL's default is 100)
FETCHES_FILLFACTOR = 50


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE fetches SET (fillfactor = {FETCHES_FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE fetches RESET (fillfactor)")
