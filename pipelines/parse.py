"""Parse each fetched document with the project's parser (no Scrapy logic in there)."""

from __future__ import annotations

import logging
import os

from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, threads

from gxcrawler.crawl.items import ReportItem
from gxcrawler.crawl.runner import PARSE_FAILED_PREFIX, PARSE_FAILURES
from gxcrawler.parsing.pool import (
    ParsePool,
    ParseTask,
    PoolConfig,
    acquire_shared,
    failure_kind,
    parse_task,
    release_shared,
)

logger = logging.getLogger(__name__)

#: table pictures fetched per report page at most (each under the documents' cap, ``DOWNLOAD_MAXSIZE``)
MAX_PICTURES = 12


def ocr_setting(settings) -> None:
    """``-s GXCRAWLER_OCR=0``: the parse workers (started after this, they inherit the
    environment) and an inline parse read no pictures (``gxcrawler.formats.ocr.enabled``)."""
    value = settings.get("GXCRAWLER_OCR")
    if value is not None and str(value).strip() != "":
        os.environ["GXCRAWLER_OCR"] = str(value).strip()


def task_of(item: ReportItem) -> ParseTask:
    return ParseTask(
        content=item.body,
        source=item.document_url,
        content_type=item.content_type,
        filename=item.filename,
        hints={k: str(v) for k, v in item.hints.items() if v is not None},
        images=tuple(item.images),
    )


class ParsePipeline:
    """Fill ``item.parse_result``; drop documents of years the crawl did not ask for.

    Parsing (PDF layout analysis above all) is CPU work of up to seconds in pure Python,
    so it runs in worker processes (``gxcrawler.parsing.pool``; ``GXCRAWLER_PARSE_WORKERS``,
    0 = a thread of the crawl process) and the reactor goes on downloading. A document
    whose parse times out, runs out of memory or kills its worker comes back as an error
    result: counted, listed in the stats for the run record, and handed on so that the
    loader records its fetch. The spider filters by the year in list titles; a title
    without a year is followed anyway, so the parsed year is the final word.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = PoolConfig.from_settings(crawler.settings)
        ocr_setting(crawler.settings)
        self.max_recorded = crawler.settings.getint("GX_PARSE_MAX_RECORDED", 200)
        self.pool: ParsePool | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def open_spider(self):
        self.pool = await maybe_deferred_to_future(threads.deferToThread(acquire_shared, self.config))

    async def close_spider(self):
        if self.pool is not None:
            pool, self.pool = self.pool, None
            await maybe_deferred_to_future(threads.deferToThread(release_shared, pool))

    @staticmethod
    def parse(item: ReportItem):
        """Parse in the calling thread (tests, debugging)."""
        return parse_task(task_of(item))

    async def process_item(self, item):
        if not isinstance(item, ReportItem):
            return item
        self.stats.inc_value("gx/reports/found")
        if item.image_urls and not item.images:
            await self.fetch_pictures(item)
        task = task_of(item)
        pool = self.pool
        if pool is None or pool.inline:
            parsed = threads.deferToThread(pool.parse if pool else parse_task, task)
        else:
            parsed = _deferred(pool.submit(task))
        try:
            result = await maybe_deferred_to_future(parsed)
        except Exception as exc:  # the parser should not raise; keep the crawl alive if it does
            logger.exception("parser failed on %s", item.document_url)
            self.stats.inc_value("gx/parse/error")
            raise DropItem(f"parser raised {exc!r} on {item.document_url}") from exc
        kind = failure_kind(result)
        if kind:
            self.record_failure(item.document_url, kind, result.message or kind)
        return self.accept(item, result)

    async def fetch_pictures(self, item: ReportItem) -> None:
        """Download a report page's table pictures (as Scrapy's media pipelines do: through the
        engine, so the guards, the size cap and the failure ledger apply), in page order.

        Not with OCR off (``GXCRAWLER_OCR=0``): nothing would read them. A picture that fails
        or is not an image is left out (the ledger has the failure); the page is parsed anyway.
        """
        from gxcrawler.crawl.incremental import fetch_record
        from gxcrawler.crawl.ledger import Ledger
        from gxcrawler.formats.ocr import enabled
        from gxcrawler.formats.sniff import image_mime

        if not enabled():
            return
        engine = self.crawler.engine
        got: list[tuple[str, bytes]] = []
        rows: list[dict] = []
        for url in item.image_urls[:MAX_PICTURES]:
            request = Request(
                url,
                meta={"gx_kind": "image", "gx_page_url": item.page_url},
                headers={"Referer": item.page_url},
                dont_filter=True,
            )
            try:
                response = await engine.download_async(request)
            except Exception as exc:  # noqa: BLE001 - a lost picture costs its tables, not the page
                logger.info("table picture %s of %s not fetched: %r", url, item.page_url, exc)
                self.stats.inc_value("gx/pictures/failed")
                continue
            if response.status != 200 or not image_mime(response.body):
                # an error page, an empty body, a challenge served as the picture: not a picture, never
                # stored as one; the page is parsed without it (a stored report keeps its values: refusals)
                logger.info("table picture %s of %s: not a picture (HTTP %s, %d bytes)", url, item.page_url,
                            response.status, len(response.body))
                self.stats.inc_value("gx/pictures/failed")
                if response.status < 400:  # an error status is on the ledger already (its middleware)
                    Ledger.of(self.crawler).record(request, f"not a picture (HTTP {response.status})", response.status)
                continue
            got.append((url, response.body))
            rows.append({**fetch_record(response, item.spider), "url": url})  # the URL the page names
            self.stats.inc_value("gx/pictures/fetched")
        item.images = got
        item.picture_fetches = rows
        item.missing_images = [u for u in item.image_urls[:MAX_PICTURES] if u not in dict(got)]

    def record_failure(self, url: str, kind: str, reason: str) -> None:
        logger.error("could not parse %s: %s", url, reason)
        self.stats.inc_value(PARSE_FAILED_PREFIX + kind)
        listed = self.stats.get_value(PARSE_FAILURES) or []
        if len(listed) < self.max_recorded:
            self.stats.set_value(PARSE_FAILURES, [*listed, {"url": url, "reason": reason}])

    def accept(self, item: ReportItem, result) -> ReportItem:
        """Attach the result and count it (on the reactor thread: stats are not thread-safe)."""
        item.parse_result = result
        self.stats.inc_value(f"gx/parse/{result.status}")
        years = getattr(self.crawler.spider, "years", None)
        if years and result.year is not None and result.year not in years:
            self.stats.inc_value("gx/reports/other_year")
            raise DropItem(f"{item.document_url}: report year {result.year} not requested")
        return item


def _deferred(future) -> defer.Deferred:
    """A Deferred fired on the reactor thread when a pool future (resolved on a pool thread) is done."""
    from twisted.internet import reactor

    d: defer.Deferred = defer.Deferred()

    def settle(f) -> None:
        exc = f.exception()
        if exc is None:
            d.callback(f.result())
        else:
            d.errback(exc)

    future.add_done_callback(lambda f: reactor.callFromThread(settle, f))
    return d
