"""Incremental re-crawls: download only what may have changed since the last crawl.

List pages are always fetched (that is where new reports appear). A report page or
attachment the store already *settled* (fetched and loaded) is

* requested conditionally when its server gave validators (``If-None-Match`` /
  ``If-Modified-Since``): a 304 counts as unchanged and goes no further;
* not requested at all when it had none (only marked seen), unless the crawl
  runs with ``-a refresh=1`` or ``-s GX_REFRESH=True``.

With ``GX_REVALIDATE_EVERY = N`` (default 1: every crawl) a document with validators is
re-validated only one night in N (a stable rotation by URL), and skipped like one
without validators on the other nights: on real portals each conditional request
still costs a politeness delay, so a nightly re-crawl then costs about its list pages.

What was fetched is written to ``fetches`` once its chain is done (the page and the
document it led to, when the document's item left the pipelines): a crawl killed
before loading leaves the URL unsettled, so the next crawl fetches it again. The
loader records the load outcome on the same row in its own transaction.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from . import store

logger = logging.getLogger(__name__)

DOCUMENT_KINDS = ("report", "attachment")
CHAIN = "gx_fetch_chain"  # meta: fetch records of the pages that led to this request
STATS = "gx/incremental"


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def due_for_revalidation(url: str, every: int, day: int | None = None) -> bool:
    """Whether ``url`` is re-validated on ``day`` (days since the epoch, default today, UTC)."""
    if every <= 1:
        return True
    day = int(time.time() // 86400) if day is None else day
    return (int(hashlib.sha1(url.encode()).hexdigest()[:8], 16) + day) % every == 0


def fetch_record(response: Response, spider_name: str, outcome: str | None = None) -> dict[str, Any]:
    """The ``fetches`` row for one downloaded report page or attachment."""
    return {
        "url": response.url,
        "spider": spider_name,
        "kind": response.meta.get("gx_kind"),
        "parent_url": response.meta.get("gx_page_url"),
        "sha256": hashlib.sha256(response.body).hexdigest(),
        "status_code": response.status,
        "etag": _header(response, "ETag"),
        "last_modified": _header(response, "Last-Modified"),
        "outcome": outcome,
    }


class IncrementalState:
    """One crawl's view of the store, and its buffered writes (one per crawler)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = crawler.settings
        self.enabled = self.settings.getbool("GX_INCREMENTAL", True)
        self.flush_every = self.settings.getint("GX_FETCH_FLUSH_EVERY", 10)
        self.flush_seconds = self.settings.getfloat("GX_FETCH_FLUSH_SECONDS", 2.0)
        self._timer = None
        self.revalidate_every = self.settings.getint("GX_REVALIDATE_EVERY", 1)
        self.engine = None
        self.spider_name = ""
        self.refresh = False
        self.run_id: int | None = None
        self.known: dict[str, store.Known] = {}
        self._records: dict[str, dict[str, Any]] = {}
        self._seen: list[str] = []

    @classmethod
    def of(cls, crawler) -> IncrementalState:
        state = getattr(crawler, "_gx_incremental_state", None)
        if state is None:
            state = cls(crawler)
            crawler._gx_incremental_state = state
        return state

    def open(self, engine, spider, run_id: int | None) -> None:
        self.engine = engine
        self.spider_name = spider.name
        self.run_id = run_id
        self.refresh = self.settings.getbool("GX_REFRESH", False) or _truthy(getattr(spider, "refresh", ""))
        if self.flush_seconds > 0:  # a killed crawl loses at most this much of its records
            from twisted.internet import task

            self._timer = task.LoopingCall(self._flush_quietly)
            self._timer.start(self.flush_seconds, now=False)
        if self.enabled:
            self.known = store.known_fetches(engine, spider.name)
            logger.info("incremental: %d known documents for %s%s", len(self.known), spider.name,
                        " (refresh: fetching all)" if self.refresh else "")

    # -- decisions ---------------------------------------------------------------
    def settled(self, url: str) -> store.Known | None:
        if not self.enabled or self.refresh:
            return None
        k = self.known.get(url)
        return k if k is not None and k.settled else None

    def seen(self, known: store.Known) -> None:
        self._seen.extend((known.url, *known.children))
        self._maybe_flush()

    # -- writes ------------------------------------------------------------------
    def record(self, rows: Iterable[dict[str, Any]]) -> None:
        if self.engine is None:
            return
        for row in rows:
            self._records[row["url"]] = row
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self._records) + len(self._seen) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if self.engine is None:
            return
        records, seen = list(self._records.values()), self._seen
        if records:
            store.record_fetches(self.engine, records, self.run_id)
            self._records = {}
        if seen:
            store.mark_seen(self.engine, seen, self.run_id)
            self._seen = []

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except Exception:  # keep the timer alive; the records are retried at the next flush
            logger.exception("incremental: could not write fetch records (will retry)")

    def close(self, *, complete: bool, since: datetime | None, years: Iterable[int] | None) -> dict[str, int]:
        """Flush; after a complete successful crawl mark what was not seen as no longer listed."""
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()
        if not (complete and self.enabled and self.engine is not None and since is not None):
            return {}
        result = store.mark_unlisted(self.engine, self.spider_name, since, years)
        logger.info("incremental: %s", result)
        return result


