"""Faults of the database, the machine and time, and documents that change behind unchanged pages.

Each test crawls a simulated portal with ``gxcrawler crawl-all`` in a subprocess against a
real PostgreSQL database, injects one fault, and checks what is stored, what is recorded,
and that the crawl completed (or resumes and completes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

import psycopg2
import pytest
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.request import RequestFingerprinter

from tests.fixtures.faults import FaultyPortal, faulty_portal, stored
from tests.fixtures.nightly import ROOT, query
from tests.fixtures.pg import create_database, drop_database
from tests.reliability import faults as F

pytestmark = pytest.mark.slow
YEAR = 2021
#: one request at a time, a little apart: slow enough to act while the crawl runs
SLOW = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.15", "GXCRAWLER_LOAD_BATCH": "2"}


@pytest.fixture(scope="module")
def reference(pg_server, tmp_path_factory) -> dict[str, object]:
    """What a fault-free crawl of the Panzhihua simulation's 2021 reports stores."""
    portal = faulty_portal("panzhihua", tmp_path_factory.mktemp("ref"))
    db = create_database("gxc_nights_ref")
    try:
        assert portal.run(db, "--year", str(YEAR)).returncode == 0
        return stored(db)
    finally:
        portal.server.stop()
        drop_database(db)


def _loaded(db: str) -> int:
    try:
        return query(db, "SELECT count(*) AS n FROM reports")[0].n
    except Exception:  # noqa: BLE001 - the schema is not there yet
        return 0


