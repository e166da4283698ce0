"""A seed spider whose configured column is a wrong guess still finds every report.

The evidence corrected two guesses (新野's column is under ``/zwgk/`` on https, 砚山's lists
are ``/ysxrmzf/{slug}/pc/list.html``): started on the old, wrong column (404), each spider
goes to the site's home page, follows the 政府信息公开 / 政务公开 entry and finds the
annual-report column by its link text.
"""

from __future__ import annotations

import pytest

from tests.fixtures.sim import run_crawl
from tests.simulations.registry import simulation
from tests.spiders.helpers import diff_reports, loaded_reports

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("spider", "wrong_column", "year"),
    [("xinye", "http://www.xinye.gov.cn/xxgknb/index.html", 2022),
     ("yanshan", "https://yanshan.gov.cn/list/xxgknb.html", 2023)],
)
def test_a_wrong_column_leads_home_and_to_the_real_one(spider, wrong_column, year, sim_server, pg_url):
    run = run_crawl(spider, sim_url=sim_server.url, db_url=pg_url, args={"start_url": wrong_column, "year": str(year)})
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats.get("gx/columns/from_home") == 1
    expected = simulation(spider).expected_reports(year)
    assert expected and diff_reports(loaded_reports(pg_url), expected) == []
