"""Which CMS family built a page, and what that family hides from a plain link crawl.

County portals run on a handful of CMS families; each leaves markers in its markup,
scripts and URLs (docs/spec/portals.md, "URL dialects"). :func:`detect` names the
families a page shows; the extractors below read what a plain ``<a href>`` crawl
cannot see:

* **Hanweb 大汉 jcms** — the list is an XML island (``<script type="text/xml"><datastore>
  <recordset><record><![CDATA[…]]>``), later records come from a POST to
  ``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…`` whose form
  fields (``col``, ``appid``, ``webid``, ``columnid``, ``unitid``, …) are on the page;
* **TRS WCM** — pages ``index_1.html…`` known only from ``createPageHTML(count, …)`` or
  ``countPage``/``totalPage`` script variables (page 0 is ``index.html``);
* **Boda VSB** — list pages numbered downwards (``{col}.htm``, ``{col}/N-1.htm`` … ``1.htm``),
  the count printed as ``共N页`` or in the 尾页 link; attachments via ``download.jsp``;
* **gkmlpt** (Guangdong) — ``window._CONFIG`` with ``SID`` and a column ``TREE``; the list is
  ``/gkmlpt/api/all/{column}?page=N&sid=…`` JSON;
* **ASP.NET** (``.aspx``, PowerEasy-like) — pagers that post the form back
  (``__doPostBack(target, arg)`` with ``__VIEWSTATE``);
* URL dialects of the seed families (``gongkai``, ``numeric_shtml``, ``phpcms``,
  ``view_column``, ``henan_dated``) and Lincang's ``?nbYear=`` pages.

Everything here is pure: text in, URLs and form fields out. The spiders turn them into
requests.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector

from .links import Link, report_links

STATS_PREFIX = "gx/family/"


@dataclass(frozen=True)
class Family:
    name: str
    #: strong markers: one is enough
    strong: tuple[str, ...]
    #: weak markers: two are needed
    weak: tuple[str, ...] = ()

    def score(self, text: str) -> int:
        strong = sum(2 for m in self.strong if re.search(m, text))
        weak = sum(1 for m in self.weak if re.search(m, text))
        return strong + weak


FAMILIES: tuple[Family, ...] = (
    Family("hanweb", (r"<datastore>", r"<recordset>", r"/module/web/jpage/dataproxy\.jsp", r"\.jpage\s*\(",
                      r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html"),
           (r"/col/col\d+/", r"/module/(?:jslib|download)/", r"default_pg(?:Container|Btn)", r"hanweb")),
    Family("trs", (r"createPageHTML\s*\(", r"/\d{6}/t\d{8}_\d+\.s?html?", r"\bOLDSRC\s*=", r"TRS_(?:Editor|UEDITOR)"),
           (r"\bcountPage\b", r"\bcurrentPage\b", r"/[PW]0\d{10,}", r"index_\d+\.s?html?")),
    Family("vsb", (r"Visual\s*SiteBuilder", r"/system/resource/", r"_newscontent_fromname", r"\bvsb_content\b",
                   r"download\.jsp\?[^\"'<>]*(?:wbfileid|urltype)"),
           (r"/info/\d+/\d+\.htm\b", r"\bp_pages\b", r"\bp_next\b", r"\bv_news_content\b")),
    Family("gkmlpt", (r"window\._CONFIG\s*=", r"/gkmlpt/(?:api|content|index)"), (r"post_\d+\.html", r"\bSID\b")),
    Family("gongkai", (r"/gongkai/site_[\w-]+/", r"/doc_[0-9a-f]{24}\.html"), (r"channel_[\w.-]+/",)),
    Family("aspx", (r"__doPostBack\s*\(", r"name=[\"']__VIEWSTATE[\"']"), (r"\.aspx\b",)),
    Family("nbyear", (r"[?&]nbYear=\d{4}",), (r"zfxxgk_\w+/zfxxgknb\.html",)),
    Family("numeric_shtml", (), (r"/\d{5,}\.shtml\b", r"index_\d+\.shtml", r"/index\.shtml")),
    Family("phpcms", (r"index\.php\?m=content&(?:amp;)?c=index", r"p\.yTit|class=[\"']yTit"),
           (r"/(?:19|20)\d{2}/\d{4}/\d+\.html",)),
    Family("view_column", (), (r"/view/[\w-]+/\d+\.html", r"/list/[\w-]+\.html")),
    Family("henan_dated", (r"ul#paging|id=[\"']paging[\"']",), (r"/(?:19|20)\d{2}/\d{2}-\d{2}/\d+\.html",
                                                               r"li\.wzxqnr|class=[\"']wzxqnr")),
)
FAMILY_NAMES = tuple(f.name for f in FAMILIES)


def detect(text: str, url: str = "") -> list[str]:
    """The families a page shows (markup, scripts and its own URL), most evident first."""
    haystack = f"{url}\n{text}"
    scored = [(f.score(haystack), i, f.name) for i, f in enumerate(FAMILIES)]
    return [name for score, _, name in sorted(scored, key=lambda s: (-s[0], s[1])) if score >= 2]


# --- requests the spiders make from these ------------------------------------------


@dataclass(frozen=True)
class FormPost:
    """A POST a list page's script would make (Hanweb dataproxy, ASP.NET postback)."""

    url: str
    formdata: tuple[tuple[str, str], ...] = field(default=())

    @property
    def body(self) -> str:
        return urlencode(self.formdata)


