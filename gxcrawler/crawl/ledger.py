"""Every URL a crawl could not get, with its reason: counted, listed in the run record, kept in ``fetches``.

An operator must be able to tell which report is missing and why. Whatever stops a
spider request for good — an HTTP error after its retries, a network failure (DNS,
refused or lost connection, timeout, truncated body), a page that is not a document
(soft 404, maintenance, login, empty, challenge), a download over the size cap, a
request the security guards refused — ends here, once, as a *reason*: a short
category first (``http_503``, ``timeout``, ``soft_404``, ``blocked``…), then details.

* stats ``gx/failed/<category>`` and ``gx/failed/total``; the first
  ``GX_FAILED_MAX_RECORDED`` (500) failures as ``{url, kind, reason}`` in ``gx/failed/urls``,
  which the run record keeps (``crawl_runs.errors["failed"]``);
* the URL's ``fetches`` row (outcome ``failed``: the *fetch* failed, whatever the
  reason; ``refused`` is the loader's word for content it got and would not load),
  written off the reactor by the incremental store. The row's stored content hash and
  validators stay, so the stored report stays; an unsettled row is fetched again by
  the next run, and a later successful fetch clears the failure.

Guards that refuse something call :meth:`Ledger.refuse`, which records and raises
:class:`Refused`; :class:`FailureLedgerMiddleware` records the rest (final HTTP
errors and network failures) at the engine side of the downloader, after retries.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from gxcrawler.redact import redact

logger = logging.getLogger(__name__)

#: host names the guarded resolver refused (a private address): the DNS failure Twisted reports
#: for them is really this refusal (gxcrawler.crawl.guards.GuardedResolver writes it)
BLOCKED_HOSTS: dict[str, str] = {}

STATS = "gx/failed"
STATS_URLS = f"{STATS}/urls"
#: categories that are network failures (not HTTP answers)
NETWORK = ("dns", "connection_refused", "connection_lost", "timeout", "truncated", "tls", "network")
class Refused(IgnoreRequest):
    """A request or response the crawl refused; the ledger has recorded it already."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def category(reason: str) -> str:
    """``"http_503 after 2 attempts"`` → ``http_503``; ``"soft_404: 信息不存在"`` → ``soft_404``."""
    return reason.split(":", 1)[0].split(" ", 1)[0]


def network_reason(exc: BaseException, timeout: float | None = None) -> str:
    """The reason of a download exception, by what happened rather than by class name."""
    from scrapy import exceptions as sx

    name = type(exc).__name__
    cause = exc.__cause__ or exc.__context__
    detail = f"{type(cause).__name__}" if cause is not None else name
    if type(cause).__name__ == "PrivateAddressError" or name == "PrivateAddressError":
        return f"blocked: {cause or exc}"
    if isinstance(exc, sx.CannotResolveHostError) or name == "DNSLookupError":
        return f"dns: cannot resolve the host ({exc})"
    if isinstance(exc, sx.DownloadConnectionRefusedError) or name == "ConnectionRefusedError":
        return "connection_refused: the server refused the connection"
    if isinstance(exc, sx.DownloadTimeoutError) or name in ("TimeoutError", "TCPTimedOutError"):
        return "timeout: no complete answer" + (f" within {timeout:g} s" if timeout else "")
    if isinstance(exc, sx.ResponseDataLossError) or "DataLoss" in str(exc):
        return "truncated: the connection closed before the announced length"
    if isinstance(exc, sx.DownloadCancelledError):
        return f"too_large: {exc}"
    if "SSL" in name or "TLS" in name or "SSL" in str(exc)[:200]:
        return f"tls: {name}"
    if isinstance(exc, sx.DownloadFailedError) or name in ("ConnectionLost", "ConnectionDone", "ConnectError"):
        text = str(exc)
        what = next((w for w in ("ConnectionLost", "ConnectionDone", "ResponseNeverReceived", "ConnectError")
                     if w in text or w == detail), detail)
        return f"connection_lost: {what}"
    return f"network: {name}: {exc}"[:300]


