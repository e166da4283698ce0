"""The helpers the nightly crawl uses: fetches (incremental re-crawls) and crawl_runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gxcrawler.db import Loader
from gxcrawler.db.fetches import known, mark_seen, mark_unlisted, record_fetch
from gxcrawler.db.runs import finish_run, start_run, tally
from tests.fixtures.db import make_report

T0 = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)


def test_record_fetch_inserts_then_updates_keeping_what_is_not_given(db_engine):
    url = "http://www.screnhe.gov.cn/zfxxgk/zfxxgknb/rhq/index.shtml"
    assert known(db_engine, url) is None
    record_fetch(
        db_engine, url, spider="panzhihua", kind="list", etag='"abc"', last_modified="Mon", seen_at=T0
    )
    record_fetch(
        db_engine, url, spider="panzhihua", kind="list", status_code=304, seen_at=T0 + timedelta(days=1)
    )
    row = known(db_engine, url)
    assert row["etag"] == '"abc"' and row["last_modified"] == "Mon" and row["status_code"] == 304
    assert row["first_seen"] == T0 or row["first_seen"].replace(tzinfo=UTC) == T0
    assert row["last_seen"] > row["first_seen"]


def test_mark_seen_and_unlisted_follow_the_list_pages(db_engine):
    loader = Loader(db_engine)
    kept = make_report("蚌峨乡", 2022)
    gone = make_report("平远镇", 2022)
    for report in (kept, gone):
        report[1].fetched_at = T0
    loader.load_many([kept, gone])

    run_id = start_run(db_engine, "yanshan", {"year": 2022}, started_at=T0 + timedelta(days=1))
    assert (
        mark_seen(db_engine, [kept[1].page_url, "http://never.seen/"], run_id, seen_at=T0 + timedelta(days=1))
        == 1
    )
    assert mark_unlisted(db_engine, "yanshan", seen_since=T0 + timedelta(hours=12)) == 1

    assert known(db_engine, kept[1].page_url)["listed"] is True
    assert known(db_engine, kept[1].page_url)["last_run_id"] == run_id
    assert known(db_engine, gone[1].page_url)["listed"] is False
    with db_engine.connect() as conn:
        listed = dict(
            conn.execute(
                sa.text("SELECT a.short_name, r.listed FROM reports r JOIN agencies a ON a.id = r.agency_id")
            ).all()
        )
    assert {k: bool(v) for k, v in listed.items()} == {"蚌峨乡人民政府": True, "平远镇人民政府": False}


def test_loader_links_fetches_to_reports(db_engine):
    outcome = Loader(db_engine).load(*make_report("蚌峨乡", 2023))
    result, prov, _ = make_report("蚌峨乡", 2023)
    row = known(db_engine, prov.page_url)
    assert row["report_id"] == outcome.report_id
    assert row["sha256"] == prov.sha256 and row["outcome"] == "inserted"
    assert row["region"]["county"] == "砚山县" and row["hints"]["title"] == result.title


def test_crawl_run_lifecycle(db_engine):
    run_id = start_run(db_engine, "panzhihua", {"year": 2021})
    counts = tally(["inserted", "inserted", "unchanged", "failed", "skipped", "updated"])
    assert counts == {
        "reports_new": 2,
        "reports_changed": 1,
        "reports_unchanged": 1,
        "reports_skipped": 1,
        "reports_failed": 1,
        "reports_found": 6,
    }
    finish_run(
        db_engine,
        run_id,
        outcome="partial",
        reason="1 failed",
        requests=40,
        bytes=123456,
        errors={"timeout": 2},
        **counts,
    )
    with db_engine.connect() as conn:
        run = conn.execute(sa.text("SELECT * FROM crawl_runs WHERE id = :i"), {"i": run_id}).one()
    assert (run.spider, run.outcome, run.requests, run.bytes, run.reports_new, run.reports_found) == (
        "panzhihua",
        "partial",
        40,
        123456,
        2,
        6,
    )
    assert run.finished_at is not None
    errors = run.errors if isinstance(run.errors, dict) else json.loads(run.errors)
    assert errors == {"timeout": 2}