# --- Hanweb jcms ---------------------------------------------------------------------

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_DATAPROXY = re.compile(r"[\"'(]?((?:https?://[^\"'\s<>]+)?/module/web/jpage/dataproxy\.jsp[^\"'\s<>)]*)")
_JS_NUMBER = r"[\"']?\s*[:=]\s*[\"']?(\d+)"
_HANWEB_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname",
                  "permissiontype")


def hanweb_records(text: str, base_url: str) -> list[Link]:
    """Report links inside ``<record><![CDATA[…]]></record>`` (page XML islands and dataproxy answers)."""
    fragments = "".join(_RECORD.findall(text))
    return report_links(f"<ul>{fragments}</ul>", base_url) if fragments else []


def hanweb_record_count(text: str) -> int:
    return len(_RECORD.findall(text))


def _js_int(text: str, *names: str) -> int | None:
    for name in names:
        m = re.search(rf"\b{name}{_JS_NUMBER}", text)
        if m:
            return int(m.group(1))
    return None


def hanweb_form(text: str, base_url: str) -> tuple[str, dict[str, str]] | None:
    """The dataproxy URL and the form fields a column page's jpage script would post."""
    m = _DATAPROXY.search(text)
    if not m:
        return None
    proxy = unescape(m.group(1))
    fields: dict[str, str] = {}
    # fields carried in the <nextgroup> link's query, in a JS object literal, or as hidden inputs
    for key, value in parse_qsl(urlsplit(proxy).query, keep_blank_values=True):
        if key in _HANWEB_FIELDS:
            fields[key] = value
    for name in _HANWEB_FIELDS:
        if name in fields:
            continue
        lit = re.search(rf"[\"']?\b{name}\b[\"']?\s*[:=]\s*(?:[\"']([^\"']*)[\"']|(\d+))", text)
        if lit:
            fields[name] = lit.group(1) if lit.group(1) is not None else lit.group(2)
    for inp in Selector(text=text).css("input[name]"):
        name = inp.attrib.get("name", "")
        if name in _HANWEB_FIELDS and name not in fields:
            fields[name] = inp.attrib.get("value", "")
    if "columnid" not in fields:
        return None
    url = urljoin(base_url, urlsplit(proxy)._replace(query="").geturl())
    return url, fields


def hanweb_next_posts(text: str, base_url: str) -> list[FormPost]:
    """POSTs for the records a column page does not embed (none when it embeds them all).

    Read from the column page's jpage call only (``totalRecord``, ``perPage``, ``groupSize``):
    a dataproxy answer carries its records but no call, so it asks for nothing more. Each
    POST asks for one group (``perPage × groupSize`` records), as the widget does.
    """
    total = _js_int(text, "totalRecord", "totalRecords")
    form = hanweb_form(text, base_url) if total is not None else None
    if form is None:
        return []
    url, fields = form
    per_page = _js_int(text, "perPage", "perpage") or 15
    group = _js_int(text, "groupSize", "groupsize")
    embedded = hanweb_record_count(text)
    if embedded >= total:
        return []
    chunk = per_page * group if group else max(embedded, per_page)
    posts = []
    for start in range(embedded + 1, total + 1, chunk):
        query = urlencode({"startrecord": start, "endrecord": start + chunk - 1, "perpage": per_page})
        posts.append(FormPost(f"{url}?{query}", tuple(fields.items())))
    return posts


# --- TRS WCM ---------------------------------------------------------------------------

_CREATE_PAGE = re.compile(
    r"createPageHTML\s*\(\s*['\"]?(\w+)['\"]?\s*,\s*['\"]?(\w+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")


