"""Errors a person can act on: arguments checked before any request (one line each), true exit
codes from ``scrapy crawl``, no run recorded by ``scrapy fetch``, an offline machine said so."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date

import pytest
import sqlalchemy as sa

from gxcrawler.crawl import monitors
from gxcrawler.crawl.arguments import ArgumentError, accepted, parse_years, validate
from gxcrawler.db import make_engine
from spiders.portal import PortalSpider
from spiders.xinye import XinyeSpider
from tests.fixtures.sim import FAST, ROOT, run_crawl

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(("text", "years"), [
    ("2021", {2021}), ("2019-2021", {2019, 2020, 2021}), ("2019,2021", {2019, 2021}), ("2019，2021", {2019, 2021}),
    ("", None), ("all", None), ("2008-2008", {2008}), ("2026", {2026}),
])
def test_year_forms(text, years):
    assert parse_years(text, today=TODAY) == years


@pytest.mark.parametrize(("text", "says"), [
    ("abc", "'abc' is not a year"), ("21", "'21' is not a year"), ("2019-", "not a year"),
    ("2023-2019", "reversed (did you mean 2019-2023?)"), ("2007", "before the first annual reports"),
    ("2027", "after this year (2026)"), ("2019,2030", "2030 is after this year"),
])
def test_impossible_years_are_refused_in_one_line(text, says):
    with pytest.raises(ArgumentError, match=re.escape(says)) as info:
        parse_years(text, today=TODAY)
    assert "\n" not in str(info.value) and f"year={text}" in str(info.value)


def test_unknown_arguments_are_named_with_what_the_spider_accepts():
    assert {"year", "agency", "start_url", "refresh"} <= set(accepted(XinyeSpider))
    assert {"depth", "province", "portal", "family"} <= set(accepted(PortalSpider))
    with pytest.raises(ArgumentError, match=r"xinye has no argument -a yaer \(it accepts: agency, refresh"):
        validate(XinyeSpider, {"yaer": "2021"})
    validate(XinyeSpider, {"year": "2021", "_job": "scrapyd-id"})  # a scheduler's own names pass
    with pytest.raises(ArgumentError, match="start_url"):
        validate(PortalSpider, {})
    with pytest.raises(ArgumentError, match="depth='x' is not a number"):
        validate(PortalSpider, {"start_url": "http://www.example.gov.cn/", "depth": "x"})


def _scrapy(*args: str, db_url: str, sim_url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "GXCRAWLER_DATABASE_URL": db_url}
    env.pop("GXCRAWLER_SIMULATION_URL", None)
    if sim_url:
        env["GXCRAWLER_SIMULATION_URL"] = sim_url
    cmd = [sys.executable, "-m", "scrapy", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, errors="replace", timeout=300)


@pytest.mark.parametrize(("args", "says"), [
    (["-a", "year=abc"], "scrapy crawl xinye: year=abc: 'abc' is not a year"),
    (["-a", "year=2023-2019"], "reversed"),
    (["-a", "yaer=2021"], "xinye has no argument -a yaer"),
])
def test_scrapy_crawl_refuses_bad_arguments_before_any_request(tmp_path, args, says):
    db = tmp_path / "gx.sqlite3"
    run = _scrapy("crawl", "xinye", *args, "-s", "LOG_LEVEL=ERROR", db_url=f"sqlite:///{db}")
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith(says) or says in run.stderr.strip().splitlines()[-1]
    assert "Traceback" not in run.stderr and "never retrieved" not in run.stderr
    assert not db.exists()  # refused before the database, let alone a request


def test_scrapy_crawl_names_an_unusable_database_with_its_password_masked(tmp_path, pg_server):
    host = pg_server.split("@")[-1]
    url = f"postgresql://postgres:s3cret@{host}/gx_no_such_database"
    run = _scrapy("crawl", "xinye", "-a", "year=2021", "-s", "LOG_LEVEL=ERROR", db_url=url)
    assert run.returncode == 2
    last = run.stderr.strip().splitlines()[-1]
    assert "gx_no_such_database" in last and "createdb" in last and "***" in last
    assert "s3cret" not in run.stderr and "Traceback" not in run.stderr


def _runs(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text("SELECT * FROM crawl_runs ORDER BY id")))
    finally:
        engine.dispose()


def test_scrapy_crawl_exit_codes_and_the_summary_line_is_the_crawl_runs_row(sim_server, pg_url):
    ok = run_crawl("zbjkq", sim_url=sim_server.url, db_url=pg_url, args={"year": "2021"})
    assert ok.returncode == 0, ok.log[-3000:]
    empty = run_crawl("zbjkq", sim_url=sim_server.url, db_url=pg_url, args={"year": "2009"})
    assert empty.returncode == 1, empty.log[-3000:]  # 0 reports: the run failed its monitors
    first, second = _runs(pg_url)
    assert (first.outcome, second.outcome) == ("success", "failed")
    for run, crawl in ((first, ok), (second, empty)):
        (line,) = re.findall(rf"run {run.id} of zbjkq: .*", crawl.log)
        expected = (f"run {run.id} of zbjkq: {run.outcome}; requests {run.requests}, bytes {run.bytes}, "
                    + ", ".join(f"{k} {getattr(run, k)}" for k in (
                        "reports_found", "reports_new", "reports_changed", "reports_unchanged",
                        "reports_skipped", "reports_failed")))
        assert line == expected + (f"; reason: {run.reason}" if run.reason else "")
    assert first.reports_found > 0 and "0 reports found" in second.reason


def test_scrapy_fetch_records_no_crawl_run(sim_server, pg_url):
    url = "http://www.xinye.gov.cn/xxgknb/index.html"
    run = _scrapy("fetch", "--nolog", "--spider", "xinye", url, db_url=pg_url, sim_url=sim_server.url)
    assert run.returncode == 0 and run.stdout.strip(), run.stderr[-2000:]
    assert sa.inspect(make_engine(pg_url)).get_table_names() == []  # not even migrated


def test_an_offline_machine_is_said_to_be_offline(tmp_path):
    """``.invalid`` never resolves (RFC 6761): as if there were no network at all."""
    db = f"sqlite:///{tmp_path / 'gx.sqlite3'}"
    args = ["crawl", "portal", "-a", "start_url=http://www.gxcrawler-test.invalid/", "-s", "LOG_LEVEL=ERROR"]
    for key, value in FAST.items():
        args += ["-s", f"{key}={value}"]
    run = _scrapy(*args, "-s", "LOG_LEVEL=ERROR", db_url=db)
    assert run.returncode == 1
    (row,) = _runs(db)
    assert "no host name could be resolved" in row.reason and "tests.simulations serve" in row.reason
    assert "http" not in row.reason.split("—")[0].lower()  # not called an HTTP error
    errors = json.loads(row.errors) if isinstance(row.errors, str) else row.errors  # SQLite: JSON text
    assert set(errors) >= {"failed_dns"} and not any(k.startswith("http_") for k in errors)


def test_dns_failures_with_answers_are_not_offline():
    stats = {"gx/failed/dns": 3, "downloader/response_count": 10}
    assert monitors.offline_reason(stats) is None
    assert "offline" in monitors.offline_reason({"gx/failed/dns": 3})


# ---- review8 (2026-12-01): bad input met as a user meets it -------------------------------------


def test_a_url_whose_driver_is_not_installed_is_one_line_with_the_password_masked():
    from gxcrawler.db.engine import DatabaseUnavailable

    for url in ("mysql://u:s3cret@h/d", "postgresql+asyncpg://u:s3cret@h/d"):
        with pytest.raises(DatabaseUnavailable, match="driver is not installed") as info:
            make_engine(url)
        assert "s3cret" not in str(info.value) and "***" in str(info.value)


def test_refresh_takes_a_flag_and_a_typo_is_refused():
    for value in ("1", "yes", "true", "0", "off"):
        validate(XinyeSpider, {"refresh": value})
    with pytest.raises(ArgumentError, match="refresh=ture: use refresh=1"):
        validate(XinyeSpider, {"refresh": "ture"})  # read as "no refresh" before: an incremental crawl


def _scrapy_env(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    full.pop("GXCRAWLER_SIMULATION_URL", None)
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=full, capture_output=True,
                          text=True, errors="replace", timeout=300)


def test_scrapy_crawl_on_an_older_schema_without_auto_migrate_is_one_line_and_exit_2(tmp_path):
    from gxcrawler.db.migrate import current_revision, upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine, "0040")
    engine.dispose()
    run = _scrapy_env("crawl", "xinye", "-a", "year=2021", "-s", "LOG_LEVEL=ERROR",
                      GXCRAWLER_DATABASE_URL=url, GXCRAWLER_AUTO_MIGRATE="0",
                      GXCRAWLER_CRAWLS_DIR=str(tmp_path / "crawls"))
    assert run.returncode == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr and "never retrieved" not in run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("scrapy crawl xinye: ") and "run `gxcrawler db upgrade`" in last
    engine = make_engine(url)
    try:
        assert current_revision(engine) == "0040"
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM crawl_runs")).scalar() == 0
    finally:
        engine.dispose()


def test_scrapy_crawl_refuses_a_crawls_directory_it_cannot_write(tmp_path):
    (tmp_path / "afile").write_text("")  # a path under a file: cannot be created, even by root
    run = _scrapy_env("crawl", "xinye", "-a", "year=2021", "-s", "LOG_LEVEL=ERROR",
                      GXCRAWLER_DATABASE_URL=f"sqlite:///{tmp_path / 'gx.sqlite3'}",
                      GXCRAWLER_CRAWLS_DIR=str(tmp_path / "afile" / "crawls"))
    assert run.returncode == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("scrapy crawl xinye: cannot write the crawls directory") and "GXCRAWLER_CRAWLS_DIR" in last


def test_robots_rules_are_obeyed_when_their_cache_cannot_be_written(tmp_path):
    import asyncio
    from types import SimpleNamespace

    from scrapy.http import TextResponse

    from gxcrawler.crawl.robots import CachedRobotsTxtMiddleware, FileCache

    (tmp_path / "afile").write_text("")
    body = b"User-agent: *\nDisallow: /private/\n"

    async def download_async(request):
        return TextResponse(request.url, body=body, status=200)

    mw = object.__new__(CachedRobotsTxtMiddleware)
    mw.cache = FileCache(tmp_path / "afile" / "robots")
    mw._stats = SimpleNamespace(inc_value=lambda *a, **k: None)
    mw.crawler = SimpleNamespace(engine=SimpleNamespace(download_async=download_async))
    # before: the OSError of the cache made the middleware treat robots.txt as failed — nothing forbidden
    assert asyncio.run(mw._fetch("http://a.gov.cn", None)) == body


def test_crawl_all_outside_the_project_directory_is_an_error_not_a_success(tmp_path):
    # before: no scrapy.cfg → no spiders → an empty summary and exit 0 ("every run succeeded")
    env = {k: v for k, v in os.environ.items() if k not in ("SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT")}
    env.update(PYTHONPATH=str(ROOT), GXCRAWLER_DATABASE_URL=f"sqlite:///{tmp_path / 'gx.sqlite3'}")
    run = subprocess.run([sys.executable, "-m", "gxcrawler", "crawl-all", "--year", "2021"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("crawl-all: no spiders found")
    assert not (tmp_path / "gx.sqlite3").exists()


@pytest.mark.parametrize("action", ["upgrade", "downgrade"])
def test_db_upgrade_or_downgrade_to_an_unknown_revision_is_one_line(tmp_path, action):
    url = f"sqlite:///{tmp_path / 'gx.sqlite3'}"
    engine = make_engine(url)
    from gxcrawler.db.migrate import upgrade

    upgrade(engine, "0040")
    engine.dispose()
    run = subprocess.run([sys.executable, "-m", "gxcrawler", "db", "--url", url, action, "9999"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr[-2000:]  # before: alembic's CommandError, a traceback, exit 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("gxcrawler db: revision '9999': Can't locate revision")
