"""Links on a list or report page: report rows, other pages of the list, attachments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from .titles import normalize_title, report_year


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def _anchors(html: str | Selector, base_url: str) -> list[tuple[str, str, str, str]]:
    """(absolute url, text, title attribute, class) of every ``<a href>``; javascript: skipped."""
    sel = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    out = []
    for a in sel.css("a[href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        text = re.sub(r"\s+", " ", " ".join(a.css("::text").getall())).strip()
        out.append((urljoin(base_url, href), text, title_attribute(a.attrib.get("title")), a.attrib.get("class", "")))
    return out


_TOOLTIP_LABEL = re.compile(r"^\s*(?:标题|题名|名称)\s*[:：]\s*")


def title_attribute(value: str | None) -> str:
    """A link's ``title=`` as a title: tooltips of several lines (``标题：…\n作者：…\n更新时间：…``,
    PowerEasy) give their 标题 line."""
    lines = [ln for ln in (value or "").splitlines() if ln.strip()]
    labelled = next((ln for ln in lines if _TOOLTIP_LABEL.match(ln)), None)
    return _TOOLTIP_LABEL.sub("", labelled or (lines[0] if lines else "")).strip()


def report_links(html: str | Selector, base_url: str) -> list[Link]:
    """Links whose text (or ``title`` attribute, for truncated list rows) is a report title.

    A title must name its year: 信息公开工作年度报告 without one is a column's name.
    """
    seen: dict[str, Link] = {}
    for url, text, title, _ in _anchors(html, base_url):
        best = title if report_year(title) else text
        if report_year(best) and url not in seen:
            seen[url] = Link(url, best)
    return list(seen.values())


ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".txt")


#: download endpoints that serve a file without its extension (VSB download.jsp, Hanweb downfile.jsp …)
_DOWNLOAD_PATH = re.compile(r"/(?:\w*down\w*|\w*attach\w*|getfile|file)\.(?:jsp|do|aspx?|php|action)$", re.I)
_FILE_NAME_TEXT = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|ofd)\s*$", re.I)


def is_document_url(url: str, text: str = "") -> bool:
    """Does a link lead to a file: by its path's extension, a file name in its query, a download
    endpoint, or link text that is a file name (``附件：…年度报告.pdf``)?"""
    parts = urlsplit(url)
    path = parts.path.lower()
    if path.endswith(ATTACHMENT_EXTENSIONS):
        return True
    if any(v.lower().endswith(ATTACHMENT_EXTENSIONS) for _, v in parse_qsl(parts.query)):
        return True
    if parts.query and _DOWNLOAD_PATH.search(path):
        return True
    return bool(_FILE_NAME_TEXT.search(text)) and not path.endswith((".html", ".htm", ".shtml", "/"))


def attachment_links(html: str | Selector, base_url: str) -> list[Link]:
    """Links to downloadable documents, in page order, deduplicated (see :func:`is_document_url`)."""
    seen: dict[str, Link] = {}
    for url, text, title, _ in _anchors(html, base_url):
        if url not in seen and is_document_url(url, title or text):
            seen[url] = Link(url, title or text)
    return list(seen.values())


NEXT_TEXTS = {"下一页", "下页", ">", ">>", "›", "»", "下一頁"}
LAST_TEXTS = {"尾页", "末页", "最后一页"}
_NEXT_CLASSES = ("next", "pgNext", "next_page", "page-next")
_PAGE_URL = re.compile(
    r"(?:/(?:index|list)_\d+\.s?html?$|/\d{1,4}\.s?html?$|/column-index-\d+\.shtml$|/t_\d+\.html$|_\d+$)"
)
_PAGE_QUERY_KEYS = ("page", "pageNo", "pageNum", "PageIndex", "currPage", "pageIndex", "p")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]")
_JS_TOTAL = re.compile(r"\b(?:totalPage|pageCount|countPage|totalPages|page_count)\s*[=:]\s*['\"]?(\d+)")


def _looks_like_page_url(url: str, base_url: str) -> bool:
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.netloc != base.netloc:
        return False
    query = dict(parse_qsl(parts.query))
    if any(k in query and query[k].isdigit() for k in _PAGE_QUERY_KEYS):
        return True
    same_dir = parts.path.rsplit("/", 1)[0] == base.path.rsplit("/", 1)[0]
    return same_dir and bool(_PAGE_URL.search(parts.path))


def _page_template(url: str) -> tuple[str, int] | None:
    """Turn a page URL into a ``{}`` template and its page number (for JS page counts)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (k, v) in enumerate(query):
        if k in _PAGE_QUERY_KEYS and v.isdigit():
            q = urlencode(query[:i] + [(k, "__N__")] + query[i + 1 :]).replace("__N__", "{}")
            return urlunsplit(parts._replace(query=q)), int(v)
    m = re.search(r"(index_|/|column-index-|t_|_)(\d+)(\.s?html?)?$", parts.path)
    if m:
        path = parts.path[: m.start(2)] + "{}" + parts.path[m.end(2) :]
        return urlunsplit(parts._replace(path=path)), int(m.group(2))
    return None


