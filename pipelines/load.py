"""Write parsed reports to PostgreSQL in batches, off the reactor thread."""

from __future__ import annotations

import logging

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, threads
from twisted.python.threadpool import ThreadPool

from gxcrawler.crawl.items import ReportItem

logger = logging.getLogger(__name__)

OUTCOMES = ("inserted", "updated", "unchanged", "skipped", "failed")


class LoadPipeline:
    """Batch ``(ParseResult, Provenance, Region)`` and hand each batch to ``Loader.load_many``.

    Database calls block, so they run on one dedicated worker thread (one writer: the
    batches are applied in order); the reactor keeps downloading meanwhile. The last
    partial batch is flushed in ``close_spider``, which returns only when every batch
    is written.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.batch_size = crawler.settings.getint("GXCRAWLER_LOAD_BATCH", 20)
        self.url = crawler.settings.get("GXCRAWLER_DATABASE_URL") or None
        self.batch: list = []
        self.pending: defer.Deferred | None = None
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="gxcrawler-load")
        self.loader = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _connect(self) -> None:
        from gxcrawler.db import Loader, database_url, ensure_schema, make_engine

        engine = make_engine(self.url or database_url())
        ensure_schema(engine)
        self.loader = Loader(engine)

    def open_spider(self):
        from twisted.internet import reactor

        self.pool.start()
        self.pending = threads.deferToThreadPool(reactor, self.pool, self._connect)
        self.pending.addErrback(self._failed, [])

    def process_item(self, item):
        if not isinstance(item, ReportItem) or item.parse_result is None:
            return item
        self.batch.append((item.parse_result, item.provenance(), item.region))
        if len(self.batch) >= self.batch_size:
            self._flush()
        return item

    def _flush(self) -> None:
        if not self.batch:
            return
        from twisted.internet import reactor

        batch, self.batch = self.batch, []

        def write(_):
            return threads.deferToThreadPool(reactor, self.pool, self.loader.load_many, batch)

        self.pending.addCallback(write)
        self.pending.addCallback(self._count, batch)
        self.pending.addErrback(self._failed, batch)

    def _count(self, outcomes, batch) -> None:
        for outcome, (_, provenance, _) in zip(outcomes, batch, strict=False):
            self.stats.inc_value(f"gx/reports/{outcome.status}")
            if outcome.status == "failed":
                logger.warning("load failed for %s: %s", provenance.document_url, outcome.message)

    def _failed(self, failure, batch) -> None:
        self.stats.inc_value("gx/reports/failed", len(batch))
        logger.error("loading a batch of %d reports failed: %s", len(batch), failure.getTraceback())

    async def close_spider(self):
        self._flush()
        try:
            await maybe_deferred_to_future(self.pending)
        finally:
            self.pool.stop()
        counts = {k: self.stats.get_value(f"gx/reports/{k}", 0) for k in ("found", *OUTCOMES)}
        logger.info("gxcrawler load summary: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