class IncrementalMiddleware:
    """Downloader middleware: conditional or skipped requests for settled documents."""

    def __init__(self, crawler) -> None:
        self.state = IncrementalState.of(crawler)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None):
        if request.meta.get("gx_kind") not in DOCUMENT_KINDS:
            return None
        known = self.state.settled(request.url)
        if known is None:
            return None
        if known.has_validators and due_for_revalidation(request.url, self.state.revalidate_every):
            if known.etag:
                request.headers.setdefault("If-None-Match", known.etag)
            if known.last_modified:
                request.headers.setdefault("If-Modified-Since", known.last_modified)
            request.meta["gx_conditional"] = True
            self.stats.inc_value(f"{STATS}/conditional")
            return None
        self._unchanged(request, known, "skipped_known")
        raise IgnoreRequest(f"known document, not fetched again: {request.url}")

    def process_response(self, request: Request, response: Response, spider=None):
        if response.status == 304 and request.meta.get("gx_conditional"):
            known = self.state.known.get(request.url)
            if known is not None:
                self._unchanged(request, known, "not_modified")
            raise IgnoreRequest(f"not modified: {request.url}")
        return response

    def _unchanged(self, request: Request, known: store.Known, how: str) -> None:
        self.stats.inc_value(f"{STATS}/{how}")
        # one report per page; an attachment counts only when no page led to it
        if request.meta.get("gx_kind") == "report" or not request.meta.get(CHAIN):
            self.stats.inc_value(f"{STATS}/reports_unchanged")
        self.state.seen(known)


class FetchChainMiddleware:
    """Spider middleware: pass a page's fetch record down to the documents it links.

    A page that links attachments is finished only when one of them is loaded, so its
    record travels in their requests' meta (and through a JOBDIR queue when paused). A
    report page or attachment whose callback yields neither items nor documents is
    finished at once (``no_report``).
    """

    def __init__(self, crawler) -> None:
        self.state = IncrementalState.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _wrap(self, response: Response):
        """(tag each output, call when done), or None for responses that are not documents."""
        if response.meta.get("gx_kind") not in DOCUMENT_KINDS or response.status != 200:
            return None
        own = fetch_record(response, self.state.spider_name)
        chain = [*response.meta.get(CHAIN, ()), own]
        tracker = {"produced": False}

        def tag(obj):
            if isinstance(obj, Request):
                if obj.meta.get("gx_kind") in DOCUMENT_KINDS:
                    obj.meta[CHAIN] = chain
                    tracker["produced"] = True
            else:
                tracker["produced"] = True
            return obj

        def done():
            if not tracker["produced"]:
                self.state.record([*chain[:-1], {**own, "outcome": "no_report"}])

        return tag, done

    def process_spider_output(self, response, result, spider=None):
        hooks = self._wrap(response)
        if hooks is None:
            yield from result
            return
        tag, done = hooks
        for obj in result:
            yield tag(obj)
        done()

    async def process_spider_output_async(self, response, result, spider=None) -> AsyncIterator[Any]:
        hooks = self._wrap(response)
        if hooks is None:
            async for obj in result:
                yield obj
            return
        tag, done = hooks
        async for obj in result:
            yield tag(obj)
        done()


def on_item_scraped(state: IncrementalState, item: Any, response: Response | None) -> None:
    """An item left the pipelines: write its document's and page's fetch records."""
    if response is None or response.meta.get("gx_kind") not in DOCUMENT_KINDS:
        return
    rows = [*response.meta.get(CHAIN, ()), fetch_record(response, state.spider_name)]
    state.record(rows)


__all__ = [
    "FetchChainMiddleware",
    "IncrementalMiddleware",
    "IncrementalState",
    "fetch_record",
    "on_item_scraped",
]
