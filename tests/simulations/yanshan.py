"""Simulation of the 砚山县 portal (``yanshan.gov.cn``), the ``/view/{col}/{id}.html`` family.

What it reproduces (docs/spec/portals.md §C): the general column ``xxgknb`` and
year-named columns (``2020``, ``2021``, ``2023``, ``2024``) listed in the column's side
navigation; details ``/view/{col}/{id}.html`` with 6-digit IDs *not* in year order
(a migrated block around 150k shuffled for 2019–2022, new IDs around 157k/163k);
the same article reachable under any column slug (cross-listed in two columns);
one report filed in the wrong year column; mixed http/https links and a
``www.yanshan.gov.cn`` link that redirects to the bare host; the header
``发布时间:… 来源:{乡镇短名} 阅读次数:N`` after the stale ``2023年11月5日 星期天``
widget; some pages without a title line; notices, a guide and a 解读 in the
columns; a withdrawn report (404); a clone proxy host and a link to the other
county called 盐山 (Hebei).

List pages: ``/ysxrmzf/{slug}/pc/list.html`` (a public survey note records
``yanshan.gov.cn/ysxrmzf/czyjs/pc/list.html``; the same ``/{prefix}rmzf/{path}/pc/list.html``
shape is the Yichun CMS of Jiangxi's counties). The guessed ``/list/{slug}.html`` answers 404.
A home page whose 政务公开 entry leads to the 政府信息公开 menu and the 年报 column.

GUESSES (no list page content was ever seen): the pages after the first
(``pc/list_{n}.html``), the list and home markup, the menu path, 15 rows per page, the townships beyond 蚌峨乡/平远镇/阿猛镇 and the
departments beyond the three seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import urlsplit

from gxcrawler.model import Region

from .base import ExpectedReport, SimResponse, expected_from_docs
from .corpus import (
    YEARS,
    Publication,
    html_response,
    link,
    not_found,
    publishes,
    seed_publication,
    stable_int,
    synthetic_publication,
)

PORTAL = "yanshan"
HOST = "yanshan.gov.cn"
WWW = "www.yanshan.gov.cn"
CLONE = "yanshan.gov.cn.jhzjl.com"  # a reverse-proxy mirror (GUESS: name invented)
OTHER_COUNTY = "http://www.chinayanshan.gov.cn/"  # 盐山县, Hebei: a different county
REGION = Region(province="云南省", city="文山壮族苗族自治州", county="砚山县", division_code="532622", portal=PORTAL)
PAGE_SIZE = 15
COLUMNS = {"xxgknb": "政府信息公开年报", "2024": "2024年度", "2023": "2023年度", "2021": "2021年度", "2020": "2020年度"}
SEED_ID = 157142

#: (name as titles print it, 来源 short name); the first three townships and three
#: departments were seen, the rest are GUESSES
AGENCIES = (
    ("砚山县", "县政府办"),
    ("蚌峨乡人民政府", "蚌峨乡"),
    ("平远镇", "平远镇"),
    ("阿猛镇人民政府", "阿猛镇"),
    ("江那镇", "江那镇"),
    ("稼依镇人民政府", "稼依镇"),
    ("砚山县机关事务管理局", "机关事务管理局"),
    ("砚山县政务服务管理局", "政务服务管理局"),
    ("砚山县交通运输局", "交通运输局"),
)
#: a report filed in the wrong year column (a 2022 report in column 2021)
MISFILED = ("砚山县交通运输局", 2022)
#: a listed report whose page was withdrawn (404)
GONE = ("江那镇", 2020)


@dataclass
class Doc:
    id: int
    columns: list[str]  # every column listing it; the first is its own
    title: str
    published: datetime
    pub: Publication | None = None  # None for notices and guides
    source: str = "县政府办"
    show_title: bool = True
    gone: bool = False
    body: str = ""

    @property
    def url(self) -> str:
        return f"https://{HOST}/view/{self.columns[0]}/{self.id}.html"


def _home_column(name: str, year: int, title: str) -> list[str]:
    """Where a report is filed: year columns exist only for some years."""
    if (name, year) == MISFILED:
        return ["2021"]
    if year in (2020, 2021, 2024):
        return [str(year)]
    if year == 2023:  # half in the year column, a few cross-listed in both
        n = stable_int(PORTAL, title) % 3
        return [["2023"], ["xxgknb"], ["2023", "xxgknb"]][n]
    return ["xxgknb"]


class YanshanSimulation:
    name = PORTAL
    hosts = (HOST, WWW, CLONE)

    def __init__(self) -> None:
        self.docs: list[Doc] = []
        self._build()
        self.by_id = {d.id: d for d in self.docs}

    # --- corpus ------------------------------------------------------------------

    def _build(self) -> None:
        pubs: list[tuple[Publication, str]] = []
        for name, source in AGENCIES:
            for year in YEARS:
                is_seed = name == "蚌峨乡人民政府" and year == 2023
                forced = (name, year) in (MISFILED, GONE)
                if not (is_seed or forced or publishes(PORTAL, name, year, 0.75)):
                    continue
                if is_seed:
                    pub = seed_publication(
                        "002", PORTAL, REGION, agency=name, year=2023,
                        published=datetime(2024, 1, 15, 19, 53), source_name=source,
                    )
                else:
                    pub = synthetic_publication(PORTAL, REGION, name, year, source_name=source)
                pubs.append((pub, name))
        migrated = [p for p in pubs if p[0].year <= 2022]
        # the migrated block: IDs 150300.. handed out in an order unrelated to the year
        migrated.sort(key=lambda p: stable_int("id", p[0].title))
        for i, (pub, name) in enumerate(migrated):
            self._add_report(150_300 + 7 * i + stable_int(pub.title) % 5, pub, name)
        for year, base in ((2023, 157_100), (2024, 163_050)):
            fresh = sorted((p for p in pubs if p[0].year == year), key=lambda p: p[0].published)
            for i, (pub, name) in enumerate(fresh):
                doc_id = SEED_ID if pub.seed_file else base + 9 * i + 3 + stable_int(pub.title) % 6
                self._add_report(doc_id, pub, name)
        self._add_noise()

    def _add_report(self, doc_id: int, pub: Publication, name: str) -> None:
        show_title = pub.seed_file is not None or stable_int("title", pub.title) % 6 != 0
        doc = Doc(doc_id, _home_column(name, pub.year, pub.title), pub.title, pub.published, pub,
                  source=pub.source_name, show_title=show_title, gone=(name, pub.year) == GONE)
        self.docs.append(doc)

    def _add_noise(self) -> None:
        notices = (
            (150_280, ["xxgknb"], "关于报送2019年度政府信息公开工作年度报告的通知", datetime(2019, 12, 20, 9, 0)),
            (157_020, ["xxgknb"], "砚山县人民政府办公室关于报送2023年政府信息公开工作年度报告的通知", datetime(2023, 12, 28, 16, 2)),
            (150_291, ["xxgknb"], "砚山县人民政府信息公开指南", datetime(2020, 3, 2, 10, 30)),
            (157_480, ["2023"], "砚山县2023年政府信息公开工作年度报告解读", datetime(2024, 1, 30, 11, 0)),
            (150_877, ["2021"], "砚山县2021年政务公开工作要点", datetime(2021, 4, 8, 15, 12)),
        )
        for doc_id, cols, title, when in notices:
            body = f"<p>{escape(title)}</p><p>各乡（镇）人民政府，县直各部门：请按要求做好相关工作。</p>"
            self.docs.append(Doc(doc_id, cols, title, when, body=body))

    def expected_reports(self, year: int | None = None) -> list[ExpectedReport]:
        return expected_from_docs(self.docs, year)

    # --- HTTP --------------------------------------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str]) -> SimResponse:
        parts = urlsplit(url)
        host, path = (parts.hostname or "").lower(), parts.path or "/"
        if host == WWW:  # the old www name redirects to the bare host
            target = f"https://{HOST}{path}" + (f"?{parts.query}" if parts.query else "")
            return SimResponse(301, b"", {"Location": target})
        segments = path.strip("/").split("/")
        if len(segments) == 3 and segments[0] == "view" and segments[2].endswith(".html"):
            doc = self.by_id.get(int(segments[2][:-5])) if segments[2][:-5].isdigit() else None
            if doc is None or doc.gone or segments[1] not in COLUMNS:
                return not_found()
            return self._detail(doc, clone=host == CLONE)
        if path in ("/", "/index.html"):
            return self._menu("砚山县人民政府", (("政务公开", MENU), ("新闻中心", "/ysxrmzf/xwzx/pc/list.html")))
        if path == MENU:
            return self._menu("政务公开", (("政府信息公开指南", "/ysxrmzf/xxgkzn/pc/list.html"),
                                       ("法定主动公开内容", "/ysxrmzf/fdzdgknr/pc/list.html"),
                                       ("财政预决算", "/ysxrmzf/czyjs/pc/list.html"),
                                       ("政府信息公开年报", _list_path("xxgknb"))))
        if len(segments) == 4 and segments[0] == "ysxrmzf" and segments[2] == "pc" and segments[1] in COLUMNS:
            name = segments[3]
            if name == "list.html":
                return self._list(segments[1], 1) or not_found()
            if name.startswith("list_") and name.endswith(".html") and name[5:-5].isdigit():
                return self._list(segments[1], int(name[5:-5])) or not_found()
        return not_found()

    def _menu(self, title: str, links: tuple[tuple[str, str], ...]) -> SimResponse:
        items = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for text, href in links)
        html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}-砚山县人民政府</title></head><body>'
                + _chrome() + f'<div class="menu"><ul>{items}</ul></div>' + _footer() + "</body></html>")
        return html_response(html)

    def _list(self, slug: str, page: int) -> SimResponse | None:
        docs = sorted((d for d in self.docs if slug in d.columns), key=lambda d: d.published, reverse=True)
        pages = max(1, -(-len(docs) // PAGE_SIZE))
        if page > pages:
            return None
        rows = []
        for i, d in enumerate(docs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]):
            href = f"/view/{slug}/{d.id}.html"
            if i % 5 == 1:  # some rows carry absolute links, on either scheme or the www name
                href = ("http://" + HOST, "https://" + HOST, "http://" + WWW)[d.id % 3] + href
            rows.append(f'<li>{link(href, d.title, 28)}<span class="date">{d.published:%Y-%m-%d}</span></li>')
        nav = "".join(
            f'<li{" class=on" if s == slug else ""}><a href="{_list_path(s)}">{escape(label)}</a></li>'
            for s, label in COLUMNS.items()
        )
        pager = ""
        if pages > 1:
            def href(n: int) -> str:
                return _list_path(slug, n)

            parts = [f'<a href="{href(1)}">首页</a>']
            if page > 1:
                parts.append(f'<a href="{href(page - 1)}">上一页</a>')
            parts += [f'<a href="{href(n)}">{n}</a>' if n != page else f"<b>{n}</b>" for n in range(1, pages + 1)]
            if page < pages:
                parts.append(f'<a href="{href(page + 1)}">下一页</a>')
            parts.append(f'<a href="{href(pages)}">尾页</a>')
            pager = f'<div class="pagination">{"".join(parts)}<span>共{len(docs)}条 {page}/{pages}页</span></div>'
        related = (
            '<div class="related"><h4>相关链接</h4><ul>'
            f'<li><a href="https://{CLONE}/view/xxgknb/{SEED_ID}.html">蚌峨乡人民政府2023年政府信息公开工作年度报告</a></li>'
            f'<li><a href="{OTHER_COUNTY}">盐山县人民政府</a></li></ul></div>'
        )
        html = (
            f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{escape(COLUMNS[slug])}-砚山县人民政府</title></head><body>"
            + _chrome()
            + f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{MENU}">政务公开</a> &gt; {escape(COLUMNS[slug])}</div>'
            f'<div class="side"><h3>政府信息公开年报</h3><ul class="side-nav">{nav}</ul></div>'
            f'<div class="list-box"><ul class="news-list">{"".join(rows)}</ul>{pager}</div>'
            f"{related}{_footer()}</body></html>"
        )
        return html_response(html)

    def _detail(self, doc: Doc, clone: bool = False) -> SimResponse:
        title = f'<h2 class="article-title">{escape(doc.title)}</h2>' if doc.show_title else ""
        body = doc.pub.body_html() if doc.pub else doc.body
        if not doc.show_title:  # the stored page starts directly with the body
            body = body.split("\n", 1)[1] if body.startswith('<p style="text-align:center">') else body
        reads = 300 + stable_int("reads", doc.id) % 4000
        html = (
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>砚山县人民政府</title></head><body>"
            + _chrome()
            + '<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; 政府信息公开年报</div>'
            f'<div class="article">{title}'
            f'<div class="article-info">发布时间:{doc.published:%Y-%m-%d %H:%M:%S}&nbsp;&nbsp;&nbsp;&nbsp; '
            f"来源:{escape(doc.source)} 阅读次数:{reads}</div>"
            f'<div class="article-content" id="zoom">{body}</div></div>'
            + (f'<div class="mirror-note">本页面镜像自 https://{HOST}/</div>' if clone else "")
            + _footer()
            + "</body></html>"
        )
        return html_response(html, last_modified=doc.published)


MENU = "/ysxrmzf/zwgk/pc/index.html"


def _list_path(slug: str, page: int = 1) -> str:
    """The Yichun-CMS list URL of a column: ``pc/list.html``, then ``pc/list_{n}.html`` (GUESS)."""
    return f"/ysxrmzf/{slug}/pc/list.html" if page == 1 else f"/ysxrmzf/{slug}/pc/list_{page}.html"


def _chrome() -> str:
    """The page top: the stale date widget the real pages carry (always 2023-11-05)."""
    return (
        '<div class="top-bar"><span id="today">2023年11月5日 星期天</span>'
        f'<ul class="nav"><li><a href="/">首页</a></li><li><a href="{MENU}">政务公开</a></li>'
        f'<li><a href="{_list_path("xxgknb")}">信息公开年报</a></li></ul></div>'
    )


def _footer() -> str:
    return (
        '<div class="footer">主办：砚山县人民政府办公室 网站标识码：5326220001 滇ICP备05000824号'
        f' <a href="http://www.{HOST}/">http://www.{HOST}/</a></div>'
    )


def make_simulation() -> YanshanSimulation:
    return YanshanSimulation()