#: a page count read from a script (``totalPage = 3000000``) is believed up to this many pages;
#: the crawl bounds each list further (``GX_MAX_PAGES_PER_LIST``, gxcrawler.crawl.bounds)
MAX_LIST_PAGES = 1000


def pagination_links(html: str | Selector, base_url: str) -> list[str]:
    """Absolute URLs of the other pages of the list at ``base_url``.

    Understands next/last links by text or class, numbered page links
    (``index_N.shtml``, ``/N.html``, ``?page=N`` …), TRS ``createPageHTML(N, cur,
    "index", "html")`` and JS page counts (``totalPage = N``) combined with a numbered
    link that shows the URL pattern.
    """
    sel = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    raw = sel.get() if isinstance(html, Selector) else (html or "")
    found: dict[str, None] = {}
    for url, text, _, cls in _anchors(sel, base_url):
        if url.split("#")[0] == base_url.split("#")[0]:
            continue
        is_pager_text = text in NEXT_TEXTS or text in LAST_TEXTS or text.isdigit()
        is_pager_class = any(c in cls for c in _NEXT_CLASSES)
        if (is_pager_text or is_pager_class) and (
            _looks_like_page_url(url, base_url) or text in NEXT_TEXTS or is_pager_class
        ):
            found[url] = None

    m = _CREATE_PAGE.search(raw)
    if m:
        count, name, ext = min(int(m.group(1)), MAX_LIST_PAGES), m.group(3), m.group(4)
        for n in range(1, count):
            found[urljoin(base_url, f"{name}_{n}.{ext}")] = None

    m = _JS_TOTAL.search(raw)
    if m:
        total = min(int(m.group(1)), MAX_LIST_PAGES)
        templates = {t for u in found if (t := _page_template(u)) is not None}
        for template, _ in templates:
            for n in range(2, total + 1):
                found[template.format(n)] = None
    found.pop(base_url, None)
    return list(found)


# --- navigation: from a home page to the report column ----------------------------------------

#: a report column's name: …年报, …年度报告 (no year: with one it is a report), or a bare year (2021年度)
_COLUMN_NAME = re.compile(r"(?:年报|年度报告|年度工作报告)$|^(?:19|20)\d{2}\s*年?度?$")
#: links from a home page towards the open-government section
_ENTRY_NAME = re.compile(r"^(?:政府)?信息公开(?:专栏|平台|目录|网)?$|^政务公开$|^法定主动公开内容$")


@dataclass(frozen=True)
class NavLink:
    url: str
    text: str
    kind: str  # "column" (a report column) | "entry" (the open-government section)


def is_report_column_name(text: str, *, years: bool = True) -> bool:
    """``政府信息公开年报``, ``乡镇（街道）年报``, ``2021年度`` (``years``): a column of reports, not a report."""
    text = normalize_title(text)
    if not text or report_year(text) is not None or not _COLUMN_NAME.search(text):
        return False
    return years or not text[:4].isdigit()


def is_entry_name(text: str) -> bool:
    return bool(_ENTRY_NAME.match(normalize_title(text)))


def navigation_links(html: str | Selector, base_url: str) -> list[NavLink]:
    """Links of a home or menu page to report columns (named like one, no bare years) and to the
    政府信息公开 / 政务公开 section, in page order."""
    out: dict[str, NavLink] = {}
    for url, text, _, _ in _anchors(html, base_url):
        if url in out or urlsplit(url).scheme not in ("http", "https"):
            continue
        if is_report_column_name(text, years=False):
            out[url] = NavLink(url, text, "column")
        elif is_entry_name(text):
            out[url] = NavLink(url, text, "entry")
    return list(out.values())
