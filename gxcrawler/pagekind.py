"""What a fetched page really is, when it is not the document it claims to be (pure, no Scrapy).

Government servers answer a URL with something other than its document on a bad
night, usually with status ``200``: a soft 404 (信息不存在, 页面不存在, 已删除, a
``404 Not Found`` printed on a 200), a maintenance notice (系统维护中), a login form,
an empty body, or an anti-bot challenge (a script that sets a cookie and reloads,
a WAF block page, a self-redirect with a cookie). Parsed naively, any of these
becomes "a report without tables" and may replace a stored report. The crawl asks
:func:`classify` before it trusts a response; the loader asks it again before a
document without statistics may become a report row.

The detectors read *structure* — where a phrase sits (``<title>``, a heading), how
much visible text the page has, whether it carries a report's statistics
vocabulary — rather than lists of known sites: an error phrase inside a long
report (一、总体情况 … 已删除过时信息) never makes it an error page.

Kinds: ``empty``, ``soft_404``, ``maintenance``, ``login`` and ``challenge`` (with
the challenge's own label in :attr:`PageKind.label`: ``js_challenge``,
``cookie_challenge``, ``cloudflare`` or ``waf_block``, see :func:`classify_challenge`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

#: kinds returned by :func:`classify`
KINDS = ("empty", "soft_404", "maintenance", "login", "challenge")
#: labels of challenge pages (:attr:`PageKind.label` when ``kind == "challenge"``)
CHALLENGE_LABELS = ("js_challenge", "cookie_challenge", "cloudflare", "waf_block")


@dataclass(frozen=True)
class PageKind:
    """Why a response is not a document: ``kind`` (one of :data:`KINDS`), a finer ``label``, the evidence."""

    kind: str
    label: str
    evidence: str = ""

    @property
    def reason(self) -> str:
        """One line for ``fetches.message`` and the run record, e.g. ``soft_404: 信息不存在``."""
        return f"{self.label}: {self.evidence}" if self.evidence else self.label


# ---------------------------------------------------------------- text helpers

_SCAN_BYTES = 262_144  # error pages are small; never scan a whole multi-MB document
_HEAD_BYTES = 8192
_SCRIPT = re.compile(rb"<script", re.I)
_TAGS = re.compile(r"(?s)<[^>]*>")
_SCRIPT_STYLE = re.compile(r"(?is)<(script|style|noscript|template)\b.*?</\1\s*>")
_COMMENT = re.compile(r"(?s)<!--.*?-->")
_WS = re.compile(r"\s+")
_TITLE = re.compile(r"(?is)<title[^>]*>(.*?)</title>")
_HEADINGS = re.compile(r"(?is)<(h[1-3])\b[^>]*>(.*?)</\1\s*>")
_ENTITY = re.compile(r"&(?:nbsp|ensp|emsp|#160|#12288);", re.I)


def head_text(body: bytes, limit: int = _SCAN_BYTES) -> str:
    """The first ``limit`` bytes as text: UTF-8, else GB18030 (a superset of GBK/GB2312), else lossy."""
    head = body[:limit]
    for encoding in ("utf-8", "gb18030"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError:
            if encoding == "utf-8" and len(body) > limit:
                try:  # cut inside a multi-byte character: drop the partial tail
                    return head[:-3].decode("utf-8", "strict") if head[:-3] else ""
                except UnicodeDecodeError:
                    pass
            continue
    return head.decode("utf-8", "replace")


def visible_text(html: str) -> str:
    """The page's readable text without markup, scripts, styles or whitespace."""
    text = _SCRIPT_STYLE.sub(" ", _COMMENT.sub(" ", html))
    text = _ENTITY.sub(" ", _TAGS.sub(" ", text))
    return _WS.sub("", text)


def visible_length(html: str) -> int:
    return len(visible_text(html))


_LINKS = re.compile(r"(?is)<a\b[^>]*>.*?</a\s*>")


def own_text_blocks(html: str, limit: int = 200) -> list[str]:
    """The page's own short texts (title, headings, paragraphs), not the text of its links.

    Where a page names itself: a related-articles box that links a report does not make
    the page that report.
    """
    text = _LINKS.sub(" ", _SCRIPT_STYLE.sub(" ", _COMMENT.sub(" ", html)))
    blocks = (_WS.sub("", _ENTITY.sub(" ", b)) for b in _TAGS.split(text))
    return [b for b in blocks if b and len(b) <= limit]


def title_and_headings(html: str) -> list[str]:
    """The texts of the page's ``<title>`` and ``<h1>``–``<h3>`` (where a page says what it is)."""
    parts = [m.group(1) for m in _TITLE.finditer(html[:20000])]
    parts += [m.group(2) for m in _HEADINGS.finditer(html)]
    return [text for p in parts if (text := _WS.sub("", _ENTITY.sub(" ", _TAGS.sub(" ", p))))]


