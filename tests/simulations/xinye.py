"""Simulation of 新野县 www.xinye.gov.cn (a PHPCMS v9 site), docs/spec/portals.md §B.

Corrected by the later evidence: the site serves https and its columns sit under
``/zwgk/`` (public code: ``https://www.xinye.gov.cn/zwgk/…``), so the 信息公开年报 column is
``/zwgk/xxgknb/`` (the slug is a GUESS; the old guess ``/xxgknb/`` answers 404); the real
page ``/2022/0127/97608.html`` goes from its title straight to the body, with no
发布时间/来源 line. A home page links 政务公开 (``/zwgk/``), whose menu links the column.

One 信息公开年报 column (``/zwgk/xxgknb/index.html``, then ``2.html``, ``3.html`` …, PHPCMS
pager) mixing 县直部门, 乡镇 and 街道 reports with notices (报送通知), a guide and a work
plan; details at ``/{YYYY}/{MMDD}/{id}.html`` with IDs rising ~15k a year and the
``p.yTit`` / ``div.lyBox.cl`` / ``div.conBox`` markup. Pages are GBK, declared only in
a ``<meta>``; one report page declares nothing at all. Seed 000 sits at its real URL;
four more real URLs hold synthetic reports. Some list links are https, one report
page is slow, one listed report is gone (404) and one row links the clone munkyxtc.com.
"""

from __future__ import annotations

import time
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
    seed_available,
    seed_publication,
    stable_int,
    synthetic_publication,
)

PORTAL = "xinye"
HOST = "www.xinye.gov.cn"
CLONE = "munkyxtc.com"
COLUMN = "/zwgk/xxgknb/"
PAGE_SIZE = 15
ENCODING = "gbk"
REGION = Region(province="河南省", city="南阳市", county="新野县", division_code="411329", portal=PORTAL)
ID_BASE = {2019: 58000, 2020: 66000, 2021: 81000, 2022: 97000, 2023: 111000, 2024: 126000, 2025: 141000}

#: (name as titles print it, 来源)
AGENCIES = (
    ("新野县人民政府办公室", "新野县人民政府办公室"),
    ("新野县统计局", "县统计局"),
    ("新野县农业农村局", "新野县农业农村局"),
    ("新野县教育体育局", "县教体局"),
    ("新野县王庄镇人民政府", "王庄镇"),
    ("新野县五星镇人民政府", "五星镇"),
    ("新野县歪子镇人民政府", "新野县歪子镇人民政府"),
    ("新野县城郊乡人民政府", "城郊乡"),
    ("新野县人民政府汉华街道办事处", "汉华街道"),
    ("新野县汉城街道办事处", "汉城街道办事处"),
    ("新野县", "新野县人民政府办公室"),  # the county-wide report
)
#: real URLs seen in the research: (agency, year) -> (published, id)
REAL = {
    ("新野县人民政府办公室", 2020): (datetime(2021, 1, 30, 10, 45, 2), 81457),
    ("新野县统计局", 2020): (datetime(2021, 1, 29, 16, 12, 40), 81414),
    ("新野县农业农村局", 2021): (datetime(2022, 1, 27, 9, 5, 11), 97608),
    ("新野县王庄镇人民政府", 2022): (datetime(2023, 1, 29, 11, 20, 3), 111354),
    ("新野县人民政府汉华街道办事处", 2022): (datetime(2023, 1, 28, 15, 2, 51), 111419),
}
GONE = ("新野县城郊乡人民政府", 2023)  # listed, but its page answers 404
SLOW = ("新野县五星镇人民政府", 2021)  # answers after a pause
UNDECLARED = ("新野县统计局", 2022)  # no charset anywhere
NO_HEADER_LINE = 97608  # the real page with no 发布时间/来源 line


@dataclass
class Doc:
    url: str
    title: str
    published: datetime
    source: str
    pub: Publication | None = None
    gone: bool = False
    slow: bool = False
    undeclared: bool = False

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


def _url(published: datetime, doc_id: int, https: bool = True) -> str:
    return f"{'https' if https else 'http'}://{HOST}/{published:%Y}/{published:%m%d}/{doc_id}.html"


