"""v_rates_long one branch per rate: a year's change from seven small hash joins

Revision ID: 0035
Revises: 0034
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "A year's change from two index ranges"). Since 0033 a
year's ``change`` hash-joins the year's index range with the previous year's: at 1,000,000
reports two ranges of 1,000,000 rows, one hash table of them all (16 batches at the default
``work_mem``), 0.6–1.16 s against the aim of 1 s. ``v_rates_long`` is now a ``UNION ALL``
of one branch per rate (``WHERE t.rate = '<name>'``, its label and formula constants), the
join of each as 0033's: a year's filter reaches both (year, rate) ranges of each branch, and
the change is seven hash joins of a seventh of the rows each. The same rows: the table holds
only the rates of ``gxcrawler.db.rates.RATES`` (``reportrates.LIVE_SQL``). View only; the
downgrade gives 0034's view back. PostgreSQL only, as the table.
"""

from __future__ import annotations

from alembic import op

from gxcrawler.db.views import VIEWS_0034, VIEWS_0035, create_views

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    create_views(op.get_bind(), {"v_rates_long": VIEWS_0035["v_rates_long"]})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    create_views(op.get_bind(), {"v_rates_long": VIEWS_0034["v_rates_long"]})
