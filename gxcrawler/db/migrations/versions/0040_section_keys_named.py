"""v_s2_long, v_s4_long: the section's keys named as constants, read from the index by key

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-01

Issue 12 (docs/notes/performance.md, "A section's keys named in its long view"). The long
views chose their section by ``metrics.section`` alone, through the join on key, which cannot
use ``ix_report_values_key`` (0035: its predicate is proved only by a constant comparison on
``key``): a whole year of ``v_s2_long`` read every cell of the year's reports through the
primary key and kept the 7 % that are section 二's (448 ms at 100,000 reports, 8.8 s at
1,000,000). PostgreSQL: the section's cells chosen by their keys named as constants,
``v.key IN (…)`` (the catalog's, frozen in ``views.SECTION_KEYS_0040``; ``metrics`` still
joined), so a year's cells of the section are one index range per key, index only. Not
beside ``m.section``: the planner multiplies the two selectivities and under-counts the
index's rows 5×, which took a city's sum off the primary key. The same rows; ``v_s3_long``
and SQLite as before. A key added to the catalog later needs a new migration giving the
views the new list (``tests/db/test_section_keys.py`` fails until then).
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import VIEWS_0038, VIEWS_0040, create_views

revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None

NAMES = ("v_s2_long", "v_s4_long")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        create_views(op.get_bind(), {name: VIEWS_0040[name] for name in NAMES})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        create_views(op.get_bind(), {name: VIEWS_0038[name] for name in NAMES})
