"""Hanweb 大汉 jcms family: 永嘉县 (real county, Zhejiang), ``www.yj.gov.cn``.

Evidence (docs/spec/portals.md, "Family evidence" §B): a real 永嘉县 report page
``/art/2024/1/16/art_1229779591_86714.html`` (溪下乡, 2023; the page starts with the
"信息公开元数据" table); Hanweb column pages ``/col/colN/index.html`` whose list exists
only as ``<script type="text/xml"><datastore><nextgroup>…<recordset><record><![CDATA[<li>…]]>``
with the jpage call (``totalRecord``, ``perPage``) and a ``param_{unitid}`` object; later
records only from ``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…``
with the form fields ``col, appid, webid, path, columnid, sourceContentType, unitid,
webname, permissiontype`` (POSTed by public spiders; an empty answer without them); the
answer's ``<totalrecord>``/``<totalpage>``; ``<meta name="ColumnName">`` on column pages and
ArticleTitle/PubDate/ContentSource on articles; the ``ContentStart``/``ContentEnd`` markers;
attachments ``/module/download/downfile.jsp?classid=0&filename={32hex}.pdf`` redirecting
(302) to ``/attach/0/{32hex}.pdf``.

The portal: home → 政府信息公开 (``col1229776567``) → 政府信息公开年报 (``col1229776598``, a
page of two sub-columns) → 县级部门年报 (``col1229776600``) and 乡镇（街道）年报
(``col1229779591``). Each column page embeds the first 24 records (12 a page, groups of 2);
the rest only through dataproxy. Reports as HTML, PDF or DOCX; duplicates: one township
report quoted into the departments' column (a second ``art_{COL}_{ID}`` URL); noise: every
decoy kind, soft 404s, a neighbour county's (乐清市) report in the article side bar.

GUESSES: every column ID but 1229779591, the webid/unitid, page sizes, the agencies
beyond 溪下乡 and the metadata-table fields.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import parse_qs, quote, urlsplit

from gxcrawler.model import Region

from .base import SimResponse
from .corpus import html_response, stable_int
from .family import (
    Agency,
    FamilyPortal,
    Item,
    assign_ids,
    build_corpus,
    decoy_body,
    file_digest,
    foreign_report,
    report_stub,
)

PORTAL = "hanweb"
HOST = "www.yj.gov.cn"
NEIGHBOUR = "www.yueqing.gov.cn"  # 乐清市, the neighbouring county-level city
REGION = Region(province="浙江省", city="温州市", county="永嘉县", division_code="330324", portal=PORTAL)
WEBID, UNITID, WEBNAME = "2611", "7391063", "永嘉县人民政府"
XXGK, NB, DEPT, TOWN = "1229776567", "1229776598", "1229776600", "1229779591"
COLUMNS = {DEPT: "县级部门年报", TOWN: "乡镇（街道）年报"}
PER_PAGE, GROUP = 12, 2
PROXY = "/module/web/jpage/dataproxy.jsp"
#: the real report: 溪下乡's 2023 report at its real URL
REAL = ("永嘉县溪下乡人民政府", 2023, datetime(2024, 1, 16, 15, 32), 86714)

AGENCIES = (
    Agency("永嘉县人民政府", "永嘉县人民政府办公室", county_wide=True),
    Agency("永嘉县人民政府办公室", "县府办"),
    Agency("永嘉县发展和改革局", "永嘉县发展和改革局", fmt="pdf"),
    Agency("永嘉县教育局", "县教育局"),
    Agency("永嘉县财政局", "永嘉县财政局"),
    Agency("永嘉县卫生健康局", "县卫生健康局", fmt="pdf"),
    Agency("永嘉县市场监督管理局", "永嘉县市场监督管理局"),
    Agency("永嘉县瓯北街道办事处", "瓯北街道"),
    Agency("永嘉县桥头镇人民政府", "桥头镇人民政府", fmt="pdf"),
    Agency("永嘉县岩头镇人民政府", "岩头镇"),
    Agency("永嘉县溪下乡人民政府", "溪下乡"),
    Agency("永嘉县界坑乡人民政府", "界坑乡", fmt="docx", since=2023),
)


def _is_town(item: Item) -> bool:
    return bool(item.agency) and item.agency.name.endswith(("镇人民政府", "乡人民政府", "街道办事处"))


class HanwebSimulation(FamilyPortal):
    name = PORTAL
    family = "hanweb_jcms"
    hosts = (HOST, NEIGHBOUR)
    region = REGION
    start_url = f"http://{HOST}/"
    column_url = f"http://{HOST}/col/col{NB}/index.html"

    def __init__(self) -> None:
        super().__init__()
        self.items = build_corpus(PORTAL, REGION, AGENCIES, rate=0.85, force=[REAL[:2]])
        real = next((i for i in self.reports() if (i.agency.name, i.year) == REAL[:2]), None)
        if real is not None:
            real.pub.report.published = real.published = REAL[2]
        self.neighbour = foreign_report(PORTAL, Region("浙江省", "温州市", "乐清市", "330382", PORTAL), "乐清市", 2023,
                                        "乐清市人民政府办公室")
        self.neighbour.url = f"http://{NEIGHBOUR}/art/2024/1/22/art_1229410745_4215632.html"
        self.items.sort(key=lambda i: (i.published, i.key))
        # article IDs rise ~3k a year (86714 on 2024-01-16)
        assign_ids(self.items, 70_100, 9, {id(real): REAL[3]} if real else {})
        for item in self.items:
            item.attrs["col"] = TOWN if _is_town(item) or item.variant in ("training", "status") else DEPT
            item.url = self._art(item, item.attrs["col"])
            if item.role == "report" and item.fmt in ("pdf", "docx"):
                item.attrs["file"] = f"{file_digest(item)}.{item.fmt}"
                item.file_url = f"http://{HOST}/module/download/downfile.jsp?classid=0&filename={item.attrs['file']}"
                item.aliases.append(f"http://{HOST}/attach/0/{item.attrs['file']}")  # where downfile.jsp redirects
        quoted = next(i for i in self.reports(2022) if _is_town(i) and i.fmt == "html")
        quoted.aliases.append(self._art(quoted, DEPT))
        quoted.attrs["also"] = DEPT
        self.by_path = {urlsplit(u).path: i for i in self.items for u in (i.url, *i.aliases)}
        self.by_file = {i.attrs["file"]: i for i in self.items if i.file_url}

    def _art(self, item: Item, col: str) -> str:
        d = item.published
        return f"http://{HOST}/art/{d.year}/{d.month}/{d.day}/art_{col}_{item.attrs['id']}.html"

    # --- lists ---------------------------------------------------------------------------

    def records(self, col: str) -> list[Item]:
        listed = [i for i in self.items if i.attrs["col"] == col or i.attrs.get("also") == col]
        return sorted(listed, key=lambda i: (i.published, i.key), reverse=True)

    def proxy_url(self, col: str, start: int) -> str:
        return f"http://{HOST}{PROXY}?startrecord={start}&endrecord={start + PER_PAGE * GROUP - 1}&perpage={PER_PAGE}"

    def navigation_urls(self) -> list[str]:
        return [self.start_url, f"http://{HOST}/col/col{XXGK}/index.html", self.column_url]

    def listings(self) -> list[list[tuple[str, list[Item]]]]:
        out = []
        for col in (DEPT, TOWN):
            records, group = self.records(col), PER_PAGE * GROUP
            pages = [(f"http://{HOST}/col/col{col}/index.html", records[:group])]
            # the dataproxy URL is the same for both columns: the form tells them apart
            pages += [(self.proxy_url(col, s + 1) + f"#columnid={col}", records[s:s + group])
                      for s in range(group, len(records), group)]
            out.append(pages)
        return out

    # --- HTTP ----------------------------------------------------------------------------

    def route(self, method: str, url: str, headers: dict[str, str], body: bytes) -> SimResponse | None:
        parts = urlsplit(url)
        path, query = parts.path or "/", parse_qs(parts.query)
        if parts.hostname == NEIGHBOUR:
            return self._article(self.neighbour, neighbour=True) if path == urlsplit(self.neighbour.url).path else None
        if path in ("/", "/index.html"):
            return self._page("永嘉县人民政府", f'<div class="nav"><a href="/col/col{XXGK}/index.html">政府信息公开</a> '
                              '<a href="/col/col1229776500/index.html">新闻中心</a></div>')
        if path == PROXY:
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            form.update({k: v[-1] for k, v in query.items()})
            return self._proxy(form)
        if path == "/module/download/downfile.jsp":
            item = self.by_file.get(query.get("filename", [""])[0])
            if item is None:
                return html_response("<html><body><script>alert('文件不存在！');history.back();</script></body></html>")
            return SimResponse(302, b"", {"Location": f"http://{HOST}/attach/0/{item.attrs['file']}"})
        if path.startswith("/attach/0/") and path[10:] in self.by_file:
            return self.file_response(self.by_file[path[10:]])
        if path in self.by_path:
            return self._article(self.by_path[path])
        if path.startswith("/col/col") and path.endswith("/index.html"):
            col = path[8:-11]
            if col == XXGK:
                links = (("1229776570", "政府信息公开指南"), ("1229776575", "政府信息公开制度"),
                         ("1229776580", "法定主动公开内容"), (NB, "政府信息公开年报"))
                menu = "".join(f'<li><a href="/col/col{c}/index.html">{t}</a></li>' for c, t in links)
                return self._page("政府信息公开", f'<ul class="xxgk-nav">{menu}</ul>', column="政府信息公开")
            if col == NB:
                menu = "".join(f'<li><a href="/col/col{c}/index.html">{t}</a></li>' for c, t in COLUMNS.items())
                return self._page("政府信息公开年报", f'<ul class="sub-columns">{menu}</ul>', column="政府信息公开年报")
            if col in COLUMNS:
                return self._column(col)
        return None

    def _page(self, title: str, main: str, *, column: str | None = None, head: str = "",
              last_modified: datetime | None = None) -> SimResponse:
        meta = f'<meta name="ColumnName" content="{escape(column)}">' if column else ""
        html = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="SiteName" content="永嘉县人民政府"><meta name="SiteDomain" content="{HOST}">'
            f'<meta name="SiteIDCode" content="3303240001">{meta}{head}</head><body>'
            '<div class="header"><a href="/">中国永嘉</a> <a href="/col/col1229776567/index.html">政府信息公开</a></div>'
            f'<div class="main">{main}</div><div class="footer">主办：永嘉县人民政府办公室 浙ICP备05011356号</div></body></html>'
        )
        return html_response(html, last_modified=last_modified)

    def _record(self, item: Item, col: str) -> str:
        text = item.title if len(item.title) <= 28 else item.title[:27] + "..."
        return (f"<li><a href='{urlsplit(self._art(item, col) if item.attrs.get('also') == col else item.url).path}'"
                f" title='{escape(item.title)}' target='_blank'>{escape(text)}</a><span>{item.published:%Y-%m-%d}</span></li>")

    def _datastore(self, col: str, records: list[Item], total: int, with_totals: bool) -> str:
        nextgroup = (f'<a href="{PROXY}?page=1&appid=1&webid={WEBID}&path=/&columnid={col}&unitid={UNITID}'
                     f'&webname={quote(WEBNAME)}&permissiontype=0"></a>')
        recs = "\n".join(f"<record><![CDATA[{self._record(i, col)}]]></record>" for i in records)
        totals = (f"<totalrecord>{total}</totalrecord><totalpage>{max(1, -(-total // PER_PAGE))}</totalpage>"
                  if with_totals else "")
        return f"<datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup><recordset>\n{recs}\n</recordset>{totals}</datastore>"

    def _column(self, col: str) -> SimResponse:
        records = self.records(col)
        store = self._datastore(col, records[:PER_PAGE * GROUP], len(records), with_totals=False)
        script = (
            "<script>\n"
            f"var param_{UNITID} = {{col:1,appid:1,webid:{WEBID},path:'/',columnid:{col},sourceContentType:1,"
            f"unitid:'{UNITID}',webname:'{WEBNAME}',permissiontype:0}};\n"
            f"$(function(){{ $('#{UNITID}').jpage({{dataStore:'#{UNITID}',proxyUrl:'{PROXY}',perPage:{PER_PAGE},"
            f"totalRecord:{len(records)},groupSize:{GROUP},barPosition:'bottom',ajaxParam:param_{UNITID},"
            "pageBarClass:'default_pgContainer'}); });\n</script>"
        )
        main = (
            f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/col/col{XXGK}/index.html">政府信息公开</a> &gt; '
            f'<a href="/col/col{NB}/index.html">政府信息公开年报</a> &gt; {COLUMNS[col]}</div>'
            f'<div class="list"><div id="{UNITID}"><script type="text/xml">{store}</script></div></div>'
            '<script src="/module/jslib/jquery/jquery.js"></script><script src="/module/web/jpage/jpage.js"></script>'
            + script
        )
        return self._page(COLUMNS[col], main, column=COLUMNS[col])

    def _proxy(self, form: dict[str, str]) -> SimResponse:
        col = form.get("columnid", "")
        ok = col in COLUMNS and form.get("unitid") == UNITID and form.get("webid") == WEBID
        records = self.records(col) if ok else []
        try:
            start, end = int(form.get("startrecord", "1")), int(form.get("endrecord", "0"))
        except ValueError:
            start, end = 1, 0
        xml = '<?xml version="1.0" encoding="utf-8"?>' + self._datastore(col, records[max(0, start - 1):end],
                                                                          len(records), with_totals=True)
        return SimResponse(200, xml.encode(), {"Content-Type": "text/xml;charset=utf-8"})

    def _article(self, item: Item, neighbour: bool = False) -> SimResponse:
        if item.role == "soft404":
            return self._page("提示", f'<div class="tips">{escape(item.variant)}</div>')
        if item.role == "decoy":
            body = decoy_body(item, REGION.county)
        elif item.file_url:
            body = report_stub(item, f'<a href="{urlsplit(item.file_url).path}?{urlsplit(item.file_url).query}" '
                                     f'target="_blank">{escape(item.file_name)}</a>')
        else:
            body = item.pub.body_html()
        d = item.published
        meta_table = (
            '<table class="xxgk_table"><caption>信息公开元数据</caption>'
            f"<tr><th>索引号</th><td>001008003{stable_int(item.key) % 10**6:06d}/{d.year}-{stable_int(item.key, 'n') % 99999:05d}</td>"
            f"<th>发布机构</th><td>{escape(item.source)}</td></tr>"
            f"<tr><th>生成日期</th><td>{d:%Y-%m-%d}</td><th>公开方式</th><td>主动公开</td></tr>"
            "<tr><th>主题分类</th><td>政务公开</td><th>文号</th><td></td></tr></table>"
        )
        side = ""
        if not neighbour:
            side = (f'<div class="side"><h4>相关信息</h4><ul><li><a href="{self.neighbour.url}" target="_blank">'
                    f"{escape(self.neighbour.title)}</a></li></ul></div>")
        head = (f'<meta name="ArticleTitle" content="{escape(item.title)}"><meta name="PubDate" content="{d:%Y-%m-%d %H:%M}">'
                f'<meta name="ContentSource" content="{escape(item.source)}">')
        main = (
            f'{meta_table}<div class="title">{escape(item.title)}</div>'
            f'<div class="info">发布日期：{d:%Y-%m-%d} 信息来源：{escape(item.source)} 浏览次数：<span id="hits"></span></div>'
            '<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">'
            f'{body}<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>{side}'
        )
        return self._page(item.title, main, column=COLUMNS.get(item.attrs.get("col", ""), "政府信息公开年报"), head=head,
                          last_modified=item.published)


def make_simulation() -> HanwebSimulation:
    return HanwebSimulation()