# What a report carries and an error page does not: its statistics vocabulary.
_REPORT_WORDS = re.compile(
    r"信息公开申请|第二十条|行政复议|行政诉讼|主动公开|依申请公开|年度报告|工作报告|政府信息公开"
)


def _report_vocabulary(text: str) -> int:
    """How many distinct report words the text holds (a real report holds several)."""
    return len(set(_REPORT_WORDS.findall(text)))


# ---------------------------------------------------------------- page kinds

_SOFT_404 = re.compile(
    r"信息不存在|页面不存在|文章不存在|内容不存在|文档不存在|稿件不存在|栏目不存在|资源不存在"
    r"|(?:信息|文章|内容|页面|稿件|该文)(?:已|已经)?(?:被)?(?:删除|撤销|撤稿|下线|过期|移除)"
    r"|页面(?:未找到|找不到)|找不到(?:该|此|您要的)?页面|无法找到(?:该|此)?页面"
    r"|404\s*not\s*found|not\s*found|error\s*404|404\s*error|http\s*404|错误\s*404|404\s*错误"
    r"|page\s+not\s+found|file\s+not\s+found|您(?:所|要)?访问的(?:页面|内容|信息|文章)(?:不存在|已)",
    re.I,
)
_MAINTENANCE = re.compile(
    r"系统维护|网站维护|维护中|正在维护|升级维护|维护升级|系统升级中|网站升级中|暂停(?:访问|服务)"
    r"|服务(?:暂时)?不可用|under\s+maintenance|service\s+(?:temporarily\s+)?unavailable|maintenance\s+mode",
    re.I,
)
_PASSWORD_INPUT = re.compile(r"""(?is)<input\b[^>]*\btype\s*=\s*["']?password\b""")
_LOGIN_WORDS = re.compile(r"登录|登陆|用户名|统一身份认证|login|sign\s*in", re.I)
_MEDIA = re.compile(r"(?is)<(img|embed|object|iframe|a)\b[^>]*\b(?:src|href|data)\s*=")

#: an error page is short; a page with more visible text than this is judged by its title only
SHORT_PAGE = 1500


