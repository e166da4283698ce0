"""The crawl's last writes meet a transient database failure: tried again, not called an outage.

The fetch ledger writes every row of the night in its final drain here (``GX_FETCH_FLUSH_EVERY``
out of reach), and each of the drain's statements locks its rows in URL order. The test holds
the row lock of the greatest URL the night writes from before the crawl starts, so the drain
statement that writes it waits there last, holding its other rows; then the test provokes, for real,

* a deadlock (SQLSTATE 40P01): it asks for those other rows; PostgreSQL aborts the crawl's statement
  (the test's ``deadlock_timeout`` is the longer) — retried, the night is a success;
* a lock timeout (55P03): the crawl's connections have ``lock_timeout``; the lock is released once
  the crawl logged its first retry — the night is a success;
* a connection dropped under the statement, the server back at once — the night is a success;
* a connection dropped under the statement and the server gone for good: the drop is retried once,
  the refused connection is not (no backoff ladder), the rows are spooled and the run says so.

Second nights of the Panzhihua simulation (``gxcrawler crawl-all`` in a subprocess, real PostgreSQL).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest

from tests.fixtures.faults import FaultyPortal
from tests.fixtures.nightly import query

pytestmark = pytest.mark.slow
YEAR = "2021"
#: nothing written before the end: every fetch row of the night waits for the final drain
AT_THE_END = {"GX_FETCH_FLUSH_EVERY": "1000000", "GX_FETCH_FLUSH_SECONDS": "0", "GX_HEARTBEAT_SECONDS": "0"}


def _connect(db_url: str):
    return psycopg2.connect(db_url.replace("postgresql+psycopg2://", "postgresql://"))


def _first_night(portal: FaultyPortal, db_url: str) -> None:
    night = portal.run(db_url, "--year", YEAR)
    assert night.returncode == 0, night.stdout[-3000:]
    portal.server.reset_counts()


@contextmanager
def _holding_the_last_row(db_url: str) -> Iterator[tuple]:
    """A transaction holding the row lock of the greatest URL in ``fetches``: (cursor, that URL)."""
    conn = _connect(db_url)
    try:
        cur = conn.cursor()
        cur.execute("SET deadlock_timeout = '60s'")  # the crawl's backend (1 s) finds a deadlock: its statement goes
        cur.execute("SELECT url FROM fetches ORDER BY url DESC LIMIT 1 FOR UPDATE")
        (last,) = cur.fetchone()
        yield cur, last
    finally:
        conn.rollback()
        conn.close()


def _wait_for_a_waiter(cur, crawl, log: Path, timeout: float = 240) -> None:
    """Until another backend waits for a lock (the drain, on the held row); the crawl must be running.

    ``cur`` polls inside the transaction that holds the row, and PostgreSQL shows a transaction the
    sessions of ``pg_stat_activity`` as they were at its first look: a backend connected later (the
    drain's) would never be seen. The snapshot is dropped before every look.
    """
    deadline = time.monotonic() + timeout
    while True:
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                    " WHERE NOT l.granted AND a.datname = current_database() AND l.pid <> pg_backend_pid()")
        if cur.fetchone()[0]:
            return
        if crawl.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the crawl never waited for the held row lock:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def _wait_for_line(log: Path, text: str, crawl, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        if crawl.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the crawl never logged {text!r}:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def _night_rows(db_url: str) -> tuple[int, int]:
    """(the last run's id, how many fetches rows it wrote)."""
    (run,) = query(db_url, "SELECT max(id) AS id FROM crawl_runs")
    (rows,) = query(db_url, "SELECT count(*) AS n FROM fetches WHERE last_run_id = :run", run=run.id)
    return run.id, rows.n


def _assert_ok(db_url: str, portal: FaultyPortal, crawl, log: Path, retried: str, expected_rows: int) -> None:
    """The night ended a success, every fetch row written, nothing spooled, and it did meet the failure."""
    text = log.read_text()
    assert crawl.wait(timeout=300) == 0, text[-3000:]
    text = log.read_text()
    run_id, rows = _night_rows(db_url)
    (run,) = query(db_url, "SELECT outcome, reason FROM crawl_runs WHERE id = :id", id=run_id)
    assert (run.outcome, run.reason) == ("success", None)
    assert rows == expected_rows  # every row the night had to write, by this night
    assert not list((portal.crawls_dir / "spool").rglob("*.json")), "something was spooled"
    assert retried in text and "'gx/db/retries': " in text


def _control_rows(portal: FaultyPortal, db_url: str) -> int:
    """How many fetches rows a second night writes when nothing goes wrong."""
    night = portal.run(db_url, "--year", YEAR, settings=AT_THE_END)
    assert night.returncode == 0, night.stdout[-3000:]
    portal.server.reset_counts()
    return _night_rows(db_url)[1]


class _Running:
    """Stands for the crawl's process in :func:`_wait_for_a_waiter`: still running."""

    def poll(self) -> None:
        return None


def test_the_wait_sees_a_waiter_that_connected_after_its_first_look(pg_url, tmp_path):
    """Another session's lock wait makes the holder's transaction take its look at the sessions; a
    backend that connects afterwards and waits for the held row must still be seen (the drain's, on a
    busy server: what hung this file's crawls once, 240 s, with the night's drain waiting as it should)."""
    setup = _connect(pg_url)
    setup.autocommit = True
    setup.cursor().execute("CREATE TABLE waiter_probe (u text PRIMARY KEY); INSERT INTO waiter_probe VALUES ('a'), ('b')")
    holder, other = _connect(pg_url), _connect(pg_url)
    waits: list[threading.Thread] = []
    log = tmp_path / "crawl.log"
    log.write_text("")

    def wait_for(row: str) -> None:
        conn = _connect(pg_url)
        try:
            conn.cursor().execute("UPDATE waiter_probe SET u = u WHERE u = %s", (row,))
        finally:
            conn.rollback()
            conn.close()

    try:
        cur = holder.cursor()
        cur.execute("SELECT u FROM waiter_probe WHERE u = 'b' FOR UPDATE")
        other.cursor().execute("SELECT u FROM waiter_probe WHERE u = 'a' FOR UPDATE")
        waits.append(threading.Thread(target=wait_for, args=("a",), daemon=True))
        waits[-1].start()
        _wait_for_a_waiter(cur, _Running(), log, timeout=10)  # the first look: 'a' waits
        other.rollback()
        waits[-1].join(10)
        waits.append(threading.Thread(target=wait_for, args=("b",), daemon=True))  # a new session
        waits[-1].start()
        _wait_for_a_waiter(cur, _Running(), log, timeout=10)
    finally:
        holder.rollback()
        for thread in waits:
            thread.join(10)
        for conn in (holder, other, setup):
            conn.close()


def test_a_deadlock_in_the_final_drain_is_retried_and_the_night_ends_ok(faulty, pg_url, tmp_path):
    _first_night(faulty, pg_url)
    expected = _control_rows(faulty, pg_url)
    assert expected > 10
    log = tmp_path / "night.log"
    with _holding_the_last_row(pg_url) as (cur, last):
        crawl = faulty.start(pg_url, "--year", YEAR, settings=AT_THE_END, log=log)
        _wait_for_a_waiter(cur, crawl, log)
        # the drain's statement holds every row before ``last``: asking for them closes the cycle
        cur.execute("SELECT url FROM fetches WHERE url < %s ORDER BY url FOR UPDATE", (last,))
    _assert_ok(pg_url, faulty, crawl, log, "deadlock detected (SQLSTATE 40P01)", expected)


def test_a_lock_timeout_in_the_final_drain_is_retried_and_the_night_ends_ok(faulty, pg_url, tmp_path):
    _first_night(faulty, pg_url)
    expected = _control_rows(faulty, pg_url)
    log = tmp_path / "night.log"
    impatient = f"{pg_url}?options={quote('-c lock_timeout=300')}"
    with _holding_the_last_row(pg_url):
        crawl = faulty.start(impatient, "--year", YEAR, settings=AT_THE_END, log=log)
        _wait_for_line(log, "(SQLSTATE 55P03)", crawl)
    _assert_ok(pg_url, faulty, crawl, log, "lock not available (SQLSTATE 55P03)", expected)


def test_a_connection_dropped_in_the_final_drain_is_retried_and_the_night_ends_ok(faulty, pg_url, proxy, tmp_path):
    _first_night(faulty, pg_url)
    expected = _control_rows(faulty, pg_url)
    log = tmp_path / "night.log"
    with _holding_the_last_row(pg_url) as (cur, _):
        crawl = faulty.start(proxy.url_for(pg_url), "--year", YEAR, settings=AT_THE_END, log=log)
        _wait_for_a_waiter(cur, crawl, log)
        proxy.cut()  # the drain's connection dies under its statement …
        proxy.restore()  # … and the server answers again at once
    _assert_ok(pg_url, faulty, crawl, log, "database: connection lost in", expected)


def test_a_database_gone_in_the_final_drain_spools_at_once_and_says_so(faulty, pg_url, proxy, tmp_path):
    _first_night(faulty, pg_url)
    log = tmp_path / "night.log"
    with _holding_the_last_row(pg_url) as (cur, _):
        crawl = faulty.start(proxy.url_for(pg_url), "--year", YEAR, settings=AT_THE_END, log=log)
        _wait_for_a_waiter(cur, crawl, log)
        proxy.cut()  # gone, and stays gone
        cut_at = time.monotonic()
        assert crawl.wait(timeout=120) == 1, log.read_text()[-3000:]
        took = time.monotonic() - cut_at
    text = log.read_text()
    # the dropped connection was worth one more try; the refused one was not
    assert text.count("database: connection lost in") == 1, text[-3000:]
    assert "retry 2 of" not in text
    assert "database unavailable:" in text and "fetch records not written (spooled)" in text
    assert took < 30, f"{took:.0f} s from the outage to the end of the crawl"
    spool = faulty.crawls_dir / "spool" / "panzhihua" / "rows"
    assert list(spool.glob("*.json")), "the night's fetch rows were not spooled"
    _, rows = _night_rows(pg_url)
    assert rows == 0  # nothing of the night reached the database


# ---------------------------------------------------------------- the loader's batches, the same classification


def _night_with_reports_locked(faulty: FaultyPortal, pg_url: str, log: Path, settings: dict[str, str],
                               until: str):
    """A night whose connections have ``lock_timeout`` 300 ms, started with ``reports`` locked against
    writes (reads go on) and the lock released once the crawl logs ``until``: the crawl's process."""
    from gxcrawler.db import ensure_schema, make_engine

    engine = make_engine(pg_url)
    ensure_schema(engine)  # so the test can lock ``reports`` before the crawl's first batch
    engine.dispose()
    conn = _connect(pg_url)
    try:
        conn.cursor().execute("LOCK TABLE reports IN EXCLUSIVE MODE")
        crawl = faulty.start(f"{pg_url}?options={quote('-c lock_timeout=300')}", "--year", YEAR,
                             settings=settings, log=log)
        _wait_for_line(log, until, crawl)
    finally:
        conn.rollback()
        conn.close()
    return crawl


def _assert_every_report_loaded(faulty: FaultyPortal, pg_url: str, crawl, log: Path) -> str:
    """The night a success, every report of the year loaded, nothing spooled: its log."""
    assert crawl.wait(timeout=300) == 0, log.read_text()[-3000:]
    (run,) = query(pg_url, "SELECT outcome, reports_new FROM crawl_runs")
    assert (run.outcome, run.reports_new) == ("success", len(faulty.sim.expected_reports(int(YEAR))))
    assert query(pg_url, "SELECT count(*) AS n FROM reports")[0].n == run.reports_new
    assert not list((faulty.crawls_dir / "spool").rglob("*.json")), "something was spooled"
    return log.read_text()


def test_a_lock_timeout_on_a_batch_of_reports_is_retried_at_once_and_every_report_loaded(faulty, pg_url, tmp_path):
    """The loader's batch meets a lock timeout (55P03) on ``reports``: tried again at once (not the
    outage ladder of ``GX_LOAD_RETRY_SECONDS``), every report loaded once the lock goes, nothing spooled."""
    log = tmp_path / "night.log"
    crawl = _night_with_reports_locked(faulty, pg_url, log, {"GX_LOAD_RETRY_SECONDS": "5"},
                                       until="lock not available (SQLSTATE 55P03) in loading")
    text = _assert_every_report_loaded(faulty, pg_url, crawl, log)
    assert "database unreachable; retrying" not in text  # not taken for an outage
    assert "'gx/db/retries': " in text


def test_a_lock_held_past_the_quick_retries_is_called_busy_not_unreachable(faulty, pg_url, tmp_path):
    """``reports`` locked for longer than the quick retries (``GX_DB_RETRIES``): the batch goes on to the
    slower ladder, which says the database is busy and why — it answers, it is not an outage — and
    every report is loaded once the lock goes."""
    log = tmp_path / "night.log"
    crawl = _night_with_reports_locked(faulty, pg_url, log, {"GX_LOAD_RETRY_SECONDS": "300", "GX_DB_RETRIES": "2"},
                                       until="database busy: lock not available (SQLSTATE 55P03); retrying")
    text = _assert_every_report_loaded(faulty, pg_url, crawl, log)
    assert "database unreachable" not in text
