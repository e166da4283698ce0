"""Migration 0040: ``v_s2_long`` and ``v_s4_long`` choose their section's cells by the keys
named as constants (PostgreSQL), so a year's cells come from ``ix_report_values_key``.

The lists are frozen in ``views.SECTION_KEYS_0040``; these tests are their guard: a key the
catalog gains (or loses) must reach the views through a new migration, or its cells would
silently be no row of the view an analyst sums.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection

from gxcrawler import catalog
from gxcrawler.db import make_engine, upgrade
from gxcrawler.db.migrate import alembic_config
from gxcrawler.db.views import SECTION_KEYS, VIEWS_0038, inline, view_sql

INDEX = "ix_report_values_key"
#: the sections whose view names its keys, and the newest views' lists as their SQL says
KEYED = ("s2", "s4")
FIX = (
    "a key of section {section} is in the catalog and not in the newest v_{section}_long's list "
    "(or the other way round): its cells would silently be missing from the view. Add a migration "
    "with a new SECTION_KEYS_00NN (exactly the catalog's keys of the section) and a VIEWS_00NN using it "
    "(see migration 0040 and gxcrawler/db/views.py), and point SECTION_KEYS at it."
)


def _catalog_keys(section: str) -> list[str]:
    return [key for key, metric in catalog.METRICS.items() if metric.section == section]


def _listed(section: str) -> list[str]:
    """The keys the newest ``v_<section>_long`` names, read from its PostgreSQL SQL."""
    sql = view_sql(f"v_{section}_long", "postgresql")
    (listed,) = re.findall(r"\bv\.key IN \(([^)]*)\)", sql)
    return re.findall(r"'([^']*)'", listed)


@pytest.mark.parametrize("section", KEYED)
def test_the_newest_views_name_exactly_the_catalogs_keys(section):
    assert sorted(_listed(section)) == sorted(_catalog_keys(section)), FIX.format(section=section)
    assert sorted(SECTION_KEYS[section]) == sorted(_catalog_keys(section)), FIX.format(section=section)
    # each key named once, every one the section's by its name too (a key is section.row.column)
    assert len(set(_listed(section))) == len(_listed(section))
    assert all(key.startswith(f"{section}.") for key in _listed(section))
    # PostgreSQL's predicate prover expands a constant array of at most 100 elements
    assert len(_listed(section)) <= 100


def test_sections_without_a_list_keep_their_join_and_sqlite_keeps_every_view():
    assert set(SECTION_KEYS) == set(KEYED)
    assert "v.key IN" not in view_sql("v_s3_long", "postgresql")
    assert "m.section = 's3'" in view_sql("v_s3_long", "postgresql")
    for section in ("s2", "s3", "s4"):
        name = f"v_{section}_long"
        # as of 0038 but for 0044's cast of the value to a number (SQLite only)
        cast = view_sql(name, "sqlite", VIEWS_0038).replace("    v.value\n", "    CAST(v.value AS NUMERIC) AS value\n")
        assert view_sql(name, "sqlite") == cast != view_sql(name, "sqlite", VIEWS_0038)


def test_the_databases_metrics_agree_with_the_lists(analytics_pg):
    """The catalog reaches ``metrics`` (the first migration, then ``sync_metrics``): the lists
    must be exactly the section's keys there too."""
    engine, _ = analytics_pg
    with engine.connect() as conn:
        for section in KEYED:
            have = conn.execute(sa.text("SELECT key FROM metrics WHERE section = :s"), {"s": section}).scalars().all()
            assert sorted(have) == sorted(_listed(section)), FIX.format(section=section)
            # the database's view is the newest one
            definition = conn.execute(sa.text(f"SELECT pg_get_viewdef('v_{section}_long')")).scalar_one()
            assert "ANY" in definition and "section" not in definition.split("WHERE", 1)[1]


#: filters analysts put on the long views (each must keep the rows the 0038 SQL gave)
FILTERS = (
    "", "WHERE year = 2022", "WHERE year = 2019", "WHERE county = '仁和区'", "WHERE city = '攀枝花市'",
    "WHERE county = '砚山县' AND year = 2021", "WHERE edition = '2019'",
    "WHERE key IN ('s2.art20_9.procurement.amount', 's4.review.total', 's3.new.total')",
    "WHERE row_key LIKE 'review%' AND year BETWEEN 2020 AND 2023", "WHERE value IS NULL",
)  # fmt: skip


def _count(conn: Connection, sql: str) -> int:
    return conn.execute(sa.text(f"SELECT count(*) FROM ({sql}) q")).scalar_one()


@pytest.mark.parametrize("section", KEYED)
def test_same_rows_as_the_0038_view(analytics_pg, section):
    engine, _ = analytics_pg
    name = f"v_{section}_long"
    old = {name: view_sql(name, "postgresql", VIEWS_0038)}
    found = 0
    with engine.connect() as conn:
        for where in FILTERS:
            new_sql, old_sql = f"SELECT * FROM {name} {where}", inline(f"SELECT * FROM {name} {where}", old)
            assert old_sql != new_sql
            assert _count(conn, f"{new_sql} EXCEPT ALL {old_sql}") == 0, where
            assert _count(conn, f"{old_sql} EXCEPT ALL {new_sql}") == 0, where
            found += _count(conn, new_sql)
        assert _count(conn, f"SELECT * FROM {name}") > 0
    assert found > 0


def _plan(conn: Connection, sql: str) -> str:
    return "\n".join(conn.execute(sa.text("EXPLAIN (COSTS OFF) " + sql)).scalars())


@pytest.mark.parametrize("section", KEYED)
def test_a_years_cells_are_read_from_the_index_by_key(analytics_pg, section):
    engine, _ = analytics_pg
    name = f"v_{section}_long"
    year = f"SELECT count(*), sum(value) FROM {name} WHERE year = 2022"
    with engine.connect() as conn, conn.begin() as tx:
        # the plan of a large year: the year's reports hashed, the cells read set-wise (the tiny
        # test data would otherwise be read whole, or report by report)
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_nestloop", "enable_mergejoin"):
            conn.execute(sa.text(f"SET LOCAL {setting} = off"))
        plan = _plan(conn, year)
        old_plan = _plan(conn, inline(year, {name: view_sql(name, "postgresql", VIEWS_0038)}))
        tx.rollback()
    assert f"Index Only Scan using {INDEX} on report_values" in plan, plan
    # the control: the join on key alone cannot use the partial index (0035)
    assert INDEX not in old_plan


def test_migration_names_the_keys_on_postgresql_and_downgrade_restores_the_join(pg_url, tmp_path):
    def where(engine: sa.Engine) -> str:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT pg_get_viewdef('v_s2_long')")).scalar_one().split("WHERE", 1)[1]

    engine = make_engine(pg_url)
    try:
        upgrade(engine)
        assert "ANY" in where(engine) and "section" not in where(engine)
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0039")
        assert "ANY" not in where(engine) and "'s2'" in where(engine)
        upgrade(engine)
        assert "ANY" in where(engine)
    finally:
        engine.dispose()
    lite = make_engine(f"sqlite:///{tmp_path}/k.sqlite3")
    try:
        upgrade(lite)  # SQLite: the views as before
        with lite.connect() as conn:
            sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 'v_s2_long'")).scalar_one()
        assert "m.section = 's2'" in sql and "v.key IN" not in sql
    finally:
        lite.dispose()

