"""End to end on every CMS-family simulation: start URL → crawl → database equals the truth.

The generic ``portal`` spider gets nothing but the simulation's start URL (its home page);
it must recognise the family on the pages. Then the same crawl as a family base (the
family named). Every expected report loaded with its agency and year, no other row (no
decoy, soft 404, other county, duplicate), and no more requests than 1.3 × the pages a
perfect crawl needs (redirect hops to a file are counted as the file).
"""

from __future__ import annotations

import re

import pytest

from tests.fixtures.sim import run_crawl
from tests.simulations import registry
from tests.simulations.server import SimulationServer
from tests.spiders.helpers import loaded_reports

pytestmark = pytest.mark.slow

FAMILY_SIMS = tuple(getattr(registry, "FAMILIES", ()))
#: simulation name -> the family name the spiders use
FAMILY_OF = {"yeartree": "year_tree", "powereasy": "aspx"}


@pytest.fixture(scope="module")
def family_server():
    """The family simulations behind one local server."""
    server = SimulationServer(registry.all_simulations(FAMILY_SIMS))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _crawl(sim, sim_server, pg_url, **args):
    run = run_crawl("portal", sim_url=sim_server.url, db_url=pg_url, args={"start_url": sim.start_url, **args})
    assert run.returncode == 0, run.log[-3000:]
    assert "Traceback" not in run.log, run.log[run.log.index("Traceback"):][:3000]
    return run


def _rows(pg_url):
    return sorted((r.agency, r.year) for r in loaded_reports(pg_url))


@pytest.mark.parametrize("name", FAMILY_SIMS)
def test_generic_spider_finds_every_report_of_a_family_from_its_start_url(name, family_server, pg_url):
    sim = registry.simulation(name)
    if sim is None:
        pytest.fail(f"simulation {name} did not build")
    run = _crawl(sim, family_server, pg_url)
    assert _rows(pg_url) == sorted((e.agency, e.year) for e in sim.expected_reports())
    requests = int(re.search(r"'downloader/request_count': (\d+)", run.log).group(1))
    redirects = int(m.group(1)) if (m := re.search(r"'downloader/response_status_count/302': (\d+)", run.log)) else 0
    assert requests - redirects <= 1.3 * len(sim.needed_requests()), (requests, redirects)


@pytest.mark.parametrize("name", FAMILY_SIMS)
def test_family_base_finds_every_report(name, family_server, pg_url):
    sim = registry.simulation(name)
    _crawl(sim, family_server, pg_url, family=FAMILY_OF.get(name, name), year="2022")
    assert _rows(pg_url) == sorted((e.agency, e.year) for e in sim.expected_reports(2022))
