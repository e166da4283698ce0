"""Tell anti-bot challenges and WAF block pages from real pages, and stay away from them.

Why: government portals answer crawlers with JavaScript challenges (HTTP 412/202/521
whose body sets a cookie by script), cookie-challenge redirects to themselves
(openresty ``CT6T``-style cookies), Cloudflare errors and WAF block pages
(安全狗/云锁/"您的访问被阻断"). Some of them come back as ``200`` or ``202``; parsed
naively they become "reports" without tables. Such a response is classified here,
recorded (URL and kind, in stats and so in the run record), the host is backed off
from for the rest of the run, and the response is dropped before any spider or
pipeline sees it.

``classify_block`` is pure (no Scrapy); the two middlewares are the Scrapy shell.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest

#: kinds returned by :func:`classify_block`
KINDS = ("js_challenge", "cookie_challenge", "cloudflare", "waf_block")

STATS_PREFIX = "gx/antibot"
#: stats key of the list of ``{"url", "kind"}`` dicts (capped at ``GX_ANTIBOT_MAX_RECORDED``)
STATS_PAGES = f"{STATS_PREFIX}/pages"

_SCAN_BYTES = 8192  # challenges and block pages are small; never scan a whole report
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
_CLOUDFLARE_TEXTS = ("cf-browser-verification", "challenge-platform", "Just a moment...", "cloudflare")
_COOKIE_SCRIPT = re.compile(r"document\.cookie\s*=|window\.location(?:\.href)?\s*=|location\.reload\(", re.I)
_SCRIPT = re.compile(rb"<script", re.I)
_CHALLENGE_COOKIE = re.compile(r"^\s*([A-Za-z0-9_]{2,})=", re.M)
_KNOWN_CHALLENGE_COOKIES = re.compile(r"(CT6T|__jsl_clearance|acw_sc__v2|_?waf_|yunsuo_session|safedog|FSSBBIl1UgzbN7N)", re.I)


def _header(headers: Mapping[Any, Any], name: str) -> str:
    """A header's value as text, whatever the mapping (Scrapy ``Headers`` or a dict)."""
    for key, value in headers.items():
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if k.lower() == name.lower():
            if isinstance(value, list | tuple):
                value = b"\n".join(v if isinstance(v, bytes) else str(v).encode() for v in value)
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return ""


def _text(body: bytes) -> str:
    head = body[:_SCAN_BYTES]
    for encoding in ("utf-8", "gb18030"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError:
            continue
    return head.decode("utf-8", "replace")


def classify_block(
    status: int, headers: Mapping[Any, Any], body: bytes, url: str | None = None
) -> str | None:
    """The kind of anti-bot response this is (one of :data:`KINDS`), or ``None``.

    ``url`` is the requested URL; it lets a redirect to the same page with a fresh
    cookie (a cookie challenge) be told from an ordinary redirect.
    """
    server = _header(headers, "Server").lower()
    if status == 521 or "cloudflare" in server and status in (403, 503, 520, 521, 522, 523):
        return "cloudflare"
    if _header(headers, "cf-mitigated").lower() == "challenge":
        return "cloudflare"
    if 300 <= status < 400:
        return _classify_redirect(headers, url)

    text = _text(body)
    if any(t in text for t in _CLOUDFLARE_TEXTS) and status >= 400:
        return "cloudflare"
    if any(t.lower() in text.lower() for t in _WAF_TEXTS) and _looks_like_block_page(text, status):
        return "waf_block"
    has_script = bool(_SCRIPT.search(body[:_SCAN_BYTES]))
    if has_script and status in _CHALLENGE_STATUSES and (
        _COOKIE_SCRIPT.search(text) or _visible_text_length(text) < 200
    ):
        return "js_challenge"
    if status == 200 and has_script and _COOKIE_SCRIPT.search(text) and _visible_text_length(text) < 40:
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
    return (pa.netloc.lower(), pa.path or "/") == (pb.netloc.lower(), pb.path or "/")


def _visible_text_length(html: str) -> int:
    without = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    without = re.sub(r"(?s)<[^>]+>", " ", without)
    return len(re.sub(r"\s+", "", without))


def _looks_like_block_page(text: str, status: int) -> bool:
    """A WAF phrase on a short page (or an error status), not inside a long report."""
    return status >= 400 or _visible_text_length(text) < 600


class AntiBotState:
    """What one crawl has met: blocked hosts and the recorded pages (shared by both middlewares)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.max_per_host = settings.getint("GX_ANTIBOT_MAX_PER_HOST", 1)
        self.max_recorded = settings.getint("GX_ANTIBOT_MAX_RECORDED", 100)
        self.per_host: Counter[str] = Counter()

    @classmethod
    def of(cls, crawler) -> AntiBotState:
        state = getattr(crawler, "_gx_antibot_state", None)
        if state is None:
            state = cls(crawler)
            crawler._gx_antibot_state = state
        return state

    def blocked(self, url: str) -> bool:
        return self.per_host[urlsplit(url).netloc.lower()] >= self.max_per_host

    def record(self, url: str, kind: str, status: int) -> None:
        self.per_host[urlsplit(url).netloc.lower()] += 1
        self.stats.inc_value(f"{STATS_PREFIX}/{kind}")
        self.stats.inc_value(f"{STATS_PREFIX}/total")
        if status >= 400:  # so the HTTP-error monitor does not count it twice
            self.stats.inc_value(f"{STATS_PREFIX}/total_error_status")
        pages = self.stats.get_value(STATS_PAGES) or []
        if len(pages) < self.max_recorded:
            self.stats.set_value(STATS_PAGES, [*pages, {"url": url, "kind": kind}])


class _Base:
    def __init__(self, crawler) -> None:
        self.state = AntiBotState.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _drop(self, request, response, kind: str):
        self.state.record(request.url, kind, response.status)
        raise IgnoreRequest(f"anti-bot {kind} page at {request.url} (HTTP {response.status})")


class AntiBotMiddleware(_Base):
    """Drop challenge and block pages; stop requesting a host once it has blocked us.

    Sits at 585: after decompression (590) so it reads the body, before
    MetaRefresh (580) and Retry (550) so a challenge is neither followed nor retried.
    """

    def process_request(self, request, spider=None):
        if self.state.blocked(request.url):
            self.state.stats.inc_value(f"{STATS_PREFIX}/skipped_requests")
            raise IgnoreRequest(f"host backed off after anti-bot pages: {request.url}")
        return None

    def process_response(self, request, response, spider=None):
        kind = classify_block(response.status, response.headers, response.body, request.url)
        if kind:
            self._drop(request, response, kind)
        return response


class ChallengeRedirectMiddleware(_Base):
    """Catch cookie-challenge redirects (302 to self + Set-Cookie) before Redirect (600) loops on them."""

    def process_response(self, request, response, spider=None):
        if 300 <= response.status < 400:
            kind = classify_block(response.status, response.headers, b"", request.url)
            if kind:
                self._drop(request, response, kind)
        return response


#: the lines ``settings.py`` adds to ``DOWNLOADER_MIDDLEWARES``
DOWNLOADER_MIDDLEWARES = {
    "gxcrawler.crawl.antibot.ChallengeRedirectMiddleware": 610,
    "gxcrawler.crawl.antibot.AntiBotMiddleware": 585,
}
