"""``.aspx`` CMS family (PowerEasy SiteFactory-like): 泃阳县 (fictional, Hebei), ``www.juyang.gov.cn``.

Evidence (docs/spec/portals.md, "Family evidence" §F): PowerEasy URL shapes on government
sites — categories ``/Category_{id}/Index.aspx`` with pages ``Index_2.aspx`` …, articles
``/Item/{id}.aspx`` (廊坊市 ``www.lf.gov.cn/Category_171/Index.aspx``,
``/Item/156177.aspx``; also 12371.gov.cn, cbrhq.gov.cn); the older ASP generation's
article URLs; a county portal served by an ``.aspx`` CMS (范县, ``index.aspx?lanmuid=…``).

The portal: home (``/Default.aspx``) → 政务公开 (``/Category_12/Index.aspx``) →
政府信息公开年报 (``/Category_45/Index.aspx``, every document of its sub-categories
部门年报 ``Category_46`` and 乡镇年报 ``Category_47``; 20 rows a page, ``Index_N.aspx``,
the PowerEasy pager with 页次 and a 转到 select). ASP.NET chrome: ``__VIEWSTATE`` forms,
``X-AspNet-Version``/``X-Powered-By`` headers, a session cookie. Reports as HTML, PDF or
DOCX (``/UploadFiles/Article/{Y}/{M}/{stamp}.pdf``; DOCX as ``application/octet-stream``).
Duplicates: the home page's 最新更新 links reports by the old ASP generation's
``/Article/ShowArticle.asp?ArticleID=…`` URLs, which still answer. Noise: every decoy kind,
soft 404s, a neighbour county's report in the side bar.

GUESSES: everything county-specific (fictional county and neighbour), category IDs, the
pager and article markup, the upload path and the legacy URL.
"""

from __future__ import annotations

import base64
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

PORTAL = "powereasy"
HOST = "www.juyang.gov.cn"
NEIGHBOUR = "www.yonghe-lf.gov.cn"  # 永河县 (fictional neighbour)
REGION = Region(province="河北省", city="廊坊市", county="泃阳县", division_code=None, portal=PORTAL)
XXGK, NB, DEPT, TOWN = 12, 45, 46, 47
NAMES = {XXGK: "政务公开", NB: "政府信息公开年报", DEPT: "部门年报", TOWN: "乡镇年报"}
PAGE_SIZE = 20

AGENCIES = (
    Agency("泃阳县人民政府", "泃阳县人民政府办公室", county_wide=True),
    Agency("泃阳县人民政府办公室", "县政府办"),
    Agency("泃阳县发展和改革局", "泃阳县发展和改革局", fmt="pdf"),
    Agency("泃阳县教育和体育局", "县教体局"),
    Agency("泃阳县财政局", "泃阳县财政局"),
    Agency("泃阳县卫生健康局", "泃阳县卫生健康局", fmt="docx", since=2023),
    Agency("泃阳县泃阳镇人民政府", "泃阳镇"),
    Agency("泃阳县马庄镇人民政府", "马庄镇人民政府", fmt="pdf"),
    Agency("泃阳县白塔乡人民政府", "白塔乡"),
    Agency("泃阳县东关街道办事处", "东关街道"),
)


