"""Migration 0035: ``report_values``' partial index by key serves a key named as a constant,
never a join on key (the long views' other filters keep their plans), and gives the same rows."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection

from gxcrawler.db import make_engine, upgrade
from gxcrawler.db.migrate import alembic_config

INDEX = "ix_report_values_key"
#: the index as 0006 had it (no predicate), to show what the predicate prevents
FULL = f"CREATE INDEX {INDEX} ON report_values (key, report_id) INCLUDE (value)"
#: one key's cells across reports, and a section's cells found through the join on key
NAMED = "SELECT report_id, value FROM report_values WHERE key = 's3.new.total'"
NAMED_LIST = "SELECT report_id, value FROM report_values WHERE key IN ('s3.new.total', 's3.granted.total')"
JOINED = "SELECT m.key, v.value FROM metrics m JOIN report_values v ON v.key = m.key WHERE m.section = 's2'"
#: the filters of issue 12 that now read the index, and one that must not
SAME_ROWS = (
    "SELECT * FROM v_s3_long WHERE year = 2022 AND key = 's3.new.total'",
    "SELECT * FROM v_s3_long WHERE city = '攀枝花市' AND key IN ('s3.new.total', 's3.denied.state_secret.total')",
    "SELECT * FROM v_s4_long WHERE key = 's4.review.total'",
    "SELECT * FROM v_compare WHERE year = 2022 AND key = 's3.new.total'",
    "SELECT * FROM v_compare WHERE key = 's3.granted.total'",
    "SELECT * FROM v_compare WHERE year = 2023",
)


def _plan(conn: Connection, sql: str) -> str:
    return "\n".join(conn.execute(sa.text("EXPLAIN (COSTS OFF) " + sql)).scalars())


def _index_preferred(conn: Connection) -> None:
    """Plans that take any usable index, and a nested loop for a join (the tiny test data
    would otherwise be read whole)."""
    for setting in ("enable_seqscan", "enable_bitmapscan", "enable_hashjoin", "enable_mergejoin"):
        conn.execute(sa.text(f"SET LOCAL {setting} = off"))


def test_index_serves_a_named_key_but_not_a_join_on_key(analytics_pg):
    engine, _ = analytics_pg
    with engine.connect() as conn, conn.begin() as tx:
        _index_preferred(conn)
        assert INDEX in _plan(conn, NAMED)
        assert INDEX in _plan(conn, NAMED_LIST)
        assert INDEX not in _plan(conn, JOINED)
        # the control: without the predicate the same join reads the index
        conn.execute(sa.text(f"DROP INDEX {INDEX}"))
        conn.execute(sa.text(FULL))
        assert INDEX in _plan(conn, JOINED)
        tx.rollback()


def _rows(conn: Connection, sql: str) -> list[tuple]:
    return sorted(conn.execute(sa.text(sql)).all(), key=repr)


def test_same_rows_with_and_without_the_index(analytics_pg):
    engine, _ = analytics_pg
    with engine.connect() as conn, conn.begin() as tx:
        _index_preferred(conn)
        used = {sql: INDEX in _plan(conn, sql) for sql in SAME_ROWS}
        with_index = {sql: _rows(conn, sql) for sql in SAME_ROWS}
        conn.execute(sa.text(f"DROP INDEX {INDEX}"))
        without = {sql: _rows(conn, sql) for sql in SAME_ROWS}
        tx.rollback()
    # the key filters read the index, the year alone does not; every query finds rows
    assert used == {sql: "key" in sql for sql in SAME_ROWS}
    assert all(with_index.values())
    assert with_index == without


def test_migration_builds_it_on_postgresql_and_downgrade_drops_it(pg_url, tmp_path):
    def predicate(engine: sa.Engine) -> list:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = :n"
            ), {"n": INDEX}).scalars().all()

    engine = make_engine(pg_url)
    try:
        upgrade(engine)
        assert predicate(engine) == ["((key)::text >= ''::text)"]
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0034")
        assert predicate(engine) == []
        upgrade(engine)
        assert len(predicate(engine)) == 1
    finally:
        engine.dispose()
    lite = make_engine(f"sqlite:///{tmp_path}/k.sqlite3")
    try:
        upgrade(lite)  # SQLite: no index by key, as before
        with lite.connect() as conn:
            names = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars().all()
        assert INDEX not in names
    finally:
        lite.dispose()
