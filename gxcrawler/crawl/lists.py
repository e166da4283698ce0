"""Unchanged list pages: the cheap nightly re-crawl (issue 16).

A list page (``list``/``json``/``script``) is always fetched when a crawl reaches it, but
what it *leads to* need not be: when the links it yields tonight are the links it
yielded when it was last read (a fingerprint of its child requests, stored on its
``fetches`` row as ``sha256`` with the child URLs in ``hints["children"]``), its
sub-lists and further pages are **not requested** — unless the sub-list is due on its
own rotation (``GX_LIST_REVISIT_EVERY`` nights, default 7; the same stable rotation as
documents, ``incremental.due_for_revalidation``), overdue (not read for that many
nights), never read, or failed last time. The report pages below a skipped sub-list
are still judged one by one, as if the sub-list had been read: each is handed to the
incremental middleware, which skips it (no request; marked seen, so it stays
*listed*) or revalidates it when it is due (``GX_REVALIDATE_EVERY``), and asks for its
attachments on their own. A fetch that failed is never settled: such a URL is
requested whatever the rotation says.

What this keeps (docs/reliability.md):

* a new report on a page read tonight (a start page, a page below a changed one) changes
  that page's links: found the first night;
* a new report further down (an oldest-first list, a sub-column below unchanged pages) is
  found when its list is read: within ``GX_LIST_REVISIT_EVERY`` nights at any depth — a
  list page keeps its own request (``hints["request"]``, JSON as in the distributed
  queue), so a sub-list due tonight below an unchanged page is asked for directly;
* a changed report or attachment behind unchanged lists: within ``GX_REVALIDATE_EVERY``
  / ``GX_REFETCH_EVERY`` nights, as before;
* a report withdrawn from a list changes that list's links, so the list is read and
  the report, no longer seen, is marked unlisted after a complete run.

The fingerprint is over links, not bytes: a page whose visit counter or timestamp
changes every night still counts as unchanged while it links the same pages.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.http import Request, Response
from scrapy.utils.request import request_from_dict

from gxcrawler.model import Region

from . import codec
from .bounds import LIST_KINDS
from .incremental import DOCUMENT_KINDS, IncrementalState, due_for_revalidation

logger = logging.getLogger(__name__)

STATS = "gx/lists"


def fingerprint(requests: Iterable[Request]) -> str:
    """A stable hash of the requests a list page leads to (method, URL, body), order ignored."""
    keys = sorted({f"{r.method} {r.url} {hashlib.sha1(r.body or b'').hexdigest()}" for r in requests})
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def list_due(known: Any, every: int, now: datetime | None = None, slot: int | None = None) -> bool:
    """Whether a known list page is read tonight: on its rotation night (``slot``: its turn among the
    spider's lists, ``incremental.rotation_slots``), or overdue, or unsettled."""
    if known is None or known.failed:
        return True
    now = now or datetime.now(UTC)
    if every <= 1:
        return True
    if known.checked_at is None or now - known.checked_at >= timedelta(days=every) - timedelta(hours=1):
        return True
    return due_for_revalidation(known.url, every, int(now.timestamp() // 86400), slot)


class UnchangedListMiddleware:
    """Spider middleware around list callbacks: an unchanged list page's sub-lists are not requested."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.state = IncrementalState.of(crawler)
        self.stats = crawler.stats
        self.every = crawler.settings.getint("GX_LIST_REVISIT_EVERY", 7)
        self._attached_cache: set[str] | None = None
        self._attached_for: Any = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _applies(self, response: Response) -> bool:
        return response.meta.get("gx_kind") in LIST_KINDS and response.status == 200

    def process_spider_output(self, response, result, spider=None):
        if not self._applies(response):
            yield from result
            return
        yield from self._judge(response, list(result))

    async def process_spider_output_async(self, response, result, spider=None) -> AsyncIterator[Any]:
        if not self._applies(response):
            async for obj in result:
                yield obj
            return
        out = [obj async for obj in result]
        for obj in self._judge(response, out):
            yield obj

    # ------------------------------------------------------------------
    def _judge(self, response: Response, out: list[Any]) -> list[Any]:
        state = self.state
        requests = [o for o in out if isinstance(o, Request)]
        children = sorted({r.url for r in requests})
        print_ = fingerprint(requests)
        # the page is also a document (a channel rendering its only report): judged as one. A link of the
        # page to itself as a list (a side navigation marking the current column) is not that: such pages
        # were never recorded, so read with all their sub-lists every night.
        if response.url in state.known or any(r.url == response.url and r.meta.get("gx_kind") not in LIST_KINDS
                                              for r in requests):
            return out
        known = state.lists.get(response.url) if state.active else None
        state.record_list(response, print_, children, self._encode(response.request))
        if not state.active or known is None or known.sha256 != print_ or known.failed:
            if known is not None and known.sha256 != print_:
                self.stats.inc_value(f"{STATS}/changed")
            return out
        self.stats.inc_value(f"{STATS}/unchanged")
        kept: list[Any] = []
        for obj in out:
            if (isinstance(obj, Request) and obj.meta.get("gx_kind") in LIST_KINDS
                    and not list_due(state.lists.get(obj.url), self.every, slot=state.list_slots.get(obj.url))):
                self.stats.inc_value(f"{STATS}/not_requested")
                kept.extend(self._below(obj.url, set()))
                continue
            kept.append(obj)
        return kept

    def _encode(self, request: Request | None) -> str | None:
        """The list page's own request, to ask for it again when it is due below an unchanged page."""
        if request is None or self.crawler.spider is None:
            return None
        data = request.to_dict(spider=self.crawler.spider)
        data["meta"] = {k: v for k, v in data.get("meta", {}).items()
                        if k.startswith("gx_") and k not in ("gx_lease", "gx_fetch_chain")}
        # only what the request needs to be made again (a form's content type), never credentials
        data["headers"] = {k: v for k, v in (data.get("headers") or {}).items() if k.lower() == b"content-type"}
        data["cookies"] = {}
        try:
            return codec.dumps(data)
        except (TypeError, ValueError):
            return None

    def _decode(self, data: str | None) -> Request | None:
        if not data:
            return None
        try:
            return request_from_dict(codec.loads(data), spider=self.crawler.spider)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # a spider that changed its callbacks
            logger.debug("stored list request not usable: %s", exc)
            return None

    def _attached(self) -> set[str]:
        """Documents some other page links (a page that is its own document is a top-level one)."""
        if self._attached_cache is None or self._attached_for is not self.state.known:
            self._attached_for = self.state.known
            self._attached_cache = {c for k in self.state.known.values() for c in k.children}
        return self._attached_cache

    def _below(self, url: str, seen: set[str]) -> list[Request]:
        """The report pages below a list that is not read tonight, each to be judged on its own."""
        if url in seen:
            return []
        seen.add(url)
        state = self.state
        state.list_seen(url)
        spider = self.crawler.spider
        callback = getattr(spider, "parse_report", None)
        years = getattr(spider, "years", None)
        known = state.lists.get(url)
        found: list[Request] = []
        for child in known.children if known is not None else ():
            if child in state.lists:
                sub = state.lists[child]
                if list_due(sub, self.every, slot=self.state.list_slots.get(sub.url)) and (again := self._decode(sub.request)) is not None:
                    self.stats.inc_value(f"{STATS}/due_below")
                    found.append(again)  # read tonight on its own rotation, wherever it sits
                else:
                    found.extend(self._below(child, seen))
                continue
            # a redirecting link: judged by the document it led to (the request keeps the link)
            doc = state.known.get(child) or (state.known.get(state.aliases[child].target)
                                             if child in state.aliases else None)
            if doc is None or doc.kind not in DOCUMENT_KINDS or callback is None:
                continue
            if doc.kind == "attachment" and child in self._attached():
                continue  # asked for through the page that links it
            year = doc.hints.get("year")
            if years and year and str(year).isdigit() and int(year) not in years:
                continue
            if doc.region:
                region = Region(**{k: v for k, v in doc.region.items() if k in Region.__dataclass_fields__})
            else:
                region = spider.region_for(None) if hasattr(spider, "region_for") else Region()
            meta = {"gx_kind": "report", "gx_hints": dict(doc.hints), "gx_region": region}
            self.stats.inc_value(f"{STATS}/reports_below")
            if note := getattr(spider, "note_document", None):
                note(child)  # its other URLs on a list read tonight are the same document (spider's key)
            found.append(Request(child, callback=callback, meta=meta))
        return found


__all__ = ["UnchangedListMiddleware", "fingerprint", "list_due"]
