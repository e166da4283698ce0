"""The pure parts of the reliability promises: schedules, reasons, guards, redaction, spool, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from gxcrawler.crawl.guards import is_public_address
from gxcrawler.crawl.incremental import CONDITIONAL, REFETCH, SKIP, decide, due_for_revalidation
from gxcrawler.crawl.ledger import category, network_reason
from gxcrawler.crawl.retry import retry_after_seconds
from gxcrawler.crawl.spool import Spool, report_from_json, report_to_json
from gxcrawler.crawl.store import Known
from gxcrawler.db.refusals import refusal, replacement_refusal
from gxcrawler.model import Check, ParseResult, Provenance, Region
from gxcrawler.redact import redact

NOW = datetime(2026, 11, 29, 2, 30, tzinfo=UTC)


def known(url: str, *, etag: str | None = None, checked: datetime | None = NOW) -> Known:
    return Known(url=url, etag=etag, last_modified=None, sha256="ab" * 32, settled=True, checked_at=checked)


@pytest.mark.parametrize("every", [2, 3, 7, 30])
def test_every_document_is_due_exactly_once_in_any_n_consecutive_nights(every):
    urls = [f"http://a.gov.cn/{i}.shtml" for i in range(200)]
    for start in (20000, 20421):
        for url in urls:
            assert sum(due_for_revalidation(url, every, day) for day in range(start, start + every)) == 1
    tonight = sum(due_for_revalidation(u, every, 20000) for u in urls)
    assert 0.5 * len(urls) / every < tonight < 1.6 * len(urls) / every  # the load is spread


def test_decide_conditional_with_validators_refetch_without_and_never_later_than_n_nights():
    with_etag, without = known("http://a.gov.cn/1.shtml", etag='"x"'), known("http://a.gov.cn/1.shtml")
    assert decide(with_etag, revalidate_every=1, refetch_every=7, now=NOW) == CONDITIONAL
    nights = [decide(without, revalidate_every=1, refetch_every=7, now=NOW + timedelta(days=d)) for d in range(7)]
    assert nights.count(REFETCH) >= 1 and set(nights) <= {REFETCH, SKIP}
    # missed nights: a document last confirmed 7 nights ago is due tonight whatever the rotation
    stale = known("http://a.gov.cn/1.shtml", checked=NOW - timedelta(days=7))
    assert all(decide(stale, revalidate_every=1, refetch_every=7, now=NOW + timedelta(days=d)) == REFETCH
               for d in range(3))
    assert decide(known("http://a.gov.cn/2.shtml", checked=None), revalidate_every=1, refetch_every=7,
                  now=NOW) == REFETCH  # never confirmed


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(b"7") == 7
    assert retry_after_seconds("Sun, 29 Nov 2026 02:30:30 GMT", now=NOW) == 30
    assert retry_after_seconds("Sun, 29 Nov 2026 02:00:00 GMT", now=NOW) == 0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_network_failures_are_named_by_what_happened():
    from scrapy import exceptions as sx
    from twisted.internet.error import DNSLookupError

    try:
        raise sx.CannotResolveHostError("no such host") from DNSLookupError("x")
    except sx.CannotResolveHostError as exc:
        assert network_reason(exc).startswith("dns:")
    assert network_reason(sx.DownloadTimeoutError("slow"), 3).startswith("timeout: no complete answer within 3 s")
    assert network_reason(sx.ResponseDataLossError()).startswith("truncated")
    assert network_reason(sx.DownloadConnectionRefusedError()).startswith("connection_refused")
    assert network_reason(sx.DownloadFailedError("[ConnectionLost]")).startswith("connection_lost")
    assert (category("http_503 after 2 attempts"), category("soft_404: 信息不存在")) == ("http_503", "soft_404")


@pytest.mark.parametrize(("address", "public"), [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.9", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("0.0.0.0", False), ("::1", False), ("fe80::1", False), ("fd00::1", False),
    ("::ffff:127.0.0.1", False), ("224.0.0.1", False), ("100.64.0.1", False),
    ("8.8.8.8", True), ("202.96.128.86", True), ("2400:3200::1", True), ("www.gov.cn", True),
])
def test_public_addresses(address, public):
    assert is_public_address(address) is public


def test_credentials_are_masked():
    assert redact("postgresql://gx:s3cr3t@db:5432/gx failed") == "postgresql://gx:***@db:5432/gx failed"
    assert redact("host=db password=s3cr3t user=gx") == "host=db password=*** user=gx"
    assert redact("http://a.gov.cn:8080/x?a=1") == "http://a.gov.cn:8080/x?a=1"  # a port is not a password


def _result(status: str = "ok", **kw) -> ParseResult:
    return ParseResult(source="u", status=status, title="太平乡2021年政府信息公开工作年度报告", agency="太平乡",
                       year=2021, published=date(2022, 1, 20), edition="2021",
                       values={"s3.new.total": Decimal("12.5")} if status == "ok" else {},
                       checks=[Check("s3.balance.total", True, Decimal(1), Decimal(1))], **kw)


def _prov(body: bytes, content_type: str = "text/html; charset=utf-8") -> Provenance:
    return Provenance(content=body, page_url="http://a.gov.cn/1.shtml", content_type=content_type)


def test_the_loader_refuses_what_is_not_a_report_version():
    assert refusal(_result("error", message="EOF marker not found"), _prov(b"%PDF-1.4")).startswith("unreadable")
    soft = _prov("<html><title>提示</title><body>信息不存在</body></html>".encode())
    assert refusal(_result("no_tables"), soft).startswith("soft_404")
    hint_only = _prov("<html><title>某县人民政府</title><body><p>欢迎访问</p></body></html>".encode())
    assert refusal(_result("no_tables"), hint_only).startswith("no_tables")
    narrative = _prov("<html><title>太平乡2021年政府信息公开工作年度报告</title><body>总体情况…</body></html>".encode())
    assert refusal(_result("no_tables"), narrative) is None
    linking = _prov("<html><title>某县</title><body><p>相关文章</p><a href='/r.html'>太平乡2021年政府信息公开"
                    "工作年度报告</a></body></html>".encode())
    assert refusal(_result("no_tables"), linking).startswith("no_tables")  # a link names another page
    assert refusal(_result("no_tables", images=["/u/t1.jpg"]), hint_only) is None
    assert refusal(_result("no_tables", source_type="pdf"), _prov(b"%PDF-1.4 ...", "application/pdf")) is None
    assert refusal(_result("ok"), soft) is None  # statistics decide; an odd phrase does not
    assert replacement_refusal("ok", _result("no_tables")).startswith("kept")
    assert replacement_refusal("no_tables", _result("ok")) is None


def test_a_spooled_report_comes_back_exactly(tmp_path):
    stated = Check("narrative.received", False, Decimal(9), Decimal("12.5"), sentence="共收到政府信息公开申请9件")
    result = _result("ok", warnings=["w"], blank=["s2.x.y"], narrative=[stated])
    prov = Provenance(content=b"<html>\xe4\xb8\xad</html>", page_url="http://a.gov.cn/1.shtml",
                      document_url="http://a.gov.cn/1.pdf", fetched_at=NOW, content_type="text/html",
                      spider="panzhihua", hints={"title": "t"})
    region = Region("四川省", "攀枝花市", "仁和区", "510411", "panzhihua")
    back = report_from_json(report_to_json(result, prov, region), prov.content)
    assert back == (result, prov, region)
    spool = Spool(tmp_path, "panzhihua")
    spool.put_report(result, prov, region)
    spool.put_report(result, prov, region)
    assert spool.count() == 2
    for path, item in spool.reports():
        assert item == (result, prov, region)
        spool.forget_report(path)
    assert spool.count() == 0 and not list(tmp_path.rglob("*.bin"))


def test_a_spooled_report_keeps_the_pictures_it_was_read_from(tmp_path):
    """A page read with its table pictures, spooled in an outage: the pictures' bytes come back
    with it (the loader stores them then), and go with it."""
    pictures = [("http://a.gov.cn/u/t1.jpg", b"\xff\xd8\xff\xe0 one"), ("http://a.gov.cn/u/t2.png", b"\x89PNG two")]
    prov = Provenance(content=b"<html>page</html>", page_url="http://a.gov.cn/1.shtml", fetched_at=NOW,
                      content_type="text/html", spider="panzhihua", pictures=pictures,
                      missing_pictures=["http://a.gov.cn/u/t3.jpg"])
    result = _result("ok", source_type="ocr", pictures=prov.picture_shas, picture={"s3.x": 2})
    region = Region("四川省", "攀枝花市", "仁和区", "510411", "panzhihua")
    spool = Spool(tmp_path, "panzhihua")
    spool.put_report(result, prov, region)
    ((path, item),) = list(spool.reports())
    assert item == (result, prov, region) and item[1].pictures == pictures
    spool.forget_report(path)
    assert spool.count() == 0 and not list(tmp_path.rglob("*.bin"))


def test_the_ledger_records_final_failures_once_and_ignores_requests_not_of_the_spider():
    from scrapy import Request, Spider
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from gxcrawler.crawl.ledger import STATS_URLS, FailureLedgerMiddleware

    crawler = get_crawler(Spider)
    ledger = FailureLedgerMiddleware.from_crawler(crawler)
    report = Request("http://a.gov.cn/r.shtml", meta={"gx_kind": "report", "retry_times": 1})
    ledger.process_response(report, HtmlResponse(report.url, status=503, body=b"busy"))
    ledger.process_exception(Request("http://a.gov.cn/l.shtml", meta={"gx_kind": "list"}),
                             IgnoreRequest("Forbidden by robots.txt"))
    ledger.process_exception(Request("http://a.gov.cn/k.shtml", meta={"gx_kind": "report"}),
                             IgnoreRequest("known document, not due tonight"))  # not a failure
    ledger.process_response(Request("http://a.gov.cn/robots.txt"), HtmlResponse("http://a.gov.cn/robots.txt",
                                                                                 status=404))  # not the spider's
    listed = crawler.stats.get_value(STATS_URLS)
    assert [(f["url"], f["reason"]) for f in listed] == [
        ("http://a.gov.cn/r.shtml", "http_503 after 2 attempts"),
        ("http://a.gov.cn/l.shtml", "blocked: forbidden by the site's robots.txt (ROBOTSTXT_OBEY)"),
    ]
    assert crawler.stats.get_value("gx/failed/kind/list") == 1
