"""Family markers and the extractors for what a plain link crawl cannot see (markup as the families print it)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from gxcrawler.discovery import families

HANWEB = """<html><head><script src="/module/jslib/jquery/jquery.js"></script></head><body>
<div id="4567"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=12&path=/&columnid=3456&unitid=4567&webname=%E6%9F%90%E5%8E%BF&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2024/1/20/art_3456_901.html" title="某镇2023年政府信息公开工作年度报告">某镇2023年政府信息公开工作...</a><span>2024-01-20</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/1/19/art_3456_900.html" title="关于报送2023年度报告的通知">关于报送…</a></li>]]></record>
</recordset></datastore></script></div>
<script>$('#4567').jpage({dataStore: dataStore, proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 15, totalRecord: 50, groupSize: 3});</script>
</body></html>"""


def test_hanweb_xml_island_records_and_the_posts_for_the_rest():
    assert families.detect(HANWEB, "http://www.x.gov.cn/col/col3456/index.html")[0] == "hanweb"
    links = families.hanweb_records(HANWEB, "http://www.x.gov.cn/col/col3456/index.html")
    assert [(link.url, link.text) for link in links] == [
        ("http://www.x.gov.cn/art/2024/1/20/art_3456_901.html", "某镇2023年政府信息公开工作年度报告")]
    posts = families.hanweb_next_posts(HANWEB, "http://www.x.gov.cn/col/col3456/index.html")
    assert [p.url for p in posts] == [  # one group (perPage × groupSize records) a POST, as the widget asks
        "http://www.x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=47&perpage=15",
        "http://www.x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=48&endrecord=92&perpage=15",
    ]
    form = dict(posts[0].formdata)
    assert form["columnid"] == "3456" and form["unitid"] == "4567" and form["webid"] == "12"
    assert form["webname"] == "某县"
    answer = "<datastore><recordset>" + "<record><![CDATA[<li>x</li>]]></record>" * 45 + "</recordset>" \
        "<totalrecord>50</totalrecord></datastore>"
    assert families.hanweb_next_posts(answer, posts[0].url) == []  # a dataproxy answer asks for nothing more


def test_hanweb_form_fields_from_a_script_object():
    page = """<script type="text/xml"><datastore><recordset></recordset></datastore></script>
    <script>var param = {col: 1, appid: 1, webid: 7, path: '/', columnid: 99, sourceContentType: 1, unitid: 5,
    webname: '某县人民政府', permissiontype: 0}; $.post('/module/web/jpage/dataproxy.jsp', param);
    var totalRecord = 20; var perPage = 10;</script>"""
    posts = families.hanweb_next_posts(page, "http://www.x.gov.cn/col/col99/index.html")
    assert len(posts) == 2 and parse_qs(urlsplit(posts[0].url).query)["startrecord"] == ["1"]
    assert dict(posts[0].formdata)["webname"] == "某县人民政府"


def test_trs_pages_from_create_page_html_and_from_script_variables():
    base = "http://www.x.gov.cn/zwgk/xxgknb/index.html"
    assert families.trs_pages('<script>createPageHTML(3, 0, "index", "html");</script>', base) == [
        "http://www.x.gov.cn/zwgk/xxgknb/index_1.html", "http://www.x.gov.cn/zwgk/xxgknb/index_2.html"]
    js = '<script>var countPage = 3;//共多少页\nvar currentPage = 0;\ncreatePageHTML(countPage, currentPage, "index", "shtml");</script>'
    assert families.trs_pages(js, base)[-1] == "http://www.x.gov.cn/zwgk/xxgknb/index_2.shtml"
    assert families.trs_pages("<script>var totalPage = 2;</script>", base) == ["http://www.x.gov.cn/zwgk/xxgknb/index_1.html"]
    assert families.trs_pages("<script>createPageHTML(1, 0, 'index', 'html');</script>", base) == []
    assert "trs" in families.detect('<a href="./202401/t20240120_123456.html">x</a>' + js)


def test_vsb_pages_numbered_downwards():
    page = """<!--Announced by Visual SiteBuilder 9--><span class="p_pages">共4页&nbsp;<a href="nb/3.htm">2</a>
    <span class="p_next p_fun"><a href="nb/3.htm">下页</a></span><span class="p_last p_fun"><a href="nb/1.htm">尾页</a></span></span>"""
    assert families.vsb_pages(page, "http://www.x.gov.cn/zfxxgk/nb.htm") == [
        "http://www.x.gov.cn/zfxxgk/nb/3.htm", "http://www.x.gov.cn/zfxxgk/nb/2.htm", "http://www.x.gov.cn/zfxxgk/nb/1.htm"]
    assert families.vsb_pages(page, "http://www.x.gov.cn/zfxxgk/nb/3.htm") == []  # read on page 1 only
    assert families.detect(page)[0] == "vsb"


def test_gkmlpt_config_tree_and_api():
    page = """<script>window._CONFIG = {SID: '755033', TREE: [{"id": 1, "name": "机构", "children": [
      {"id": 2, "name": "政府信息公开年报", "children": []}]}, {"id": 3, "name": "政策文件"}], SERVICE_AREA_ID: 1};</script>"""
    sid, tree = families.gkmlpt_config(page)
    assert sid == "755033" and families.gkmlpt_report_columns(tree) == [(2, "政府信息公开年报")]
    assert families.gkmlpt_api("http://www.x.gov.cn/gkmlpt/index", 2, sid, 3) == \
        "http://www.x.gov.cn/gkmlpt/api/all/2?page=3&sid=755033"
    links, pages = families.gkmlpt_articles(
        {"articles": [{"title": "某县2023年政府信息公开工作年度报告", "url": "/gkmlpt/content/1/1/post_11.html"}] * 10,
         "classify": {"post_count": 25}}, "http://www.x.gov.cn/gkmlpt/index")
    assert pages == 3 and links[0].url == "http://www.x.gov.cn/gkmlpt/content/1/1/post_11.html"


def test_aspx_postback_pager():
    page = """<form name="aspnetForm" method="post" action="./List.aspx?id=12" id="aspnetForm">
    <input type="hidden" name="__VIEWSTATE" value="/wEPDwUK" /><input type="hidden" name="__EVENTTARGET" value="" />
    <input type="hidden" name="__EVENTVALIDATION" value="/wEdAA" />
    <a href="javascript:__doPostBack('ctl00$Main$Pager','2')">2</a><a href="javascript:__doPostBack('ctl00$Main$Pager','2')">下一页</a>
    <a href="javascript:__doPostBack('ctl00$Main$Lang','en')">English</a></form>"""
    (post,) = families.aspx_postbacks(page, "http://www.x.gov.cn/Item/List.aspx?id=12")
    assert post.url == "http://www.x.gov.cn/Item/List.aspx?id=12"
    data = dict(post.formdata)
    assert data["__EVENTTARGET"] == "ctl00$Main$Pager" and data["__EVENTARGUMENT"] == "2"
    assert data["__VIEWSTATE"] == "/wEPDwUK" and "__EVENTVALIDATION" in data
    assert families.detect(page)[0] == "aspx"


def test_no_family_on_a_plain_page():
    assert families.detect("<html><body><a href='/a.html'>首页</a></body></html>") == []
