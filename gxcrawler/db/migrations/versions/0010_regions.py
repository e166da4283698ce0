"""regions: the region tree, roll-ups per county and city per year, missing reports

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Issue 15 (``gxcrawler.db.regions``, docs/notes/analytics.md): views ``v_region_tree``
(province → city → county → agency, GB/T 2260 codes), ``v_rollup_county`` and
``v_rollup_city`` (per year: reports, agencies known from earlier years, missing ones by
kind, sums of the headline numbers), ``v_rollup_cells`` (every cell summed per county
and year) and ``v_missing_reports`` (known agencies without a report, with their last
year). No table changes.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import VIEWS_0010, create_views, drop_views

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_VIEWS = {
    name: VIEWS_0010[name]
    for name in ("v_region_tree", "v_rollup_county", "v_rollup_city", "v_rollup_cells", "v_missing_reports")
}


def upgrade() -> None:
    create_views(op.get_bind(), _VIEWS)


def downgrade() -> None:
    drop_views(op.get_bind(), _VIEWS)
