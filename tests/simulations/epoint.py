"""Epoint 新点 WebBuilder family: 东港市 (real county-level city, Liaoning), ``www.donggang.gov.cn``.

Evidence (docs/spec/portals.md, "Family evidence" §G): a public fiscal-link survey found
丹东's six counties on one epoint CMS with columns ``/{sitecode}/zfxxgk/fdzdgknr/ysjs/index.html``
(东港市 ``donggang.gov.cn/dgszf/…``); epoint list pages (from public spiders of epoint
sites): ``ul.wb-data-item > li`` rows with a date span, numbered pages ``2.html``, ``3.html``
next to the first, the ``ewb-page`` pager (``ewb-page-li``, ``ewb-page-num`` with ``1/5``);
articles in ``div.ewb-article``; the ``Server: epoint-httpserver`` header.

The portal: home → 政府信息公开 (``/dgszf/zfxxgk/index.html``) → 政府信息公开年报
(``/dgszf/zfxxgk/zfxxgknb/index.html``, 15 rows a page, ``2.html`` …); articles
``/dgszf/zfxxgk/zfxxgknb/{YYYYMMDD}/{uuid}.html``; attachments through
``/EpointWebBuilder/pages/webbuildermis/attach/downloadztbattach?attachGuid=…`` (no
extension; the name in a URL-encoded ``Content-Disposition``, ``application/octet-stream``).
Duplicates: the county-wide reports also published in 政务公开 (``/dgszf/zwgk/zfxxgknb/…``,
same file name). Noise: every decoy kind, soft 404s, 宽甸县's report in the side bar.

GUESSES: the 年报 column path, page size, article URL and markup, the attachment URL and
headers, the agencies' set.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from html import escape
from urllib.parse import parse_qs, quote, urlsplit

from gxcrawler.model import Region

from .base import SimResponse
from .corpus import html_response
from .family import Agency, FamilyPortal, Item, build_corpus, decoy_body, foreign_report, report_stub

PORTAL = "epoint"
HOST = "www.donggang.gov.cn"
NEIGHBOUR = "www.lnkd.gov.cn"  # 宽甸满族自治县, same prefecture and CMS
REGION = Region(province="辽宁省", city="丹东市", county="东港市", division_code="210681", portal=PORTAL)
SITE = "/dgszf"
COLUMN = f"{SITE}/zfxxgk/zfxxgknb/"
ALSO = f"{SITE}/zwgk/zfxxgknb/"
ATTACH = "/EpointWebBuilder/pages/webbuildermis/attach/downloadztbattach"
SITE_GUID = "7eb5f7f1-9041-43ad-8e13-8fcb82ea831a"
PAGE_SIZE = 15

AGENCIES = (
    Agency("东港市人民政府", "东港市人民政府办公室", county_wide=True),
    Agency("东港市人民政府办公室", "市政府办"),
    Agency("东港市发展和改革局", "东港市发展和改革局"),
    Agency("东港市教育局", "市教育局"),
    Agency("东港市财政局", "东港市财政局", fmt="pdf"),
    Agency("东港市卫生健康局", "东港市卫生健康局"),
    Agency("东港市大东街道办事处", "大东街道"),
    Agency("东港市孤山镇人民政府", "孤山镇人民政府", fmt="pdf"),
    Agency("东港市前阳镇人民政府", "前阳镇"),
    Agency("东港市北井子镇人民政府", "北井子镇", fmt="docx", since=2023),
    Agency("东港市椅圈镇人民政府", "椅圈镇"),
)


def _uuid(*parts: object) -> str:
    return str(uuid.UUID(hashlib.md5("\x1f".join(map(str, ("epoint", *parts))).encode()).hexdigest(), version=4))


class EpointSimulation(FamilyPortal):
    name = PORTAL
    family = "epoint"
    hosts = (HOST, NEIGHBOUR)
    region = REGION
    start_url = f"http://{HOST}/"
    column_url = f"http://{HOST}{COLUMN}index.html"

    def __init__(self) -> None:
        super().__init__()
        self.items = build_corpus(PORTAL, REGION, AGENCIES, rate=0.8)
        self.neighbour = foreign_report(PORTAL, Region("辽宁省", "丹东市", "宽甸满族自治县", "210624", PORTAL),
                                        "宽甸满族自治县", 2023, "宽甸满族自治县人民政府办公室")
        self.neighbour.url = f"http://{NEIGHBOUR}/kdxzf/zfxxgk/zfxxgknb/20240118/{_uuid('kd')}.html"
        self.items.sort(key=lambda i: (i.published, i.key))
        for item in self.items:
            item.attrs["guid"] = _uuid(item.key, item.title)
            item.url = f"http://{HOST}{COLUMN}{item.published:%Y%m%d}/{item.attrs['guid']}.html"
            if item.role == "report" and item.fmt in ("pdf", "docx"):
                item.attrs["attach"] = _uuid("attach", item.key)
                item.file_url = f"http://{HOST}{ATTACH}?attachGuid={item.attrs['attach']}&appUrlFlag=ztb001&siteGuid={SITE_GUID}"
            if item.expected and item.agency.county_wide:
                item.aliases.append(f"http://{HOST}{ALSO}{item.published:%Y%m%d}/{item.attrs['guid']}.html")
        self.by_path = {urlsplit(u).path: i for i in self.items for u in (i.url, *i.aliases)}
        self.by_attach = {i.attrs["attach"]: i for i in self.items if i.file_url}

    # --- lists ---------------------------------------------------------------------------

    def pages(self) -> list[tuple[str, list[Item]]]:
        items = sorted(self.items, key=lambda i: (i.published, i.key), reverse=True)
        count = max(1, -(-len(items) // PAGE_SIZE))
        return [(f"http://{HOST}{COLUMN}" + ("index.html" if p == 1 else f"{p}.html"),
                 items[(p - 1) * PAGE_SIZE:p * PAGE_SIZE]) for p in range(1, count + 1)]

    def navigation_urls(self) -> list[str]:
        return [self.start_url, f"http://{HOST}{SITE}/zfxxgk/index.html"]

    def listings(self) -> list[list[tuple[str, list[Item]]]]:
        return [self.pages()]

    # --- HTTP ----------------------------------------------------------------------------

    def route(self, method: str, url: str, headers: dict[str, str], body: bytes) -> SimResponse | None:
        parts = urlsplit(url)
        path, query = parts.path or "/", {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.hostname == NEIGHBOUR:
            return self._article(self.neighbour, neighbour=True) if path == urlsplit(self.neighbour.url).path else None
        if path in ("/", "/index.html", f"{SITE}/", f"{SITE}/index.html"):
            return self._home()
        if path in (f"{SITE}/zfxxgk/", f"{SITE}/zfxxgk/index.html"):
            links = (("zfxxgkzn/index.html", "政府信息公开指南"), ("fdzdgknr/index.html", "法定主动公开内容"),
                     ("fdzdgknr/ysjs/index.html", "财政预决算"), ("zfxxgknb/index.html", "政府信息公开年报"))
            return self._page("政府信息公开", "".join(f'<li class="ewb-nav-item"><a href="{h}">{t}</a></li>' for h, t in links))
        if path == ATTACH:
            item = self.by_attach.get(query.get("attachGuid", ""))
            if item is None:
                return None
            response = self.file_response(item, content_type="application/octet-stream")
            response.headers["Content-Disposition"] = f"attachment;filename={quote(item.file_name)}"
            return _epoint(response)
        if path in self.by_path:
            return self._article(self.by_path[path])
        if path.startswith(COLUMN):
            name = path[len(COLUMN):]
            if name in ("", "index.html"):
                return self._list(1)
            if name.endswith(".html") and name[:-5].isdigit():
                return self._list(int(name[:-5]))
        return None

    def _page(self, title: str, main: str, *, last_modified: datetime | None = None) -> SimResponse:
        html = (
            f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="UTF-8"><meta name="renderer" content="webkit">'
            f'<meta name="SiteName" content="东港市人民政府"><meta name="SiteDomain" content="{HOST}">'
            f'<meta name="SiteIDCode" content="2106810001"><title>{escape(title)}</title></head><body>'
            f'<div class="ewb-header"><a href="{SITE}/index.html">东港市人民政府</a> <a href="{SITE}/zfxxgk/index.html">政府信息公开</a></div>'
            f'<div class="ewb-container">{main}</div>'
            '<div class="ewb-footer">主办单位：东港市人民政府办公室 辽ICP备05016853号</div></body></html>'
        )
        return _epoint(html_response(html, last_modified=last_modified))

    def _home(self) -> SimResponse:
        county = [i for i in self.reports() if i.aliases][-3:]
        rows = "".join(f'<li><a href="{urlsplit(i.aliases[0]).path}" title="{escape(i.title)}">{escape(i.title)}</a></li>' for i in county)
        return self._page("东港市人民政府", f'<div class="ewb-nav"><a href="{SITE}/zfxxgk/index.html">政府信息公开</a></div>'
                          f'<div class="ewb-block"><h3>政务公开</h3><ul>{rows}</ul></div>')

    def _list(self, page: int) -> SimResponse | None:
        pages = self.pages()
        if not 1 <= page <= len(pages):
            return None
        rows = "".join(
            f'<li class="wb-data-list"><div class="wb-data-infor l"><a href="{urlsplit(i.url).path}" title="{escape(i.title)}" '
            f'target="_blank">{escape(i.title)}</a></div><span class="wb-data-date r">{i.published:%Y-%m-%d}</span></li>'
            for i in pages[page - 1][1]
        )

        def href(p: int) -> str:
            return "index.html" if p == 1 else f"{p}.html"

        lis = [f'<li class="ewb-page-li"><a href="{href(1)}">首页</a></li>']
        if page > 1:
            lis.append(f'<li class="ewb-page-li"><a href="{href(page - 1)}">上页</a></li>')
        lis.append(f'<li class="ewb-page-li ewb-page-noborder ewb-page-num"><span>{page}/{len(pages)}</span></li>')
        if page < len(pages):
            lis.append(f'<li class="ewb-page-li ewb-page-hover"><a href="{href(page + 1)}">下页</a></li>')
        lis.append(f'<li class="ewb-page-li"><a href="{href(len(pages))}">末页</a></li>')
        side = (f'<div class="ewb-side"><h4>兄弟县区</h4><a href="{self.neighbour.url}">{escape(self.neighbour.title)}</a></div>')
        main = (f'<div class="ewb-location">当前位置：<a href="{SITE}/index.html">首页</a> &gt; <a href="{SITE}/zfxxgk/index.html">'
                f'政府信息公开</a> &gt; 政府信息公开年报</div>{side}<div id="categorypagingcontent">'
                f'<ul class="wb-data-item">{rows}</ul><div class="ewb-page"><ul class="ewb-page-items clearfix">{"".join(lis)}</ul></div></div>')
        return self._page("政府信息公开年报", main)

    def _article(self, item: Item, neighbour: bool = False) -> SimResponse:
        if item.role == "soft404":
            return self._page("信息不存在", f'<div class="ewb-article"><p>{escape(item.variant)}</p></div>')
        if item.role == "decoy":
            body = decoy_body(item, REGION.county)
        elif item.file_url:
            body = report_stub(item, f'<a href="{item.file_url[len("http://" + HOST):]}" target="_blank">{escape(item.file_name)}</a>')
        else:
            body = item.pub.body_html()
        main = (f'<div class="ewb-article"><h2 class="ewb-article-tt">{escape(item.title)}</h2>'
                f'<div class="ewb-article-sources">【信息时间：{item.published:%Y-%m-%d}】【阅读次数：<span id="infoViewCount"></span>】'
                f'【来源：{escape(item.source)}】</div><div class="ewb-article-info">{body}</div></div>')
        return self._page(item.title, main, last_modified=item.published)


def _epoint(response: SimResponse) -> SimResponse:
    response.headers["Server"] = "epoint-httpserver"
    return response


def make_simulation() -> EpointSimulation:
    return EpointSimulation()
