"""Many portals in one process share one PostgreSQL pool: the connections stay bounded (issue 16).

Before, every portal's crawl opened an engine for its run record and another for its load
pipeline (up to ten connections each, the pipeline's never closed), so ``crawl-all`` over
many portals ran the server out of ``max_connections``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import psycopg2

from tests.fixtures.nightly import query
from tests.fixtures.pg import SERVER
from tests.fixtures.sim import FAST, ROOT
from tests.simulations.clones import clones, registry
from tests.simulations.server import SimulationServer

PORTALS = 10
POOL = 3


def _connections(db: str) -> int:
    conn = psycopg2.connect(f"{SERVER}/postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (db,))
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_crawl_all_over_many_portals_keeps_the_connections_bounded(pg_url, tmp_path):
    portals = clones(PORTALS)
    server = SimulationServer(portals, latency=0.05)
    server.start()
    reg = tmp_path / "portals.tsv"
    registry(portals, reg)
    db = pg_url.rsplit("/", 1)[1]
    cmd = [sys.executable, "-m", "gxcrawler", "crawl-all", "--progress", "0", "--year", "2023",
           "--agency", "人民政府"]
    for portal in portals:
        cmd += ["--spider", portal.name]
    for key, value in {**FAST, "GX_MONITOR_MIN_REPORTS": "0", "LOG_LEVEL": "WARNING"}.items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if k != "GXCRAWLER_REDIS_URL"}  # one process, no Redis
    env.update({"GXCRAWLER_SIMULATION_URL": server.url, "GXCRAWLER_DATABASE_URL": pg_url,
                "GXCRAWLER_PORTALS": str(reg), "GXCRAWLER_DB_POOL_SIZE": str(POOL),
                "GXCRAWLER_CRAWLS_DIR": str(tmp_path / "crawls"), "PYTHONPATH": str(ROOT)})
    samples: list[int] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(_connections(db))
            time.sleep(0.05)

    try:
        with (tmp_path / "crawl.log").open("w") as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                code = proc.wait(timeout=600)
            finally:
                stop.set()
                sampler.join()
    finally:
        server.stop()
    text = (tmp_path / "crawl.log").read_text()
    assert code == 0, text[-3000:]
    runs = query(pg_url, "SELECT spider, outcome FROM crawl_runs")
    assert sorted(r.spider for r in runs) == sorted(p.name for p in portals), text[-3000:]
    assert max(samples) > 0, "no connection seen: the sampling proves nothing"
    # every portal crawled at once, each with a run record and a load pipeline: one pool of POOL for all
    assert max(samples) <= POOL, samples
