"""The family simulations serve what they claim, and their truth is consistent.

These test the simulations, not the spiders: every list page a simulation says it has
lists what it says; every expected report is served where its truth says; decoys, soft
404s and other counties' reports are never expected; each family's own mechanism
(script page counts, XML islands and dataproxy, downward page numbers, JSON APIs …)
behaves as its evidence describes (docs/spec/portals.md, "Family evidence").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import urlencode, urlsplit

import pytest

from tests.simulations.family import DECOYS, SOFT_404, TITLE_VARIANTS
from tests.simulations.registry import ALL, FAMILIES, all_simulations, simulation
from tests.simulations.server import SimulationServer


def _get(sim, url, **headers):
    return sim.handle("GET", url, headers)


def _text(response) -> str:
    try:
        return response.body.decode("utf-8")
    except UnicodeDecodeError:  # the TRS portal's GBK pages
        return response.body.decode("gbk", "replace")


@pytest.fixture(scope="module", params=FAMILIES)
def sim(request):
    found = simulation(request.param)
    assert found is not None, f"simulation {request.param} failed to build"
    return found


def test_every_simulation_builds_and_no_two_claim_a_host():
    sims = all_simulations(ALL)
    assert [s.name for s in sims] == list(ALL)
    hosts = Counter(h for s in sims for h in s.hosts)
    assert [h for h, n in hosts.items() if n > 1] == []


def test_truth_is_one_report_per_agency_and_year_over_six_years(sim):
    reports = sim.expected_reports()
    assert len({(r.agency, r.year) for r in reports}) == len(reports) >= 40
    assert {r.year for r in reports} == set(range(2019, 2025))
    assert {r.edition for r in reports} == {"2019", "2021"}
    assert {r.source_type for r in reports} == {"html", "pdf", "docx"}
    agencies = {r.agency for r in reports}
    assert any(a.endswith(("乡人民政府", "镇人民政府", "街道办事处")) for a in agencies)
    assert any(a.endswith(("局", "办公室")) for a in agencies)
    assert all(r.agency.startswith(sim.region.county) or sim.region.city + sim.region.county in r.agency for r in reports)


def test_every_title_variant_decoy_kind_and_soft_404_is_there(sim):
    assert {i.variant for i in sim.reports()} == set(TITLE_VARIANTS)
    assert {i.variant for i in sim.items if i.role == "decoy"} == set(DECOYS)
    assert Counter(i.role for i in sim.items)["soft404"] >= 3
    expected_pages = {r.page_url for r in sim.expected_reports()}
    assert not any(i.url in expected_pages for i in sim.items if not i.expected)
    assert sim.neighbour.url not in expected_pages if hasattr(sim, "neighbour") else True


def test_expected_pages_documents_and_aliases_are_served(sim):
    reports = sim.expected_reports()
    for r in reports:
        assert urlsplit(r.page_url).hostname in sim.hosts
        page = _get(sim, r.page_url, referer=sim.column_url)
        assert page.status == 200 and page.headers["Content-Type"].startswith("text/html"), r.page_url
        for alias in r.aliases:
            assert _get(sim, alias).status == 200, alias
    for kind in ("pdf", "docx"):  # rendering files takes a while: one of each
        r = next(r for r in reports if r.source_type == kind)
        file = _get(sim, r.document_url, referer=r.page_url)
        while file.status == 302:
            file = _get(sim, file.headers["Location"], referer=r.page_url)
        assert file.status == 200, r.document_url
        assert file.body[:4] == (b"%PDF" if kind == "pdf" else b"PK\x03\x04")
        assert r.document_url.rsplit("/", 1)[-1] in _text(_get(sim, r.page_url)).replace("&amp;", "&")


def test_soft_404_pages_answer_200_and_say_so(sim):
    for item in (i for i in sim.items if i.role == "soft404"):
        answer = _get(sim, item.url)
        assert answer.status == 200
        assert any(text in _text(answer) for text in SOFT_404)


def test_other_jurisdictions_reports_are_served_but_never_expected(sim):
    neighbour = sim.neighbour
    answer = _get(sim, neighbour.url)
    assert answer.status == 200 and "第二十条" in _text(answer)
    expected = {(r.agency, r.year) for r in sim.expected_reports()}
    assert not any(neighbour.pub.canonical_agency == a for a, _ in expected)


def _form(sim, column_html: str) -> dict[str, str]:
    """The jpage form fields, read from the column page's ``param_`` object."""
    block = re.search(r"var param_\d+ = \{([^}]*)\}", column_html).group(1)
    return {k: v.strip("'") for k, v in re.findall(r"(\w+):('[^']*'|[^,]*)", block)}


