"""Run outcomes end to end: anti-bot pages, a spider finding nothing, crawl-all's exit code."""

from __future__ import annotations

import hashlib

import pytest

from tests.fixtures.nightly import JS_CHALLENGE, host, query
from tests.simulations.base import SimResponse

pytestmark = pytest.mark.slow
YEAR = 2021


def test_challenge_page_is_recorded_backed_off_and_never_stored(nightly, pg_url):
    reports = nightly.sim.expected_reports(YEAR)
    by_host: dict[str, set[str]] = {}
    for r in reports:
        by_host.setdefault(host(r.page_url), set()).add(r.page_url)
    busiest = max(by_host, key=lambda h: len(by_host[h]))
    assert len(by_host[busiest]) >= 3
    challenge = SimResponse(412, JS_CHALLENGE, {"Content-Type": "text/html", "Server": "WAF"})
    for url in by_host[busiest]:  # the WAF answers every report page of that host
        nightly.sim.challenges[url] = challenge

    # one request in flight at a time, so nothing was already on its way when the block came
    result = nightly.run(pg_url, "--year", str(YEAR), settings={"CONCURRENT_REQUESTS": "1"})
    assert result.returncode == 1, result.stdout + result.stderr  # the anti-bot monitor failed the run
    log = nightly.responses()
    challenged = [i for i, (_, url, status) in enumerate(log) if status == 412]
    assert len(challenged) == 1, "the host was not backed off after its first challenge"
    blocked = log[challenged[0]][1]
    assert blocked in by_host[busiest]
    assert not [url for _, url, _ in log[challenged[0] + 1 :] if host(url) == busiest]

    (run,) = query(pg_url, "SELECT outcome, reason, errors FROM crawl_runs")
    assert run.outcome == "failed" and "anti-bot" in run.reason and blocked in run.reason
    assert run.errors["antibot_pages"] == [{"url": blocked, "kind": "js_challenge"}]
    assert run.errors["antibot_js_challenge"] == 1

    # never parsed or stored as a report, nor remembered as fetched content: its fetches row
    # only says why it could not be got (issue 9), so the next run asks again
    assert not query(pg_url, "SELECT 1 FROM reports WHERE page_url = :u OR document_url = :u", u=blocked)
    assert not query(pg_url, "SELECT 1 FROM documents WHERE sha256 = :s", s=hashlib.sha256(JS_CHALLENGE).hexdigest())
    (row,) = query(pg_url, "SELECT sha256, outcome, message FROM fetches WHERE url = :u", u=blocked)
    assert (row.sha256, row.outcome) == (None, "failed") and row.message.startswith("challenge: js_challenge")
    loaded = {r.page_url for r in query(pg_url, "SELECT page_url FROM reports")}
    other_hosts = {u for h, urls in by_host.items() if h != busiest for u in urls}
    assert other_hosts <= loaded  # the other hosts were crawled as usual


def test_spider_finding_no_reports_fails_its_run_and_crawl_all(nightly, pg_url):
    result = nightly.run(pg_url, "--year", "2015")  # the portal has nothing that old
    assert result.returncode == 1
    assert "failed" in result.stdout and "0 reports found" in result.stdout
    (run,) = query(pg_url, "SELECT outcome, reason, reports_found, args FROM crawl_runs")
    assert (run.outcome, run.reports_found) == ("failed", 0)
    assert "0 reports found" in run.reason and run.args["year"] == "2015"


def test_crawl_all_succeeds_with_zero_exit_and_records_the_run(nightly, pg_url):
    result = nightly.run(pg_url, "--year", str(YEAR))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("spider"))
    row = lines[header + 2].split()
    expected = len(nightly.sim.expected_reports(YEAR))
    assert row[:2] == ["panzhihua", "success"] and row[4:6] == [str(expected), str(expected)]
    (run,) = query(pg_url, "SELECT * FROM crawl_runs")
    assert run.outcome == "success" and run.reason is None and run.finished_at > run.started_at
    assert run.requests == int(row[2]) and run.bytes > 0 and run.reports_new == expected


def test_crawl_all_rejects_unknown_spider(nightly, pg_url):
    result = nightly.run(pg_url, "--spider", "no_such_portal")
    assert result.returncode == 2 and "unknown spider" in result.stderr


def test_crawl_all_runs_several_spiders_in_one_process(sim_server, pg_url, tmp_path):
    import os
    import subprocess
    import sys

    from tests.fixtures.nightly import ROOT
    from tests.fixtures.sim import FAST
    from tests.simulations.registry import simulation

    spiders = ["xinye", "luoning"]
    cmd = [sys.executable, "-m", "gxcrawler", "crawl-all", "--year", str(YEAR), "--progress", "0.5"]
    for name in spiders:
        cmd += ["--spider", name]
    for key, value in {**FAST, "GX_CRAWLS_DIR": str(tmp_path)}.items():
        cmd += ["-s", f"{key}={value}"]
    env = {**os.environ, "GXCRAWLER_SIMULATION_URL": sim_server.url, "GXCRAWLER_DATABASE_URL": pg_url}
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    runs = {r.spider: r for r in query(pg_url, "SELECT * FROM crawl_runs")}
    assert set(runs) == set(spiders)
    for name in spiders:
        expected = simulation(name).expected_reports(YEAR)
        assert runs[name].outcome == "success"
        assert runs[name].reports_new == runs[name].reports_found == len(expected)
        assert f"\n{name} " in result.stdout  # a row of the summary table
    progress = [line for line in result.stdout.splitlines() if "reports found" in line]
    assert {line.split()[0] for line in progress} <= set(spiders) and progress  # per-spider progress lines
