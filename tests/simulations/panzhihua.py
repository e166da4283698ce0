"""Simulation of the Panzhihua shared platform: the city portal and five county sites.

A home page per site leads through 政府信息公开 (``/zfxxgk/``) and 政府信息公开年报 to the
county node (GUESS: those two pages).

What it reproduces (docs/spec/portals.md §A): the column tree
``/zfxxgk/zfxxgknb/{county}/{category}/{agency}/`` with ``index.shtml`` lists and
``index_N.shtml`` pages (a 下一页 link and a ``createPageHTML`` call), categories for
departments, townships/streets and the county-wide report (no agency folder), the
``_3`` collision suffix on 东区, one numeric ID space rising across all sites and
years (seed 001 at its real URL and ID), the ``www.panzhihua.gov.cn 发布时间:…
来源:… 选择阅读字号`` header with 来源 sometimes 区政府办, title variants, list titles
truncated with the full one in ``title=``, list dates that are edit dates (盐边), a
server sending GBK under a ``charset=utf-8`` header (米易), a guide and a notice in the columns, a
report whose page is gone (404), links to clone sites (served too, so that a test
can prove they are never fetched) and one city document reachable under two wap paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    seed_available,
    seed_publication,
    stable_int,
    synthetic_publication,
)

PORTAL = "panzhihua"
PAGE_SIZE = 4
SEED_URL = "http://www.screnhe.gov.cn/zfxxgk/zfxxgknb/rhq/xqjbmzfxxgkgzndbg/rhqrmzfbgs/4113673.shtml"
WAP_PATHS = ("/zwgk/ztxx/pzhszfxxgkgzndbg/sjbmzfxxgkgzndbg/srmzfbgs/", "/zfxxgk1/pzhszfxxgkgzndbg/sjbmzfxxgkgzndbg/srmzfbgs/")
#: first ID used in each publication year (the platform's single sequence)
ID_BASE = {2020: 1_760_100, 2021: 1_800_100, 2022: 4_110_100, 2023: 4_370_100, 2024: 10_050_100, 2025: 10_188_100}
CLONES = {
    "poiraudeau.com": "www.pzhsxq.gov.cn",
    "fydm168.com": "www.scmiyi.gov.cn",
    "azaleacolor.com": "wap.panzhihua.gov.cn",
    "m.happymerchs.com": "www.panzhihua.gov.cn",
}


@dataclass
class Agency:
    slug: str | None  # its folder; None: documents sit in the category itself
    name: str  # as titles print it
    short: str  # breadcrumb / 来源 name


@dataclass
class Category:
    slug: str
    label: str
    agencies: list[Agency]


@dataclass
class Site:
    host: str
    label: str
    node: str | None  # county node folder under the root
    region: Region
    categories: list[Category]
    root: str = "/zfxxgk/zfxxgknb/"

    @property
    def column(self) -> str:
        return self.root + (f"{self.node}/" if self.node else "")


def _region(county: str | None, code: str) -> Region:
    return Region(province="四川省", city="攀枝花市", county=county, division_code=code, portal=PORTAL)


DEPT = "县(区)级部门政府信息公开工作年度报告"
TOWN = "(乡镇、街道)政府信息公开工作年度报告"

SITES = [
    Site("www.screnhe.gov.cn", "仁和区", "rhq", _region("仁和区", "510411"), [
        Category("xqjbmzfxxgkgzndbg", DEPT, [
            Agency("rhqrmzfbgs", "攀枝花市仁和区人民政府办公室", "区政府办"),
            Agency("rhqjytyj", "攀枝花市仁和区教育和体育局", "区教体局"),
            Agency("rhqfzhggj", "攀枝花市仁和区发展和改革局", "区发改局"),
        ]),
        Category("xzjdzfxxgkgzndbg", TOWN, [
            Agency("rhz", "攀枝花市仁和区仁和镇", "区政府办"),
            Agency("tpxrmzf", "攀枝花市仁和区太平乡", "区政府办"),
            Agency("zbxrmzf", "攀枝花市仁和区中坝乡", "攀枝花市仁和区中坝乡人民政府"),
            Agency("dhzljd", "攀枝花市仁和区大河中路街道办事处", "大河中路街道"),
        ]),
        Category("rhqxxgkgzndbg", "仁和区政府信息公开工作年度报告", [Agency(None, "攀枝花市仁和区", "攀枝花市仁和区人民政府办公室")]),
    ]),
    Site("www.scdongqu.gov.cn", "东区", "xxgkgzndbg", _region("东区", "510402"), [
        Category("xqjbmzfxxgkgzndbg_3", DEPT, [Agency("dqxzspj", "攀枝花市东区行政审批局", "攀枝花市东区行政审批局")]),
        Category("xzjdzfxxgkgzndbg_3", TOWN, [
            Agency("dqyjz", "攀枝花市东区银江镇", "攀枝花市东区银江镇"),
            Agency("dqbcgjd", "攀枝花市东区炳草岗街道办事处", "炳草岗街道"),
        ]),
        Category("xxgkgzndbg", "东区政府信息公开工作年度报告", [Agency(None, "攀枝花市东区", "攀枝花市东区人民政府办公室")]),
    ]),
    Site("www.pzhsxq.gov.cn", "西区", "xq", _region("西区", "510403"), [
        Category("xqjbmzfxxgkgzndbg", DEPT, [Agency("qzfb", "攀枝花市西区人民政府办公室", "攀枝花市西区人民政府办公室")]),
        Category("xqxxgkgzndbg", "西区政府信息公开工作年度报告", [Agency(None, "攀枝花市西区", "攀枝花市西区人民政府办公室")]),
    ]),
    Site("www.scmiyi.gov.cn", "米易县", "myx", _region("米易县", "510421"), [
        Category("xzjdzfxxgkgzndbg", TOWN, [
            Agency("myxmlx", "米易县麻陇彝族乡", "麻陇彝族乡"),
            Agency("myxpwz", "米易县普威镇", "米易县普威镇人民政府"),
        ]),
    ]),
    Site("www.scyanbian.gov.cn", "盐边县", "ybx", _region("盐边县", "510422"), [
        Category("xqjbmzfxxgkgzndbg", DEPT, [Agency("ybxfzggj", "攀枝花市盐边县发展和改革局", "盐边县发展和改革局")]),
    ]),
    Site("www.panzhihua.gov.cn", "攀枝花市", None, _region(None, "510400"), [
        Category("sjbmzfxxgkgzndbg", "市级部门政府信息公开工作年度报告", [
            Agency("srmzfbgs", "攀枝花市人民政府办公室", "市政府办"),
            Agency("swhgdlyj", "攀枝花市文化广播电视和旅游局", "市文广旅局"),
            Agency("ssjj", "攀枝花市审计局", "市审计局"),
        ]),
        Category("pzhszfxxgkgzndbg", "攀枝花市政府信息公开工作年度报告", [Agency(None, "攀枝花市", "攀枝花市人民政府办公室")]),
    ], root="/zfxxgk1/zfxxgknb/"),
]

#: the report listed but deleted (its page answers 404): not expected from a crawl
GONE = ("ybxfzggj", 2019)


@dataclass
class Doc:
    url: str
    pub: Publication | None  # None for notices and guides
    site: Site
    category: Category
    agency: Agency | None
    title: str
    published: datetime
    gone: bool = False
    aliases: list[str] = field(default_factory=list)  # other URLs serving the same document
    listed_url: str | None = None  # the URL the list page links to (default: url)

    @property
    def id(self) -> int:
        return int(self.url.rsplit("/", 1)[1].split(".")[0])


def _folder(site: Site, category: Category, agency: Agency | None) -> str:
    path = f"{site.column}{category.slug}/"
    return path + (f"{agency.slug}/" if agency and agency.slug else "")


class PanzhihuaSimulation:
    name = PORTAL

    def __init__(self) -> None:
        self.docs: list[Doc] = []
        self._build()
        self.by_url = {}
        for doc in self.docs:
            for url in (doc.url, *doc.aliases):
                self.by_url[(urlsplit(url).hostname, urlsplit(url).path)] = doc
        self.hosts = tuple(sorted({s.host for s in SITES} | {"wap.panzhihua.gov.cn"} | set(CLONES)))

    # --- corpus ------------------------------------------------------------------

    def _build(self) -> None:
        pending: list[tuple[Site, Category, Agency, Publication]] = []
        for site in SITES:
            for cat in site.categories:
                for agency in cat.agencies:
                    for year in YEARS:
                        key = agency.slug or f"{site.node}-county"
                        is_seed = agency.slug == "rhqrmzfbgs" and year == 2021
                        if not (is_seed or (agency.slug, year) == GONE or publishes(PORTAL, key, year, 0.8)):
                            continue
                        if is_seed and seed_available("001"):
                            pub = seed_publication(
                                "001", PORTAL, site.region, agency=agency.name, year=2021,
                                published=datetime(2022, 1, 25, 9, 30), source_name="仁和区人民政府办公室",
                            )
                        else:
                            pub = synthetic_publication(PORTAL, site.region, agency.name, year, source_name=agency.short)
                        pending.append((site, cat, agency, pub))
        # one ID sequence across every site, rising with the publication date
        pending.sort(key=lambda p: (p[3].published, p[0].host, p[3].title))
        next_id = dict(ID_BASE)
        for site, cat, agency, pub in pending:
            if agency.slug == "rhqrmzfbgs" and pub.year == 2021:
                url = SEED_URL
            else:
                year = pub.published.year
                next_id[year] += 3 + stable_int(pub.title) % 9
                url = f"http://{site.host}{_folder(site, cat, agency)}{next_id[year]}.shtml"
            doc = Doc(url, pub, site, cat, agency, pub.title, pub.published, gone=(agency.slug, pub.year) == GONE)
            if agency.slug == "srmzfbgs" and pub.year == 2024:  # the wap document, two paths
                doc_id = 10188142
                doc.url = f"http://wap.panzhihua.gov.cn{WAP_PATHS[0]}{doc_id}.shtml"
                doc.aliases = [f"http://wap.panzhihua.gov.cn{WAP_PATHS[1]}{doc_id}.shtml"]
            self.docs.append(doc)
        self._add_noise()

    def _add_noise(self) -> None:
        renhe = SITES[0]
        dept, county_cat = renhe.categories[0], renhe.categories[2]
        self.docs.append(Doc(
            f"http://www.screnhe.gov.cn{_folder(renhe, dept, dept.agencies[0])}4109988.shtml", None, renhe, dept,
            dept.agencies[0], "关于报送2021年度政府信息公开工作年度报告的通知", datetime(2021, 12, 20, 10, 0),
        ))
        self.docs.append(Doc(
            f"http://www.screnhe.gov.cn{_folder(renhe, county_cat, None)}1759001.shtml", None, renhe, county_cat,
            None, "攀枝花市仁和区政府信息公开指南", datetime(2019, 12, 30, 9, 0),
        ))
        city = SITES[-1]
        self.docs.append(Doc(
            f"http://www.panzhihua.gov.cn{_folder(city, city.categories[1], None)}10050050.shtml", None, city,
            city.categories[1], None, "攀枝花市2023年度政府信息公开工作年度报告目录", datetime(2024, 1, 10, 9, 0),
        ))

    def expected_reports(self, year: int | None = None) -> list[ExpectedReport]:
        return expected_from_docs(self.docs, year)

    # --- HTTP --------------------------------------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str]) -> SimResponse:
        parts = urlsplit(url)
        host, path = parts.hostname or "", parts.path or "/"
        host = CLONES.get(host, host)  # clone sites copy the pages as they are
        if path.endswith("/"):
            path += "index.shtml"
        site = next((s for s in SITES if s.host == host), None)
        if site is not None and path == "/index.shtml":  # the home page: 政府信息公开 entry
            return self._menu(site, "首页", (("政府信息公开", "/zfxxgk/index.shtml"), ("政务公开", "/zwgk/index.shtml")))
        if site is not None and path == "/zfxxgk/index.shtml":
            return self._menu(site, "政府信息公开", (("政府信息公开指南", "/zfxxgk/zfxxgkzn/index.shtml"),
                                               ("政府信息公开年报", f"{site.root}index.shtml")))
        if site is not None and site.node and path == f"{site.root}index.shtml":
            return self._menu(site, "政府信息公开年报", (("信息公开工作年度报告", f"{site.column}index.shtml"),))
        doc = self.by_url.get((host, path))
        if doc is not None:
            return not_found() if doc.gone else self._detail(doc)
        for site in SITES:
            if site.host != host:
                continue
            page = self._list(site, path)
            if page is not None:
                return page
        return not_found()

    def _menu(self, site: Site, title: str, links: tuple[tuple[str, str], ...]) -> SimResponse:
        items = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for text, href in links)
        html = (f"<!DOCTYPE html><html><head><title>{escape(title)}_{site.label}人民政府</title></head><body>"
                '<div class="top"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zfxxgk/">政府信息公开</a></div>'
                f'<ul class="menu">{items}</ul><div class="footer">主办:攀枝花市人民政府办公室</div></body></html>')
        return html_response(html)

    def _list(self, site: Site, path: str) -> SimResponse | None:
        folder, _, name = path.rpartition("/")
        folder += "/"
        if name == "index.shtml":
            page = 1
        elif name.startswith("index_") and name.endswith(".shtml") and name[6:-6].isdigit():
            page = int(name[6:-6]) + 1
        else:
            return None
        if folder == site.column:
            rows = [(f"{site.column}{c.slug}/index.shtml", c.label, None) for c in site.categories]
            return self._page(site, site.label + "政府信息公开工作年度报告", rows, folder, 1, 1, sub=True)
        for cat in site.categories:
            if folder == f"{site.column}{cat.slug}/":
                if any(a.slug for a in cat.agencies):
                    rows = [(f"{folder}{a.slug}/index.shtml", a.short, None) for a in cat.agencies if a.slug]
                    docs = [d for d in self.docs if d.category is cat and d.agency is None]
                    rows += self._doc_rows(docs)
                    return self._page(site, cat.label, rows, folder, 1, 1, sub=True)
                return self._doc_page(site, cat.label, folder, [d for d in self.docs if d.category is cat], page)
            for agency in cat.agencies:
                if agency.slug and folder == f"{site.column}{cat.slug}/{agency.slug}/":
                    docs = [d for d in self.docs if d.agency is agency]
                    return self._doc_page(site, f"{cat.label} > {agency.short}", folder, docs, page)
        return None

    def _doc_rows(self, docs: list[Doc]) -> list[tuple[str, str, str | None]]:
        rows = []
        for d in sorted(docs, key=lambda d: d.published, reverse=True):
            listed = d.published
            if d.site.host == "www.scyanbian.gov.cn":  # the list shows the last edit, not the publication
                listed = d.published.replace(day=min(28, d.published.day + 3))
            rows.append((d.listed_url or d.url, d.title, f"{listed:%Y-%m-%d}"))
            if d.aliases:  # the mobile path is listed as well
                rows.append((d.aliases[0], d.title + "(移动版)", f"{d.published:%Y-%m-%d}"))
        return rows

    def _doc_page(self, site: Site, label: str, folder: str, docs: list[Doc], page: int) -> SimResponse | None:
        rows = self._doc_rows(docs)
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        if page > pages:
            return None
        chunk = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        if site.node == "myx" and "xzjdzfxxgkgzndbg/myxmlx/" in folder and page == 1:
            # a clone site's copy, linked as if it were the township's own page
            chunk.append(("http://fydm168.com" + folder + "1801894.shtml", "米易县麻陇彝族乡2020年政府信息公开工作年度报告", "2021-01-18"))
        return self._page(site, label, chunk, folder, page, pages, total=len(rows))

    def _page(self, site: Site, label: str, rows, folder: str, page: int, pages: int, sub: bool = False,
              total: int | None = None) -> SimResponse:
        items = []
        for url, title, date in rows:
            if date is None:  # a sub-column
                items.append(f'<li class="sub"><a href="{escape(url)}">{escape(title)}</a></li>')
            else:
                items.append(f"<li>{link(url, title, 24)}<span>{date}</span></li>")
        pager = ""
        if pages > 1:
            def name(n: int) -> str:
                return "index.shtml" if n == 1 else f"index_{n - 1}.shtml"

            nav = [f'<a href="{name(1)}">首页</a>']
            if page > 1:
                nav.append(f'<a href="{name(page - 1)}">上一页</a>')
            if page < pages:
                nav.append(f'<a href="{name(page + 1)}" class="default_pgBtn default_pgNext">下一页</a>')
            nav.append(f'<a href="{name(pages)}">尾页</a>')
            pager = (
                f'<div class="page">共{total or len(rows)}条 第{page}/{pages}页 ' + " ".join(nav) + "</div>"
                f'<script>createPageHTML({pages}, {page - 1}, "index", "shtml");</script>'
            )
        mirror = ""
        if site.host == "www.pzhsxq.gov.cn":
            mirror = '<a href="http://poiraudeau.com/zfxxgk/zfxxgknb/xq/index.shtml">西区政府信息公开年报(镜像)</a>'
        html = (
            f"<!DOCTYPE html><html><head><title>{escape(label)}_{site.label}人民政府</title></head><body>"
            '<div class="top"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zfxxgk/">政府信息公开</a></div>'
            f'<div class="crumb">当前位置:<a href="/">首页</a> &gt; <a href="/zfxxgk/">政府信息公开</a> &gt; '
            f'<a href="{site.root}index.shtml">政府信息公开年报</a> &gt; {escape(label)}</div>'
            f'<div class="boxPzh15_con"><ul>{"".join(items)}</ul></div>{pager}'
            f'<div class="footer"><a href="http://www.panzhihua.gov.cn/">攀枝花市人民政府</a> {mirror}'
            " 主办:攀枝花市人民政府办公室</div></body></html>"
        )
        return html_response(html)

    def _detail(self, doc: Doc) -> SimResponse:
        crumb = f"{doc.category.label} &gt; {escape(doc.agency.short if doc.agency else doc.site.label)}"
        source = doc.pub.source_name if doc.pub else "区政府办"
        body = doc.pub.body_html() if doc.pub else f"<p>{escape(doc.title)}</p><p>各单位：请按要求编制并报送。</p>"
        html = (
            f"<!DOCTYPE html><html><head><title>{escape(doc.title)}</title></head><body>"
            '<div class="top"><a href="/">首页</a> <a href="/zfxxgk/">政府信息公开</a></div>'
            f'<div class="crumb">当前位置:首页 &gt; 政府信息公开 &gt; 政府信息公开年报 &gt; 信息公开工作年度报告 &gt; {crumb}</div>'
            f'<h1 class="title">{escape(doc.title)}</h1>'
            f'<div class="info">www.panzhihua.gov.cn&nbsp;&nbsp;&nbsp;&nbsp; 发布时间:{doc.published:%Y-%m-%d}&nbsp;&nbsp;&nbsp;&nbsp; '
            f"来源:{escape(source)}&nbsp;&nbsp;&nbsp;&nbsp; 选择阅读字号:[ <a>大</a> <a>中</a> <a>小</a> ]&nbsp;&nbsp; "
            '阅读次数:<span id="hits"></span></div>'
            f'<div class="editor-content" id="zoom">{body}</div>'
            '<div class="footer">主办:攀枝花市人民政府办公室</div></body></html>'
        )
        if doc.site.host == "www.scmiyi.gov.cn":  # a misconfigured server: GBK bytes, "utf-8" header
            return html_response(html, encoding="gbk", declare="wrong", last_modified=doc.published)
        return html_response(html, last_modified=doc.published)


def make_simulation() -> PanzhihuaSimulation:
    return PanzhihuaSimulation()