class Ledger:
    """The failures of one crawl (one per crawler, shared by every middleware that refuses)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_recorded = crawler.settings.getint("GX_FAILED_MAX_RECORDED", 500)
        self.timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 180)

    @classmethod
    def of(cls, crawler) -> Ledger:
        ledger = getattr(crawler, "_gx_ledger", None)
        if ledger is None:
            ledger = crawler._gx_ledger = cls(crawler)
        return ledger

    def record(self, request: Request, reason: str, status: int | None = None) -> None:
        """Count, list and store one failure of a spider request (others, e.g. robots.txt, are ignored)."""
        kind = request.meta.get("gx_kind")
        if kind is None:
            return
        url = request.url
        if redirects := request.meta.get("redirect_urls"):  # the URL the spider asked for is what failed
            url = redirects[0]
            reason = f"{reason} (after a redirect to {request.url})"
        reason = self.note(url, kind, reason)
        from .incremental import IncrementalState  # the store writes it with the other fetch rows

        IncrementalState.of(self.crawler).record_failure({
            "url": url,
            "kind": kind,
            "parent_url": request.meta.get("gx_page_url"),
            "status_code": status,
            "outcome": "failed",
            "message": reason,
        })

    def note(self, url: str, kind: str, reason: str) -> str:
        """Count and list one failure (the caller stores its ``fetches`` row); returns the clean reason.

        The loader notes here what it refused or could not write (it records the rows itself).
        """
        reason = redact(reason).replace("\n", " ").replace("\x00", "")[:500]  # PostgreSQL text takes no NUL
        self.stats.inc_value(f"{STATS}/{category(reason)}")
        self.stats.inc_value(f"{STATS}/total")
        self.stats.inc_value(f"{STATS}/kind/{kind}")
        urls = self.stats.get_value(STATS_URLS) or []
        if len(urls) < self.max_recorded:
            self.stats.set_value(STATS_URLS, [*urls, {"url": url, "kind": kind, "reason": reason}])
        logger.warning("could not get %s (%s): %s", url, kind, reason)
        return reason

    def refuse(self, request: Request, reason: str, status: int | None = None) -> Refused:
        """Record ``reason`` and return the exception to raise."""
        self.record(request, reason, status)
        return Refused(f"{reason} ({request.url})")


def _handled(request: Request, status: int) -> bool:
    """Whether the request's callback takes ``status`` itself (Scrapy's ``handle_httpstatus_*`` meta)."""
    return bool(request.meta.get("handle_httpstatus_all")) or status in request.meta.get("handle_httpstatus_list", ())


class FailureLedgerMiddleware:
    """Downloader middleware at the engine side (30): final HTTP errors and network failures.

    It sees a response or exception only after the retry (550) and redirect (600)
    middlewares are done with it, so what it records is final for this run.
    """

    def __init__(self, crawler) -> None:
        self.ledger = Ledger.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if response.status >= 400:
            tries = int(request.meta.get("retry_times", 0)) + 1
            self.ledger.record(request, f"http_{response.status}" + (f" after {tries} attempts" if tries > 1 else ""),
                               response.status)
        elif response.status >= 300 and not _handled(request, response.status):
            # a 3xx here was not followed (a 304 to a request without validators, no Location): no
            # document, and HttpErrorMiddleware would drop it unrecorded — the URL unseen, a list unread
            self.ledger.record(request, f"unexpected_status: HTTP {response.status} (not followed)", response.status)
        return response

    def process_exception(self, request: Request, exception: Exception, spider=None) -> Any:
        if isinstance(exception, IgnoreRequest) and str(exception).startswith("Forbidden by robots.txt"):
            self.ledger.record(request, "blocked: forbidden by the site's robots.txt (ROBOTSTXT_OBEY)")
        elif not isinstance(exception, IgnoreRequest):
            reason = network_reason(exception, self.ledger.timeout)
            host = urlsplit(request.url).hostname or ""
            if category(reason) == "dns" and host in BLOCKED_HOSTS:
                reason = f"blocked: {BLOCKED_HOSTS[host]}"
            self.ledger.record(request, reason)
        return None


class CallbackFailureMiddleware:
    """Spider middleware (55, the engine side of every project middleware): a callback that raised on a
    page is a failure of that page's URL. Scrapy only logs it; unrecorded, a list page's reports went
    unseen and a complete run marked them unlisted, and a report page stayed settled."""

    def __init__(self, crawler) -> None:
        self.ledger = Ledger.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception, spider=None) -> None:
        from scrapy.spidermiddlewares.httperror import HttpError

        if not isinstance(exception, HttpError | IgnoreRequest):  # HTTP errors: recorded downloader side
            reason = f"callback_error: {type(exception).__name__}: {exception}"
            self.ledger.record(response.request or response, reason, response.status)
        return None
