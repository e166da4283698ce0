"""End to end: ``scrapy crawl`` against the portal simulations, into real PostgreSQL.

Each crawl runs in a subprocess with the real start URLs; only the transport's
``GXCRAWLER_SIMULATION_URL`` points it at the simulation server.
"""

from __future__ import annotations

import pytest

from tests.fixtures.sim import run_crawl
from tests.simulations.corpus import seed_values
from tests.simulations.panzhihua import CLONES as PZH_CLONES
from tests.simulations.panzhihua import SEED_URL
from tests.simulations.registry import simulation
from tests.spiders.helpers import diff_reports, loaded_reports

pytestmark = pytest.mark.slow


def _crawl(name, sim_server, pg_url, **args):
    run = run_crawl(name, sim_url=sim_server.url, db_url=pg_url, args=args)
    assert run.returncode == 0, run.log[-3000:]
    assert "Traceback" not in run.log, run.log[-3000:]
    return run


def test_panzhihua_2021_loads_exactly_the_simulated_reports_and_seed_001(sim_server, pg_url):
    sim = simulation("panzhihua")
    sim_server.reset_counts()
    run = _crawl("panzhihua", sim_server, pg_url, year="2021")

    expected = sim.expected_reports(2021)
    loaded = loaded_reports(pg_url)
    assert diff_reports(loaded, expected) == []
    assert run.stats["gx/reports/inserted"] == len(expected)

    seed = next(r for r in loaded if r.document_url == SEED_URL)
    assert seed.agency == "攀枝花市仁和区人民政府办公室" and seed.year == 2021
    assert seed.values == seed_values("001")

    # never a clone site, never a notice or a guide, the wap duplicate fetched once
    for host in PZH_CLONES:
        assert sim_server.requests_to(host) == 0, host
    notices = [d.url for d in sim.docs if d.pub is None]
    assert notices and all(sim_server.counts[u] == 0 for u in notices)


def test_panzhihua_second_run_changes_nothing(sim_server, pg_url):
    _crawl("panzhihua", sim_server, pg_url, year="2019-2020")
    before = {(r.agency, r.year): (r.fingerprint, r.updated_at) for r in loaded_reports(pg_url)}
    expected = simulation("panzhihua").expected_reports(2019) + simulation("panzhihua").expected_reports(2020)
    assert len(before) == len(expected)

    again = _crawl("panzhihua", sim_server, pg_url, year="2019-2020")  # conditional requests: 304s
    assert again.stats.get("gx/reports/inserted", 0) == 0
    assert again.stats.get("gx/reports/updated", 0) == 0
    assert again.stats.get("gx/reports/failed", 0) == 0
    after = {(r.agency, r.year): (r.fingerprint, r.updated_at) for r in loaded_reports(pg_url)}
    assert after == before


def test_panzhihua_refetching_everything_reports_all_unchanged(sim_server, pg_url):
    _crawl("panzhihua", sim_server, pg_url, year="2023")
    before = {(r.agency, r.year): (r.fingerprint, r.updated_at) for r in loaded_reports(pg_url)}
    run = run_crawl("panzhihua", sim_url=sim_server.url, db_url=pg_url, args={"year": "2023"},
                    settings={"GX_INCREMENTAL": "False"})  # download every document again
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats.get("gx/reports/unchanged", 0) == len(before) > 0
    assert run.stats.get("gx/reports/inserted", 0) == run.stats.get("gx/reports/updated", 0) == 0
    after = {(r.agency, r.year): (r.fingerprint, r.updated_at) for r in loaded_reports(pg_url)}
    assert after == before


def test_panzhihua_agency_filter(sim_server, pg_url):
    _crawl("panzhihua", sim_server, pg_url, agency="仁和区太平乡")
    expected = [e for e in simulation("panzhihua").expected_reports() if "太平乡" in e.agency]
    assert len(expected) >= 3
    assert diff_reports(loaded_reports(pg_url), expected) == []


def test_xinye_2022_loads_exactly_the_simulated_reports(sim_server, pg_url):
    sim = simulation("xinye")
    sim_server.reset_counts()
    run = _crawl("xinye", sim_server, pg_url, year="2022")
    expected = sim.expected_reports(2022)
    assert diff_reports(loaded_reports(pg_url), expected) == []
    assert run.stats["gx/reports/inserted"] == len(expected)
    assert sim_server.requests_to("munkyxtc.com") == 0
    assert all(sim_server.counts[d.url] == 0 for d in sim.docs if d.pub is None)


def test_xinye_2020_includes_seed_000(sim_server, pg_url):
    _crawl("xinye", sim_server, pg_url, year="2020")
    loaded = loaded_reports(pg_url)
    assert diff_reports(loaded, simulation("xinye").expected_reports(2020)) == []
    seed = next(r for r in loaded if r.document_url.endswith("/2021/0130/81457.html"))
    assert seed.agency == "新野县人民政府办公室"
    assert seed.values == seed_values("000")


@pytest.mark.parametrize(
    ("sim_name", "start_url", "year", "region"),
    [
        ("xinye", "http://www.xinye.gov.cn/xxgknb/index.html", 2022, ("河南省", "南阳市", "新野县")),
        ("yanshan", "https://yanshan.gov.cn/list/xxgknb.html", 2022, ("云南省", "文山壮族苗族自治州", "砚山县")),
        # PDF/DOC/DOCX attachments, some on the city's file host oss.ly.gov.cn
        ("luoning", "http://www.luoning.gov.cn/3/40/", 2022, ("河南省", "洛阳市", "洛宁县")),
    ],
)
def test_generic_portal_spider_finds_the_reports_of_other_simulations(sim_server, pg_url, sim_name, start_url, year, region):
    sim = simulation(sim_name)
    if sim is None:
        pytest.fail(f"simulation {sim_name} is missing")
    province, city, county = region
    _crawl("portal", sim_server, pg_url, start_url=start_url, year=str(year),
           province=province, city=city, county=county)
    expected = sim.expected_reports(year)
    assert len(expected) >= 3
    assert diff_reports(loaded_reports(pg_url), expected) == []


def test_panzhihua_2024_wap_document_under_two_paths_is_loaded_once(sim_server, pg_url):
    sim = simulation("panzhihua")
    sim_server.reset_counts()
    _crawl("panzhihua", sim_server, pg_url, year="2024")
    assert diff_reports(loaded_reports(pg_url), sim.expected_reports(2024)) == []
    (wap,) = [d for d in sim.docs if d.aliases]
    assert sum(sim_server.counts[u] for u in (wap.url, *wap.aliases)) == 1
