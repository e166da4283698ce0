"""Two worker processes share one crawl through Redis, loading into one PostgreSQL database.

The proof of docs/notes/distributed.md: every report loaded exactly once, no URL fetched
twice (counted in the simulation server's access log), both workers did work, both exit
on their own (idle close), one ``crawl_runs`` row with both workers' totals; a worker
killed mid-crawl loses nothing.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter

import pytest

from tests.fixtures.distributed import start_worker
from tests.fixtures.nightly import query
from tests.simulations.registry import simulation
from tests.simulations.server import SimulationServer

SIM = "xinye"
#: each answer waits this long, as a distant server would, so that both workers get work
LATENCY = 0.2


def _stat(log: str, key: str) -> int:
    found = re.findall(rf"'{re.escape(key)}': (\d+)", log)
    return int(found[-1]) if found else 0


@pytest.fixture()
def server():
    srv = SimulationServer([simulation(SIM)], latency=LATENCY)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def _assert_every_report_loaded_once(pg_url: str) -> None:
    expected = simulation(SIM).expected_reports()
    rows = query(pg_url, "SELECT page_url FROM reports")
    assert len(rows) == len(expected)
    assert Counter(r.page_url for r in rows) == Counter(e.page_url for e in expected)


def test_two_workers_share_one_crawl(server, pg_url, redis_prefix, tmp_path):
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    # robots.txt cached in Redis (gxcrawler/crawl/robots.py): one worker asks, the other reads its answer
    workers = [start_worker(["scrapy", "crawl", SIM], sim_url=server.url, db_url=pg_url, prefix=redis_prefix,
                            log=log, settings={"GX_ROBOTSTXT_CACHE_HOURS": "24"}) for log in logs]
    codes = [w.wait(timeout=600) for w in workers]  # idle close: each stops by itself
    texts = [log.read_text() for log in logs]
    assert codes == [0, 0], texts[0][-3000:] + texts[1][-3000:]

    _assert_every_report_loaded_once(pg_url)
    counts = Counter(url for _, url, _ in server.log)
    twice = {url: n for url, n in counts.items() if n > 1}
    assert not twice, twice  # robots.txt included: once per host across both workers
    assert any(url.endswith("/robots.txt") for url in counts)
    done = [_stat(t, "downloader/request_count") for t in texts]
    assert all(n >= 3 for n in done), done  # both workers did work
    seeded = ["seeding its start requests" in t for t in texts]
    assert sorted(seeded) == [False, True]  # one worker seeded the crawl, the other joined it

    (run,) = query(pg_url, "SELECT * FROM crawl_runs")
    assert run.outcome == "success", run.reason
    assert run.requests == sum(done) == len(server.log)  # both workers' totals in one row
    assert run.reports_new == len(simulation(SIM).expected_reports())
    assert run.args.get("distributed") is True


def test_a_worker_killed_mid_crawl_loses_nothing(server, pg_url, redis_prefix, tmp_path):
    import redis

    from tests.fixtures.distributed import REDIS_URL

    settings = {"GX_LEASE_SECONDS": "3"}
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    victim = start_worker(["scrapy", "crawl", SIM], sim_url=server.url, db_url=pg_url, prefix=redis_prefix,
                          log=logs[0], settings=settings)
    deadline = time.monotonic() + 120
    while len(server.log) < 4 and time.monotonic() < deadline:  # the victim seeded the crawl and works
        time.sleep(0.1)
    survivor = start_worker(["scrapy", "crawl", SIM], sim_url=server.url, db_url=pg_url, prefix=redis_prefix,
                            log=logs[1], settings=settings)
    while len(server.log) < 25 and time.monotonic() < deadline:
        time.sleep(0.05)
    r = redis.Redis.from_url(REDIS_URL)
    leased = sum(r.hlen(k) for k in r.scan_iter(f"{redis_prefix}:*:inflight:*"))
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert survivor.wait(timeout=600) == 0, logs[1].read_text()[-3000:]
    text = logs[1].read_text()

    _assert_every_report_loaded_once(pg_url)
    assert leased, "the victim was killed while nothing was in flight: the test proves nothing"
    assert not list(r.scan_iter(f"{redis_prefix}:*:inflight:*"))  # every lease was settled
    (run,) = query(pg_url, "SELECT * FROM crawl_runs")
    assert run.outcome == "success", run.reason
    assert "last worker out" in text
    assert re.search(r"\d+ request\(s\) of dead worker \S+ back in the queue", text)


def test_two_crawl_all_workers_share_the_nights_portals(pg_url, redis_prefix, tmp_path):
    """``gxcrawler crawl-all`` as workers: portals claimed one by one, each crawled once, the night ends."""
    names = ["xinye", "zbjkq"]
    srv = SimulationServer([simulation(n) for n in names], latency=LATENCY)
    srv.start()
    try:
        logs = [tmp_path / f"worker{i}.log" for i in range(2)]
        command = ["gxcrawler", "crawl-all", "--progress", "0", "--log-level", "INFO"]
        for name in names:
            command += ["--spider", name]
        workers = [start_worker(command, sim_url=srv.url, db_url=pg_url, prefix=redis_prefix, log=log,
                                settings={"GX_WORKER_SPIDERS": "1"}) for log in logs]
        codes = [w.wait(timeout=600) for w in workers]
        texts = [log.read_text() for log in logs]
        assert codes == [0, 0], texts[0][-3000:] + texts[1][-3000:]
        counts = Counter(url for _, url, _ in srv.log)
    finally:
        srv.stop()
    crawled = [sorted(n for n in names if re.search(rf"^{n}\s+success", t, re.M)) for t in texts]
    assert sorted(c for cs in crawled for c in cs) == names and all(crawled)  # each portal once, both worked
    expected = [e.page_url for n in names for e in simulation(n).expected_reports()]
    rows = query(pg_url, "SELECT page_url FROM reports")
    assert Counter(r.page_url for r in rows) == Counter(expected)
    # zbjkq asks for one channel page twice on purpose (as a list, then as its own report: dont_filter)
    twice = {url: n for url, n in counts.items() if n > 1 and not url.endswith("/robots.txt")}
    assert all("zbjkq" in url for url in twice) and len(twice) <= 1, twice
    runs = query(pg_url, "SELECT spider, outcome FROM crawl_runs ORDER BY spider")
    assert [(r.spider, r.outcome) for r in runs] == [("xinye", "success"), ("zbjkq", "success")]
