"""Boda VSB family: 镇康县 (real county, Yunnan), ``www.ynzk.gov.cn``.

Evidence (docs/spec/portals.md, "Family evidence" §C): the real 镇康县 report page
``https://www.ynzk.gov.cn/info/1039/108122.htm`` (木场乡人民政府2023年度政府信息公开工作年度报告,
``来源:镇康县木场乡人民政府 作者: 时间:2024-01-16 点击率:【 打印 】【 关闭 】``); VSB lists
``{col}.htm`` then ``{col}/{N-1}.htm`` … ``{col}/1.htm`` (numbered downwards) with the
``pb_sys_common`` pager (``共52条``, ``p_no``, ``p_next p_fun``, ``1/11``) and
``<li id="line_u7_0">`` rows; articles ``/info/{col}/{id}.htm``, body ``div.v_news_content``,
the same article also at ``/content.jsp?urltype=news.NewsContentUrl&wbtreeid=…&wbnewsid=…``;
attachments ``/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=…&wbfileid=…``
in ``附件【…】已下载…次`` lines, needing a Referer; a neighbouring Lincang county's
report page ``yngm.gov.cn/zfxxgk_gmx_dxx/zfxxgknb.html?nbYear=2023`` (another platform).

The portal: home → 政府信息公开 (``/zfxxgk.htm``) → 政府信息公开年报 (``/zfxxgk/zfxxgknb.htm``,
column 1039, 15 rows a page, pages numbered downwards). Attachments have no extension; the
file type is only in ``Content-Disposition`` (half of them) or the bytes (the others, served
as ``application/octet-stream``); without a Referer from the site the download answers an
HTML error page (HTTP 200). Noise: every decoy kind, soft 404s, 耿马县's report in the side
bar, the home page's 最新信息 linking five reports by their dynamic ``content.jsp`` URLs.

GUESSES: the column path and page size, the agencies but 木场乡, IDs, owner/wbfileid
numbers, the Referer error page, soft 404s on VSB (real VSB answers 404).
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

PORTAL = "vsb"
HOST = "www.ynzk.gov.cn"
NEIGHBOUR = "yngm.gov.cn"  # 耿马傣族佤族自治县, another Lincang county on another platform
REGION = Region(province="云南省", city="临沧市", county="镇康县", division_code="530924", portal=PORTAL)
COL = 1039
OWNER = 1589542178  # the site's owner id in download URLs
LIST = "/zfxxgk/zfxxgknb"
PAGE_SIZE = 15
REAL = ("镇康县木场乡人民政府", 2023, datetime(2024, 1, 16, 10, 12), 108122)

AGENCIES = (
    Agency("镇康县人民政府", "镇康县人民政府办公室", county_wide=True),
    Agency("镇康县人民政府办公室", "县政府办"),
    Agency("镇康县财政局", "镇康县财政局", fmt="pdf"),
    Agency("镇康县教育体育局", "县教育体育局"),
    Agency("镇康县卫生健康局", "镇康县卫生健康局", fmt="pdf"),
    Agency("镇康县自然资源局", "县自然资源局"),
    Agency("镇康县南伞镇人民政府", "南伞镇人民政府", fmt="pdf"),
    Agency("镇康县凤尾镇人民政府", "凤尾镇"),
    Agency("镇康县勐捧镇人民政府", "镇康县勐捧镇人民政府"),
    Agency("镇康县木场乡人民政府", "镇康县木场乡人民政府"),
    Agency("镇康县忙丙乡人民政府", "忙丙乡", fmt="docx", since=2023),
)


class VsbSimulation(FamilyPortal):
    name = PORTAL
    family = "boda_vsb"
    hosts = (HOST, NEIGHBOUR)
    region = REGION
    start_url = f"https://{HOST}/"
    column_url = f"https://{HOST}{LIST}.htm"

    def __init__(self) -> None:
        super().__init__()
        self.items = build_corpus(PORTAL, REGION, AGENCIES, rate=0.8, force=[REAL[:2]])
        real = next((i for i in self.reports() if (i.agency.name, i.year) == REAL[:2]), None)
        if real is not None:
            real.pub.report.published = real.published = REAL[2]
            real.title = real.pub.report.title = "木场乡人民政府2023年度政府信息公开工作年度报告"
            real.pub.report.traditional, real.variant = False, "niandu"
        self.neighbour = foreign_report(PORTAL, Region("云南省", "临沧市", "耿马傣族佤族自治县", "530926", PORTAL),
                                        "耿马傣族佤族自治县大兴乡人民政府", 2023, "大兴乡")
        self.neighbour.url = f"https://{NEIGHBOUR}/zfxxgk_gmx_dxx/zfxxgknb.html?nbYear=2023"
        self.items.sort(key=lambda i: (i.published, i.key))
        assign_ids(self.items, 90_000, 10, {id(real): REAL[3]} if real else {})
        for item in self.items:
            item.url = f"https://{HOST}/info/{COL}/{item.attrs['id']}.htm"
            if item.role == "report" and item.fmt in ("pdf", "docx"):
                item.attrs["file"] = 11_000_000 + item.attrs["id"] * 3 % 900_000
                item.attrs["disposition"] = stable_int(item.key, "cd") % 2 == 0
                item.file_url = (f"https://{HOST}/system/_content/download.jsp?urltype=news.DownloadAttachUrl"
                                 f"&owner={OWNER}&wbfileid={item.attrs['file']}")
        for item in self.latest():
            item.aliases.append(self._dynamic(item))
        self.by_id = {i.attrs["id"]: i for i in self.items}
        self.by_file = {i.attrs["file"]: i for i in self.items if i.file_url}

    def _dynamic(self, item: Item) -> str:
        return f"https://{HOST}/content.jsp?urltype=news.NewsContentUrl&wbtreeid={COL}&wbnewsid={item.attrs['id']}"

    def latest(self) -> list[Item]:
        return [i for i in sorted(self.items, key=lambda i: i.published, reverse=True) if i.role == "report"][:5]

    # --- lists ---------------------------------------------------------------------------

    def pages(self) -> list[tuple[str, list[Item]]]:
        items = sorted(self.items, key=lambda i: (i.published, i.key), reverse=True)
        count = max(1, -(-len(items) // PAGE_SIZE))
        return [(f"https://{HOST}{LIST}" + (".htm" if k == 1 else f"/{count - k + 1}.htm"),
                 items[(k - 1) * PAGE_SIZE:k * PAGE_SIZE]) for k in range(1, count + 1)]

    def navigation_urls(self) -> list[str]:
        return [self.start_url, f"https://{HOST}/zfxxgk.htm"]

    def listings(self) -> list[list[tuple[str, list[Item]]]]:
        return [self.pages()]

    # --- HTTP ----------------------------------------------------------------------------

    def route(self, method: str, url: str, headers: dict[str, str], body: bytes) -> SimResponse | None:
        parts = urlsplit(url)
        path, query = parts.path or "/", {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.hostname == NEIGHBOUR:
            if path == "/zfxxgk_gmx_dxx/zfxxgknb.html" and query.get("nbYear") == "2023":
                return self._article(self.neighbour, neighbour=True)
            return None
        if path in ("/", "/index.htm"):
            return self._home()
        if path == "/zfxxgk.htm":
            links = (("zfxxgk/zfxxgkzn.htm", "政府信息公开指南"), ("zfxxgk/zfxxgkzd.htm", "政府信息公开制度"),
                     ("zfxxgk/fdzdgknr.htm", "法定主动公开内容"), ("zfxxgk/zfxxgknb.htm", "政府信息公开年报"))
            return self._page("政府信息公开", "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links))
        if path == "/content.jsp" and query.get("wbtreeid") == str(COL) and query.get("wbnewsid", "").isdigit():
            item = self.by_id.get(int(query["wbnewsid"]))
            return self._article(item) if item else None
        if path == "/system/_content/download.jsp" and query.get("wbfileid", "").isdigit():
            item = self.by_file.get(int(query["wbfileid"]))
            if item is None or query.get("owner") != str(OWNER):
                return None
            if host_from(headers.get("referer", "")) != HOST:
                return html_response('<html><head><meta charset="utf-8"></head><body><script>alert("下载失败：请从正常页面下载附件！");'
                                     "window.history.go(-1);</script></body></html>")
            return self.file_response(item, content_type="application/octet-stream",
                                      disposition=item.attrs["disposition"])
        prefix = f"/info/{COL}/"
        if path.startswith(prefix) and path.endswith(".htm") and path[len(prefix):-4].isdigit():
            item = self.by_id.get(int(path[len(prefix):-4]))
            return self._article(item) if item else None
        if path == f"{LIST}.htm":
            return self._list(1)
        if path.startswith(LIST + "/") and path.endswith(".htm") and path[len(LIST) + 1:-4].isdigit():
            count = len(self.pages())
            number = int(path[len(LIST) + 1:-4])
            if 1 <= number <= count - 1:
                return self._list(count - number + 1)
        return None

    def _page(self, title: str, main: str, *, last_modified: datetime | None = None) -> SimResponse:
        html = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}-镇康县人民政府</title>'
            '<meta name="SiteName" content="镇康县人民政府"><meta name="SiteIDCode" content="5309240001"></head><body>'
            '<div class="top"><a href="/index.htm">首页</a> <a href="/zfxxgk.htm">政府信息公开</a> <a href="/zwdt.htm">政务动态</a></div>'
            f'<div class="main">{main}</div>'
            '<div class="foot">主办：镇康县人民政府办公室 滇ICP备05004573号 <a href="https://www.vsbclub.com">技术支持：博达软件</a></div>'
            "</body></html>"
        )
        return html_response(html, last_modified=last_modified)

    def _home(self) -> SimResponse:
        rows = "".join(f'<li><a href="{self._dynamic(i)[len("https://" + HOST):]}" title="{escape(i.title)}">'
                       f"{escape(i.title[:20])}</a><span>{i.published:%m-%d}</span></li>" for i in self.latest())
        return self._page("首页", '<div class="nav"><a href="zfxxgk.htm">政府信息公开</a></div>'
                          f'<div class="zxxx"><h3>最新信息</h3><ul>{rows}</ul></div>')

    def _list(self, k: int) -> SimResponse:
        pages = self.pages()
        count, items = len(pages), pages[k - 1][1]
        up = "../" if k > 1 else ""
        rows = "".join(
            f'<li id="line_u7_{n}"><a href="{up}../info/{COL}/{i.attrs["id"]}.htm" target="_blank" title="{escape(i.title)}">'
            f"{escape(i.title)}</a><span>{i.published:%Y-%m-%d}</span></li>" for n, i in enumerate(items)
        )

        def href(page: int) -> str:  # relative to this page's directory
            target = "zfxxgknb.htm" if page == 1 else f"zfxxgknb/{count - page + 1}.htm"
            return ("../" if k > 1 else "") + target

        parts = [f'<span class="p_t">共{sum(len(p[1]) for p in pages)}条</span> <span class="p_pages">']
        if k == 1:
            parts.append('<span class="p_first_d p_fun_d">首页</span><span class="p_prev_d p_fun_d">上页</span>')
        else:
            parts.append(f'<span class="p_first p_fun"><a href="{href(1)}">首页</a></span>'
                         f'<span class="p_prev p_fun"><a href="{href(k - 1)}">上页</a></span>')
        for n in range(1, count + 1):
            parts.append(f'<span class="p_no_d">{n}</span>' if n == k else f'<span class="p_no"><a href="{href(n)}">{n}</a></span>')
        if k < count:
            parts.append(f'<span class="p_next p_fun"><a href="{href(k + 1)}">下页</a></span>'
                         f'<span class="p_last p_fun"><a href="{href(count)}">尾页</a></span>')
        else:
            parts.append('<span class="p_next_d p_fun_d">下页</span><span class="p_last_d p_fun_d">尾页</span>')
        parts.append(f'</span> <span class="p_t">{k}/{count}</span>')
        pager = ('<link rel="stylesheet" content-type="text/css" href="/system/resource/css/pagedown/sys.css">'
                 f'<div class="pb_sys_common pb_sys_normal pb_sys_style1" style="margin-top:10px;text-align:center;">{"".join(parts)}</div>')
        ids = ",".join(str(i.attrs["id"]) for i in items)
        main = (
            f'<div class="dqwz">当前位置：<a href="{up}../index.htm">首页</a> &gt;&gt; <a href="{up}../zfxxgk.htm">政府信息公开</a>'
            ' &gt;&gt; 政府信息公开年报</div>'
            f'<div class="list"><ul>{rows}</ul>{pager}</div>'
            f'<script>_showDynClickBatch([{ids}],"wbnews", {OWNER})</script>'
            f'<div class="side"><h4>县区年报</h4><ul><li><a href="{self.neighbour.url}">{escape(self.neighbour.title)}</a></li></ul></div>'
        )
        return self._page("政府信息公开年报", main)

    def _article(self, item: Item, neighbour: bool = False) -> SimResponse:
        if item.role == "soft404":
            return self._page("提示", f'<div class="tip">{escape(item.variant)}</div>')
        if item.role == "decoy":
            body = decoy_body(item, REGION.county)
        elif item.file_url:
            fid = item.attrs["file"]
            path = item.file_url[len("https://" + HOST):]
            link = (f'<ul style="list-style-type:none;"><li>附件【<a href="{path}" target="_blank">{escape(item.file_name)}</a>'
                    f'】已下载<span id="nattach{fid}"><script language="javascript">getClickTimes({fid},{item.attrs["id"]},'
                    '"wbnewsfile","attach")</script></span>次</li></ul>')
            body = report_stub(item, "").replace("<p>附件：</p>", "") + link
        else:
            body = item.pub.body_html()
        d = item.published
        main = (
            '<form name="_newscontent_fromname"><table width="100%"><tr>'
            f'<td class="titlestyle125043" align="center">{escape(item.title)}</td></tr>'
            f'<tr><td align="center" class="timestyle125043">来源:{escape(item.source)} 作者: 时间:{d:%Y-%m-%d} '
            f'点击率:<script>_showDynClicks("wbnews", {OWNER}, {item.attrs.get("id", 0)})</script>【 打印 】【 关闭 】</td></tr>'
            f'<tr><td><div id="vsb_content"><div class="v_news_content">{body}</div></div></td></tr></table></form>'
        )
        if neighbour:
            main = (f'<div class="nb-year">年度：<a class="on">2023</a> <a href="?nbYear=2022">2022</a></div>'
                    f'<h2>{escape(item.title)}</h2><div>发布机构：{escape(item.source)}</div>'
                    f'<div class="nb-content">{item.pub.body_html()}</div>')
        return self._page(item.title, main, last_modified=item.published)


def host_from(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def make_simulation() -> VsbSimulation:
    return VsbSimulation()
