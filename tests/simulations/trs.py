"""TRS WCM family: 澴水县 (fictional), ``www.huanshui.gov.cn``.

Evidence (docs/spec/portals.md, "Family evidence" §A): a real TRS 信息公开年报 list page
(docs/spec/pages/trs_list_egb_xxgknb_index.html: ``table.gl_list`` rows, relative
``./YYYYMM/tYYYYMMDD_ID.html`` links, a ``countPage`` pager script and the city's and
province's reports reposted in the county's column), a real TRS list with its
``createPageHTML`` function (titles cut with ``...``, sometimes no ``title=``), TRS
attachments ``<a href="./P0….pdf" OLDSRC="/protect/…">`` whose OLDSRC path is dead, the
national page metadata (ArticleTitle/PubDate/ContentSource) and ``index_N`` pages past the
end answering a few-hundred-byte stub.

The portal: home → 政府信息公开 (``/zwgk/``) → 信息公开年报 (``/zwgk/xxgknb/``, every
document of its two sub-columns, rows cut without ``title=``, ``createPageHTML``) with the
sub-columns 部门年报 (``bmnb/``: ``<li>`` rows, cut text, whole title in ``title=``,
``createPageHTML``) and 乡镇（街道）年报 (``xzjdnb/``: the real page's table, a ``countPage``
script, no ``createPageHTML``). The count is the number of pages; page 0 is
``index.html``, then ``index_1.html`` …; nothing but the script tells how many there are.
GB2312 pages, declared in a ``<meta>`` only (the header says ``text/html``), one list page
not at all. Reports as HTML, PDF or DOCX next to the page (``./P0….pdf``, ``./W0…`` before
2021). Noise: every decoy kind, the city's report reposted in the column, a neighbour
county's report in the detail pages' 相关链接, soft 404s, one report quoted into a
法定主动公开 column under a second path, absolute https links to some pages on the home page.

GUESSES: the county, host, column paths, IDs, page sizes; ``W0`` names before 2021.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import urlsplit

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
    foreign_report,
    report_stub,
)

PORTAL = "trs"
HOST = "www.huanshui.gov.cn"
NEIGHBOUR = "www.yunxi-xg.gov.cn"  # 云溪县 (fictional neighbour)
REGION = Region(province="湖北省", city="孝感市", county="澴水县", division_code=None, portal=PORTAL)
#: pages say gb2312 but hold GBK bytes (澴 and traditional characters are not in GB2312),
#: as real "gb2312" sites do
ENCODING = "gbk"
ROOT = "/zwgk/xxgknb/"
COLUMNS = {  # path -> (name, page size, style)
    ROOT: ("信息公开年报", 20, "root"),
    ROOT + "bmnb/": ("部门年报", 15, "li"),
    ROOT + "xzjdnb/": ("乡镇（街道）年报", 10, "table"),
}
QUOTED = "/zwgk/fdzdgknr/qtfdxx/"  # 法定主动公开内容 > 其他: one report quoted here as well
UNDECLARED_PAGE = (ROOT + "xzjdnb/", 1)  # this list page declares no charset at all

AGENCIES = (
    Agency("澴水县人民政府", "澴水县人民政府办公室", county_wide=True),
    Agency("澴水县人民政府办公室", "县政府办"),
    Agency("澴水县财政局", "澴水县财政局", fmt="pdf"),
    Agency("澴水县教育局", "县教育局"),
    Agency("澴水县卫生健康局", "澴水县卫生健康局", fmt="pdf"),
    Agency("澴水县自然资源和规划局", "县自然资源和规划局"),
    Agency("澴水县城关镇人民政府", "城关镇"),
    Agency("澴水县花园镇人民政府", "花园镇人民政府", fmt="pdf"),
    Agency("澴水县双峰乡人民政府", "双峰乡"),
    Agency("澴水县白沙街道办事处", "白沙街道", fmt="docx", since=2022),
)
TOWNS = ("镇", "乡", "街道")


NAV_STUBS = {"/zwgk/xxgkzn/": "政府信息公开指南", "/zwgk/xxgkzd/": "政府信息公开制度", "/zwgk/fdzdgknr/": "法定主动公开内容",
             "/zwgk/ysqgk/": "依申请公开", "/xwzx/": "新闻中心", "/hdjl/": "互动交流"}


def _column_of(item: Item) -> str:
    if item.agency and item.agency.name.endswith(("镇人民政府", "乡人民政府", "街道办事处")):
        return ROOT + "xzjdnb/"
    if item.role == "decoy" and item.variant in ("training", "tujie", "status"):
        return ROOT + "xzjdnb/"
    return ROOT + "bmnb/"


class TrsSimulation(FamilyPortal):
    name = PORTAL
    family = "trs_wcm"
    hosts = (HOST, NEIGHBOUR)
    region = REGION
    start_url = f"http://{HOST}/"
    column_url = f"http://{HOST}{ROOT}"

    def __init__(self) -> None:
        super().__init__()
        self.items = build_corpus(PORTAL, REGION, AGENCIES)
        city = foreign_report(PORTAL, Region("湖北省", "孝感市", None, None, PORTAL), "孝感市", 2022, "孝感市人民政府办公室")
        city.attrs["repost"] = True
        self.items.append(city)
        self.neighbour = foreign_report(PORTAL, Region("湖北省", "孝感市", "云溪县", None, PORTAL), "云溪县", 2023,
                                        "云溪县人民政府办公室")
        self.neighbour.url = f"http://{NEIGHBOUR}/zwgk/xxgknb/202402/t20240206_3310457.html"
        self.items.sort(key=lambda i: (i.published, i.key))
        assign_ids(self.items, 1_800_000, 37)
        for item in self.items:
            item.attrs["column"] = _column_of(item)
            item.url = self._url(item, item.attrs["column"])
            if item.role == "report" and item.fmt in ("pdf", "docx"):
                prefix = "W0" if item.published.year < 2021 else "P0"
                item.attrs["file"] = f"{prefix}{item.published:%Y%m%d}{stable_int(item.key, 'f') % 10**12:012d}.{item.fmt}"
                item.file_url = item.url.rsplit("/", 1)[0] + "/" + item.attrs["file"]
        quoted = next(i for i in self.reports() if i.fmt == "html" and i.year == 2022)
        quoted.aliases.append(self._url(quoted, QUOTED))
        self.by_path = {urlsplit(u).path: i for i in self.items for u in (i.url, *i.aliases)}
        self.by_path[urlsplit(self.neighbour.url).path] = self.neighbour
        self.files = {urlsplit(i.file_url).path: i for i in self.items if i.file_url}

    def _url(self, item: Item, column: str) -> str:
        return f"http://{HOST}{column}{item.published:%Y%m}/t{item.published:%Y%m%d}_{item.attrs['id']}.html"

    # --- what a crawl needs --------------------------------------------------------------

    def navigation_urls(self) -> list[str]:
        return [self.start_url, f"http://{HOST}/zwgk/"]

    def column_items(self, column: str) -> list[Item]:
        listed = [i for i in self.items if column == ROOT or i.attrs["column"] == column]
        return sorted(listed, key=lambda i: (i.published, i.key), reverse=True)

    def pages(self, column: str) -> list[tuple[str, list[Item]]]:
        size = COLUMNS[column][1]
        items = self.column_items(column)
        count = max(1, -(-len(items) // size))
        return [(f"http://{HOST}{column}" + ("" if n == 0 else f"index_{n}.html"), items[n * size:(n + 1) * size])
                for n in range(count)]

    def listings(self) -> list[list[tuple[str, list[Item]]]]:
        return [self.pages(ROOT), self.pages(ROOT + "bmnb/"), self.pages(ROOT + "xzjdnb/")]

    # --- HTTP ----------------------------------------------------------------------------

    def route(self, method: str, url: str, headers: dict[str, str], body: bytes) -> SimResponse | None:
        parts = urlsplit(url)
        path = parts.path or "/"
        if parts.hostname == NEIGHBOUR:
            return self._detail(self.neighbour, neighbour=True) if path == urlsplit(self.neighbour.url).path else None
        if path in ("/", "/index.html"):
            return self._home()
        if path in ("/zwgk/", "/zwgk/index.html"):
            return self._xxgk()
        if path in self.files:
            item = self.files[path]
            return self.file_response(item)
        if path in self.by_path:
            return self._detail(self.by_path[path])
        column, _, name = path.rpartition("/")
        column += "/"
        if column in COLUMNS:
            if name in ("", "index.html"):
                return self._list(column, 0)
            if name.startswith("index_") and name.endswith(".html") and name[6:-5].isdigit():
                return self._list(column, int(name[6:-5]))
        if path in NAV_STUBS:
            return self._page(NAV_STUBS[path], f'<div class="main"><h2>{NAV_STUBS[path]}</h2><p>栏目建设中。</p></div>')
        if path in (QUOTED, QUOTED + "index.html"):
            return self._page("其他法定信息", "".join(
                f'<li><a href="./{i.published:%Y%m}/t{i.published:%Y%m%d}_{i.attrs["id"]}.html" title="{escape(i.title)}">'
                f'{escape(i.title)}</a><span>{i.published:%Y-%m-%d}</span></li>' for i in self.items if i.aliases))
        return None

    def _page(self, title: str, main: str, *, declare: str = "meta", last_modified: datetime | None = None,
              head: str = "") -> SimResponse:
        html = (
            f"<html><head><title>{escape(title)}_澴水县人民政府</title>{head}</head><body>"
            '<div class="top"><a href="/">澴水县人民政府</a> | <a href="/zwgk/">政府信息公开</a> | '
            '<a href="/xwzx/">新闻中心</a> | <a href="/hdjl/">互动交流</a></div>'
            f"{main}"
            '<div class="foot">主办：澴水县人民政府办公室 鄂ICP备05003412号 网站标识码：4209000031</div></body></html>'
        )
        return _gbk_page(html, declare, last_modified)

    def _home(self) -> SimResponse:
        latest = [i for i in sorted(self.items, key=lambda i: i.published, reverse=True) if i.role == "report"][:5]
        rows = "".join(
            f'<li><a href="https://{HOST}{urlsplit(i.url).path}" title="{escape(i.title)}">{escape(_cut(i.title, 18))}</a></li>'
            for i in latest
        )
        return self._page("首页", '<div class="nav"><a href="./zwgk/">政府信息公开</a> <a href="./zwgk/xxgkzn/">信息公开指南</a></div>'
                          f'<div class="box"><h3>最新公开</h3><ul>{rows}</ul></div>')

    def _xxgk(self) -> SimResponse:
        links = (("./xxgkzn/", "政府信息公开指南"), ("./xxgkzd/", "政府信息公开制度"), ("./fdzdgknr/", "法定主动公开内容"),
                 ("./xxgknb/", "政府信息公开年报"), ("./ysqgk/", "依申请公开"))
        menu = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links)
        return self._page("政府信息公开", f'<div class="xxgk-menu"><ul>{menu}</ul></div>')

    def _list(self, column: str, page: int) -> SimResponse:
        name, _, style = COLUMNS[column]
        pages = self.pages(column)
        if page >= len(pages):  # past the end: the CMS still answers, with a stub
            return self._stub()
        items = pages[page][1]
        base = f"http://{HOST}{column}"

        def href(item: Item) -> str:
            rel = item.url[len(base):] if item.url.startswith(base) else urlsplit(item.url).path
            return rel if rel.startswith("/") else "./" + rel

        if style == "table":
            rows = "".join(
                '<tr valign="top"><td width="25"><img src="../../../images/ico2.jpg"></td>'
                f'<td width="550"><a href="{href(i)}">{escape(i.title)}</a></td><td>{i.published:%Y-%m-%d}</td></tr>'
                for i in items
            )
            listing = f'<table width="682" border="0" cellspacing="0" cellpadding="0" class="gl_list"><tbody>{rows}</tbody></table>'
            pager = _count_page_script(len(pages), page)
        elif style == "li":
            rows = "".join(
                f'<li><a href="{href(i)}" title="{escape(i.title)}" target="_blank">{escape(_cut(i.title, 22))}</a>'
                f"<span>{i.published:%Y-%m-%d}</span></li>" for i in items
            )
            listing = f'<ul class="list">{rows}</ul>'
            pager = f'<script language="JavaScript">createPageHTML({len(pages)}, {page}, "index", "html");</script>'
        else:  # the root column: cut text and no title attribute
            rows = "".join(
                f'<tr><td><a href="{href(i)}" target="_blank"><span class="STYLE25">{escape(_cut(i.title, 24))}</span></a></td>'
                f'<td width="10%"><span class="STYLE12">{i.published:%Y-%m-%d}</span></td></tr>' for i in items
            )
            listing = f'<table width="99%">{rows}</table>'
            pager = f'<script>createPageHTML({len(pages)}, {page}, "index", "html");</script>'
        crumbs = '<a href="../../" title="首页" class="CurrChnlCls">首页</a>&nbsp;&gt;&gt;&nbsp;'
        crumbs += '<a href="../" title="政府信息公开" class="CurrChnlCls">政府信息公开</a>&nbsp;&gt;&gt;&nbsp;'
        if column != ROOT:
            crumbs = crumbs.replace('"../../"', '"../../../"').replace('"../"', '"../../"')
            crumbs += '<a href="../" title="信息公开年报" class="CurrChnlCls">信息公开年报</a>&nbsp;&gt;&gt;&nbsp;'
        crumbs += f'<a href="./" title="{name}" class="CurrChnlCls">{name}</a>'
        side = ('<div class="side"><h3>信息公开年报</h3><ul>'
                f'<li><a href="{"./" if column == ROOT else "../"}bmnb/">部门年报</a></li>'
                f'<li><a href="{"./" if column == ROOT else "../"}xzjdnb/">乡镇（街道）年报</a></li></ul></div>')
        main = (
            f'<table><tr><td class="pos" height="27">您现在的位置是：{crumbs}</td></tr></table>{side}'
            f'{listing}<div class="page">'
            '<script language="JavaScript" src="/images/createPageHTML.js"></script>'
            f"{pager}</div>"
        )
        declare = "none" if (column, page) == UNDECLARED_PAGE else "meta"
        return self._page(name, main, declare=declare)

    def _stub(self) -> SimResponse:
        html = "<html><head><title></title></head><body>" + "<!-- -->" * 4 + "<table class=\"gl_list\"></table>" + " " * 260 + "</body></html>"
        return _gbk_page(html, "none", None)

    def _detail(self, item: Item, neighbour: bool = False) -> SimResponse:
        if item.role == "soft404":
            return self._page("提示信息", f'<div class="error"><p>{escape(item.variant)}</p><a href="/">返回首页</a></div>')
        if item.role == "decoy":
            body = decoy_body(item, REGION.county)
        elif item.file_url:
            name = item.attrs["file"]
            oldsrc = f"/protect/{name[:2]}{name[2:8]}/{name[:10]}/{name}"
            link = (f'<a appendix="true" href="./{name}" OLDSRC="{oldsrc}" download="{escape(item.file_name)}">'
                    f"{escape(item.file_name)}</a>")
            body = report_stub(item, link).replace("<p>附件：", '<p class="insertfileTag">附件：')
        else:
            body = item.pub.body_html()
        county = "云溪县" if neighbour else REGION.county
        side = ""
        if not neighbour and item.role == "report":
            side = ('<div class="xglj"><h4>相关链接</h4><ul>'
                    f'<li><a href="{self.neighbour.url}">{escape(self.neighbour.title)}</a></li>'
                    '<li><a href="http://www.hubei.gov.cn/">湖北省人民政府</a></li></ul></div>')
        head = (
            f'<meta name="SiteName" content="{county}人民政府"><meta name="ColumnName" content="信息公开年报">'
            f'<meta name="ArticleTitle" content="{escape(item.title)}">'
            f'<meta name="PubDate" content="{item.published:%Y-%m-%d %H:%M}">'
            f'<meta name="ContentSource" content="{escape(item.source)}">'
        )
        main = (
            '<div class="position">您现在的位置：<a href="../../../../">首页</a> &gt;&gt; '
            '<a href="../../../">政府信息公开</a> &gt;&gt; <a href="../../">信息公开年报</a></div>'
            f'<div class="article"><h1 class="title">{escape(item.title)}</h1>'
            f'<div class="info">发布时间：{item.published:%Y-%m-%d}　来源：{escape(item.source)}　'
            "【字体：<a>大</a> <a>中</a> <a>小</a>】</div>"
            f'<div class="TRS_Editor">{body}</div></div>{side}'
        )
        return self._page(item.title, main, last_modified=item.published, head=head)


def _gbk_page(html: str, declare: str, last_modified: datetime | None) -> SimResponse:
    """GBK bytes, a ``<meta>`` naming gb2312 (or nothing), no charset in the header."""
    if declare == "meta":
        html = html.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">', 1)
    response = html_response(html, encoding=ENCODING, declare="none", last_modified=last_modified)
    response.headers["Content-Type"] = "text/html"
    return response


def _cut(title: str, limit: int) -> str:
    """TRS list templates cut long titles and append ``...``."""
    return title if len(title) <= limit else title[:limit] + "..."


def _count_page_script(count: int, current: int) -> str:
    """The real page's pager: script variables and document.write, no link in the markup."""
    return (
        '<script language="JavaScript" type="text/javascript">\n'
        f"var currentPage = {current};//所在页从0开始\n"
        "var prevPage = currentPage-1//上一页\n"
        "var nextPage = currentPage+1//下一页\n"
        f"var countPage = {count}//共多少页\n"
        f'document.write("共计"+"&nbsp;<font style=\'color:#FF8008\'>"+"{count}"+"&nbsp;</font>"+"页");\n'
        'document.write("&nbsp;<a href=\\"index."+"html\\">首页</a>&nbsp;|");\n'
        "if(countPage>1&&currentPage!=(countPage-1))\n"
        'document.write("&nbsp;<a href=\\"index"+"_" + nextPage + "."+"html\\">&nbsp;<span class=greyfont>下一页</span>&nbsp;</a>&nbsp;");\n'
        "</script>"
    )


def make_simulation() -> TrsSimulation:
    return TrsSimulation()
