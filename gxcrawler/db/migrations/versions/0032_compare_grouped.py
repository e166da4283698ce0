"""v_compare reads both reports' cells in one scan grouped by key: a filter on key reaches the index

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "Worked queries at a million reports"): since 0023 ``v_compare``
merged each report's cells with its previous report's by a FULL JOIN, whose merged key no
filter can reach: one cell compared across a city's reports read all their cells (424 ms at
100,000 reports; a year's 2–3 s). PostgreSQL: the same rows from one scan of the primary
key per report, grouped by key (``gxcrawler.db.compare``). SQLite: as before.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import VIEWS_0029, VIEWS_0032, create_views

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_views(op.get_bind(), {"v_compare": VIEWS_0032["v_compare"]})


def downgrade() -> None:
    create_views(op.get_bind(), {"v_compare": VIEWS_0029["v_compare"]})
