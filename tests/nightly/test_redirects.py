"""Redirecting document links on later nights (issue 16, the cost of a night): the Yanshan simulation's
``http://www.yanshan.gov.cn/view/…`` report links answer 301 to ``https://yanshan.gov.cn/view/…``.

A known link is asked as its target (no 301) on the nights it is not due itself; a link whose target
is gone, or whose redirect moved, leads to the new document. Real PostgreSQL, a fresh simulation.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from gxcrawler.crawl.incremental import due_for_revalidation
from tests.fixtures.nightly import ROOT, Nightly, query, report_urls, serve
from tests.fixtures.sim import DEFAULT_NIGHTS
from tests.simulations.base import SimResponse

pytestmark = pytest.mark.slow
EVERY = int(DEFAULT_NIGHTS["GX_REVALIDATE_EVERY"])
SETTINGS = {**DEFAULT_NIGHTS, "GX_LIST_REVISIT_EVERY": "1"}  # every list read: every link reached tonight


@pytest.fixture()
def yanshan(tmp_path):
    yield from serve("yanshan", tmp_path)


def _crawl(night: Nightly, db_url: str) -> None:
    proc = subprocess.run(night.command("--spider", "yanshan", settings=SETTINGS), cwd=ROOT, env=night.env(db_url),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]


def _days_back(db_url: str, table: str, days: int) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"UPDATE {table} SET checked_at = checked_at - make_interval(days => :d)"), {"d": days})
    finally:
        engine.dispose()


def _redirecting(night: Nightly) -> dict[str, str]:
    """Report links of the first night that answered 301: link → target."""
    documents = report_urls(night.sim.expected_reports())
    found = {}
    for _, url, status in night.responses():
        target = "https://yanshan.gov.cn" + urlsplit(url).path
        if status == 301 and target in documents:
            found[url] = target
    assert found, "the simulation has redirecting report links"
    return found


def test_an_unchanged_night_asks_the_target_not_the_link(yanshan, pg_url):
    _crawl(yanshan, pg_url)
    links = _redirecting(yanshan)
    aliases = {r.url: r.target for r in query(pg_url, "SELECT url, target FROM fetch_aliases")}
    assert aliases == links  # each link as the request that fetched the document itself: no list page's
    _days_back(pg_url, "fetches", EVERY)  # every document due (overdue), no alias due but by its rotation

    yanshan.reset()
    _crawl(yanshan, pg_url)
    asked = {url: status for _, url, status in yanshan.responses()}
    not_due = {u: t for u, t in links.items() if not due_for_revalidation(u, EVERY)}
    assert not_due
    for link, target in not_due.items():
        assert link not in asked, f"{link} followed again (its 301 paid) on a night it is not due"
        assert asked.get(target) == 304, (target, asked.get(target))
    assert not [u for u, s in asked.items() if s == 200 and u in report_urls(yanshan.sim.expected_reports())]
    run = query(pg_url, "SELECT * FROM crawl_runs ORDER BY id")[-1]
    assert (run.outcome, run.reports_new, run.reports_changed) == ("success", 0, 0)
    assert query(pg_url, "SELECT count(*) AS n FROM reports WHERE NOT listed")[0].n == 0


@pytest.mark.parametrize("how", ["target gone", "redirect moved"])
def test_a_changed_redirect_leads_to_the_new_document(yanshan, pg_url, how):
    _crawl(yanshan, pg_url)
    link, target = sorted(_redirecting(yanshan).items())[0]
    sim = yanshan.panzhihua  # the fresh Yanshan simulation itself
    doc = sim.by_id[int(urlsplit(target).path.rsplit("/", 1)[1][:-5])]
    report = doc.pub.report
    key = next(k for k, text in sorted(report.printed.items()) if k.startswith("s2.") and text.isdigit())
    old, new_value = report.values[key], report.values[key] + 7
    report.values[key], report.printed[key] = new_value, str(new_value)
    moved = target.replace(".html", "1.html")  # the link now leads to a new page holding the changed report
    yanshan.sim.challenges[moved] = sim.handle("GET", target, {})
    report.values[key], report.printed[key] = old, str(old)  # the old target is unchanged
    yanshan.sim.challenges[link] = SimResponse(301, b"", {"Location": moved})
    (before,) = query(pg_url, "SELECT count(*) AS n FROM fetches WHERE url = :u AND sha256 IS NOT NULL", u=target)
    if how == "target gone":
        yanshan.sim.challenges[target] = SimResponse(404, b"<html><body>404</body></html>",
                                                     {"Content-Type": "text/html"})
        _days_back(pg_url, "fetches", EVERY)  # the target is asked tonight (through the alias)
    else:
        _days_back(pg_url, "fetch_aliases", EVERY)  # the link is due to be followed itself

    yanshan.reset()
    _crawl(yanshan, pg_url)
    asked = [(url, status) for _, url, status in yanshan.responses()]
    assert (link, 301) in asked and (moved, 200) in asked, asked
    if how == "target gone":
        assert (target, 404) in asked
    (value,) = query(pg_url, "SELECT v.value FROM report_values v JOIN reports r ON r.id = v.report_id "
                             "WHERE v.key = :k AND (r.page_url = :u OR r.document_url = :u)", k=key, u=moved)
    assert Decimal(value.value) == new_value
    assert query(pg_url, "SELECT target FROM fetch_aliases WHERE url = :u", u=link)[0].target == moved
    # nothing stored about the old target is dropped
    assert query(pg_url, "SELECT count(*) AS n FROM fetches WHERE url = :u AND sha256 IS NOT NULL",
                 u=target)[0].n == before.n == 1


def test_a_request_made_from_a_page_carries_none_of_the_pages_redirects():
    """A spider that builds a child's meta from its page's (``{**response.meta, …}``) must not hand it the
    page's ``redirect_urls``: the child's alias would be the page's link."""
    from scrapy.http import Request

    from gxcrawler.crawl.incremental import LINK, FreshRequestMiddleware

    page_meta = {"gx_kind": "list", "redirect_urls": ["http://www.yanshan.gov.cn/list.html"], "redirect_times": 1,
                 LINK: "http://www.yanshan.gov.cn/list.html", "download_slot": "www.yanshan.gov.cn"}
    child = Request("https://yanshan.gov.cn/view/xxgknb/1.html", meta={**page_meta, "gx_kind": "report"})
    (out,) = FreshRequestMiddleware().process_spider_output(None, [child])
    assert out.meta == {"gx_kind": "report"}
