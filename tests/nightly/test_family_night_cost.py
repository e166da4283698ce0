"""The cost of a night on CMS-family portals (issue 16): what an unchanged night asks, kind by kind.

Three portals of the generated registry (``tests/simulations/clones.py``: the VSB, gkmlpt and PowerEasy
families under host names of their own), crawled twice with the default rotations. Each family lists
three soft 404s (a deleted report still linked: a 200 saying 信息不存在) and serves some reports under
two URLs (gkmlpt's ``/gkmlpt/content/…/post_N.html`` and its portal column's ``…/content/post_N.html``;
PowerEasy's ``Item/N.aspx`` and ``Article/ShowArticle.asp?ArticleID=N``). Measured before (2026-11-30,
``benchmarks/recrawl.py --clones 7``): every soft 404 was asked every night, and a report page known
under its other URL was downloaded again every night it was listed (its record was never written when
its attachment had been fetched through the other URL, or the spider's "same document" filter was
bypassed below a list not read tonight). Now an unchanged night downloads no document at all except
the soft 404s due on their 1-in-``GX_GONE_RETRY_EVERY`` turn, and finds every report unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import defaultdict

import pytest

from tests.fixtures.nightly import query
from tests.fixtures.sim import DEFAULT_NIGHTS, FAST, ROOT
from tests.simulations.clones import Clone, registry
from tests.simulations.registry import simulation
from tests.simulations.server import SimulationServer

pytestmark = pytest.mark.slow

FAMILIES = {"vsb": 2, "gkmlpt": 3, "powereasy": 5}  # their index in the generated registry


@pytest.fixture(scope="module")
def portals():
    times, lock = defaultdict(list), threading.Lock()
    return [Clone(simulation(name), index, times, lock) for name, index in FAMILIES.items()]


def _crawl(server: SimulationServer, portals: list[Clone], pg_url: str, tmp_path) -> list[tuple[str, str, int]]:
    reg = tmp_path / "portals.tsv"
    registry(portals, reg)
    cmd = [sys.executable, "-m", "gxcrawler", "crawl-all", "--progress", "0"]
    for portal in portals:
        cmd += ["--spider", portal.name]
    settings = {**FAST, **DEFAULT_NIGHTS, "LOG_LEVEL": "WARNING", "GX_CRAWLS_DIR": str(tmp_path / "crawls"),
                "GX_ROBOTSTXT_CACHE_HOURS": "24"}
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if k != "GXCRAWLER_REDIS_URL"}
    env.update({"GXCRAWLER_SIMULATION_URL": server.url, "GXCRAWLER_DATABASE_URL": pg_url,
                "GXCRAWLER_PORTALS": str(reg), "PYTHONPATH": str(ROOT)})
    server.reset_counts()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    return list(server.log)


def test_an_unchanged_night_on_family_portals_downloads_no_known_document(portals, pg_url, tmp_path):
    server = SimulationServer(portals)
    server.start()
    try:
        first = _crawl(server, portals, pg_url, tmp_path)
        # the clones' VSB attachments are loaded (the clone passes its pages' Referer to the family as its own)
        vsb = next(p for p in portals if p.sim.name == "vsb")
        expected = vsb.sim.expected_reports()
        (found,) = query(pg_url, "SELECT count(*) AS n FROM reports WHERE page_url LIKE :h",
                         h=f"%//{vsb.name}-%")
        assert found.n >= len(expected) - 2, (found.n, len(expected))
        # the VSB and PowerEasy soft 404s (gkmlpt's, a shell without its article, are no document at all)
        soft = {r.url for r in query(pg_url, "SELECT url FROM fetches WHERE message LIKE 'soft_404%'")}
        assert len(soft) == 3 * 2, sorted(soft)
        failing = query(pg_url, "SELECT url, message FROM fetches WHERE outcome IN ('failed', 'refused') "
                                "AND message NOT LIKE 'soft_404%'")
        assert not failing, failing
        lists = {r.url for r in query(pg_url, "SELECT url FROM fetches WHERE kind IN ('list', 'json', 'script')")}
        starts = {p.start_url for p in portals}

        night = _crawl(server, portals, pg_url, tmp_path)
    finally:
        server.stop()
    assert not [u for _, u, _ in night if u.endswith("/robots.txt")]  # cached for 24 h
    documents = [(u, status) for _, u, status in night if u not in lists and u not in starts]
    downloaded = {u for u, status in documents if status == 200}
    # no document downloaded again but the soft 404s due tonight; the others answer 304
    assert downloaded <= soft, sorted(downloaded - soft)
    # each spider's three soft 404s dealt over GX_GONE_RETRY_EVERY (7) nights: at most one a night each
    asked_soft = [u for u, _ in documents if u in soft]
    assert len(asked_soft) <= len(portals), asked_soft
    assert len(night) <= len(first) / 10 + len(portals), (len(night), len(first), night)

    runs = query(pg_url, "SELECT * FROM crawl_runs ORDER BY id")[len(portals):]
    assert {r.outcome for r in runs} == {"success"}
    assert all(r.reports_new == 0 and r.reports_changed == 0 for r in runs), runs
    assert all(r.reports_found == r.reports_unchanged for r in runs), runs
