"""Two list pages under one URL (Hanweb's dataproxy: both columns POST to the same
``dataproxy.jsp?startrecord=…``, the form tells them apart). The store keeps one list row per URL, so
below an unchanged column page the reports of one column's dataproxy page were judged from the
*other* column's (review3, 2026-12-01): never asked, never seen, unlisted after a complete night.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest

from tests.fixtures.nightly import query
from tests.nightly.test_family_night_cost import _crawl
from tests.simulations.clones import Clone
from tests.simulations.registry import simulation
from tests.simulations.server import SimulationServer

pytestmark = pytest.mark.slow


def test_an_unchanged_night_on_a_hanweb_portal_unlists_no_report(pg_url, tmp_path):
    portal = Clone(simulation("hanweb"), 1, defaultdict(list), threading.Lock())
    server = SimulationServer([portal])
    server.start()
    try:
        _crawl(server, [portal], pg_url, tmp_path)
        assert not query(pg_url, "SELECT page_url FROM reports WHERE NOT listed")
        _crawl(server, [portal], pg_url, tmp_path)  # nothing changed on the portal
    finally:
        server.stop()
    (run,) = query(pg_url, "SELECT outcome, reason FROM crawl_runs ORDER BY id")[1:]
    assert run.outcome == "success", run.reason
    unlisted = query(pg_url, "SELECT page_url FROM reports WHERE NOT listed")
    assert not unlisted, f"{len(unlisted)} reports unlisted after a night on which nothing changed"
