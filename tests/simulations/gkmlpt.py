"""Guangdong gkmlpt (集约化, JSON list) family: 深圳市盐田区 (real district), ``www.yantian.gov.cn``.

Evidence (docs/spec/portals.md, "Family evidence" §D): the public gkmlpt crawler and survey
(hulelan/china-governance): every Guangdong site answers ``/gkmlpt/index`` with
``window._CONFIG = {SID: '…', TREE: [...], SERVICE_AREA_ID …}`` (盐田区 SID 755042, HTTP
only); tree nodes carry ``id, name, children, post_count, jump_url``; lists come from
``/gkmlpt/api/all/{category}?page=N&sid=…`` as JSON ``{"classify": {"post_count": N},
"articles": [{id, title, url, publisher, identifier, document_number, date,
display_publish_time, created_at, attachment, …}]}``; details
``/gkmlpt/content/{id//10**6}/{id//10**3}/post_{id}.html`` whose body is the HTML string
``_CONFIG.DETAIL.content`` (``<`` written ``\\u003C``); the same post also published under
the portal's own columns as ``…/content/post_{id}.html``.

The portal: home → 政府信息公开 (``/gkmlpt/index``, a JavaScript shell: the tree and the SID
are all it holds) → the 政府信息公开年报 node and its two leaves (区直部门, 街道), listed
only by the JSON API, 10 articles a page; reports as HTML (inside the JSON of an
otherwise empty page) or PDF attachments named in the article's ``attachment`` list. The
portal's own 年报 column (``/cn/zwgk/zfxxgk/ndbg/``) lists the district-level reports again
under a second path and a side bar with 罗湖区's report. ``robots.txt`` names
``sitemap.xml`` (a sitemap index of two sitemaps listing every post). Noise: every decoy
kind, soft 404s (a shell whose DETAIL is empty and whose text says the post is gone).

GUESSES: category IDs and names, page size 10, the attachment URL shape
``/attachment/0/{a}/{b}/{n}.pdf``, the JSON of a soft 404, the sitemap, the portal column.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from urllib.parse import parse_qs, urlsplit

from gxcrawler.model import Region

from .base import SimResponse
from .corpus import CST, html_response, stable_int
from .family import Agency, FamilyPortal, Item, assign_ids, build_corpus, decoy_body, foreign_report

PORTAL = "gkmlpt"
HOST = "www.yantian.gov.cn"
NEIGHBOUR = "www.szlh.gov.cn"  # 罗湖区
SID = "755042"
REGION = Region(province="广东省", city="深圳市", county="盐田区", division_code="440308", portal=PORTAL)
NB, DEPT, STREET = 2846, 3101, 3102
PAGE_SIZE = 10
PORTAL_COLUMN = "/cn/zwgk/zfxxgk/ndbg/"

AGENCIES = (
    Agency("深圳市盐田区人民政府", "深圳市盐田区人民政府办公室", county_wide=True),
    Agency("深圳市盐田区人民政府办公室", "深圳市盐田区人民政府办公室"),
    Agency("深圳市盐田区发展和改革局", "深圳市盐田区发展和改革局", fmt="pdf"),
    Agency("深圳市盐田区教育局", "深圳市盐田区教育局"),
    Agency("深圳市盐田区财政局", "深圳市盐田区财政局", fmt="pdf"),
    Agency("深圳市盐田区卫生健康局", "深圳市盐田区卫生健康局"),
    Agency("深圳市盐田区沙头角街道办事处", "深圳市盐田区沙头角街道办事处"),
    Agency("深圳市盐田区海山街道办事处", "深圳市盐田区海山街道办事处", fmt="pdf"),
    Agency("深圳市盐田区盐田街道办事处", "深圳市盐田区盐田街道办事处"),
    Agency("深圳市盐田区梅沙街道办事处", "深圳市盐田区梅沙街道办事处", fmt="docx", since=2023),
)


def _post_path(post_id: int) -> str:
    return f"/gkmlpt/content/{post_id // 1_000_000}/{post_id // 1000}/post_{post_id}.html"


class GkmlptSimulation(FamilyPortal):
    name = PORTAL
    family = "gkmlpt"
    hosts = (HOST, NEIGHBOUR)
    region = REGION
    start_url = f"http://{HOST}/"
    column_url = f"http://{HOST}/gkmlpt/index"

    def __init__(self) -> None:
        super().__init__()
        self.items = build_corpus(PORTAL, REGION, AGENCIES, rate=0.8)
        self.neighbour = foreign_report(PORTAL, Region("广东省", "深圳市", "罗湖区", "440303", PORTAL),
                                        "深圳市罗湖区人民政府", 2023, "深圳市罗湖区人民政府办公室")
        self.neighbour.attrs["id"] = 11_152_377
        self.neighbour.url = f"http://{NEIGHBOUR}{_post_path(11_152_377)}"
        self.items.sort(key=lambda i: (i.published, i.key))
        assign_ids(self.items, 6_800_000, 2_650)
        for item in self.items:
            item.attrs["cat"] = STREET if item.agency and "街道" in item.agency.name else DEPT
            item.url = f"http://{HOST}{_post_path(item.attrs['id'])}"
            if item.role == "report" and item.fmt in ("pdf", "docx"):
                pid = item.attrs["id"]
                item.file_url = f"http://{HOST}/attachment/0/{pid // 1000 % 1000}/{pid % 1000}/{pid + 17}.{item.fmt}"
            if item.attrs["cat"] == DEPT and item.role == "report":
                item.aliases.append(f"http://{HOST}{PORTAL_COLUMN}content/post_{item.attrs['id']}.html")
        self.by_id = {i.attrs["id"]: i for i in self.items}
        self.by_file = {urlsplit(i.file_url).path: i for i in self.items if i.file_url}

    # --- lists ---------------------------------------------------------------------------

    def category(self, cat: int) -> list[Item]:
        return sorted((i for i in self.items if i.attrs["cat"] == cat), key=lambda i: (i.published, i.key), reverse=True)

    def api_url(self, cat: int, page: int) -> str:
        return f"http://{HOST}/gkmlpt/api/all/{cat}?page={page}&sid={SID}"

    def navigation_urls(self) -> list[str]:
        return [self.start_url, self.column_url]

    def listings(self) -> list[list[tuple[str, list[Item]]]]:
        out = []
        for cat in (DEPT, STREET):
            items = self.category(cat)
            out.append([(self.api_url(cat, p + 1), items[p * PAGE_SIZE:(p + 1) * PAGE_SIZE])
                        for p in range(max(1, -(-len(items) // PAGE_SIZE)))])
        return out

    def tree(self) -> list[dict]:
        def node(i: int, name: str, count: int = 0, children: list | None = None, jump: str = "") -> dict:
            return {"id": i, "name": name, "post_count": count, "parent": 0, "jump_url": jump, "children": children or []}

        dept, street = len(self.category(DEPT)), len(self.category(STREET))
        return [
            node(2840, "机构职能", 12, [node(2841, "机构概况", 8), node(2842, "领导信息", 4)]),
            node(2843, "政策文件", 96, [node(2844, "规范性文件", 35), node(2845, "其他文件", 61)]),
            node(NB, "政府信息公开年报", dept + street, [node(DEPT, "区直部门", dept), node(STREET, "街道", street)]),
            node(2848, "政府信息公开指南", 0, [], "/gkmlpt/guide"),
            node(2849, "政府信息公开制度", 3),
        ]

    # --- HTTP ----------------------------------------------------------------------------

    def route(self, method: str, url: str, headers: dict[str, str], body: bytes) -> SimResponse | None:
        parts = urlsplit(url)
        path, query = parts.path or "/", {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.hostname == NEIGHBOUR:
            return self._detail(self.neighbour) if path == urlsplit(self.neighbour.url).path else None
        if path in ("/", "/index.html"):
            return self._page("深圳市盐田区人民政府门户网站", '<div class="nav"><a href="/gkmlpt/index">政府信息公开</a> '
                              f'<a href="{PORTAL_COLUMN}">政府信息公开年报</a> <a href="/cn/xwzx/">新闻中心</a></div>')
        if path == "/robots.txt":
            return SimResponse(200, f"User-agent: *\nDisallow: /admin/\nSitemap: http://{HOST}/sitemap.xml\n".encode(),
                               {"Content-Type": "text/plain"})
        if path == "/sitemap.xml":
            maps = "".join(f"<sitemap><loc>http://{HOST}/sitemap_{n}.xml</loc></sitemap>" for n in (1, 2))
            return _xml(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>')
        if path in ("/sitemap_1.xml", "/sitemap_2.xml"):
            half = len(self.items) // 2
            chunk = self.items[:half] if path == "/sitemap_1.xml" else self.items[half:]
            urls = "".join(f"<url><loc>{i.url}</loc><lastmod>{i.published:%Y-%m-%d}</lastmod></url>" for i in chunk)
            return _xml(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
        if path == "/gkmlpt/index":
            return self._shell("政府信息公开", {"SID": SID, "TREE": self.tree(), "SERVICE_AREA_ID": 440308})
        if path.startswith("/gkmlpt/api/all/") and path[16:].isdigit():
            return self._api(int(path[16:]), query)
        if path.startswith("/gkmlpt/content/") or path.startswith(PORTAL_COLUMN + "content/"):
            name = path.rsplit("/", 1)[-1]
            if name.startswith("post_") and name.endswith(".html") and name[5:-5].isdigit():
                item = self.by_id.get(int(name[5:-5]))
                if item and (path == urlsplit(item.url).path or path in (urlsplit(a).path for a in item.aliases)):
                    return self._detail(item)
            return None
        if path in self.by_file:
            return self.file_response(self.by_file[path])
        if path in (PORTAL_COLUMN, PORTAL_COLUMN + "index.html"):
            return self._portal_column()
        return None

    def _page(self, title: str, main: str, head: str = "", last_modified: datetime | None = None) -> SimResponse:
        html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>{head}</head><body>'
                f'<div class="header">深圳市盐田区人民政府</div>{main}'
                '<div class="footer">深圳市盐田区人民政府办公室主办 粤ICP备05063124号</div></body></html>')
        return html_response(html, last_modified=last_modified)

    def _shell(self, title: str, config: dict, head: str = "", last_modified: datetime | None = None) -> SimResponse:
        """A gkmlpt page: an empty app div and the configuration the Vue app renders from."""
        data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003C").replace(">", "\\u003E")
        main = (f'<div id="app"></div><script>window._CONFIG = {data};</script>'
                '<script src="/gkmlpt/static/js/chunk-vendors.js"></script><script src="/gkmlpt/static/js/app.js"></script>')
        return self._page(title, main, head, last_modified)

    def _article(self, item: Item) -> dict:
        when = int(item.published.replace(tzinfo=CST).timestamp())
        attachments = []
        if item.file_url:
            attachments = [{"name": item.file_name, "url": item.file_url, "type": item.fmt}]
        return {
            "id": item.attrs["id"], "title": item.title, "url": item.url, "post_url": item.url,
            "publisher": item.source, "identifier": f"11440308MB2C{stable_int(item.key) % 10**5:05d}/{item.published.year}-{item.attrs['id'] % 10**5:05d}",
            "document_number": "", "keywords": "", "abstract": "", "date": when, "display_publish_time": when,
            "created_at": f"{item.published:%Y-%m-%d %H:%M:%S}", "classify_main_name": "政府信息公开年报",
            "classify_genre_name": "", "classify_theme_name": "", "is_expired": 0, "is_abolished": 0,
            "attachment": attachments, "relation": "",
        }

    def _api(self, cat: int, query: dict[str, str]) -> SimResponse:
        if query.get("sid") != SID or cat not in (DEPT, STREET):
            payload: dict = {"classify": None, "articles": []}
        else:
            items = self.category(cat)
            page = int(query.get("page", "1")) if query.get("page", "1").isdigit() else 1
            payload = {
                "classify": {"id": cat, "name": "区直部门" if cat == DEPT else "街道", "post_count": len(items)},
                "articles": [self._article(i) for i in items[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]],
            }
        return SimResponse(200, json.dumps(payload, ensure_ascii=False).encode(), {"Content-Type": "application/json;charset=UTF-8"})

    def _detail(self, item: Item) -> SimResponse:
        if item.role == "soft404":
            return self._shell("提示", {"SID": SID, "DETAIL": None, "MESSAGE": item.variant})
        if item.role == "decoy":
            content = decoy_body(item, REGION.county)
        elif item.file_url:
            content = f"<p>{escape(item.title)}</p><p>详见附件。</p>"
        else:
            content = item.pub.body_html()
        detail = self._article(item) | {"content": content}
        head = (f'<meta name="ArticleTitle" content="{escape(item.title)}"><meta name="PubDate" content="{item.published:%Y-%m-%d %H:%M}">'
                f'<meta name="ContentSource" content="{escape(item.source)}">')
        return self._shell(item.title, {"SID": SID, "DETAIL": detail}, head, item.published)

    def _portal_column(self) -> SimResponse:
        listed = [i for i in self.category(DEPT) if i.aliases]
        rows = "".join(f'<li><a href="content/post_{i.attrs["id"]}.html" title="{escape(i.title)}">{escape(i.title)}</a>'
                       f"<span>{i.published:%Y-%m-%d}</span></li>" for i in listed)
        side = (f'<div class="side"><h4>各区政府信息公开年报</h4><ul><li><a href="{self.neighbour.url}">'
                f"{escape(self.neighbour.title)}</a></li></ul></div>")
        return self._page("政府信息公开年报", f'<div class="crumb">首页 &gt; 政务公开 &gt; 政府信息公开年报</div><ul class="list">{rows}</ul>{side}')


def _xml(text: str) -> SimResponse:
    return SimResponse(200, ('<?xml version="1.0" encoding="UTF-8"?>' + text).encode(), {"Content-Type": "application/xml"})


def make_simulation() -> GkmlptSimulation:
    return GkmlptSimulation()