class XinyeSimulation:
    name = PORTAL
    hosts = (HOST, CLONE)

    def __init__(self) -> None:
        self.docs: list[Doc] = []
        self._build()
        self.by_path = {d.path: d for d in self.docs}

    def _build(self) -> None:
        pubs: list[Publication] = []
        for agency, source in AGENCIES:
            for year in YEARS:
                key = (agency, year)
                if not (key in REAL or key == GONE or publishes(PORTAL, agency, year, 0.8)):
                    continue
                if key == ("新野县人民政府办公室", 2020) and seed_available("000"):
                    pub = seed_publication("000", PORTAL, REGION, agency=agency, year=2020,
                                           published=REAL[key][0], source_name=source)
                else:
                    pub = synthetic_publication(PORTAL, REGION, agency, year, source_name=source)
                    if key in REAL:
                        pub.report.published = REAL[key][0]
                pubs.append(pub)
        pubs.sort(key=lambda p: (p.published, p.title))
        next_id = dict(ID_BASE)
        for pub in pubs:
            key = (pub.report.agency, pub.year)
            if key in REAL:
                doc_id = REAL[key][1]
            else:
                next_id[pub.published.year] += 3 + stable_int(pub.title) % 9
                doc_id = next_id[pub.published.year]
            https = stable_int("https", pub.title) % 5 != 0  # a few list links still say http
            self.docs.append(Doc(
                _url(pub.published, doc_id, https), pub.title, pub.published, pub.source_name, pub,
                gone=key == GONE, slow=key == SLOW, undeclared=key == UNDECLARED,
            ))
        # notices, a guide and a work plan share the column
        self.docs.append(Doc(_url(datetime(2019, 3, 18, 9, 12, 0), 58220), "2018年政府信息公开工作年度报告报送通知",
                             datetime(2019, 3, 18, 9, 12, 0), "县政府办"))
        for year in YEARS[1:]:
            when = datetime(year + 1, 1, 6, 10, 0, 0)
            self.docs.append(Doc(_url(when, ID_BASE[year + 1] - 50 + year % 7),
                                 f"关于做好{year}年政府信息公开工作年度报告编制和报送工作的通知", when, "县政府办"))
        when = datetime(2022, 5, 10, 8, 30, 0)
        self.docs.append(Doc(_url(when, 99871), "新野县人民政府信息公开指南", when, "县政府办"))
        when = datetime(2023, 4, 2, 16, 0, 0)
        self.docs.append(Doc(_url(when, 113020), "新野县2023年政务公开工作要点", when, "县政府办"))
        self.docs.sort(key=lambda d: d.published, reverse=True)

    def expected_reports(self, year: int | None = None) -> list[ExpectedReport]:
        return expected_from_docs(self.docs, year)

    # --- HTTP --------------------------------------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str]) -> SimResponse:
        parts = urlsplit(url)
        path = parts.path or "/"
        if parts.hostname == CLONE:  # the clone copies detail pages under its own domain
            doc = self.by_path.get(path)
            return self._detail(doc) if doc and not doc.gone else not_found(ENCODING)
        if path in ("/", "/index.html"):
            return self._menu("新野县人民政府", (("政务公开", "/zwgk/"), ("今日新野", "/jrxy/")))
        if path in ("/zwgk/", "/zwgk/index.html"):
            return self._menu("政务公开", (("政策解读", "/zwgk/zcjd/"), ("政策文件", "/zwgk/zcjj/zcwj/"),
                                       ("信息公开年报", COLUMN), ("信息公开指南", "/zwgk/xxgkzn/")))
        if path in (COLUMN, COLUMN + "index.html"):
            return self._list(1)
        if path.startswith(COLUMN) and path.endswith(".html") and path[len(COLUMN):-5].isdigit():
            return self._list(int(path[len(COLUMN):-5])) or not_found(ENCODING)
        doc = self.by_path.get(path)
        if doc is None or doc.gone:
            return not_found(ENCODING)
        if doc.slow:
            time.sleep(0.3)
        return self._detail(doc)

    def _menu(self, title: str, links: tuple[tuple[str, str], ...]) -> SimResponse:
        items = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for text, href in links)
        html = (f"<!DOCTYPE html><html><head><title>{escape(title)}</title></head><body>"
                f'<div class="head"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div><ul class="menu">{items}</ul>'
                '<div class="foot">主办：新野县人民政府办公室 豫ICP备05015325号</div></body></html>')
        return html_response(html, encoding=ENCODING, declare="meta")

    def _list(self, page: int) -> SimResponse | None:
        rows = [(d.url, d.title, d.published) for d in self.docs]
        rows.insert(7, (f"http://{CLONE}/2023/0209/112063.html", "新野县县信息中心2022年政府信息公开工作年度报告",
                        datetime(2023, 2, 9, 18, 20, 5)))
        pages = -(-len(rows) // PAGE_SIZE)
        if not 1 <= page <= pages:
            return None
        items = "".join(
            f'<li><span class="fr">{when:%Y-%m-%d}</span>{link(url, title, 30)}</li>'
            for url, title, when in rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        )

        def name(n: int) -> str:
            return "index.html" if n == 1 else f"{n}.html"

        nav = [f'<a class="a1">{len(rows)}条</a>', f'<a href="{name(max(1, page - 1))}" class="a1">上一页</a>']
        for n in range(1, pages + 1):
            nav.append(f"<span>{n}</span>" if n == page else f'<a href="{name(n)}">{n}</a>')
        nav.append(f'<a href="{name(min(pages, page + 1))}" class="a1">下一页</a>')
        html = (
            "<!DOCTYPE html><html><head><title>信息公开年报 - 新野县人民政府</title></head><body>"
            '<div class="head"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/jrxy/">今日新野</a></div>'
            '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
            f'<a href="{COLUMN}">信息公开年报</a></div>'
            f'<div class="list"><ul>{items}</ul></div><div id="pages" class="text-c">{" ".join(nav)}</div>'
            '<div class="foot">主办：新野县人民政府办公室 豫ICP备05015325号</div></body></html>'
        )
        return html_response(html, encoding=ENCODING, declare="meta")

    def _detail(self, doc: Doc) -> SimResponse:
        body = doc.pub.body_html() if doc.pub else f"<p>{escape(doc.title)}</p><p>各乡镇人民政府、街道办事处，县政府各部门：……</p>"
        html = (
            f"<!DOCTYPE html><html><head><title>{escape(doc.title)} - 新野县人民政府</title></head><body>"
            '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
            f'<a href="{COLUMN}">信息公开年报</a></div>'
            f'<div class="conTit"><p class="yTit">{escape(doc.title)}</p>'
            + ("" if doc.path.endswith(f"/{NO_HEADER_LINE}.html") else
               f'<div class="lyBox cl"><div class="fl"><span>发布时间:{doc.published:%Y-%m-%d %H:%M:%S}</span> '
               f"<span>来源:{escape(doc.source)}</span> <span>作者:{escape(doc.source)}</span></div>"
               '<div class="fr">分享</div></div>')
            + "</div>"
            f'<div class="conBox">{body}</div></body></html>'
        )
        return html_response(html, encoding=ENCODING, declare="none" if doc.undeclared else "meta",
                             last_modified=doc.published)


def make_simulation() -> XinyeSimulation:
    return XinyeSimulation()
