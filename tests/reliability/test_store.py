"""The store's side of the promises, on PostgreSQL and SQLite: failures unsettle, runs get closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gxcrawler.crawl import store
from gxcrawler.db import Loader
from gxcrawler.db.runs import start_run
from tests.fixtures.db import RENHE, make_report

SPIDER = RENHE.portal


def _loaded(engine, url: str) -> None:
    result, prov, region = make_report("太平乡", 2021, region=RENHE, page_url=url)
    assert Loader(engine).load(result, prov, region).status == "inserted"
    store.record_fetches(engine, [{"url": url, "spider": SPIDER, "kind": "report", "sha256": prov.sha256,
                                   "etag": '"v1"'}], run_id=None)


def _row(engine, url: str):
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT * FROM fetches WHERE url = :u"), {"u": url}).mappings().one()


def test_a_failed_fetch_unsettles_keeps_what_was_stored_and_a_good_fetch_clears_it(db_engine):
    url = "http://a.gov.cn/1.shtml"
    _loaded(db_engine, url)
    before = _row(db_engine, url)
    assert store.known_fetches(db_engine, SPIDER)[url].settled and before["checked_at"] is not None
    run = start_run(db_engine, SPIDER)
    store.record_failures(db_engine, [{"url": url, "spider": SPIDER, "kind": "report", "status_code": 503,
                                       "outcome": "failed", "message": "http_503 after 2 attempts"}], run)
    after = _row(db_engine, url)
    assert (after["outcome"], after["message"]) == ("failed", "http_503 after 2 attempts")
    assert (after["sha256"], after["etag"], after["report_id"]) == (before["sha256"], before["etag"], before["report_id"])
    assert not store.known_fetches(db_engine, SPIDER)[url].settled
    (listed,) = store.failures_of_last_runs(db_engine)
    assert (listed["url"], listed["message"]) == (url, "http_503 after 2 attempts")

    store.record_fetches(db_engine, [{"url": url, "spider": SPIDER, "kind": "report", "sha256": before["sha256"],
                                      "etag": '"v1"'}], run_id=run)  # fetched fine the next time
    cleared = _row(db_engine, url)
    assert cleared["outcome"] is None and cleared["message"] is None


def test_a_refusal_of_the_loader_stays_when_the_same_bytes_are_recorded_again(db_engine):
    url = "http://a.gov.cn/2.shtml"
    store.record_fetches(db_engine, [{"url": url, "spider": SPIDER, "kind": "report", "sha256": "ab" * 32,
                                      "outcome": "refused"}], run_id=None)
    store.record_fetches(db_engine, [{"url": url, "spider": SPIDER, "kind": "report", "sha256": "ab" * 32}],
                         run_id=None)
    assert _row(db_engine, url)["outcome"] == "refused"
    assert not store.known_fetches(db_engine, SPIDER)[url].settled


def test_checked_marks_a_confirmation(db_engine):
    url = "http://a.gov.cn/3.shtml"
    _loaded(db_engine, url)
    with db_engine.begin() as conn:
        conn.execute(sa.text("UPDATE fetches SET checked_at = :t WHERE url = :u"),
                     {"t": datetime(2020, 1, 1, tzinfo=UTC), "u": url})
    assert store.mark_checked(db_engine, [url], None) == 1
    known = store.known_fetches(db_engine, SPIDER)[url]
    assert datetime.now(UTC) - known.checked_at < timedelta(minutes=5)


def test_an_open_run_is_closed_as_killed_once_its_heartbeat_stops(db_engine):
    now = datetime.now(UTC)
    silent = start_run(db_engine, SPIDER, started_at=now - timedelta(hours=2))
    alive = start_run(db_engine, SPIDER, started_at=now - timedelta(hours=2))
    store.heartbeat(db_engine, alive)
    assert store.close_abandoned_runs(db_engine, SPIDER, now - timedelta(minutes=3)) == 1
    with db_engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT id, reason FROM crawl_runs")).all())
    assert rows[silent].startswith("killed") and rows[alive] is None
