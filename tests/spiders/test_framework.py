"""The crawl framework's parts on their own: transport, simulation server, pipelines, base spider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import urllib.request
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from gxcrawler.crawl.items import ReportItem
from gxcrawler.crawl.transport import URL_HEADER, simulation_url, to_simulation
from gxcrawler.model import Region
from pipelines.parse import ParsePipeline
from spiders.panzhihua import PanzhihuaSpider
from spiders.xinye import XinyeSpider
from tests.fixtures.sim import ROOT
from tests.simulations.panzhihua import SEED_URL
from tests.simulations.registry import simulation
from tests.simulations.server import SimulationServer
from tests.spiders.helpers import loaded_reports

# --- transport ----------------------------------------------------------------------


def test_to_simulation_keeps_method_body_query_and_names_the_real_url():
    request = Request("https://yanshan.gov.cn/list/xxgknb.html?page=2", method="POST", body=b"a=1",
                      headers={"X-Test": "1"}, meta={"proxy": "http://proxy:3128", "gx_kind": "list"})
    sent = to_simulation(request, "http://127.0.0.1:9999")
    assert sent.url == "http://127.0.0.1:9999/list/xxgknb.html?page=2"
    assert sent.method == "POST" and sent.body == b"a=1"
    assert sent.headers[URL_HEADER] == b"https://yanshan.gov.cn/list/xxgknb.html?page=2"
    assert sent.headers["X-Test"] == b"1"
    assert "proxy" not in sent.meta and sent.meta["gx_kind"] == "list"
    assert request.url.startswith("https://yanshan.gov.cn")  # the original is untouched


def test_simulation_url_from_setting_or_environment(monkeypatch):
    monkeypatch.delenv("GXCRAWLER_SIMULATION_URL", raising=False)
    assert simulation_url({"GXCRAWLER_SIMULATION_URL": ""}) is None
    assert simulation_url({"GXCRAWLER_SIMULATION_URL": "http://127.0.0.1:1/"}) == "http://127.0.0.1:1"
    monkeypatch.setenv("GXCRAWLER_SIMULATION_URL", "http://127.0.0.1:2")
    assert simulation_url({}) == "http://127.0.0.1:2"


def test_scrapy_fetch_of_a_real_url_is_answered_by_the_simulation(sim_server):
    """The transport inside a real Scrapy process: same bytes as the simulation serves."""
    url = "http://www.xinye.gov.cn/xxgknb/2.html"
    env = {**os.environ, "GXCRAWLER_SIMULATION_URL": sim_server.url}
    out = subprocess.run([sys.executable, "-m", "scrapy", "fetch", "--nolog", url], cwd=ROOT, env=env,
                         capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.removesuffix(b"\n") == simulation("xinye").handle("GET", url, {}).body  # fetch adds a newline
    assert sim_server.counts[url] >= 1


# --- simulation server ----------------------------------------------------------------


@pytest.fixture()
def server():
    srv = SimulationServer([simulation("panzhihua")])
    srv.start()
    yield srv
    srv.stop()


def _get(server, url, method="GET", headers=None):
    req = urllib.request.Request(server.url + "/ignored", method=method, headers={URL_HEADER: url, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_server_dispatches_by_the_real_host_and_counts(server):
    status, headers, body = _get(server, SEED_URL)
    assert status == 200 and "攀枝花市仁和区人民政府办公室2021年度政府信息公开工作报告" in body.decode()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert server.counts[SEED_URL] == 1 and server.requests_to("www.screnhe.gov.cn") == 1
    assert _get(server, "http://www.unknown.gov.cn/")[0] == 502
    assert _get(server, "http://www.screnhe.gov.cn/no/such/page.shtml")[0] == 404
    status, _, robots = _get(server, "http://www.screnhe.gov.cn/robots.txt")
    assert status == 200 and b"User-agent" in robots


def test_server_answers_conditional_requests_with_304(server):
    status, headers, _ = _get(server, SEED_URL)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert _get(server, SEED_URL, headers={"If-None-Match": etag})[0] == 304
    assert _get(server, SEED_URL, headers={"If-None-Match": '"other"'})[0] == 200
    assert _get(server, SEED_URL, headers={"If-Modified-Since": modified})[0] == 304
    earlier = format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True)
    assert _get(server, SEED_URL, headers={"If-Modified-Since": earlier})[0] == 200


def test_server_head_has_no_body(server):
    status, headers, body = _get(server, SEED_URL, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


# --- the base spider on simulated pages ----------------------------------------------------


def _response(sim, url, meta):
    answer = sim.handle("GET", url, {})
    return HtmlResponse(url, body=answer.body, headers=answer.headers, request=Request(url, meta=meta))


def test_list_requests_follow_the_meta_contract():
    spider = PanzhihuaSpider(year="2021")
    sim = simulation("panzhihua")
    column = spider.columns[1]
    url = "http://www.screnhe.gov.cn/zfxxgk/zfxxgknb/rhq/xzjdzfxxgkgzndbg/tpxrmzf/index.shtml"
    out = list(spider.parse_list(_response(sim, url, {"gx_column": column})))
    kinds = {r.meta["gx_kind"] for r in out}
    assert kinds <= {"list", "report"}
    reports = [r for r in out if r.meta["gx_kind"] == "report"]
    assert reports and all(r.meta["gx_hints"]["year"] == 2021 for r in reports)
    assert all(r.meta["gx_region"].county == "仁和区" for r in reports)
    assert all("攀枝花市仁和区太平乡" in r.meta["gx_hints"]["agency"] for r in reports)
    assert "http://www.screnhe.gov.cn/zfxxgk/zfxxgknb/rhq/xzjdzfxxgkgzndbg/tpxrmzf/index_1.shtml" in {r.url for r in out}


def test_report_page_becomes_an_item_with_hints_from_its_header():
    spider = XinyeSpider()
    sim = simulation("xinye")
    url = "http://www.xinye.gov.cn/2021/0130/81457.html"
    meta = {"gx_kind": "report", "gx_hints": {"title": "listed"}, "gx_region": spider.region}
    (item,) = list(spider.parse_report(_response(sim, url, meta)))
    assert isinstance(item, ReportItem)
    assert item.page_url == item.document_url == url
    assert item.hints["published"] == "2021-01-30"
    assert item.hints["title"] == "新野县人民政府办公室2020年政府信息公开工作年度报告"
    assert item.region.county == "新野县" and item.etag


# --- pipelines ---------------------------------------------------------------------------


def _item(sim, url, spider):
    answer = sim.handle("GET", url, {})
    return ReportItem(spider=spider.name, page_url=url, document_url=url, body=answer.body,
                      content_type=answer.headers["Content-Type"], fetched_at=datetime.now(UTC),
                      hints={}, region=spider.region)


def test_parse_pipeline_parses_and_drops_other_years():
    sim = simulation("panzhihua")
    crawler = get_crawler(PanzhihuaSpider)
    crawler.spider = PanzhihuaSpider(year="2021")
    crawler.stats.open_spider()
    pipeline = ParsePipeline.from_crawler(crawler)
    item = _item(sim, SEED_URL, crawler.spider)
    item = pipeline.accept(item, pipeline.parse(item))
    assert item.parse_result.year == 2021 and item.parse_result.values
    assert crawler.stats.get_value(f"gx/parse/{item.parse_result.status}") == 1

    other = _item(sim, sim.expected_reports(2020)[0].document_url, crawler.spider)
    with pytest.raises(DropItem):
        pipeline.accept(other, pipeline.parse(other))
    assert crawler.stats.get_value("gx/reports/other_year") == 1


LOAD_SCRIPT = textwrap.dedent("""
    import json, sys
    from datetime import UTC, datetime
    import sqlalchemy as sa
    from scrapy.utils.test import get_crawler
    from twisted.internet import defer, task
    from scrapy.utils.defer import deferred_from_coro
    from gxcrawler.crawl.items import ReportItem
    from gxcrawler.db import make_engine
    from pipelines.load import LoadPipeline
    from pipelines.parse import ParsePipeline
    from spiders.xinye import XinyeSpider
    from tests.simulations.registry import simulation

    @defer.inlineCallbacks
    def main(reactor):
        sim = simulation("xinye")
        settings, pause = json.loads(sys.argv[2]), float(sys.argv[3])
        crawler = get_crawler(XinyeSpider, {"GXCRAWLER_DATABASE_URL": sys.argv[1], **settings})
        crawler.spider = XinyeSpider()
        crawler.stats.open_spider()
        parse, load = ParsePipeline.from_crawler(crawler), LoadPipeline.from_crawler(crawler)
        load.open_spider()
        expected = sim.expected_reports(2021)
        for e in expected:
            a = sim.handle("GET", e.document_url, {})
            item = ReportItem("xinye", e.page_url, e.document_url, a.body, a.headers["Content-Type"],
                              datetime.now(UTC), {}, crawler.spider.region)
            parsed = yield deferred_from_coro(parse.process_item(item))  # parsed on a worker thread
            load.process_item(parsed)
        engine, written, waited = make_engine(sys.argv[1]), 0, 0.0
        while waited < pause and written < len(expected):  # before the close flushes anything
            yield task.deferLater(reactor, 0.2, lambda: None)
            waited += 0.2
            with engine.connect() as conn:  # the pipeline's writer thread may still be migrating
                if sa.inspect(conn).has_table("reports"):
                    written = conn.execute(sa.text("SELECT count(*) FROM reports")).scalar_one()
        yield deferred_from_coro(load.close_spider())
        stats = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("gx/")}
        print(json.dumps({**stats, "written_before_close": written}))

    task.react(main)
