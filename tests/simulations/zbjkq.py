"""Simulation of 淄博经济开发区 on the Zibo/Jinan ``gongkai`` platform (``www.zbjkq.gov.cn``).

What it reproduces (docs/spec/portals.md §D): per-agency sites
``/gongkai/site_{slug}/`` whose landing page renders the 指南 and a channel tree;
channel IDs of several shapes (``c_{24hex}_n_{unix.float}``, ``{24hex}``,
``c_{24hex}_{24hex}``); channel pages that are empty shells whose list is loaded by an
inline script from a JSON endpoint; a channel holding one document that renders it
directly (the 指南 channels, and one agency's annual-report channel); documents
``doc_{ObjectId}.html`` whose ObjectId timestamp is the publication time (except
documents migrated onto the platform in Nov 2020, stamped at migration); the
metadata table 标题/索引号/文号/发文日期/发布机构 with ``2021-01-31T09:00:17`` and
``2025-01-21`` date styles; reports as PDF attachments ``doc_{ObjectId}_{md5}.pdf``;
a notice in the annual-report channel; a deleted document (404); a clone host.

Corrected by the later evidence: a channel holding one document renders it *without* the
metadata table — ``{机构}`` / title heading / ``时间:YYYY-MM-DD`` (real 指南 channels of
zbjkq.gov.cn and zhoucun.gov.cn), so its title comes from the heading and its agency from
the 机构 line; sibling sites of the platform use ``/site_…/channel_…/doc_….html`` without
``/gongkai/`` (sdsx.gov.cn, chiping.gov.cn) and ``/gongkai/channel_…/?open=zfxxgknb``
(licheng.gov.cn): here 沣水镇's site is linked and listed in those shapes (the ``/gongkai/``
shape still answers). A home page links the platform (政府信息公开).

GUESSES: the JSON endpoint (``/gongkai/api/channel/docs?siteId=…&channelId=…&page=N&size=10``,
never seen), the platform index ``/gongkai/index.html``, every agency site except
``jjkfqbgs`` (南定镇, 傅家镇, 沣水镇 and 财政金融局 are plausible, not seen), their
channel IDs and the 索引号 codes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from urllib.parse import parse_qs, urlsplit

from gxcrawler.model import Region
from gxcrawler.synthetic import render_pdf

from .base import ExpectedReport, SimResponse
from .corpus import (
    CST,
    YEARS,
    Publication,
    html_response,
    not_found,
    publishes,
    seed_publication,
    stable_int,
    synthetic_publication,
)

PORTAL = "zbjkq"
HOST = "www.zbjkq.gov.cn"
CLONE = "www.zbjkq.gov.cn.wlhdyj.com"  # a reverse-proxy mirror (GUESS: name invented)
REGION = Region(province="山东省", city="淄博市", county="淄博经济开发区", division_code=None, portal=PORTAL)
API = "/gongkai/api/channel/docs"
PAGE_SIZE = 5
LAUNCH = datetime(2020, 11, 26, 10, 0)  # the platform went live; older documents were migrated
SEED_OID = "6018a4dd2c4de0810dec3140"
SEED_2024_OID = "678ef1a6b5e8a176a74b4a40"


@dataclass
class Site:
    slug: str
    label: str  # 发布机构 as the platform prints it
    name: str  # as report titles print it
    credit_code: str  # 统一社会信用代码 in the 索引号
    report_channel: str
    guide_channel: str
    since: int = 2019  # first report year published here


SITES = (
    Site("jjkfqbgs", "经开区办公室", "淄博经济开发区管理委员会办公室", "11370300MB2823262F",
         "c_5f9f6a81e1a0849e6264c90c_n_1606277174.6444", "c_5f9f6a81e1a0849e6264c90c_n_1606277173.4438"),
    Site("jjkfqndz", "南定镇", "南定镇人民政府", "11370303004322551X",
         "5fbf0c2de1a0847a1a4d0f3b", "5fbf0c2de1a0847a1a4d0f39", since=2020),
    Site("jjkfqfjz", "傅家镇", "淄博经济开发区傅家镇", "113703030043225604",
         "c_5fbf0d4be1a0847a1a4d0f52_5fbf0d4be1a0847a1a4d0f55", "c_5fbf0d4be1a0847a1a4d0f52_5fbf0d4be1a0847a1a4d0f53",
         since=2020),
    Site("jjkfqfsz", "沣水镇", "沣水镇人民政府", "11370303004322578D",
         "5fbf0e11e1a0847a1a4d0f71", "5fbf0e11e1a0847a1a4d0f6f", since=2020),
    Site("jjkfqczjrj", "经开区财政金融局", "淄博经济开发区财政金融局", "11370300MB28232700",
         "c_60123a11e1a0841b0e4c3d20_n_1611807249.5521", "c_60123a11e1a0841b0e4c3d20_n_1611807248.1193", since=2023),
)
#: a listed report deleted from the platform (the JSON still lists it; its page is 404)
GONE = ("jjkfqfsz", 2021)
#: sites linked and listed in the sibling platforms' shapes (no ``/gongkai/``, ``?open=zfxxgknb``)
BARE_SITES = {"jjkfqfsz"}
#: reports published as a PDF next to a short page
PDF_REPORTS = {("jjkfqndz", 2022), ("jjkfqfjz", 2023), ("jjkfqbgs", 2022)}


@dataclass
class Doc:
    site: Site
    channel: str
    oid: str
    title: str
    published: datetime
    pub: Publication | None = None
    pdf_md5: str | None = None
    gone: bool = False
    iso_dates: bool = True  # 发文日期 as 2021-01-31T09:00:17 (older) or 2025-01-21
    body: str = ""
    index_no: str = ""

    @property
    def url(self) -> str:
        prefix = "" if self.site.slug in BARE_SITES else "/gongkai"
        return f"http://{HOST}{prefix}/site_{self.site.slug}/channel_{self.channel}/doc_{self.oid}.html"

    @property
    def gongkai_url(self) -> str:
        """The document under ``/gongkai/`` (the same page)."""
        return f"http://{HOST}/gongkai/site_{self.site.slug}/channel_{self.channel}/doc_{self.oid}.html"

    @property
    def pdf_url(self) -> str | None:
        return self.url[:-5] + f"_{self.pdf_md5}.pdf" if self.pdf_md5 else None


def object_id(when: datetime, *salt: object) -> str:
    """A MongoDB ObjectId created at ``when`` (Beijing time): 4 bytes of Unix time, 8 random."""
    stamp = int(when.replace(tzinfo=CST).timestamp())
    tail = hashlib.sha256("\x1f".join(map(str, ("oid", *salt))).encode()).hexdigest()[:16]
    return f"{stamp:08x}{tail}"


class ZbjkqSimulation:
    name = PORTAL
    hosts = (HOST, CLONE)

    def __init__(self) -> None:
        self.docs: list[Doc] = []
        self._build()
        self.by_path = {urlsplit(u).path: d for d in self.docs for u in (d.url, d.gongkai_url)}
        self.pdfs = {urlsplit(d.pdf_url).path: d for d in self.docs if d.pdf_url}
        self._pdf_cache: dict[str, bytes] = {}

    # --- corpus ------------------------------------------------------------------

    def _build(self) -> None:
        for site in SITES:
            for year in YEARS:
                if year < site.since:
                    continue
                is_seed = site.slug == "jjkfqbgs" and year == 2020
                if site.slug == "jjkfqczjrj":  # one report only: its channel renders it directly
                    if year != 2023:
                        continue
                elif not (is_seed or (site.slug, year) == GONE or publishes(PORTAL, site.slug, year, 0.8)):
                    continue
                if is_seed:
                    pub = seed_publication(
                        "003", PORTAL, REGION, agency=site.name, year=2020,
                        published=datetime(2021, 1, 31, 9, 0, 17), source_name=site.label,
                    )
                    oid = SEED_OID
                else:
                    pub = synthetic_publication(PORTAL, REGION, site.name, year, source_name=site.label)
                    created = max(pub.published, LAUNCH + timedelta(minutes=stable_int(pub.title) % 900))
                    oid = SEED_2024_OID if (site.slug, year) == ("jjkfqbgs", 2024) else object_id(created, pub.title)
                if site.slug == "jjkfqbgs" and year == 2024:
                    pub.report.published = datetime(2025, 1, 21, 9, 0, 6)
                md5 = hashlib.md5(pub.title.encode()).hexdigest() if (site.slug, year) in PDF_REPORTS else None
                self.docs.append(Doc(
                    site, site.report_channel, oid, pub.title, pub.published, pub, pdf_md5=md5,
                    gone=(site.slug, year) == GONE, iso_dates=pub.published < datetime(2023, 1, 1),
                    index_no=f"{site.credit_code}/{pub.published.year}-{5_000_000 + stable_int(pub.title) % 999_999}",
                ))
        for site in SITES:
            when = max(LAUNCH, datetime(2023, 5, 19, 9, 30)) if site.slug == "jjkfqbgs" else LAUNCH
            title = f"{site.label}政府信息公开指南"
            body = (f"<p>{escape(title)}</p><p>为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，"
                    "编制本指南。</p><p>一、主动公开</p><p>二、依申请公开</p><p>三、监督和救济</p>")
            self.docs.append(Doc(site, site.guide_channel, object_id(when, site.slug, "guide"), title, when,
                                 body=body, iso_dates=False, index_no=f"{site.credit_code}/{when.year}-None"))
        notice_at = datetime(2021, 12, 28, 15, 20)
        office = SITES[0]
        title = "关于做好2021年度政府信息公开工作年度报告编制发布工作的通知"
        self.docs.append(Doc(office, office.report_channel, object_id(notice_at, "notice"), title, notice_at,
                             body=f"<p>{escape(title)}</p><p>各镇、各部门：请于2022年1月31日前完成年度报告的编制和发布。</p>",
                             index_no=f"{office.credit_code}/2021-5321907"))

    def expected_reports(self, year: int | None = None) -> list[ExpectedReport]:
        out = []
        for d in self.docs:
            if d.pub is None or d.gone or (year is not None and d.pub.year != year):
                continue
            page = self._single_doc_channel_url(d) or d.url
            expected = d.pub.expected(page, d.pdf_url, "pdf" if d.pdf_url else "html")
            if d.url != d.gongkai_url and page == d.url:  # a sibling-shape URL: the /gongkai/ one answers too
                expected.aliases = (d.gongkai_url,)
            out.append(expected)
        return out

    def channel_docs(self, site: Site, channel: str) -> list[Doc]:
        docs = [d for d in self.docs if d.site is site and d.channel == channel]
        return sorted(docs, key=lambda d: d.published, reverse=True)

    def _single_doc_channel_url(self, doc: Doc) -> str | None:
        if len(self.channel_docs(doc.site, doc.channel)) == 1:
            return f"http://{HOST}/gongkai/site_{doc.site.slug}/channel_{doc.channel}/"
        return None

    # --- HTTP --------------------------------------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str]) -> SimResponse:
        parts = urlsplit(url)
        path = parts.path or "/"
        clone = parts.hostname == CLONE
        if path == API:
            return self._api(parse_qs(parts.query))
        if path in ("/", "/index.html"):
            html = _page("淄博经济开发区管理委员会", '<div class="nav"><a href="/gongkai/index.html">政府信息公开</a> '
                         '<a href="/col/col14939/index.html">新闻中心</a></div>')
            return html_response(html)
        if path in ("/gongkai/", "/gongkai/index.html"):
            return self._platform_index()
        segments = path.strip("/").split("/")
        if len(segments) == 2 and segments[0] == "gongkai" and segments[1].startswith("channel_") and path.endswith("/"):
            # /gongkai/channel_{id}/?open=zfxxgknb: a channel addressed without its site
            site = next((s for s in SITES if segments[1][8:] in (s.report_channel, s.guide_channel)), None)
            return self._channel(site, segments[1][8:], clone) if site else not_found()
        doc = self.by_path.get(path)
        if doc is not None:
            return not_found() if doc.gone else self._doc_page(doc, clone)
        if path in self.pdfs:
            return self._pdf(self.pdfs[path])
        segments = path.strip("/").split("/")
        if len(segments) >= 2 and segments[0] == "gongkai" and segments[1].startswith("site_"):
            site = next((s for s in SITES if s.slug == segments[1][5:]), None)
            if site is None:
                return not_found()
            if len(segments) == 2 or segments[2:] == ["index.html"]:
                guide = self.channel_docs(site, site.guide_channel)[0]
                return self._single_doc_page(guide, clone, here=site.guide_channel)
            if len(segments) == 3 and segments[2].startswith("channel_") and path.endswith("/"):
                return self._channel(site, segments[2][8:], clone)
        return not_found()

    def _platform_index(self) -> SimResponse:
        items = "".join(
            f'<li><a href="/gongkai/channel_{s.report_channel}/?open=zfxxgknb">{escape(s.label)}</a></li>'
            if s.slug in BARE_SITES else f'<li><a href="/gongkai/site_{s.slug}/index.html">{escape(s.label)}</a></li>'
            for s in SITES
        )
        html = _page("淄博经济开发区政府信息公开", f'<div class="org-nav"><h3>机构导航</h3><ul>{items}</ul></div>')
        return html_response(html)

    def _nav(self, site: Site, here: str) -> str:
        channels = ((site.guide_channel, "政府信息公开指南"), (site.report_channel, "政府信息公开年报"))
        items = "".join(
            f'<li{" class=active" if cid == here else ""}><a href="/gongkai/site_{site.slug}/channel_{cid}/">{label}</a></li>'
            for cid, label in channels
        )
        items += f'<li><a href="/gongkai/site_{site.slug}/channel_c1534/">法定主动公开内容</a></li>'
        return f'<div class="gk-nav"><h3>{escape(site.label)}</h3><ul>{items}</ul></div>'

    def _channel(self, site: Site, channel: str, clone: bool) -> SimResponse:
        if channel not in (site.report_channel, site.guide_channel, "c1534"):
            return not_found()
        docs = self.channel_docs(site, channel)
        if len(docs) == 1:  # the platform renders a channel's only document in place, without its table
            return self._single_doc_page(docs[0], clone, here=channel)
        script = (
            "<script>\n"
            f'  var gkConfig = {{siteId: "{site.slug}", channelId: "{channel}", pageSize: {PAGE_SIZE}}};\n'
            f'  var listApi = "{API}?siteId=" + gkConfig.siteId + "&channelId=" + gkConfig.channelId;\n'
            '  $(function () { gk.loadList(listApi + "&page=1&size=" + gkConfig.pageSize, "#doc-list"); });\n'
            "</script>"
        )
        main = (
            self._nav(site, channel)
            + '<div class="gk-main"><div id="doc-list" class="doc-list"></div>'
            '<div id="pager" class="pager"></div><noscript>请启用浏览器的JavaScript以查看本栏目信息。</noscript></div>'
            '<script src="/gongkai/static/js/jquery.min.js"></script><script src="/gongkai/static/js/gk-list.js"></script>'
            + script
        )
        return html_response(_page(f"{site.label}-政府信息公开", main))

    def _api(self, query: dict[str, list[str]]) -> SimResponse:
        site_slug = query.get("siteId", [""])[0]
        channel = query.get("channelId", [""])[0]
        site = next((s for s in SITES if s.slug == site_slug), None)
        page = query.get("page", ["1"])[0]
        size = query.get("size", [str(PAGE_SIZE)])[0]
        if site is None or channel not in (site.report_channel, site.guide_channel) or not (page + size).isdigit():
            payload: dict = {"code": 404, "msg": "栏目不存在", "data": None}
        else:
            docs = self.channel_docs(site, channel)
            n, per = max(1, int(page)), max(1, min(50, int(size)))
            rows = [
                {
                    "id": d.oid,
                    "title": d.title,
                    "url": d.url if i % 3 == 2 else urlsplit(d.url).path,
                    "publishDate": _date(d),
                    "publisher": d.site.label,
                    "indexNo": d.index_no,
                }
                for i, d in enumerate(docs[(n - 1) * per : n * per])
            ]
            pages = max(1, -(-len(docs) // per))
            payload = {"code": 200, "msg": "success", "data": {"total": len(docs), "page": n, "size": per,
                                                               "pages": pages, "rows": rows}}
        body = json.dumps(payload, ensure_ascii=False).encode()
        return SimResponse(200, body, {"Content-Type": "application/json;charset=UTF-8"})

    def _doc_page(self, doc: Doc, clone: bool, landing: bool = False, here: str | None = None) -> SimResponse:
        meta = (
            '<table class="gk-meta"><tr><th>标题:</th><td colspan="3">' + escape(doc.title) + "</td></tr>"
            f"<tr><th>索引号:</th><td>{escape(doc.index_no)}</td><th>文号:</th><td>无文号</td></tr>"
            f"<tr><th>发文日期:</th><td>{_date(doc)}</td><th>发布机构:</th><td>{escape(doc.site.label)}</td></tr></table>"
        )
        if doc.pdf_url:
            name = escape(doc.title) + ".pdf"
            body = (f"<p>{escape(doc.title)}</p><p>详见附件。</p>"
                    f'<p>附件：<a href="{urlsplit(doc.pdf_url).path.rsplit("/", 1)[1]}">{name}</a></p>')
        else:
            body = doc.pub.body_html() if doc.pub else doc.body
        mirror = (f'<div class="share">本站镜像：<a href="http://{CLONE}{urlsplit(doc.url).path}">{escape(doc.title)}</a></div>'
                  if doc.pub and not clone else "")
        main = (
            self._nav(doc.site, here or doc.channel)
            + f'<div class="gk-main"><div class="gk-doc">{meta}<div class="gk-content" id="zoom">{body}</div>'
            f"{mirror}</div></div>"
        )
        return html_response(_page(f"{doc.title}-{doc.site.label}", main), last_modified=doc.published)

    def _single_doc_page(self, doc: Doc, clone: bool, here: str) -> SimResponse:
        """A channel's only document: 机构, the title as a heading, 时间 — no metadata table."""
        if doc.pdf_url:
            body = (f"<p>{escape(doc.title)}</p><p>详见附件。</p>"
                    f'<p>附件：<a href="{urlsplit(doc.pdf_url).path}">{escape(doc.title)}.pdf</a></p>')
        else:
            body = doc.pub.body_html() if doc.pub else doc.body
        main = (
            self._nav(doc.site, here)
            + f'<div class="gk-main"><div class="gk-single"><div class="gk-org">{escape(doc.site.label)}</div>'
            f'<h2 class="gk-title">{escape(doc.title)}</h2><div class="gk-time">时间:{doc.published:%Y-%m-%d}</div>'
            f'<div class="gk-content" id="zoom">{body}</div></div></div>'
        )
        return html_response(_page(f"{doc.site.label}-政府信息公开", main), last_modified=doc.published)

    def _pdf(self, doc: Doc) -> SimResponse:
        if doc.oid not in self._pdf_cache:
            self._pdf_cache[doc.oid] = render_pdf(doc.pub.report)
        body = self._pdf_cache[doc.oid]
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        return SimResponse(200, body, {"Content-Type": "application/pdf", "ETag": etag})


def _date(doc: Doc) -> str:
    return f"{doc.published:%Y-%m-%dT%H:%M:%S}" if doc.iso_dates else f"{doc.published:%Y-%m-%d}"


def _page(title: str, main: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head><body>'
        '<div class="header"><a href="http://www.zbjkq.gov.cn/">淄博经济开发区</a> '
        '<a href="/gongkai/index.html">政府信息公开</a></div>'
        f'<div class="gk-body">{main}</div>'
        '<div class="footer">主办：淄博经济开发区管理委员会办公室 鲁ICP备05005339号</div></body></html>'
    )


def make_simulation() -> ZbjkqSimulation:
    return ZbjkqSimulation()


__all__ = ["ZbjkqSimulation", "make_simulation", "object_id"]
