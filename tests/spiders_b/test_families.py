"""Family-specific link, header, JSON and ObjectId handling, on the simulations' own pages."""

from __future__ import annotations

from datetime import timedelta, timezone
from urllib.parse import urlsplit

from spiders.families.base import Column
from spiders.families.gongkai import channel_api, listed_from_json, meta_table, objectid_time
from spiders.families.henan_dated import article_id as henan_id
from spiders.families.view_column import article_id as view_id
from spiders.luoning import LuoningSpider
from spiders.yanshan import YanshanSpider
from spiders.zbjkq import ZbjkqSpider
from tests.simulations import luoning, yanshan, zbjkq
from tests.simulations.registry import simulation

from .pages import fetch

CST = timezone(timedelta(hours=8))


# --- /view/{col}/{id}.html ---------------------------------------------------------


def test_view_article_is_the_same_under_any_column_host_or_scheme():
    spider = YanshanSpider()
    keys = {
        spider.document_key(u)
        for u in (
            "https://yanshan.gov.cn/view/xxgknb/157142.html",
            "http://yanshan.gov.cn/view/2023/157142.html",
            "http://www.yanshan.gov.cn/view/xxgknb/157142.html",
        )
    }
    assert keys == {"view:157142"}
    assert view_id("https://yanshan.gov.cn/list/xxgknb.html") is None


def test_view_list_follows_year_columns_and_pages_but_not_clones():
    sim = simulation("yanshan")
    spider = YanshanSpider()
    column = Column(url="https://yanshan.gov.cn/ysxrmzf/xxgknb/pc/list.html")  # the corrected list URLs
    page = fetch(sim, column.url)
    subs = {c.url for c in spider.subcolumns(page, column)}
    assert {f"https://yanshan.gov.cn/ysxrmzf/{s}/pc/list.html" for s in yanshan.COLUMNS} <= subs
    assert "https://yanshan.gov.cn/ysxrmzf/xxgknb/pc/list_2.html" in spider.next_pages(page, column)
    listed = list(spider.listed_reports(page, column))
    hosts = {urlsplit(r.url).hostname for r in listed}
    assert hosts <= {"yanshan.gov.cn", "www.yanshan.gov.cn"}
    clone_links = [u for u in page.css("a::attr(href)").getall() if yanshan.CLONE in u]
    assert clone_links, "the simulation links its clone, so the filter is exercised"
    assert all("通知" not in r.title for r in listed)


def test_view_header_date_is_the_publication_not_the_stale_widget():
    sim = simulation("yanshan")
    page = fetch(sim, "https://yanshan.gov.cn/view/xxgknb/157142.html")
    assert "2023年11月5日" in page.text
    hints = YanshanSpider().page_hints(page, {})
    assert hints["published"] == "2024-01-15"
    assert hints["title"] == "蚌峨乡人民政府2023年政府信息公开工作年度报告"


def test_view_page_without_title_line_keeps_the_list_title():
    sim = simulation("yanshan")
    doc = next(d for d in sim.docs if d.pub and not d.show_title and not d.gone)
    page = fetch(sim, doc.url)
    hints = YanshanSpider().page_hints(page, {"title": doc.title})
    assert hints["title"] == doc.title
    assert hints["published"] == f"{doc.published:%Y-%m-%d}"


# --- gongkai ----------------------------------------------------------------------


def test_objectid_time_is_the_creation_time():
    made = objectid_time(zbjkq.SEED_OID)
    assert made.astimezone(CST).strftime("%Y-%m-%d %H:%M") == "2021-02-02 09:03"
    assert objectid_time("http://x/gongkai/site_a/channel_b/doc_678ef1a6b5e8a176a74b4a40_0123456789abcdef0123456789abcdef.pdf")
    assert objectid_time("http://x/gongkai/site_a/channel_b/") is None


def test_simulated_objectids_match_their_dates_except_migrated_documents():
    sim = simulation("zbjkq")
    for doc in sim.docs:
        made = objectid_time(doc.oid).astimezone(CST).replace(tzinfo=None)
        if doc.published >= zbjkq.LAUNCH:
            assert abs(made - doc.published) < timedelta(days=3), doc.url
        else:  # migrated onto the platform: stamped at migration, dated earlier
            assert made >= zbjkq.LAUNCH - timedelta(days=1)


def test_channel_page_script_gives_the_json_endpoint_and_json_gives_reports():
    sim = simulation("zbjkq")
    site = zbjkq.SITES[0]
    channel_url = f"http://www.zbjkq.gov.cn/gongkai/site_{site.slug}/channel_{site.report_channel}/"
    page = fetch(sim, channel_url)
    assert not page.css("a[href*='doc_']"), "the list is not in the HTML"
    api = channel_api(page.text, page.url)
    assert api.startswith("http://www.zbjkq.gov.cn/gongkai/api/channel/docs?")
    assert f"channelId={site.report_channel}" in api and "page=1" in api
    listed, pages = listed_from_json(fetch(sim, api).json(), api)
    assert pages == 2, "the channel needs two JSON pages"
    more, _ = listed_from_json(fetch(sim, api.replace("page=1", "page=2")).json(), api)
    listed += more
    expected = {e.page_url for e in sim.expected_reports() if f"site_{site.slug}/" in e.page_url}
    assert expected <= {r.url for r in listed}
    assert any("通知" in r.title for r in listed), "the notice is listed too; titles decide"