def classify(
    body: bytes,
    *,
    status: int = 200,
    headers: Mapping[Any, Any] | None = None,
    url: str | None = None,
    content_type: str | None = None,
) -> PageKind | None:
    """What ``body`` is, when it is not a document: a :class:`PageKind`, else ``None``.

    ``status``/``headers``/``url`` help tell challenges (see :func:`classify_challenge`).
    Binary documents (PDF, Word, zip) are never error pages; an empty one is ``empty``.
    """
    headers = headers or {}
    challenge = classify_challenge(status, headers, body, url)
    if challenge:
        return PageKind("challenge", challenge, f"HTTP {status}")
    if not body.strip():
        return PageKind("empty", "empty", f"HTTP {status}, {len(body)} bytes")
    if _is_binary(body, content_type or _header(headers, "Content-Type")):
        return None
    html = head_text(body)
    if not html.strip():
        return PageKind("empty", "empty", f"HTTP {status}, only whitespace")
    text = visible_text(html)
    marked = " ".join(title_and_headings(html))
    short = len(text) < SHORT_PAGE and len(body) < _SCAN_BYTES
    reportish = _report_vocabulary(text) >= 3

    for kind, pattern in (("maintenance", _MAINTENANCE), ("soft_404", _SOFT_404)):
        if (m := pattern.search(marked)) and (not reportish or len(text) < SHORT_PAGE // 3):
            return PageKind(kind, kind, _evidence(m.group(0)))
        if short and not reportish and (m := pattern.search(text)):
            return PageKind(kind, kind, _evidence(m.group(0)))
    # a login page says so where a page says what it is; a login box in a portal's header does not
    if short and not reportish and _PASSWORD_INPUT.search(html) and _LOGIN_WORDS.search(marked):
        return PageKind("login", "login", "a password form")
    if not text and not _MEDIA.search(html):
        return PageKind("empty", "empty", "markup without any text, link or image")
    return None


def _evidence(phrase: str) -> str:
    return _WS.sub(" ", phrase).strip()


_BINARY_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"{\\rtf", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")


def _is_binary(body: bytes, content_type: str | None) -> bool:
    head = body[:16].lstrip()
    if any(head.startswith(m) for m in _BINARY_MAGIC):
        return True
    ct = (content_type or "").lower()
    return any(t in ct for t in ("pdf", "msword", "officedocument", "octet-stream", "zip", "image/"))


# ---------------------------------------------------------------- challenges

_CHALLENGE_STATUSES = {202, 403, 405, 412, 429, 503, 521}
_WAF_TEXTS = (
    "访问被拒绝",
    "您的访问被阻断",
    "访问已被拦截",
    "您的请求已被拦截",
    "请求被拦截",
    "网站防火墙",
    "安全狗",
    "safedog",
    "yunsuo",
    "云锁",
    "Web应用防火墙",
    "创宇盾",
    "知道创宇",
    "当前访问疑似黑客攻击",
    "Access Denied",
    "Request Rejected",
)
_WAF_LOWER = tuple(t.lower() for t in _WAF_TEXTS)
_CLOUDFLARE_TEXTS = ("cf-browser-verification", "challenge-platform", "Just a moment...", "cloudflare")
_COOKIE_SCRIPT = re.compile(r"document\.cookie\s*=|window\.location(?:\.href)?\s*=|location\.reload\(", re.I)
_KNOWN_CHALLENGE_COOKIES = re.compile(
    r"(CT6T|__jsl_clearance|acw_sc__v2|_?waf_|yunsuo_session|safedog|FSSBBIl1UgzbN7N)", re.I
)


def _header(headers: Mapping[Any, Any], name: str) -> str:
    """A header's value as text, whatever the mapping (Scrapy ``Headers`` or a dict)."""
    for key, value in headers.items():
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if k.lower() == name.lower():
            if isinstance(value, list | tuple):
                value = b"\n".join(v if isinstance(v, bytes) else str(v).encode() for v in value)
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return ""


def _is_cloudflare(headers: Mapping[Any, Any], text: str) -> bool:
    return (
        "cloudflare" in _header(headers, "Server").lower()
        or bool(_header(headers, "CF-RAY"))
        or _header(headers, "cf-mitigated").lower() == "challenge"
        or any(t in text for t in _CLOUDFLARE_TEXTS)
    )


def classify_challenge(
    status: int, headers: Mapping[Any, Any], body: bytes, url: str | None = None
) -> str | None:
    """The label of an anti-bot response (one of :data:`CHALLENGE_LABELS`), or ``None``.

    ``url`` is the requested URL; it tells a redirect to the same page with a fresh
    cookie (a cookie challenge) from an ordinary redirect. A 521 is Cloudflare's code,
    but Chinese CDNs (加速乐 ``__jsl_clearance``) answer their cookie scripts with it
    too: it is labelled ``cloudflare`` only when Cloudflare's own marks are there.
    """
    if 300 <= status < 400:
        return _classify_redirect(headers, url)
    text = head_text(body, _HEAD_BYTES)
    has_script = bool(_SCRIPT.search(body[:_HEAD_BYTES]))
    cookie_script = bool(_COOKIE_SCRIPT.search(text))
    if _header(headers, "cf-mitigated").lower() == "challenge":
        return "cloudflare"
    if status in (403, 503, 520, 521, 522, 523) and _is_cloudflare(headers, text):
        return "cloudflare"
    if status == 521:
        return "js_challenge" if has_script or _KNOWN_CHALLENGE_COOKIES.search(_header(headers, "Set-Cookie")) else "cloudflare"
    if any(t in text for t in _CLOUDFLARE_TEXTS) and status >= 400:
        return "cloudflare"
    lowered = text.lower()  # once, not once per marker: this runs on the reactor for every response
    if any(t in lowered for t in _WAF_LOWER) and _looks_like_block_page(text, status):
        return "waf_block"
    if has_script and status in _CHALLENGE_STATUSES and (cookie_script or visible_length(text) < 200):
        return "js_challenge"
    if status == 200 and has_script and cookie_script and visible_length(text) < 40:
        # a 200 whose whole content is a script that sets a cookie and reloads
        return "js_challenge"
    return None


def _classify_redirect(headers: Mapping[Any, Any], url: str | None) -> str | None:
    location = _header(headers, "Location")
    cookies = _header(headers, "Set-Cookie")
    if not location or not cookies:
        return None
    same_page = url is not None and _same_page(urljoin(url, location), url)
    if same_page or _KNOWN_CHALLENGE_COOKIES.search(cookies):
        return "cookie_challenge"
    return None


def _same_page(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    # the scheme too: http → https of the same path is an upgrade, often with a load balancer's cookie
    return (pa.scheme.lower(), pa.netloc.lower(), pa.path or "/") == (pb.scheme.lower(), pb.netloc.lower(), pb.path or "/")


def _looks_like_block_page(text: str, status: int) -> bool:
    """A WAF phrase on a short page (or an error status), not inside a long report."""
    return status >= 400 or visible_length(text) < 600