def _wait_for(condition, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


# ---------------------------------------------------------------- documents behind unchanged pages


def _change(doc) -> None:
    report = doc.pub.report
    key = next(k for k, text in sorted(report.printed.items()) if k.startswith("s2.") and text.isdigit())
    report.values[key] += 7
    report.printed[key] = str(report.values[key])
    return key, report.values[key]


#: the Luoning simulation renders each PDF/Word attachment on its first request (seconds)
RENDERING = {"DOWNLOAD_TIMEOUT": "120"}


@pytest.fixture()
def luoning(tmp_path):
    portal = faulty_portal("luoning", tmp_path / "crawls")
    try:
        yield portal
    finally:
        portal.server.stop()


def _complete_first_night(portal: FaultyPortal, db: str, settings: dict[str, str] | None = None) -> None:
    result = portal.run(db, "--year", str(YEAR), settings={**RENDERING, **(settings or {})})
    assert result.returncode == 0, result.stdout[-2000:]
    assert _loaded(db) == len(portal.sim.expected_reports(YEAR))


def _attachment_doc(portal: FaultyPortal, kind: str):
    sim = portal.sim.inner
    return next(d for d in sim.docs if d.pub and d.pub.year == YEAR and d.kind == kind and not d.gone)


def test_a_changed_attachment_behind_a_304_page_is_found(luoning, pg_url):
    _complete_first_night(luoning, pg_url)
    doc = _attachment_doc(luoning, "pdf")
    key, value = _change(doc)
    luoning.sim.inner._files.pop(doc.url, None)  # the server renders the new version
    luoning.server.reset_counts()

    night2 = luoning.run(pg_url, "--year", str(YEAR), settings=RENDERING)
    assert night2.returncode == 0, night2.stdout[-2000:]
    assert luoning.server.requested(doc.url) == ["304"]  # the page did not change …
    assert luoning.server.requested(doc.attachment) == ["200"]  # … its attachment did, and was fetched
    (row,) = query(pg_url, "SELECT v.value FROM report_values v JOIN reports r ON r.id = v.report_id "
                           "WHERE r.document_url = :u AND v.key = :k", u=doc.attachment, k=key)
    assert row.value == value
    run = query(pg_url, "SELECT reports_changed, reports_unchanged, reports_found FROM crawl_runs ORDER BY id")[-1]
    assert run.reports_changed == 1 and run.reports_unchanged == run.reports_found - 1


def test_an_attachment_without_validators_is_refetched_on_schedule_and_compared_by_hash(luoning, pg_url):
    doc = _attachment_doc(luoning, "docx")
    luoning.server.faults[doc.attachment] = F.NoValidators()
    nightly = {"GX_REFETCH_EVERY": "1", **RENDERING}  # every night; docs/reliability.md: each within N nights
    _complete_first_night(luoning, pg_url, nightly)
    before = stored(pg_url)

    luoning.server.reset_counts()  # night 2: same bytes
    (confirmed,) = query(pg_url, "SELECT checked_at FROM fetches WHERE url = :u", u=doc.attachment)
    night2 = luoning.run(pg_url, "--year", str(YEAR), settings=nightly)
    assert night2.returncode == 0
    assert luoning.server.requested(doc.attachment) == ["fault:200"]  # downloaded again …
    assert stored(pg_url) == before  # … and found equal by its hash
    assert "Error downloading" not in night2.stdout + night2.stderr  # the same-hash path once raised here
    (now,) = query(pg_url, "SELECT checked_at FROM fetches WHERE url = :u", u=doc.attachment)
    assert now.checked_at > confirmed.checked_at  # confirmed unchanged tonight
    run = query(pg_url, "SELECT reports_changed, reports_new FROM crawl_runs ORDER BY id")[-1]
    assert (run.reports_changed, run.reports_new) == (0, 0)

    key, value = _change(doc)  # night 3: new bytes, still no validators
    luoning.sim.inner._files.pop(doc.url, None)
    assert luoning.run(pg_url, "--year", str(YEAR), settings=nightly).returncode == 0
    (row,) = query(pg_url, "SELECT v.value FROM report_values v JOIN reports r ON r.id = v.report_id "
                           "WHERE r.document_url = :u AND v.key = :k", u=doc.attachment, k=key)
    assert row.value == value
    assert query(pg_url, "SELECT reports_changed FROM crawl_runs ORDER BY id")[-1].reports_changed == 1


# ---------------------------------------------------------------- the database goes away


def test_a_short_database_outage_loses_nothing(faulty, pg_url, proxy, reference, tmp_path):
    crawl = faulty.start(proxy.url_for(pg_url), "--year", str(YEAR), settings=SLOW, log=tmp_path / "crawl.log")
    _wait_for(lambda: _loaded(pg_url) >= 3, "the first reports")
    proxy.cut()
    time.sleep(6)
    proxy.restore()
    assert crawl.wait(timeout=300) == 0, (tmp_path / "crawl.log").read_text()[-3000:]
    assert stored(pg_url) == reference
    (run,) = query(pg_url, "SELECT outcome, reports_found FROM crawl_runs")
    assert run.outcome == "success"
    log = (tmp_path / "crawl.log").read_text()
    assert "database unreachable; retrying" in log  # it did meet the outage


def test_a_database_gone_until_the_end_spools_and_the_next_start_loads_it(faulty, pg_url, proxy, reference,
                                                                          tmp_path):
    slow = {**SLOW, "GX_LOAD_RETRY_SECONDS": "2"}
    crawl = faulty.start(proxy.url_for(pg_url), "--year", str(YEAR), settings=slow, log=tmp_path / "crawl.log")
    _wait_for(lambda: _loaded(pg_url) >= 3, "the first reports")
    proxy.cut()
    assert crawl.wait(timeout=300) == 1  # failed: and says why …
    log = (tmp_path / "crawl.log").read_text()
    assert "database unavailable" in log and "spooled" in log
    spool = faulty.crawls_dir / "spool" / "panzhihua"
    assert list((spool / "reports").glob("*.json")), "nothing was spooled"
    assert 3 <= _loaded(pg_url) < len(reference["reports"])

    proxy.restore()  # the next night, with the database back
    faulty.server.reset_counts()
    night2 = faulty.run(proxy.url_for(pg_url), "--year", str(YEAR))
    assert night2.returncode == 0, night2.stdout[-3000:]
    assert stored(pg_url) == reference
    assert not list(spool.rglob("*.json"))
    runs = query(pg_url, "SELECT outcome, reason, finished_at FROM crawl_runs ORDER BY id")
    assert runs[0].outcome == "failed" and "database unavailable" in runs[0].reason and runs[0].finished_at
    assert runs[1].outcome == "success"


def test_a_locked_fetches_table_does_not_stop_the_downloads(faulty, pg_url, reference, tmp_path):
    crawl = faulty.start(pg_url, "--year", str(YEAR), settings=SLOW, log=tmp_path / "crawl.log")
    _wait_for(lambda: _loaded(pg_url) >= 3, "the first reports")
    conn = psycopg2.connect(pg_url.replace("postgresql+psycopg2://", "postgresql://"))
    try:
        with conn.cursor() as cur:
            cur.execute("LOCK TABLE fetches IN ACCESS EXCLUSIVE MODE")
            locked_at = time.monotonic()
            time.sleep(6)
            during = [t for t, *_ in faulty.server.timed if locked_at + 1 < t < locked_at + 5]
        conn.rollback()
    finally:
        conn.close()
    assert crawl.wait(timeout=300) == 0, (tmp_path / "crawl.log").read_text()[-3000:]
    assert len(during) >= 5, f"only {len(during)} requests while the table was locked"
    assert stored(pg_url) == reference


# ---------------------------------------------------------------- runs that end early or are resumed


def test_a_resumed_run_with_nothing_left_to_do_is_a_success(faulty, pg_url):
    first = faulty.run(pg_url, "--year", str(YEAR))
    assert first.returncode == 0
    # the state a crawl leaves when it is stopped after its last request: every request seen
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    (started,) = query(pg_url, "SELECT started_at FROM crawl_runs")
    jobdir = faulty.crawls_dir / f"panzhihua-{YEAR}"
    jobdir.mkdir(parents=True)
    (jobdir / "gx.origin").write_text(started.started_at.isoformat())
    spider = SpiderLoader.from_settings(get_project_settings()).load("panzhihua")
    seen = RFPDupeFilter(str(jobdir), fingerprinter=RequestFingerprinter())  # Scrapy writes its own format
    for column in spider.columns:
        seen.request_seen(Request(column if isinstance(column, str) else column.url))
    seen.close("shutdown")

    faulty.server.reset_counts()
    resumed = faulty.run(pg_url, "--year", str(YEAR))
    assert resumed.returncode == 0, resumed.stdout[-2000:]
    runs = query(pg_url, "SELECT outcome, reason, reports_found, args FROM crawl_runs ORDER BY id")
    assert "resumed_from" in runs[1].args and runs[1].reports_found == 0
    assert (runs[1].outcome, runs[1].reason) == ("success", None)


def test_the_time_budget_ends_a_run_partial_and_the_next_run_completes_it(faulty, pg_url, reference):
    budget = {**SLOW, "CLOSESPIDER_TIMEOUT": "4", "DOWNLOAD_DELAY": "0.3"}
    first = faulty.run(pg_url, "--year", str(YEAR), settings=budget)
    assert first.returncode == 3, first.stdout[-2000:]  # interrupted, to be resumed
    (run,) = query(pg_url, "SELECT outcome, reason FROM crawl_runs")
    assert run.outcome == "partial" and run.reason.startswith("time budget")
    assert _loaded(pg_url) < len(reference["reports"])

    second = faulty.run(pg_url, "--year", str(YEAR))
    assert second.returncode == 0, second.stdout[-2000:]
    assert stored(pg_url) == reference


# ---------------------------------------------------------------- security


def _portal_crawl(start_url: str, db_url: str, *settings: str) -> tuple[int, str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"start_url={start_url}",
           "-s", "RETRY_TIMES=0", "-s", "LOG_LEVEL=INFO", *settings]
    env = {k: v for k, v in os.environ.items() if k != "GXCRAWLER_SIMULATION_URL"}
    env["GXCRAWLER_DATABASE_URL"] = db_url
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    return proc.returncode, proc.stdout + proc.stderr


def test_a_host_name_resolving_to_a_private_address_is_never_connected(faulty, pg_url):
    start = f"http://localhost:{urlsplit(faulty.server.url).port}/xxgk/nb/index.html"
    _, log = _portal_crawl(start, pg_url)
    assert not faulty.server.timed, "a request reached the loopback server"
    (run,) = query(pg_url, "SELECT errors FROM crawl_runs")
    reasons = {f["url"]: f["reason"] for f in run.errors["failed"]}
    assert reasons[start].startswith("blocked: localhost resolves to 127.0.0.1"), reasons
    # the same crawl allowed to (an operator's private mirror): it does reach the server
    _portal_crawl(start, pg_url, "-s", "GX_ALLOW_PRIVATE_ADDRESSES=True")
    assert faulty.server.timed


def test_credentials_never_reach_logs_or_the_database(faulty, pg_url):
    secret = "S3cr3tPw-Do-Not-Print"
    with_password = pg_url.replace("postgres@", f"postgres:{secret}@")  # trust auth ignores it
    faulty.server.faults[next(iter(faulty.sim.expected_reports(YEAR))).page_url] = F.Status(500, with_password.encode())
    result = faulty.run(with_password, "--year", str(YEAR), settings={"LOG_LEVEL": "DEBUG"})
    assert result.returncode in (0, 1)
    assert secret not in result.stdout + result.stderr
    rows = query(pg_url, "SELECT reason, errors::text AS errors FROM crawl_runs")
    rows += query(pg_url, "SELECT message AS reason, hints::text AS errors FROM fetches")
    assert not [r for r in rows if secret in (r.reason or "") + (r.errors or "")]


def test_the_log_filter_masks_a_password_in_any_message(caplog):
    import logging

    from gxcrawler.redact import RedactingFilter

    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "cannot connect to %s", ("postgresql://u:pw1@h/db",),
                               None)
    assert RedactingFilter().filter(record) and record.getMessage() == "cannot connect to postgresql://u:***@h/db"

