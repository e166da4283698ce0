"""End to end: ``scrapy crawl`` against the simulations, loading into real PostgreSQL.

For each spider and year range, the loaded reports are exactly the simulation's —
none missed, none extra, no notice or guide — with the right agency, year and every
value; clone hosts are never requested; a second run changes nothing.
"""

from __future__ import annotations

import pytest

from gxcrawler import discovery
from tests.fixtures.sim import run_crawl
from tests.simulations import luoning, yanshan, zbjkq
from tests.simulations.registry import simulation
from tests.spiders.helpers import diff_reports, loaded_reports

pytestmark = pytest.mark.slow

CASES = [
    # spider, -a year=…, years expected, clone host that must stay untouched
    ("yanshan", "2022-2023", (2022, 2023), yanshan.CLONE),  # seed 002, misfiled and cross-listed reports
    ("zbjkq", "2020,2022", (2020, 2022), zbjkq.CLONE),  # seed 003, PDF attachments, migrated documents
    ("luoning", "2019-2020", (2019, 2020), luoning.CLONE),  # seed 004 as a PDF on oss.ly.gov.cn, DOCX, DOC, HTML
]


@pytest.mark.parametrize(("spider", "years", "expected_years", "clone"), CASES, ids=[c[0] for c in CASES])
def test_crawl_loads_exactly_the_simulated_reports(spider, years, expected_years, clone, sim_server, pg_url):
    sim = simulation(spider)
    expected = [r for y in expected_years for r in sim.expected_reports(y)]
    before = sim_server.requests_to(clone)

    first = run_crawl(spider, sim_url=sim_server.url, db_url=pg_url, args={"year": years})
    assert first.returncode == 0, first.log[-3000:]
    loaded = loaded_reports(pg_url)
    assert diff_reports(loaded, expected) == []
    assert sim_server.requests_to(clone) == before
    notices = {d.url.rsplit("/", 1)[1] for d in sim.docs if not discovery.is_annual_report(d.title)}  # 通知, 指南 …
    assert notices and not [url for _, url, _ in sim_server.log if url.rsplit("/", 1)[1] in notices]

    second = run_crawl(spider, sim_url=sim_server.url, db_url=pg_url, args={"year": years})
    assert second.returncode == 0, second.log[-3000:]
    again = loaded_reports(pg_url)
    state = sorted((r.agency, r.year, r.fingerprint, str(r.updated_at)) for r in loaded)
    assert sorted((r.agency, r.year, r.fingerprint, str(r.updated_at)) for r in again) == state


def test_zbjkq_all_years_and_agency_filter(sim_server, pg_url):
    sim = simulation("zbjkq")
    run = run_crawl("zbjkq", sim_url=sim_server.url, db_url=pg_url, args={"agency": "南定镇"})
    assert run.returncode == 0, run.log[-3000:]
    expected = [r for r in sim.expected_reports() if "南定镇" in r.agency]
    assert len(expected) >= 3
    assert diff_reports(loaded_reports(pg_url), expected) == []