def test_json_pages_are_all_requested():
    sim = simulation("zbjkq")
    site = zbjkq.SITES[0]
    spider = ZbjkqSpider()
    channel_url = f"http://www.zbjkq.gov.cn/gongkai/site_{site.slug}/channel_{site.report_channel}/"
    column = Column(url=channel_url)
    (first,) = spider.parse_list(fetch(sim, channel_url, meta={"gx_column": column}))
    assert first.meta["gx_kind"] == "json"
    out = list(spider.parse_json(fetch(sim, first.url, meta=first.meta)))
    pages = [r.url for r in out if r.meta["gx_kind"] == "json"]
    assert pages == [first.url.replace("page=1", "page=2")]
    reports = [r for r in out if r.meta["gx_kind"] == "report"]
    assert reports and all(r.meta["gx_hints"]["title"] for r in reports)


def test_single_document_channel_is_read_as_the_report_page():
    sim = simulation("zbjkq")
    spider = ZbjkqSpider(year="2023")
    site = next(s for s in zbjkq.SITES if s.slug == "jjkfqczjrj")
    url = f"http://www.zbjkq.gov.cn/gongkai/site_{site.slug}/channel_{site.report_channel}/"
    page = fetch(sim, url, meta={"gx_column": Column(url=url)})
    (request,) = spider.parse_list(page)
    assert request.url == url and request.meta["gx_kind"] == "report"
    assert request.meta["gx_hints"]["year"] == 2023 and request.meta["gx_hints"]["published"]
    assert not list(ZbjkqSpider(year="2022").parse_list(page)), "other years are left alone"


def test_metadata_table_both_date_styles():
    sim = simulation("zbjkq")
    seed = next(d for d in sim.docs if d.oid == zbjkq.SEED_OID)
    meta = meta_table(fetch(sim, seed.url))
    assert meta["发文日期"] == "2021-01-31T09:00:17" and meta["发布机构"] == "经开区办公室"
    assert ZbjkqSpider().page_hints(fetch(sim, seed.url), {})["published"] == "2021-01-31"
    recent = next(d for d in sim.docs if d.oid == zbjkq.SEED_2024_OID)
    assert meta_table(fetch(sim, recent.url))["发文日期"] == "2025-01-21"


# --- /{YYYY}/{MM-DD}/{id}.html ------------------------------------------------------


def test_henan_date_comes_from_the_page_not_the_url():
    sim = simulation("luoning")
    spider = LuoningSpider()
    differing = [d for d in sim.docs if d.pub and d.url.split("/")[3:5] != [f"{d.published:%Y}", f"{d.published:%m-%d}"]]
    assert differing
    for doc in differing[:5]:
        hints = spider.page_hints(fetch(sim, doc.url), {})
        assert hints["published"] == f"{doc.published:%Y-%m-%d}"
    assert spider.document_key("http://luoning.gov.cn/2017/07-25/2771998.html") == spider.document_key(
        "http://www.luoning.gov.cn/2017/07-25/2771998.html"
    )
    assert henan_id("http://www.luoning.gov.cn/3/40/index_2.html") is None


def test_henan_list_rows_pager_and_attachments_on_the_city_file_host():
    sim = simulation("luoning")
    spider = LuoningSpider()
    column = Column(url="http://www.luoning.gov.cn/3/40/")
    page = fetch(sim, column.url)
    listed = list(spider.listed_reports(page, column))
    assert listed and all(henan_id(r.url) for r in listed)
    assert list(spider.next_pages(page, column)) == ["http://www.luoning.gov.cn/3/40/index_2.html"]
    seed = next(d for d in sim.docs if d.pub and d.pub.seed_file == "004")
    links = spider.report_attachments(fetch(sim, seed.url))
    assert [urlsplit(a.url).hostname for a in links] == [luoning.OSS]
    assert "oss.ly.gov.cn" in spider.allowed_domains and "ly.gov.cn" not in spider.allowed_domains


def test_spiders_exclude_clone_hosts():
    for spider, sim in ((YanshanSpider, "yanshan"), (ZbjkqSpider, "zbjkq"), (LuoningSpider, "luoning")):
        clones = [h for h in simulation(sim).hosts if h in (yanshan.CLONE, zbjkq.CLONE, luoning.CLONE)]
        assert clones
        for host in clones:
            assert not any(host == d or host.endswith("." + d) for d in spider.allowed_domains), host

