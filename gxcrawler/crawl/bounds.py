"""Bounded lists: pagination read from scripts, endless 下一页 chains and calendar traps end.

A list (a *column*: ``meta["gx_column"]``) is read page by page; what a page asks
for next is decided by the spider from the page itself, so a server claiming
``totalPage = 3000000`` or linking page n+1 from every page n would keep a crawl busy
forever. :class:`ListBoundsMiddleware` (spider middleware) bounds every list:

* **pages per list** — at most ``GX_MAX_PAGES_PER_LIST`` (default 200) distinct pages
  of one column are requested; the rest is dropped and the column noted as capped;
* **repeats** — a later page whose report links were all on earlier pages of the same
  column (or whose bytes equal an earlier page's) is where the list ends: the pages
  it links are not followed, and the pages of that list still waiting in the queue
  are dropped before download (:class:`EndedListMiddleware`);
* **depth** — a column found on a column found on … is followed at most
  ``GX_MAX_LIST_DEPTH`` (default 6) levels below a start column;
* **runaway output** — a page whose callback keeps producing refused list requests
  (``GX_MAX_REFUSED_IN_A_ROW``, default 1000 in a row) is not read further.

The nightly time budget per portal is Scrapy's ``CLOSESPIDER_TIMEOUT`` (settings);
the run then ends ``partial`` and the next run resumes its queue.
A capped list means reports may be missing: the run records it (``gx/bounds/*``,
``crawl_runs.errors["lists_capped"]``) and does not mark unseen reports unlisted.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse

from gxcrawler import discovery

logger = logging.getLogger(__name__)

LIST_KINDS = ("list", "json", "script")
STATS = "gx/bounds"
STATS_CAPPED = f"{STATS}/lists_capped"
DEPTH = "gx_list_depth"


def column_key(meta: dict) -> str:
    column = meta.get("gx_column")
    return getattr(column, "url", None) or str(column)


class _Column:
    __slots__ = ("bodies", "ended", "links", "pages")

    def __init__(self) -> None:
        self.pages: set[str] = set()
        self.links: set[str] = set()
        self.bodies: set[str] = set()
        self.ended = False  # a page repeated earlier ones: the list is over


class ListBoundsMiddleware:
    """Spider middleware: what a list page may ask for (one state per crawler, shared)."""

    def __init__(self, crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.max_pages = settings.getint("GX_MAX_PAGES_PER_LIST", 200)
        self.max_depth = settings.getint("GX_MAX_LIST_DEPTH", 6)
        self.max_refused = settings.getint("GX_MAX_REFUSED_IN_A_ROW", 1000)
        self.columns: dict[str, _Column] = {}

    @classmethod
    def of(cls, crawler) -> ListBoundsMiddleware:
        bounds = getattr(crawler, "_gx_list_bounds", None)
        if bounds is None:
            bounds = crawler._gx_list_bounds = cls(crawler)
        return bounds

    @classmethod
    def from_crawler(cls, crawler):
        return cls.of(crawler)

    # -- what a list page is -----------------------------------------------------
    def _repeats(self, response: Response, col: _Column) -> bool:
        """Whether this page only repeats earlier pages of its list (and remember what it holds)."""
        digest = hashlib.sha1(response.body).hexdigest()
        links: set[str] = set()
        if isinstance(response, TextResponse) and response.meta.get("gx_kind") == "list":
            links = {link.url for link in discovery.report_links(response.text, response.url)}
        earlier = bool(col.pages - {response.url})
        repeat = earlier and (digest in col.bodies or (bool(links) and links <= col.links))
        if repeat and not col.ended:
            col.ended = True
            logger.info("list %s ends at %s: the page repeats earlier pages", column_key(response.meta), response.url)
        col.bodies.add(digest)
        col.links |= links
        return repeat

    def _capped(self, key: str) -> None:
        capped = self.stats.get_value(STATS_CAPPED) or []
        if key not in capped:
            logger.warning("list %s capped at %d pages (GX_MAX_PAGES_PER_LIST)", key, self.max_pages)
            self.stats.set_value(STATS_CAPPED, [*capped, key][:100])

    # -- the filter --------------------------------------------------------------
    def _filter(self, response: Response):
        """(keep(obj) -> bool, stop() -> bool) for the outputs of one list page."""
        key = column_key(response.meta)
        col = self.columns.setdefault(key, _Column())
        col.pages.add(response.url)
        depth = int(response.meta.get(DEPTH, 0))
        repeat = self._repeats(response, col)
        refused = {"in_a_row": 0}

        def keep(obj: Any) -> bool:
            if not isinstance(obj, Request) or obj.meta.get("gx_kind") not in LIST_KINDS:
                refused["in_a_row"] = 0
                return True
            if column_key(obj.meta) == key:  # another page of the same list
                obj.meta[DEPTH] = depth
                if obj.url in col.pages:
                    return True  # the dupe filter's business
                if repeat:
                    self.stats.inc_value(f"{STATS}/repeat_stops")
                    return False
                if len(col.pages) >= self.max_pages:
                    self.stats.inc_value(f"{STATS}/pages_dropped")
                    self._capped(key)
                    refused["in_a_row"] += 1
                    return False
                col.pages.add(obj.url)
            else:  # a column found on this one
                if depth + 1 > self.max_depth:
                    self.stats.inc_value(f"{STATS}/too_deep")
                    refused["in_a_row"] += 1
                    return False
                obj.meta[DEPTH] = depth + 1
            refused["in_a_row"] = 0
            return True

        def stop() -> bool:
            if refused["in_a_row"] >= self.max_refused:
                self.stats.inc_value(f"{STATS}/runaway_pages")
                logger.warning("stopped reading %s: it keeps asking for pages beyond the list's bounds", response.url)
                return True
            return False

        return keep, stop

    def process_spider_output(self, response, result: Iterable[Any], spider=None):
        if response.meta.get("gx_kind") not in LIST_KINDS:
            yield from result
            return
        keep, stop = self._filter(response)
        for obj in result:
            if keep(obj):
                yield obj
            elif stop():
                break

    async def process_spider_output_async(self, response, result, spider=None) -> AsyncIterator[Any]:
        if response.meta.get("gx_kind") not in LIST_KINDS:
            async for obj in result:
                yield obj
            return
        keep, stop = self._filter(response)
        async for obj in result:
            if keep(obj):
                yield obj
            elif stop():
                break


class EndedListMiddleware:
    """Downloader middleware: pages of a list that has ended are not downloaded."""

    def __init__(self, crawler) -> None:
        self.bounds = ListBoundsMiddleware.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> None:
        if request.meta.get("gx_kind") in LIST_KINDS:
            col = self.bounds.columns.get(column_key(request.meta))
            if col is not None and col.ended:
                self.bounds.stats.inc_value(f"{STATS}/ended_dropped")
                raise IgnoreRequest(f"the list ended before this page: {request.url}")
