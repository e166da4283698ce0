"""SQLite's views show their values as numbers, not decimal strings

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-01

Review5 (docs/notes/analytics.md). On SQLite ``ExactDecimal`` stores a decimal string (TEXT
affinity), and the views showed it as it is: ``WHERE value > 5`` compared text ('10' > '5' is
false), ``max(value)`` gave 99 over 550, ``ORDER BY value`` sorted as text. SQLite: the views
showing such a column (``views.NUMBER_VIEWS_0044``: ``v_reports``' headlines, the long views' and
``v_compare``'s ``value``/``prev_value``, ``v_failed_checks``' ``left``/``right``) re-created with
the column ``CAST(… AS NUMERIC)`` (``views.VIEWS_0044``). The tables are unchanged (exact
strings; the models read them as ``Decimal``). PostgreSQL: nothing (its views' text is 0040's).
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import NUMBER_VIEWS_0044, VIEWS_0040, VIEWS_0044, create_views

revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        create_views(op.get_bind(), {name: VIEWS_0044[name] for name in NUMBER_VIEWS_0044})


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        create_views(op.get_bind(), {name: VIEWS_0040[name] for name in NUMBER_VIEWS_0044})
