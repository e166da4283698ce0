"""Migration 0015: the planner's count of reports in report_values and check_results is stated, not sampled."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from gxcrawler.db import make_engine, upgrade
from gxcrawler.db.migrate import alembic_config, current_revision


def _n_distinct(engine) -> dict[str, float | None]:
    """The n_distinct option of each table's report_id column (None: not set)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT attrelid::regclass::text, attoptions FROM pg_attribute "
            "WHERE attrelid IN ('report_values'::regclass, 'check_results'::regclass) AND attname = 'report_id'"
        ))
        out = {}
        for table, options in rows:
            found = dict(o.split("=", 1) for o in options or [])
            out[table] = float(found["n_distinct"]) if "n_distinct" in found else None
        return out


def test_cells_per_report_is_stated_and_reset_on_downgrade(pg_url):
    engine = make_engine(pg_url)
    try:
        upgrade(engine)
        # distinct report ids as a fraction of rows: one report per ~160 cells, per ~50 checks
        assert _n_distinct(engine) == {"report_values": -0.00625, "check_results": -0.02}
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0014")
        assert current_revision(engine) == "0014"
        assert _n_distinct(engine) == {"report_values": None, "check_results": None}
    finally:
        engine.dispose()
