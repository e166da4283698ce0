"""Year-tree (网站群) family: 西畴县 (real county, Yunnan), ``xczw.gov.cn``.

Evidence (docs/spec/portals.md, "Family evidence" §E): a real 西畴县 report URL
``xczw.gov.cn/zfxxgk/zfxxgknb/2023n/content_38018`` (a 年报 column whose sub-columns are
years, ``2023n``; documents ``content_{id}`` with no extension); 砚山县 (same prefecture)
files reports in year-named columns; real year columns are labelled ``2023年度`` or
``2022年``; township reports published as short pages whose ``附件：`` link points to a
file; real county report headers ``来源:杨林镇 发布时间:2024-03-26``.

The portal: home → 政府信息公开 (``/zfxxgk/``) → 政府信息公开年报 (``/zfxxgk/zfxxgknb/``: a
menu of year sub-columns ``2024nd`` (2024年度), ``2023n`` (2023年度), ``2022n`` (2022年) …,
plus the latest county report under a second path) → each year's list (12 rows,
``?pageIndex=N``, a 下一页 link). Departments publish HTML pages; townships publish a
short page with ``附件：….pdf/.docx`` on the file host ``file.xczw.gov.cn`` served as
``application/octet-stream`` with no file name. One 2021 report is filed under 2022年.
Noise: every decoy kind, soft 404s ("页面不存在", HTTP 200), 麻栗坡县's report in the side bar.

GUESSES: the file host and its FastDFS-style paths, the slugs other than ``2023n``, the
list pagination, IDs, page header and agencies.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import parse_qs, urlsplit

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

PORTAL = "yeartree"
HOST = "xczw.gov.cn"
FILES = "file.xczw.gov.cn"
NEIGHBOUR = "www.mlp.gov.cn"  # 麻栗坡县
REGION = Region(province="云南省", city="文山壮族苗族自治州", county="西畴县", division_code="532623", portal=PORTAL)
ROOT = "/zfxxgk/zfxxgknb/"
YEAR_COLUMNS = {2024: ("2024nd", "2024年度"), 2023: ("2023n", "2023年度"), 2022: ("2022n", "2022年"),
                2021: ("2021n", "2021年"), 2020: ("2020n", "2020年度"), 2019: ("2019n", "2019年")}
PAGE_SIZE = 12
REAL = ("西畴县人民政府", 2023, 38018)

AGENCIES = (
    Agency("西畴县人民政府", "西畴县人民政府办公室", county_wide=True),
    Agency("西畴县人民政府办公室", "县政府办"),
    Agency("西畴县财政局", "西畴县财政局"),
    Agency("西畴县教育体育局", "县教体局"),
    Agency("西畴县卫生健康局", "西畴县卫生健康局"),
    Agency("西畴县西洒镇人民政府", "西洒镇", fmt="pdf"),
    Agency("西畴县兴街镇人民政府", "兴街镇", fmt="pdf"),
    Agency("西畴县蚌谷乡人民政府", "蚌谷乡", fmt="docx", since=2022),
    Agency("西畴县莲花塘乡人民政府", "莲花塘乡", fmt="pdf"),
    Agency("西畴县法斗乡人民政府", "法斗乡人民政府", fmt="pdf"),
    Agency("西畴县董马乡人民政府", "董马乡", fmt="docx", since=2023),
)


class YearTreeSimulation(FamilyPortal):
    name = PORTAL
    family = "year_tree"
    hosts = (HOST, FILES, NEIGHBOUR)
    region = REGION
    start_url = f"http://{HOST}/"
    column_url = f"http://{HOST}{ROOT}"

    def __init__(self) -> None:
        super().__init__()
        self.items = build_corpus(PORTAL, REGION, AGENCIES, rate=0.85, force=[REAL[:2]])
        self.neighbour = foreign_report(PORTAL, Region("云南省", "文山壮族苗族自治州", "麻栗坡县", "532624", PORTAL),
                                        "麻栗坡县", 2023, "麻栗坡县人民政府办公室")
        self.neighbour.url = f"http://{NEIGHBOUR}/zfxxgk/zfxxgknb/2023n/content_41275"
        self.items.sort(key=lambda i: (i.published, i.key))
        misfiled = next(i for i in self.reports(2021) if i.fmt == "html" and not i.agency.county_wide)
        real = next(i for i in self.reports() if (i.agency.name, i.year) == REAL[:2])
        assign_ids(self.items, 21_000, 9, {id(real): REAL[2]})
        for item in self.items:
            days = (item.published - datetime(2019, 1, 1)).days
            year = item.year if item.year in YEAR_COLUMNS else max(YEAR_COLUMNS)
            item.attrs["col"] = YEAR_COLUMNS[2022 if item is misfiled else year][0]
            item.url = f"http://{HOST}{ROOT}{item.attrs['col']}/content_{item.attrs['id']}"
            if item.role == "report" and item.fmt in ("pdf", "docx"):
                tag = f"{stable_int(item.key, 'fdfs'):x}"[:10]
                item.file_url = (f"http://{FILES}/group1/M00/{item.attrs['id'] % 64:02X}/{days % 256:02X}/"
                                 f"rBAB{tag}AA{item.attrs['id']:x}.{item.fmt}")
        latest = max((i for i in self.reports() if i.agency.county_wide), key=lambda i: i.published)
        latest.aliases.append(f"http://{HOST}{ROOT}content_{latest.attrs['id']}")
        self.by_path = {urlsplit(u).path: i for i in self.items for u in (i.url, *i.aliases)}
        self.by_file = {urlsplit(i.file_url).path: i for i in self.items if i.file_url}

    # --- lists ---------------------------------------------------------------------------

    def column_items(self, slug: str) -> list[Item]:
        return sorted((i for i in self.items if i.attrs["col"] == slug), key=lambda i: (i.published, i.key), reverse=True)

    def pages(self, slug: str) -> list[tuple[str, list[Item]]]:
        items = self.column_items(slug)
        count = max(1, -(-len(items) // PAGE_SIZE))
        return [(f"http://{HOST}{ROOT}{slug}/" + ("" if p == 1 else f"?pageIndex={p}"),
                 items[(p - 1) * PAGE_SIZE:p * PAGE_SIZE]) for p in range(1, count + 1)]

    def navigation_urls(self) -> list[str]:
        return [self.start_url, f"http://{HOST}/zfxxgk/", self.column_url]

    def listings(self) -> list[list[tuple[str, list[Item]]]]:
        return [self.pages(slug) for slug, _ in YEAR_COLUMNS.values()]

    # --- HTTP ----------------------------------------------------------------------------

    def route(self, method: str, url: str, headers: dict[str, str], body: bytes) -> SimResponse | None:
        parts = urlsplit(url)
        path, query = parts.path or "/", {k: v[-1] for k, v in parse_qs(parts.query).items()}
        host = (parts.hostname or "").lower()
        if host == FILES:
            item = self.by_file.get(path)
            return self.file_response(item, content_type="application/octet-stream") if item else None
        if host == NEIGHBOUR:
            return self._content(self.neighbour, neighbour=True) if path == urlsplit(self.neighbour.url).path else None
        if path in ("/", "/index.html"):
            return self._page("首页", '<div class="nav"><a href="/zfxxgk/">政府信息公开</a> <a href="/xwzx/">新闻中心</a></div>')
        if path == "/zfxxgk/":
            links = (("zfxxgkzn/", "政府信息公开指南"), ("fdzdgknr/", "法定主动公开内容"), ("zfxxgknb/", "政府信息公开年报"))
            return self._page("政府信息公开", "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links))
        if path == ROOT:
            return self._root()
        if path in self.by_path:
            return self._content(self.by_path[path])
        for slug, label in YEAR_COLUMNS.values():
            if path == f"{ROOT}{slug}/":
                page = int(query.get("pageIndex", "1")) if query.get("pageIndex", "1").isdigit() else 1
                return self._list(slug, label, page)
        return None

    def _page(self, title: str, main: str, *, last_modified: datetime | None = None, head: str = "") -> SimResponse:
        html = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}-西畴县人民政府</title>{head}</head><body>'
            '<div class="top"><span class="date">今天是：<script>document.write(new Date().toLocaleDateString())</script></span>'
            '<a href="/">首页</a> <a href="/zfxxgk/">政府信息公开</a></div>'
            f'<div class="container">{main}</div>'
            '<div class="foot">主办：西畴县人民政府办公室 滇ICP备06000325号 云南省政府网站集约化平台</div></body></html>'
        )
        return html_response(html, last_modified=last_modified)

    def _year_menu(self, here: str = "") -> str:
        return "".join(f'<li{" class=on" if slug == here else ""}><a href="{ROOT}{slug}/">{label}</a></li>'
                       for slug, label in YEAR_COLUMNS.values())

    def _root(self) -> SimResponse:
        latest = next(i for i in self.reports() if i.aliases)
        top = (f'<div class="zd"><span class="tag">置顶</span><a href="content_{latest.attrs["id"]}">{escape(latest.title)}</a>'
               f"<span>{latest.published:%Y-%m-%d}</span></div>")
        return self._page("政府信息公开年报", f'<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>'
                          f'<ul class="sub-nav">{self._year_menu()}</ul>{top}')

    def _list(self, slug: str, label: str, page: int) -> SimResponse | None:
        pages = self.pages(slug)
        if not 1 <= page <= len(pages):
            return None
        items = pages[page - 1][1]
        rows = "".join(f'<li><a href="content_{i.attrs["id"]}" target="_blank" title="{escape(i.title)}">{escape(i.title)}</a>'
                       f'<span class="date">{i.published:%Y-%m-%d}</span></li>' for i in items)
        total = sum(len(p[1]) for p in pages)
        pager = f'<div class="page">共{total}条 第{page}/{len(pages)}页 '
        if page > 1:
            pager += f'<a href="?pageIndex={page - 1}">上一页</a> '
        if page < len(pages):
            pager += f'<a href="?pageIndex={page + 1}">下一页</a>'
        pager += "</div>"
        side = (f'<div class="side"><h4>州内各县年报</h4><a href="{self.neighbour.url}">{escape(self.neighbour.title)}</a></div>')
        main = (f'<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; <a href="{ROOT}">政府信息公开年报</a> &gt; {label}</div>'
                f'<ul class="sub-nav">{self._year_menu(slug)}</ul><ul class="list">{rows}</ul>{pager}{side}')
        return self._page(label, main)

    def _content(self, item: Item, neighbour: bool = False) -> SimResponse:
        if item.role == "soft404":
            return self._page("页面不存在", f'<div class="error404"><p>{escape(item.variant)}</p></div>')
        if item.role == "decoy":
            body = decoy_body(item, REGION.county)
        elif item.file_url:
            body = report_stub(item, f'<a href="{item.file_url}" target="_blank">{escape(item.file_name)}</a>')
        else:
            body = item.pub.body_html()
        main = (f'<div class="article"><h2>{escape(item.title)}</h2>'
                f'<div class="info">来源：{escape(item.source)}　发布时间：{item.published:%Y-%m-%d}　浏览次数：'
                f'{stable_int(item.key, "hits") % 900 + 50}</div><div class="content" id="zoom">{body}</div></div>')
        return self._page(item.title, main, last_modified=item.published)


def make_simulation() -> YearTreeSimulation:
    return YearTreeSimulation()