def test_list_pages_list_what_the_simulation_says(sim):
    form: dict[str, str] = {}
    for pages in sim.listings():
        for url, listed in pages:
            if "#columnid=" in url:  # Hanweb: later records only from the dataproxy, with the page's form
                answer = sim.handle("POST", url.split("#")[0], {}, body=urlencode(form).encode())
            else:
                answer = _get(sim, url)
            assert answer.status == 200, url
            body = _text(answer)
            if "var param_" in body:
                form = _form(sim, body)
            for item in listed:
                names = [u.rsplit("/", 1)[-1] for u in (item.url, *item.aliases)]
                assert any(n in body or str(item.attrs.get("id", "@")) in body for n in names), (url, item.title)


def test_the_way_from_the_home_page_to_the_column_is_linked(sim):
    chain = [*sim.navigation_urls(), sim.column_url]
    chain = list(dict.fromkeys(chain))
    for here, there in zip(chain, chain[1:], strict=False):
        body = _text(_get(sim, here))
        tail = urlsplit(there).path.rstrip("/").rsplit("/", 1)[-1]
        assert tail in body, (here, there)


def test_needed_requests_are_answered(sim):
    needed = sim.needed_requests()
    assert len(needed) >= len(sim.expected_reports()) + 3
    assert set(sim.needed_requests(2022)) <= set(needed)
    for url in needed:
        if url.endswith((".pdf", ".docx")) or "download" in url or "attach" in url or "file." in url:
            continue  # files: checked above
        assert _get(sim, url.split("#")[0]).status == 200, url


# --- each family's own mechanism ------------------------------------------------------------


def test_trs_page_count_only_in_scripts_gb2312_declared_gbk_bytes():
    sim = simulation("trs")
    for column in ("/zwgk/xxgknb/", "/zwgk/xxgknb/bmnb/", "/zwgk/xxgknb/xzjdnb/"):
        pages = sim.pages(column)
        assert len(pages) >= 2
        first = _get(sim, pages[0][0])
        assert first.headers["Content-Type"] == "text/html"  # no charset in the header
        html = first.body.decode("gbk")
        assert 'charset=gb2312' in html and "澴" in html  # a GBK-only character on a "gb2312" page
        markup = re.sub(r"<script.*?</script>", "", html, flags=re.S)
        assert "index_1.html" not in markup  # no visible next link
        count = re.search(r"createPageHTML\((\d+), 0|var countPage = (\d+)", html)
        assert int(count.group(1) or count.group(2)) == len(pages)
        stub = _get(sim, f"http://www.huanshui.gov.cn{column}index_{len(pages)}.html")
        assert stub.status == 200 and len(stub.body) < 600
    report = next(i for i in sim.reports() if i.file_url)
    page = _get(sim, report.url).body.decode("gbk")
    oldsrc = re.search(r'OLDSRC="([^"]+)"', page).group(1)
    assert _get(sim, "http://www.huanshui.gov.cn" + oldsrc).status == 404  # the OLDSRC path is dead
    assert "..." in _get(sim, sim.pages("/zwgk/xxgknb/bmnb/")[0][0]).body.decode("gbk")


def test_hanweb_list_only_in_the_xml_island_then_dataproxy_with_the_form():
    sim = simulation("hanweb")
    col = "1229776600"
    column = _get(sim, f"http://www.yj.gov.cn/col/col{col}/index.html").body.decode()
    island = re.search(r'<script type="text/xml">(.*?)</script>', column, re.S).group(1)
    assert island.count("<record>") == 24 and "art_" not in column.replace(island, "")
    form = _form(sim, column)
    assert form["columnid"] == col and form["unitid"] and form["webid"]
    proxy = "http://www.yj.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=25&endrecord=48&perpage=12"
    later = sim.handle("POST", proxy, {}, body=urlencode(form).encode()).body.decode()
    total = len(sim.records(col))
    assert f"<totalrecord>{total}</totalrecord>" in later and later.count("<record>") == min(24, total - 24)
    assert "<record>" not in sim.handle("POST", proxy, {}).body.decode()  # without the form: nothing
    real = _get(sim, "http://www.yj.gov.cn/art/2024/1/16/art_1229779591_86714.html")
    assert real.status == 200 and "溪下乡" in real.body.decode()
    server = SimulationServer([sim])  # the server hands the POSTed body on
    assert "<record>" in server.answer("POST", proxy, {}, urlencode(form).encode()).body.decode()


