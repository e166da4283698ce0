"""Simulation of the 洛宁县 portal (``www.luoning.gov.cn``), the Henan ``/{YYYY}/{MM-DD}/{id}.html`` family.

What it reproduces (docs/spec/portals.md §E): the column 政府信息公开年报 on a
numeric column path with rows ``ul.list-unstyled.headlines_today_list > li``
(``p > a`` and a ``span`` date) and the pager ``ul#paging > li.next_page > a``;
details ``/{YYYY}/{MM-DD}/{id}.html`` whose URL date is *not* the displayed
``时间:YYYY-MM-DD HH:MM`` (sometimes not even the same year); the header
``时间:… 来源:…`` in ``ul.list-inline > li.date``; the body in ``li.wzxqnr``; reports
as PDF attachments on the city's file host ``oss.ly.gov.cn/upload-file/files/YYYYMMDD/{32hex}.pdf``
(seed 004, the 2020 county report, among them), as DOCX files (and one legacy
``.doc``, when LibreOffice is installed to make it) under ``/upload/`` on the county
host, or as HTML tables; both ``www.luoning.gov.cn`` and
``luoning.gov.cn``; the real 2016 report (old format, no statistics tables) at its
real URL; a notice and a guide in the column; a report whose attachment is gone
(404); a link to a clone of the city portal.

A home page and a 政务公开 page (``/3/``) lead to the column by its link text.

GUESSES: the home and 政务公开 pages, the column path ``/3/40/`` and its ``index_N.html`` pages, every agency but
the county government, the ``/upload/{YYYYMM}/`` DOCX path, IDs after 2017.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from gxcrawler.model import Region
from gxcrawler.synthetic import render_docx, render_pdf

from .base import ExpectedReport, SimResponse
from .corpus import (
    YEARS,
    Publication,
    html_response,
    not_found,
    publishes,
    seed_publication,
    stable_int,
    synthetic_publication,
)

PORTAL = "luoning"
HOST = "www.luoning.gov.cn"
BARE = "luoning.gov.cn"
OSS = "oss.ly.gov.cn"
CLONE = "m.soulrig.com"  # seen copying ly.gov.cn annual reports
REGION = Region(province="河南省", city="洛阳市", county="洛宁县", division_code="410328", portal=PORTAL)
COLUMN = "/3/40/"
PAGE_SIZE = 12

#: (name as titles print it, 来源, how the report is published)
AGENCIES = (
    ("洛宁县人民政府", "洛宁县人民政府办公室", "pdf"),
    ("洛宁县发展和改革委员会", "县发改委", "docx"),
    ("洛宁县教育局", "洛宁县教育局", "html"),
    ("洛宁县市场监督管理局", "县市场监管局", "pdf"),
    ("洛宁县城郊乡人民政府", "城郊乡", "html"),
    ("东宋镇", "东宋镇人民政府", "docx"),
    ("洛宁县河底镇人民政府", "河底镇", "pdf"),
    ("兴华镇", "兴华镇", "html"),
)
#: a listed report whose attachment was deleted from the file host (its page stays)
GONE = ("洛宁县市场监督管理局", 2022)
#: a report published as a legacy Word .doc, made from the synthetic DOCX with LibreOffice
#: when it is installed (otherwise that report is an HTML page like its neighbours)
DOC_REPORT = ("兴华镇", 2019)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
#: the one real detail page seen (URL, canonical agency): the 2016 report, before the national tables
OLD_REPORT = ("http://luoning.gov.cn/2017/07-25/2771998.html", "洛宁县人民政府")


@dataclass
class Doc:
    url: str
    title: str
    published: datetime
    source: str
    pub: Publication | None = None
    kind: str = "html"  # html | pdf | docx | doc
    attachment: str | None = None
    gone: bool = False
    body: str = ""

    @property
    def page_url(self) -> str:
        return self.url


def _detail_url(published: datetime, doc_id: int, salt: str) -> str:
    """The CMS dates the URL by when the article record was created or last re-saved."""
    shift = stable_int("shift", salt) % 5
    created = published + timedelta(days=(-9, -2, 3, 17, 46)[shift])
    host = BARE if stable_int("host", salt) % 4 == 0 else HOST
    return f"http://{host}/{created:%Y}/{created:%m-%d}/{doc_id}.html"


class LuoningSimulation:
    name = PORTAL
    hosts = (HOST, BARE, OSS, CLONE)

    def __init__(self, publish_as: str | None = None) -> None:
        """``publish_as`` ("pdf", "docx", "html"): every report in that form, as portals that
        attach every report as a PDF do (the crawl benchmark's all-PDF portal)."""
        self.publish_as = publish_as
        self.docs: list[Doc] = []
        self._build()
        self.by_page = {urlsplit(d.url).path: d for d in self.docs}
        self.by_file = {(urlsplit(d.attachment).hostname, urlsplit(d.attachment).path): d
                        for d in self.docs if d.attachment}
        self._files: dict[str, bytes] = {}
        self._files_lock = threading.Lock()

    # --- corpus ------------------------------------------------------------------

    def _build(self) -> None:
        pubs: list[tuple[Publication, str]] = []
        for name, source, listed_kind in AGENCIES:
            kind = self.publish_as or listed_kind
            for year in YEARS:
                is_seed = name == "洛宁县人民政府" and year == 2020
                if not (is_seed or (name, year) == GONE or publishes(PORTAL, name, year, 0.8)):
                    continue
                if is_seed:
                    pub = seed_publication(
                        "004", PORTAL, REGION, agency=name, year=2020,
                        published=datetime(2021, 1, 29, 16, 42), source_name=source,
                    )
                else:
                    pub = synthetic_publication(PORTAL, REGION, name, year, source_name=source)
                if (name, year) == DOC_REPORT and SOFFICE:
                    kind = "doc"
                pubs.append((pub, kind))
        pubs.sort(key=lambda p: p[0].published)
        for pub, kind in pubs:
            year = pub.published.year
            doc_id = 2_900_000 + (year - 2020) * 91_000 + stable_int("id", pub.title) % 90_000
            attachment = None
            day = f"{pub.published:%Y%m%d}"
            digest = hashlib.md5(pub.title.encode()).hexdigest()
            if kind == "pdf":
                attachment = f"https://{OSS}/upload-file/files/{day}/{digest}.pdf"
            elif kind in ("docx", "doc"):
                attachment = f"http://{HOST}/upload/{pub.published:%Y%m}/{digest[:20]}.{kind}"
            self.docs.append(Doc(
                _detail_url(pub.published, doc_id, pub.title), pub.title.replace(" ", ""), pub.published,
                pub.source_name, pub, kind, attachment, gone=(pub.report.agency, pub.year) == GONE,
            ))
        self._add_noise()

    def _add_noise(self) -> None:
        old = ("<p>洛宁县2016年政府信息公开年报</p><p>一、概述 2016年，我县认真贯彻落实《中华人民共和国政府信息公开条例》，"
               "全年主动公开政府信息1862条。</p><p>二、主动公开政府信息情况</p><p>三、依申请公开政府信息情况 全年未收到申请。</p>")
        self.docs.append(Doc(OLD_REPORT[0], "洛宁县2016年政府信息公开年报",
                             datetime(2017, 3, 17, 18, 56), "洛宁县政府信息中心", body=old))
        for when, title in (
            (datetime(2021, 1, 6, 9, 12), "洛宁县人民政府办公室关于做好2020年度政府信息公开工作年度报告编制和发布工作的通知"),
            (datetime(2020, 5, 11, 10, 3), "洛宁县人民政府信息公开指南"),
        ):
            doc_id = 2_800_000 + stable_int("id", title) % 90_000
            body = f"<p>{escape(title)}</p><p>各乡（镇）人民政府，县直各单位：现将有关事项通知如下。</p>"
            self.docs.append(Doc(_detail_url(when, doc_id, title), title, when, "洛宁县人民政府办公室", body=body))

    def expected_reports(self, year: int | None = None) -> list[ExpectedReport]:
        out = [
            d.pub.expected(d.url, d.attachment, d.kind)
            for d in self.docs
            if d.pub is not None and not d.gone and (year is None or d.pub.year == year)
        ]
        if year in (None, 2016):  # the real pre-2019 report: a report, but without the national tables
            out.append(ExpectedReport(OLD_REPORT[1], 2016, OLD_REPORT[0], OLD_REPORT[0], {}, edition=""))
        return out

    # --- HTTP --------------------------------------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str]) -> SimResponse:
        parts = urlsplit(url)
        host, path = (parts.hostname or "").lower(), parts.path or "/"
        if (host, path) in self.by_file:
            doc = self.by_file[(host, path)]
            return not_found() if doc.gone else self._file(doc)
        if host == OSS:
            return not_found()
        if host == CLONE:
            host = HOST  # the clone copies pages as they are
        if path in self.by_page:
            return self._detail(self.by_page[path])
        if path in ("/", "/index.html"):
            return self._menu("首页", (("政务公开", "/3/"), ("新闻中心", "/2/")))
        if path == "/3/":
            return self._menu("政务公开", (("政府信息公开指南", "/3/38/"), ("政府信息公开制度", "/3/39/"),
                                       ("政府信息公开年报", COLUMN), ("法定主动公开内容", "/3/41/")))
        if path.startswith(COLUMN):
            name = path[len(COLUMN):]
            if name in ("", "index.html"):
                return self._list(1)
            if name.startswith("index_") and name.endswith(".html") and name[6:-5].isdigit():
                return self._list(int(name[6:-5])) or not_found()
        return not_found()

    def _menu(self, title: str, links: tuple[tuple[str, str], ...]) -> SimResponse:
        items = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for text, href in links)
        return html_response(_page(title, f'<ul class="list-unstyled nav-list">{items}</ul>'), declare="meta")

    def _list(self, page: int) -> SimResponse | None:
        docs = sorted(self.docs, key=lambda d: d.published, reverse=True)
        pages = max(1, -(-len(docs) // PAGE_SIZE))
        if page > pages or page < 1:
            return None
        rows = "".join(
            f'<li><p><a href="{escape(d.url)}" title="{escape(d.title)}" target="_blank">{escape(d.title)}</a></p>'
            f"<span>{d.published:%Y-%m-%d}</span></li>"
            for d in docs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        )

        def href(n: int) -> str:
            return "index.html" if n == 1 else f"index_{n}.html"

        pager = ['<ul id="paging" class="pagination">']
        if page > 1:
            pager.append(f'<li class="prev_page"><a href="{href(page - 1)}">上一页</a></li>')
        pager += [
            f'<li{" class=active" if n == page else ""}><a href="{href(n)}">{n}</a></li>' for n in range(1, pages + 1)
        ]
        if page < pages:
            pager.append(f'<li class="next_page"><a href="{href(page + 1)}">下一页</a></li>')
        pager.append("</ul>")
        main = (
            '<div class="breadcrumb">当前位置：<a href="/">首页</a> <a href="/3/">政务公开</a> &gt; '
            f'<a href="{COLUMN}">政府信息公开年报</a> &gt; 政府信息公开年报</div>'
            f'<ul class="list-unstyled headlines_today_list">{rows}</ul>{"".join(pager)}'
            '<div class="links">友情链接：<a href="http://www.ly.gov.cn/">洛阳市人民政府</a> '
            f'<a href="http://{CLONE}/2019/03-29/740761.html">洛阳市政府信息公开年报(手机版)</a></div>'
        )
        return html_response(_page("政府信息公开年报", main), declare="meta")

    def _detail(self, doc: Doc) -> SimResponse:
        if doc.attachment:
            label = escape(doc.title) + "." + doc.kind
            body = (f"<p>{escape(doc.title)}</p>"
                    f'<p>附件：<a href="{escape(doc.attachment)}" target="_blank">{label}</a></p>')
        else:
            body = doc.pub.body_html() if doc.pub else doc.body
        main = (
            '<div class="breadcrumb">首页 政务公开 &gt; 政府信息公开年报 &gt; 政府信息公开年报</div>'
            f'<div class="wzxq"><h3 class="text-center">{escape(doc.title)}</h3>'
            f'<ul class="list-inline"><li class="date">时间：{doc.published:%Y-%m-%d %H:%M}&nbsp;&nbsp;来源：{escape(doc.source)}</li>'
            '<li class="font">【字体：<a>大</a> <a>中</a> <a>小</a>】</li></ul>'
            f'<ul class="list-unstyled"><li class="wzxqnr">{body}</li></ul></div>'
        )
        return html_response(_page(doc.title, main), declare="meta", last_modified=doc.published)

    def _file(self, doc: Doc) -> SimResponse:
        with self._files_lock:  # rendered once, on first request (the .doc takes LibreOffice seconds)
            if doc.url not in self._files:
                if doc.kind == "pdf":
                    self._files[doc.url] = render_pdf(doc.pub.report)
                elif doc.kind == "doc":
                    self._files[doc.url] = _word97(render_docx(doc.pub.report))
                else:
                    self._files[doc.url] = render_docx(doc.pub.report)
        body = self._files[doc.url]
        content_type = CONTENT_TYPES[doc.kind]
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        return SimResponse(200, body, {"Content-Type": content_type, "ETag": etag})


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
}


def _word97(docx: bytes) -> bytes:
    """The DOCX saved as a Word 97 .doc by LibreOffice (a private profile, so runs do not collide)."""
    with tempfile.TemporaryDirectory(prefix="gx-sim-doc-") as tmp:
        src = Path(tmp) / "report.docx"
        src.write_bytes(docx)
        profile = (Path(tmp) / "profile").as_uri()
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "doc",
             "--outdir", tmp, str(src)],
            capture_output=True, timeout=120, check=True,
        )
        return (Path(tmp) / "report.doc").read_bytes()


def _page(title: str, main: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><title>{escape(title)}_洛宁县人民政府</title></head><body>"
        '<div class="header"><a href="/">洛宁县人民政府</a> <a href="/3/">政务公开</a></div>'
        f'<div class="container">{main}</div>'
        '<div class="footer">主办：洛宁县人民政府办公室 豫ICP备05017213号</div></body></html>'
    )


def make_simulation() -> LuoningSimulation:
    return LuoningSimulation()
