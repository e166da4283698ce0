"""`gxcrawler db create-reader`: a login role that reads everything and changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg2
import pytest
import sqlalchemy as sa
from psycopg2 import errors
from sqlalchemy.engine import make_url

from gxcrawler.cli import main
from gxcrawler.db import make_engine, upgrade
from gxcrawler.db.roles import RoleError, create_reader, drop_reader
from tests.fixtures.analytics import load_known
from tests.fixtures.pg import create_database, drop_database

PASSWORD = "reader-pw-1"

WRITES = (
    "INSERT INTO agencies (name, short_name, kind) VALUES ('某某乡人民政府', '某某乡人民政府', 'township')",
    "UPDATE reports SET title = 'changed'",
    "DELETE FROM report_values",
    "DELETE FROM check_results",
    "TRUNCATE check_results",
    "UPDATE metrics SET row_label = 'x'",
    "CREATE TABLE scratch (x int)",
    "DROP VIEW v_reports",
    "CREATE OR REPLACE VIEW v_reports AS SELECT 1 AS x",
)


@pytest.fixture(scope="module")
def reader(pg_server: str) -> Iterator[tuple[object, str]]:
    """A loaded database and the name of a reader role created through the CLI (shared: the
    tests only read, or try writes that must fail)."""
    url = create_database("gxc_reader")
    engine = make_engine(url)
    name = f"gx_reader_{uuid.uuid4().hex[:8]}"
    try:
        upgrade(engine)
        load_known(engine)
        assert main(["db", "--url", url, "create-reader", name, "--password", PASSWORD]) == 0
        yield engine, name
    finally:
        drop_reader(engine, name)  # roles outlive databases: always drop it
        engine.dispose()
        drop_database(url)


def connect_as(engine, name: str):  # noqa: ANN001, ANN201
    url = make_url(engine.url.render_as_string(hide_password=False))
    conn = psycopg2.connect(host=url.host, port=url.port, dbname=url.database, user=name, password=PASSWORD)
    conn.autocommit = True
    return conn


def owner_count(engine, table: str) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_reader_can_select_tables_and_views(reader):
    engine, name = reader
    conn = connect_as(engine, name)
    try:
        cur = conn.cursor()
        for table in ("reports", "report_values", "agencies", "metrics", "check_results",
                      "v_reports", "v_s3_long", "v_coverage", "v_failed_checks"):
            cur.execute(f"SELECT count(*) FROM {table}")
            assert cur.fetchone()[0] == owner_count(engine, table) > 0, table
    finally:
        conn.close()


@pytest.mark.parametrize("statement", WRITES)
def test_reader_writes_are_refused_by_its_privileges(reader, statement):
    """Even with the read-only session default switched off, the grants refuse every change."""
    engine, name = reader
    before = {t: owner_count(engine, t) for t in ("agencies", "report_values", "check_results")}
    conn = connect_as(engine, name)
    try:
        cur = conn.cursor()
        cur.execute("SET default_transaction_read_only = off")
        with pytest.raises(errors.InsufficientPrivilege):
            cur.execute(statement)
    finally:
        conn.close()
    assert {t: owner_count(engine, t) for t in before} == before
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM reports WHERE title = 'changed'")).scalar_one() == 0


def test_reader_sessions_start_read_only(reader):
    engine, name = reader
    conn = connect_as(engine, name)
    try:
        cur = conn.cursor()
        with pytest.raises(errors.ReadOnlySqlTransaction):
            cur.execute("DELETE FROM report_values")
    finally:
        conn.close()


def test_reader_can_read_tables_created_later(reader):
    """Default privileges: a view a later migration adds is readable without re-granting."""
    engine, name = reader
    with engine.begin() as c:
        c.execute(sa.text("CREATE VIEW v_later AS SELECT year, count(*) AS n FROM reports GROUP BY year"))
    conn = connect_as(engine, name)
    try:
        cur = conn.cursor()
        cur.execute("SELECT sum(n) FROM v_later")
        assert cur.fetchone()[0] == owner_count(engine, "reports")
    finally:
        conn.close()
        with engine.begin() as c:
            c.execute(sa.text("DROP VIEW v_later"))


def test_create_reader_again_updates_the_role(reader, capsys):
    engine, name = reader
    url = engine.url.render_as_string(hide_password=False)
    assert main(["db", "--url", url, "create-reader", name, "--password", PASSWORD]) == 0
    assert "updated" in capsys.readouterr().out
    conn = connect_as(engine, name)  # still logs in and still reads
    conn.close()


def test_create_reader_generates_a_password_when_none_is_given(pg_engine, capsys):
    name = f"gx_reader_{uuid.uuid4().hex[:8]}"
    try:
        reader = create_reader(pg_engine, name)
        assert reader.created and reader.password and len(reader.password) >= 20
        url = pg_engine.url.render_as_string(hide_password=False)
        assert main(["db", "--url", url, "create-reader", name]) == 0
        assert "password: " in capsys.readouterr().out
    finally:
        assert drop_reader(pg_engine, name)


def test_bad_names_and_sqlite_are_refused(pg_engine, sqlite_engine, capsys):
    with pytest.raises(RoleError):
        create_reader(pg_engine, 'x"; DROP TABLE reports; --')
    assert main(["db", "--url", str(sqlite_engine.url), "create-reader", "someone"]) == 2
    assert "PostgreSQL" in capsys.readouterr().out
