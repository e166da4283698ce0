"""Tell anti-bot challenges and WAF block pages from real pages, and stay away from them.

Why: government portals answer crawlers with JavaScript challenges (HTTP 412/202/521
whose body sets a cookie by script), cookie-challenge redirects to themselves
(openresty ``CT6T``-style cookies), Cloudflare errors and WAF block pages
(安全狗/云锁/"您的访问被阻断"). Some of them come back as ``200`` or ``202``; parsed
naively they become "reports" without tables. Such a response is classified here,
recorded (URL and kind, in stats and so in the run record), the host is backed off
from for the rest of the run, and the response is dropped before any spider or
pipeline sees it.

The classifier is ``gxcrawler.pagekind.classify_challenge`` (pure, shared with the
loader and the spiders; ``classify_block`` here is its old name); the two middlewares
are the Scrapy shell.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from gxcrawler.pagekind import CHALLENGE_LABELS as KINDS  # noqa: F401 - re-exported
from gxcrawler.pagekind import classify_challenge as classify_block

from .ledger import Ledger

STATS_PREFIX = "gx/antibot"
#: stats key of the list of ``{"url", "kind"}`` dicts (capped at ``GX_ANTIBOT_MAX_RECORDED``)
STATS_PAGES = f"{STATS_PREFIX}/pages"


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
        self.ledger = Ledger.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _drop(self, request, response, kind: str):
        self.state.record(request.url, kind, response.status)
        raise self.ledger.refuse(request, f"challenge: {kind} (HTTP {response.status})", response.status)


class AntiBotMiddleware(_Base):
    """Drop challenge and block pages; stop requesting a host once it has blocked us.

    Sits at 585: after decompression (590) so it reads the body, before
    MetaRefresh (580) and Retry (550) so a challenge is neither followed nor retried.
    """

    def process_request(self, request, spider=None):
        if self.state.blocked(request.url):
            self.state.stats.inc_value(f"{STATS_PREFIX}/skipped_requests")
            raise self.ledger.refuse(request, "backed_off: the host answered with anti-bot pages earlier in this run")
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