def trs_pages(text: str, base_url: str) -> list[str]:
    """``index_1.html…index_{count-1}.html`` from ``createPageHTML`` or ``countPage``/``totalPage``."""
    count: int | None = None
    name, ext = "index", None
    m = _CREATE_PAGE.search(text)
    if m:
        first = m.group(1)
        count = int(first) if first.isdigit() else _js_int(text, first)
        name, ext = m.group(3), m.group(4)
    if count is None:
        count = _js_int(text, "countPage", "totalPage", "pageCount", "page_count")
    if not count or count <= 1:
        return []
    if ext is None:
        path = urlsplit(base_url).path
        m_ext = re.search(r"\.(s?html?)$", path)
        ext = m_ext.group(1) if m_ext else "html"
        m_name = re.search(r"/([A-Za-z]+)(?:_\d+)?\.s?html?$", path)
        name = m_name.group(1) if m_name else "index"
    return [urljoin(base_url, f"{name}_{n}.{ext}") for n in range(1, count)]


# --- Boda VSB ---------------------------------------------------------------------------

_VSB_TOTAL = re.compile(r"共\s*(\d+)\s*页|/\s*(\d+)\s*页|totalpage\s*[=:]\s*(\d+)", re.I)


def vsb_pages(text: str, base_url: str) -> list[str]:
    """Every page of a VSB list, read on its first page ``{col}.htm``: ``{col}/N-1.htm`` down to ``{col}/1.htm``.

    The pager shows a window of numbers only; the count comes from ``共N页`` or, failing
    that, the highest number linked (the 尾页 link is ``1.htm``, the 下页 link ``N-1.htm``).
    """
    here = urlsplit(base_url)
    m_col = re.search(r"/([^/]*[^/\d][^/]*)\.htm$", here.path)  # page 1: a column name, not a number
    if not m_col:
        return []
    inner = re.compile(rf"^{re.escape(here.path[:-4])}/(\d+)\.htm$")
    sel = Selector(text=text)
    numbers = [int(m.group(1)) for href in sel.css("a::attr(href)").getall()
               if (m := inner.match(urlsplit(urljoin(base_url, href.strip())).path))]
    if not numbers:
        return []
    total_m = _VSB_TOTAL.search(sel.xpath("string(//body)").get() or "")
    total = next((int(g) for g in total_m.groups() if g), None) if total_m else None
    top = total - 1 if total else max(numbers)
    return [urljoin(base_url, f"{here.path[:-4]}/{n}.htm") for n in range(top, 0, -1)]


# --- gkmlpt (Guangdong) -------------------------------------------------------------------

_SID = re.compile(r"\bSID[\"']?\s*[:=]\s*[\"']?([\w-]+)")
_REPORT_COLUMN = re.compile(r"年报|年度报告")


def gkmlpt_config(text: str) -> tuple[str, list[dict]] | None:
    """The site id and the column tree of a gkmlpt page (``window._CONFIG``)."""
    if "_CONFIG" not in text:
        return None
    sid = _SID.search(text)
    if not sid:
        return None
    tree: list[dict] = []
    m = re.search(r"\bTREE[\"']?\s*:\s*(\[)", text)
    if m:
        depth, i = 0, m.start(1)
        for j in range(i, len(text)):
            depth += {"[": 1, "]": -1}.get(text[j], 0)
            if depth == 0:
                try:
                    tree = json.loads(text[i:j + 1])
                except ValueError:
                    tree = []
                break
    return sid.group(1), tree


def _walk(tree: Iterable[dict]) -> Iterable[dict]:
    for node in tree:
        yield node
        yield from _walk(node.get("children") or [])


def gkmlpt_report_columns(tree: list[dict]) -> list[tuple[int | str, str]]:
    """(id, name) of the columns holding annual reports: a node named like 政府信息公开年报, or, when
    it has children (区直部门, 街道 …), its leaves, which the API lists."""
    out: list[tuple[int | str, str]] = []
    for node in _walk(tree):
        if "id" in node and _REPORT_COLUMN.search(node.get("name", "")) and not node.get("jump_url"):
            leaves = [n for n in _walk(node.get("children") or []) if not n.get("children") and "id" in n
                      and not n.get("jump_url")]
            out += [(n["id"], n.get("name", "")) for n in leaves] or [(node["id"], node.get("name", ""))]
    return list(dict.fromkeys(out))


_DETAIL = re.compile(r"[\"']?DETAIL[\"']?\s*:\s*(null|\{)")


def _json_string(text: str, key: str) -> str | None:
    m = re.search(rf'["\']?{key}["\']?\s*:\s*"((?:[^"\\]|\\.)*)"', text)
    if not m:
        return None
    try:
        return json.loads(f'"{m.group(1)}"')
    except ValueError:
        return None