def test_vsb_pages_numbered_downwards_and_downloads_need_a_referer():
    sim = simulation("vsb")
    pages = sim.pages()
    assert pages[0][0].endswith("/zfxxgk/zfxxgknb.htm") and pages[-1][0].endswith("/zfxxgknb/1.htm")
    assert pages[1][0].endswith(f"/zfxxgknb/{len(pages) - 1}.htm")
    first = _get(sim, pages[0][0]).body.decode()
    assert f'<span class="p_t">1/{len(pages)}</span>' in first and "p_next p_fun" in first
    real = _get(sim, "https://www.ynzk.gov.cn/info/1039/108122.htm").body.decode()
    assert "来源:镇康县木场乡人民政府 作者: 时间:2024-01-16" in real
    report = next(i for i in sim.reports() if i.file_url)
    assert not _get(sim, report.file_url).body.startswith(b"%PDF")  # no Referer: an HTML error page
    file = _get(sim, report.file_url, referer=report.url)
    assert file.headers["Content-Type"] == "application/octet-stream" and "." not in report.file_url.rsplit("/", 1)[-1][-6:]
    dispositions = {i.attrs["disposition"] for i in sim.reports() if i.file_url}
    assert dispositions == {True, False}  # the type is sometimes only in the bytes


def test_gkmlpt_tree_api_json_detail_and_sitemap():
    sim = simulation("gkmlpt")
    index = _get(sim, sim.column_url).body.decode()
    config = json.loads(re.search(r"window\._CONFIG = (\{.*?\});</script>", index).group(1))
    assert config["SID"] == "755042"
    node = next(n for n in config["TREE"] if n["name"] == "政府信息公开年报")
    for leaf in node["children"]:
        seen, page = [], 1
        while True:
            data = json.loads(_get(sim, f"http://www.yantian.gov.cn/gkmlpt/api/all/{leaf['id']}?page={page}&sid=755042").body)
            if not data["articles"]:
                break
            seen += data["articles"]
            page += 1
        assert len(seen) == data["classify"]["post_count"] == leaf["post_count"]
    wrong = json.loads(_get(sim, f"http://www.yantian.gov.cn/gkmlpt/api/all/{node['children'][0]['id']}?page=1&sid=1").body)
    assert wrong["articles"] == []
    report = next(i for i in sim.reports() if not i.file_url)
    detail = _get(sim, report.url).body.decode()
    assert "<table" not in detail and "\\u003Ctable" in detail  # the body only inside the JSON
    robots = _get(sim, "http://www.yantian.gov.cn/robots.txt").body.decode()
    assert "Sitemap: http://www.yantian.gov.cn/sitemap.xml" in robots
    listed = "".join(_get(sim, f"http://www.yantian.gov.cn/sitemap_{n}.xml").body.decode() for n in (1, 2))
    assert all(r.page_url in listed for r in sim.expected_reports())


def test_year_tree_columns_files_and_misfiled_report():
    sim = simulation("yeartree")
    root = _get(sim, sim.column_url).body.decode()
    assert "2023年度" in root and "2022年" in root and "/zfxxgk/zfxxgknb/2023n/" in root
    assert _get(sim, "http://xczw.gov.cn/zfxxgk/zfxxgknb/2023n/content_38018").status == 200
    misfiled = [i for i in sim.reports(2021) if i.attrs["col"] != "2021n"]
    assert len(misfiled) == 1
    town = next(i for i in sim.reports() if i.file_url)
    assert urlsplit(town.file_url).hostname == "file.xczw.gov.cn"
    assert "附件：" in _get(sim, town.url).body.decode()
    file = _get(sim, town.file_url)
    assert file.headers["Content-Type"] == "application/octet-stream" and "Content-Disposition" not in file.headers


def test_powereasy_aspx_pages_legacy_urls_and_aspnet_headers():
    sim = simulation("powereasy")
    page = _get(sim, "http://www.juyang.gov.cn/Category_45/Index_2.aspx")
    assert page.status == 200 and page.headers["X-Powered-By"] == "ASP.NET" and "__VIEWSTATE" in page.body.decode()
    legacy = next(i for i in sim.reports() if i.aliases)
    assert _get(sim, legacy.aliases[0]).body == _get(sim, legacy.url).body
    assert "/Article/ShowArticle.asp?ArticleID=" in _get(sim, sim.start_url).body.decode()


def test_epoint_pages_attachments_and_server():
    sim = simulation("epoint")
    first = _get(sim, sim.column_url)
    assert first.headers["Server"] == "epoint-httpserver"
    assert f"<span>1/{len(sim.pages())}</span>" in first.body.decode() and 'href="2.html"' in first.body.decode()
    report = next(i for i in sim.reports() if i.file_url)
    file = _get(sim, report.file_url)
    assert file.headers["Content-Disposition"].startswith("attachment;filename=%E")
