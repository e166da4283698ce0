"""The one classification of database failures (``gxcrawler.db.retry``), on errors PostgreSQL really raises:
a serialization failure is tried again and both writes stand; a constraint violation, a programming
error and a refused connection are tried once and surface."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gxcrawler.db import make_engine
from gxcrawler.db.retry import UNAVAILABLE, retry_reason, retrying


@pytest.fixture()
def engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1, 0)"))
    try:
        yield engine
    finally:
        engine.dispose()


def _fails(work) -> tuple[BaseException, int]:
    """What ``retrying`` raises for ``work``, and how many times it ran it."""
    calls = []

    def counted():
        calls.append(1)
        return work()

    with pytest.raises(Exception) as info:
        retrying(counted, attempts=5)
    return info.value, len(calls)


def test_a_serialization_failure_is_tried_again_and_no_write_is_lost(engine, caplog):
    tries = []

    def add_ten() -> None:  # read, another transaction commits a change to the row, then write it
        tries.append(1)
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            conn.execute(sa.text("SELECT v FROM t WHERE id = 1")).scalar_one()
            if len(tries) == 1:
                with engine.begin() as other:
                    other.execute(sa.text("UPDATE t SET v = v + 1 WHERE id = 1"))
            conn.execute(sa.text("UPDATE t SET v = v + 10 WHERE id = 1"))

    retried = []
    with caplog.at_level(logging.WARNING, logger="gxcrawler.db.retry"):
        retrying(add_ten, attempts=5, on_retry=retried.append)
    assert (len(tries), retried) == (2, ["40001"])
    assert "serialization failure (SQLSTATE 40001) in add_ten; retry 1 of 5" in caplog.text
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT v FROM t WHERE id = 1")).scalar_one() == 11


def test_a_constraint_violation_surfaces_at_once(engine):
    def duplicate() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO t VALUES (1, 5)"))

    exc, calls = _fails(duplicate)
    assert isinstance(exc, sa.exc.IntegrityError) and calls == 1 and retry_reason(exc) is None


def test_a_programming_error_surfaces_at_once(engine):
    def wrong() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT * FROM no_such_table"))

    exc, calls = _fails(wrong)
    assert isinstance(exc, sa.exc.ProgrammingError) and calls == 1 and retry_reason(exc) is None


def test_a_refused_connection_is_an_outage_not_tried_again(pg_url):
    gone = make_engine(pg_url.replace("127.0.0.1:5432", "127.0.0.1:1").replace("localhost:5432", "127.0.0.1:1"))
    try:
        def connect() -> None:
            with gone.connect():
                pass

        exc, calls = _fails(connect)
    finally:
        gone.dispose()
    assert isinstance(exc, sa.exc.OperationalError) and calls == 1 and retry_reason(exc) == UNAVAILABLE


def test_a_statement_timeout_is_the_statements_failure_not_an_outage(engine):
    """An OperationalError whose SQLSTATE is not the server's state (57014): surfaces at once and is not
    called an outage — an outage is spooled, and a spooled report that times out again each replay
    would hold up every report spooled after it."""
    def slow() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL statement_timeout = '50ms'"))
            conn.execute(sa.text("SELECT pg_sleep(1)"))

    exc, calls = _fails(slow)
    assert isinstance(exc, sa.exc.OperationalError) and calls == 1 and retry_reason(exc) is None


def test_a_server_shutting_down_is_an_outage(engine):
    """A connection the server ends (57P01, an administrator's terminate) is the database's state."""
    with engine.connect() as victim:
        pid = victim.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with engine.begin() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(sa.exc.OperationalError) as info:
            victim.execute(sa.text("SELECT 1"))
    assert retry_reason(info.value) is not None