def script_article(text: str) -> dict | None:
    """An article whose page is a JavaScript shell (gkmlpt: ``window._CONFIG = {…, DETAIL: {title, content,
    publisher, attachment …}}``): its fields, ``{}`` when the shell says the article is gone
    (``DETAIL: null``), None for any other page."""
    if "_CONFIG" not in text:
        return None
    m = _DETAIL.search(text)
    if not m:
        return None
    if m.group(1) == "null":
        return {}
    detail = text[m.start(1):]
    article: dict = {k: v for k in ("title", "content", "publisher") if (v := _json_string(detail, k)) is not None}
    files = re.search(r'["\']?attachment["\']?\s*:\s*(\[.*?\])\s*[,}]', detail, re.S)
    try:
        article["attachment"] = json.loads(files.group(1)) if files else []
    except ValueError:
        article["attachment"] = []
    return article


def script_article_html(text: str) -> str | None:
    """The HTML document a JavaScript-shell article renders (title heading + content), for the parser."""
    article = script_article(text)
    if not article or not article.get("content"):
        return None
    title = article.get("title", "")
    from html import escape

    source = f"<p>发布机构：{escape(article['publisher'])}</p>" if article.get("publisher") else ""
    return (f'<html><head><meta charset="utf-8"><title>{escape(title)}</title></head><body>'
            f"<h1>{escape(title)}</h1>{source}{article['content']}</body></html>")


def gkmlpt_api(base_url: str, column: int | str, sid: str, page: int = 1) -> str:
    return urljoin(base_url, f"/gkmlpt/api/all/{column}?{urlencode({'page': page, 'sid': sid})}")


def gkmlpt_articles(payload: dict, base_url: str) -> tuple[list[Link], int]:
    """Report links of one API page and the number of pages."""
    articles = payload.get("articles") or []
    links = [Link(urljoin(base_url, a["url"]), a.get("title", "")) for a in articles if a.get("url")]
    total = payload.get("total") or (payload.get("classify") or {}).get("post_count") or len(articles)
    per_page = max(len(articles), 1)
    return links, max(1, math.ceil(int(total) / per_page))


# --- ASP.NET postback pagers ----------------------------------------------------------------

_POSTBACK = re.compile(r"__doPostBack\(\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]*)['\"]\s*\)")


def aspx_postbacks(text: str, base_url: str) -> list[FormPost]:
    """Form posts for a pager's ``__doPostBack`` links (numbers, 下一页, 尾页), hidden fields included."""
    sel = Selector(text=text)
    form = sel.css("form")
    if not form:
        return []
    hidden = [(i.attrib["name"], i.attrib.get("value", "")) for i in form[0].css("input[type=hidden][name]")]
    hidden = [(k, v) for k, v in hidden if k not in ("__EVENTTARGET", "__EVENTARGUMENT")]
    action = urljoin(base_url, form[0].attrib.get("action") or base_url)
    posts: dict[tuple, FormPost] = {}
    for a in sel.css("a[href*='__doPostBack']"):
        label = "".join(a.css("::text").getall()).strip()
        m = _POSTBACK.search(a.attrib["href"])
        if not m or not (label.isdigit() or label in ("下一页", "下页", "尾页", "末页", ">", ">>", "»")):
            continue
        data = ((*hidden, ("__EVENTTARGET", m.group(1)), ("__EVENTARGUMENT", m.group(2))))
        posts.setdefault((m.group(1), m.group(2)), FormPost(action, tuple(data)))
    return list(posts.values())


# --- one document under several URLs ------------------------------------------------------

_DOCUMENT_IDS = (
    ("hanweb", re.compile(r"/art/\d{4}/(?:\d{1,2}/\d{1,2}/)?art_(?:\d+_)?(\w+)\.html$")),  # art_{COL}_{ID}
    ("trs", re.compile(r"/\d{6}/t\d{8}_(\d+)\.s?html?$")),
    ("vsb", re.compile(r"/info/\d+/(\d+)\.htm$")),
    ("gkmlpt", re.compile(r"/post_(\d+)\.html$")),
    ("gongkai", re.compile(r"/doc_([0-9a-f]{24})\.html$")),
    ("view", re.compile(r"^/view/[\w-]+/(\d+)\.html$")),  # 砚山's /view/{column}/{id}.html
    ("shtml", re.compile(r"/(\d{5,})\.shtml$")),
)


def document_key(url: str) -> str:
    """A document's identity across the URLs a CMS gives it: the article ID of its URL dialect
    (a Hanweb article quoted into a second column, http and https, ``www.`` or not), else the URL
    without scheme and fragment."""
    parts = urlsplit(url)
    for name, pattern in _DOCUMENT_IDS:
        if m := pattern.search(parts.path):
            return f"{name}:{(parts.hostname or '').removeprefix('www.')}:{m.group(1)}"
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path}" + (f"?{parts.query}" if parts.query else "")