class PowerEasySimulation(FamilyPortal):
    name = PORTAL
    family = "aspx_powereasy"
    hosts = (HOST, NEIGHBOUR)
    region = REGION
    start_url = f"http://{HOST}/"
    column_url = f"http://{HOST}/Category_{NB}/Index.aspx"

    def __init__(self) -> None:
        super().__init__()
        self.items = build_corpus(PORTAL, REGION, AGENCIES, rate=0.8)
        self.neighbour = foreign_report(PORTAL, Region("河北省", "廊坊市", "永河县", None, PORTAL), "永河县", 2022,
                                        "永河县人民政府办公室")
        self.neighbour.url = f"http://{NEIGHBOUR}/Item/48213.aspx"
        self.items.sort(key=lambda i: (i.published, i.key))
        assign_ids(self.items, 9_000, 6)
        for item in self.items:
            town = item.agency and item.agency.name.endswith(("镇人民政府", "乡人民政府", "街道办事处"))
            item.attrs["cat"] = TOWN if town or item.variant in ("training", "tujie") else DEPT
            item.url = f"http://{HOST}/Item/{item.attrs['id']}.aspx"
            if item.role == "report" and item.fmt in ("pdf", "docx"):
                d = item.published
                item.file_url = (f"http://{HOST}/UploadFiles/Article/{d.year}/{d.month}/"
                                 f"{d:%Y%m%d%H%M%S}{stable_int(item.key) % 1000:03d}.{item.fmt}")
        for item in self.latest():
            item.aliases.append(f"http://{HOST}/Article/ShowArticle.asp?ArticleID={item.attrs['id']}")
        self.by_id = {i.attrs["id"]: i for i in self.items}
        self.by_file = {urlsplit(i.file_url).path: i for i in self.items if i.file_url}

    def latest(self) -> list[Item]:
        return [i for i in sorted(self.items, key=lambda i: i.published, reverse=True) if i.expected][:4]

    # --- lists ---------------------------------------------------------------------------

    def category_items(self, cat: int) -> list[Item]:
        listed = [i for i in self.items if cat == NB or i.attrs["cat"] == cat]
        return sorted(listed, key=lambda i: (i.published, i.key), reverse=True)

    def pages(self, cat: int) -> list[tuple[str, list[Item]]]:
        items = self.category_items(cat)
        count = max(1, -(-len(items) // PAGE_SIZE))
        return [(f"http://{HOST}/Category_{cat}/" + ("Index.aspx" if p == 1 else f"Index_{p}.aspx"),
                 items[(p - 1) * PAGE_SIZE:p * PAGE_SIZE]) for p in range(1, count + 1)]

    def navigation_urls(self) -> list[str]:
        return [self.start_url, f"http://{HOST}/Category_{XXGK}/Index.aspx"]

    def listings(self) -> list[list[tuple[str, list[Item]]]]:
        return [self.pages(NB), self.pages(DEPT), self.pages(TOWN)]

    # --- HTTP ----------------------------------------------------------------------------

    def route(self, method: str, url: str, headers: dict[str, str], body: bytes) -> SimResponse | None:
        parts = urlsplit(url)
        path, query = parts.path or "/", {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.hostname == NEIGHBOUR:
            return self._article(self.neighbour, neighbour=True) if path == "/Item/48213.aspx" else None
        low = path.lower()
        if low in ("/", "/default.aspx", "/index.aspx"):
            return self._home()
        if low == "/article/showarticle.asp" and query.get("ArticleID", "").isdigit():
            item = self.by_id.get(int(query["ArticleID"]))
            return self._article(item) if item and item.aliases else None
        if low.startswith("/item/") and low.endswith(".aspx") and low[6:-5].isdigit():
            item = self.by_id.get(int(low[6:-5]))
            return self._article(item) if item else None
        if path in self.by_file:
            item = self.by_file[path]
            return self.file_response(item, content_type="application/octet-stream" if item.fmt == "docx" else None)
        if low.startswith("/category_"):
            head, _, name = low[10:].partition("/")
            if head.isdigit() and int(head) in NAMES:
                cat = int(head)
                if cat == XXGK and name in ("", "index.aspx"):
                    return self._xxgk()
                if name in ("", "index.aspx"):
                    return self._list(cat, 1)
                if name.startswith("index_") and name.endswith(".aspx") and name[6:-5].isdigit():
                    return self._list(cat, int(name[6:-5]))
        return None

    def _page(self, title: str, main: str, *, last_modified: datetime | None = None) -> SimResponse:
        state = base64.b64encode(f"/wEPDwUKLTk{stable_int(title) % 10**9}ZGQ{title}".encode()).decode()
        html = (
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
            f'<html xmlns="http://www.w3.org/1999/xhtml"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
            f"<title>{escape(title)} - 泃阳县人民政府</title></head><body>"
            '<form name="aspnetForm" method="post" action="" id="aspnetForm"><div>'
            f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{state}" /></div>'
            '<div id="header"><a href="/Default.aspx">首页</a> <a href="/Category_12/Index.aspx">政务公开</a> '
            '<a href="/Category_30/Index.aspx">新闻动态</a></div>'
            f'<div id="main">{main}</div>'
            '<div id="footer">泃阳县人民政府 版权所有 冀ICP备05021876号 Powered by SiteFactory</div></form></body></html>'
        )
        response = html_response(html, last_modified=last_modified)
        response.headers.update({"Server": "Microsoft-IIS/7.5", "X-AspNet-Version": "4.0.30319", "X-Powered-By": "ASP.NET",
                                 "Set-Cookie": f"ASP.NET_SessionId=q{stable_int(title) % 10**12:012d}abc; path=/; HttpOnly"})
        return response

    def _home(self) -> SimResponse:
        rows = "".join(f'<li><a href="/Article/ShowArticle.asp?ArticleID={i.attrs["id"]}" title="{escape(i.title)}">'
                       f"{escape(i.title[:22])}</a></li>" for i in self.latest())
        return self._page("首页", f'<div class="nav"><a href="/Category_{XXGK}/Index.aspx">政务公开</a></div>'
                          f'<div class="zxgx"><h3>最新更新</h3><ul>{rows}</ul></div>')

    def _xxgk(self) -> SimResponse:
        links = ((40, "政府信息公开指南"), (41, "政府信息公开制度"), (42, "法定主动公开内容"), (NB, "政府信息公开年报"))
        menu = "".join(f'<li><a href="/Category_{c}/Index.aspx">{t}</a></li>' for c, t in links)
        return self._page("政务公开", f'<ul class="class_list">{menu}</ul>')

    def _list(self, cat: int, page: int) -> SimResponse | None:
        pages = self.pages(cat)
        if not 1 <= page <= len(pages):
            return None
        items = pages[page - 1][1]
        rows = "".join(
            f'<li><span class="date">{i.published:%Y-%m-%d}</span><a href="/Item/{i.attrs["id"]}.aspx" target="_blank" '
            f'title="标题：{escape(i.title)}&#xD;&#xA;作者：&#xD;&#xA;更新时间：{i.published:%Y-%m-%d %H:%M:%S}">'
            f"{escape(i.title if len(i.title) <= 30 else i.title[:30] + '…')}</a></li>" for i in items
        )
        total = sum(len(p[1]) for p in pages)

        def href(p: int) -> str:
            return "Index.aspx" if p == 1 else f"Index_{p}.aspx"

        nav = [f"共 <b>{total}</b> 条记录"]
        nav.append("首页 上一页" if page == 1 else f'<a href="{href(1)}">首页</a> <a href="{href(page - 1)}">上一页</a>')
        nav.append("下一页 尾页" if page == len(pages) else f'<a href="{href(page + 1)}">下一页</a> <a href="{href(len(pages))}">尾页</a>')
        nav.append(f"页次：<strong><font color=red>{page}</font>/{len(pages)}</strong>页 <b>{PAGE_SIZE}</b>条记录/页")
        options = "".join(f'<option value="{href(p)}"{" selected" if p == page else ""}>第{p}页</option>' for p in range(1, len(pages) + 1))
        nav.append(f'转到：<select name="page" onchange="javascript:window.location=this.options[this.selectedIndex].value;">{options}</select>')
        subs = "".join(f'<li><a href="/Category_{c}/Index.aspx">{NAMES[c]}</a></li>' for c in (DEPT, TOWN))
        side = (f'<div class="side"><h4>子栏目</h4><ul>{subs}</ul><h4>友情链接</h4>'
                f'<a href="{self.neighbour.url}">{escape(self.neighbour.title)}</a></div>')
        main = (f'<div class="location">您现在的位置： <a href="/">泃阳县人民政府</a> &gt;&gt; <a href="/Category_{XXGK}/Index.aspx">'
                f'政务公开</a> &gt;&gt; {NAMES[cat]}</div>{side}<ul class="article_list">{rows}</ul>'
                f'<div class="showpage">{" ".join(nav)}</div>')
        return self._page(NAMES[cat], main)

    def _article(self, item: Item, neighbour: bool = False) -> SimResponse:
        if item.role == "soft404":
            return self._page("错误信息", f'<div class="error"><li>{escape(item.variant)}</li></div>')
        if item.role == "decoy":
            body = decoy_body(item, REGION.county)
        elif item.file_url:
            body = report_stub(item, f'<a href="{urlsplit(item.file_url).path}" target="_blank">{escape(item.file_name)}</a>')
        else:
            body = item.pub.body_html()
        main = (f'<div class="article_title"><h1>{escape(item.title)}</h1></div>'
                f'<div class="article_info">作者：佚名　来源：{escape(item.source)}　点击数：<span id="hits">0</span>　'
                f"更新时间：{item.published:%Y-%m-%d %H:%M:%S}</div>"
                f'<div class="article_content" id="fontzoom">{body}</div>')
        return self._page(item.title, main, last_modified=item.published)


def make_simulation() -> PowerEasySimulation:
    return PowerEasySimulation()