""")


def run_load_script(pg_url: str, settings: dict, pause: float = 0.0) -> dict:
    """Parse and load the xinye simulation's 2021 reports through the pipelines; their stats, and
    how many were written before the close (waiting up to ``pause`` seconds for all of them)."""
    out = subprocess.run([sys.executable, "-c", LOAD_SCRIPT, pg_url, json.dumps(settings), str(pause)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_parse_and_load_pipelines_work_off_the_reactor_and_flush_at_close(pg_url):
    stats = run_load_script(pg_url, {"GXCRAWLER_LOAD_BATCH": 4, "GXCRAWLER_LOAD_WAIT": 600})
    expected = simulation("xinye").expected_reports(2021)
    assert len(expected) > 4  # more than one batch, and a partial last one
    assert stats["gx/reports/found"] == stats["gx/reports/inserted"] == len(expected)
    assert {(r.agency, r.year) for r in loaded_reports(pg_url)} == {(e.agency, e.year) for e in expected}


def test_a_partial_batch_is_written_once_its_first_report_waited_the_longest_wait(pg_url):
    stats = run_load_script(pg_url, {"GXCRAWLER_LOAD_BATCH": 1000, "GXCRAWLER_LOAD_WAIT": 0.2}, pause=60)
    expected = simulation("xinye").expected_reports(2021)
    assert stats["written_before_close"] == stats["gx/reports/inserted"] == len(expected)


def test_items_carry_provenance_for_the_loader():
    item = ReportItem("x", "http://a.gov.cn/p.html", "http://a.gov.cn/f.pdf?x=1", b"%PDF", "application/pdf",
                      datetime.now(UTC), {"year": 2021, "title": None}, Region(county="洛宁县"))
    prov = item.provenance()
    assert prov.sha256 == __import__("hashlib").sha256(b"%PDF").hexdigest()
    assert prov.hints == {"year": "2021"} and prov.page_url == "http://a.gov.cn/p.html"
    assert item.filename == "f.pdf"


# --- small helpers of the base and the families ---------------------------------------------


@pytest.mark.parametrize(
    ("title", "agency"),
    [("攀枝花市仁和区太平乡2020年信息公开工作年度报告", "攀枝花市仁和区太平乡"),
     ("洛宁县人民政府 2020 年政府信息公开工作 年度报告", "洛宁县人民政府"),
     ("关于新野县统计局2020年政府信息公开工作年度报告", "新野县统计局"),
     ("政府信息公开工作年度报告", None)],
)
def test_agency_from_title(title, agency):
    from spiders.families.base import agency_from_title

    assert agency_from_title(title) == agency


@pytest.mark.parametrize(
    ("text", "iso"),
    [("发布时间:2022-01-25 来源:区政府办", "2022-01-25"), ("时间：2017-03-17 18:56", "2017-03-17"),
     ("发布日期：2021年1月8日", "2021-01-08"), ("２０２３／０２／０９", "2023-02-09"), ("阅读次数:12", None)],
)
def test_iso_date(text, iso):
    from spiders.families.base import iso_date

    assert iso_date(text) == iso


def test_numeric_shtml_document_key_is_the_platform_wide_id():
    spider = PanzhihuaSpider()
    www = "http://wap.panzhihua.gov.cn/zwgk/ztxx/pzhszfxxgkgzndbg/sjbmzfxxgkgzndbg/srmzfbgs/10188142.shtml"
    wap = "http://wap.panzhihua.gov.cn/zfxxgk1/pzhszfxxgkgzndbg/sjbmzfxxgkgzndbg/srmzfbgs/10188142.shtml"
    assert spider.document_key(www) == spider.document_key(wap)
    assert spider.document_key(SEED_URL) != spider.document_key(www)


def test_spider_arguments():
    spider = PanzhihuaSpider(year="2019-2021", agency="仁和区 太平乡")
    assert spider.years == {2019, 2020, 2021} and spider.agency_filter == "仁和区太平乡"
    assert PanzhihuaSpider().years is None
    with pytest.raises(ValueError):
        from spiders.portal import PortalSpider

        PortalSpider()


def test_portal_spider_stays_on_its_site_but_takes_files_from_any_government_host():
    from spiders.portal import PortalSpider

    spider = PortalSpider(start_url="http://www.luoning.gov.cn/3/40/")
    assert spider.allowed_domains == ["gov.cn"]
    assert spider.on_site("http://luoning.gov.cn/2021/01-28/1.html")
    assert not spider.on_site("http://www.chinayanshan.gov.cn/a.html")



def test_retry_backoff_doubles_up_to_the_cap():
    from scrapy.settings import Settings

    from gxcrawler.crawl.retry import BackoffRetryMiddleware

    mw = BackoffRetryMiddleware(Settings({"RETRY_BACKOFF_BASE": 2, "RETRY_BACKOFF_MAX": 10, "RETRY_ENABLED": True}))
    delays = [mw.backoff_delay(Request("http://a.gov.cn/", meta={"retry_times": n})) for n in (1, 2, 3, 4, 5)]
    assert delays == [2, 4, 8, 10, 10]
