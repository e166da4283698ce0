"""Write parsed reports to the database in batches, off the reactor thread; lose none when it goes away."""

from __future__ import annotations

import logging
import time

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, threads
from twisted.python.threadpool import ThreadPool

from gxcrawler.crawl.items import ReportItem
from gxcrawler.crawl.ledger import Ledger
from gxcrawler.crawl.spool import Spool, replay_reports, spool_dir
from gxcrawler.crawl.writer import retry_counter
from gxcrawler.db.retry import DEFAULT_RETRIES

logger = logging.getLogger(__name__)

OUTCOMES = ("inserted", "updated", "unchanged", "skipped", "refused", "failed", "spooled")


class LoadPipeline:
    """Batch ``(ParseResult, Provenance, Region)`` and hand each batch to ``Loader.load_many``.

    A batch is written when it holds ``GXCRAWLER_LOAD_BATCH`` reports (100) or its first
    report has waited ``GXCRAWLER_LOAD_WAIT`` seconds (10), whichever comes first: a fast
    crawl writes large batches (the sums ``cell_sums`` keeps are updated once per batch and
    group: 100 reports of a county cost a fifth of five batches of 20,
    docs/notes/performance.md), a slow one still writes every few seconds.

    Database calls block, so they run on one dedicated worker thread (one writer: the
    batches are applied in order); the reactor keeps downloading meanwhile. The last
    partial batch is flushed in ``close_spider``, which returns only when every batch
    is written.

    A transient failure (a deadlock, a serialization failure, a lock not available, a dropped
    connection: ``gxcrawler.db.retry``) is tried again at once, ``GX_DB_RETRIES`` times (5) a
    short backoff apart, each retry counted in ``gx/db/retries``. A database outage loses
    nothing: the reports of a batch whose load failed because
    the database was unreachable are retried with exponential backoff for up to
    ``GX_LOAD_RETRY_SECONDS`` (default 120); what still cannot be written is spooled to
    disk (``gxcrawler.crawl.spool``, under ``GX_SPOOL_DIR``) and loaded as soon as the
    database answers again — later in the same crawl, or at the next start. While it is
    known to be down, later batches are tried once and spooled at once (the crawl goes
    on). Stats ``gx/reports/spooled`` and ``gx/load/spool_pending`` feed the run's outcome.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.batch_size = settings.getint("GXCRAWLER_LOAD_BATCH", 100)
        self.max_wait = settings.getfloat("GXCRAWLER_LOAD_WAIT", 10.0)
        self.timer = None  # the delayed call that writes a partial batch once its first report waited max_wait
        self.url = settings.get("GXCRAWLER_DATABASE_URL") or None
        self.retry_seconds = settings.getfloat("GX_LOAD_RETRY_SECONDS", 120.0)
        self.db_retries = settings.getint("GX_DB_RETRIES", DEFAULT_RETRIES)
        self.count_retry = retry_counter(crawler.stats)
        self.spool_base = spool_dir(settings)
        self.batch: list = []
        self.batch_items: list = []  # the items of ``batch``: in distributed mode they hold their request's lease
        self.pending: defer.Deferred | None = None
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="gxcrawler-load")
        self.loader = None
        self.engine = None  # the process's shared engine (gxcrawler.db.borrow_engine), given back at the close
        self.spool: Spool | None = None
        self.down = False  # the database was unreachable at the last attempt

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("GX_RECORD_RUNS", True):  # scrapy fetch / shell / view write nothing
            raise NotConfigured("GX_RECORD_RUNS is off")
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    # ------------------------------------------------------------ on the writer thread
    def _connect(self, spider_name: str) -> None:
        self.spool = Spool(self.spool_base, spider_name)
        try:
            self._ensure_loader()
            self._replay()
        except Exception as exc:  # noqa: BLE001 - down at the start: reports are spooled until it is back
            self.down = True
            logger.error("database unreachable at the start (%s); reports will be spooled", exc)

    def _ensure_loader(self) -> None:
        if self.loader is None:
            from gxcrawler.db import Loader, borrow_engine, ensure_schema

            if self.engine is None:
                self.engine = borrow_engine(self.url)
            ensure_schema(self.engine)
            self.loader = Loader(self.engine, on_retry=self.count_retry)  # its fetch rows' retries in gx/db/retries

    def _replay(self) -> int:
        """Load what an earlier outage spooled (returns how many); raises while the database is down."""
        if self.spool is None or self.spool.count() == 0:
            return 0
        return len(replay_reports(self.spool, self.loader))

    def _write(self, batch: list) -> list:
        """Load a batch; retry the reports the database failed (``gxcrawler.db.retry``: a transient failure
        at once, ``GX_DB_RETRIES`` times; an outage with backoff); spool those still failing. On the writer thread."""
        from gxcrawler.db import LoadOutcome
        from gxcrawler.db.retry import announce, backoff, describe, is_transient, retry_reason

        results: list = [None] * len(batch)
        todo = list(range(len(batch)))
        deadline = time.monotonic() + (0 if self.down else self.retry_seconds)
        delay = 1.0
        quick = 0  # transient retries so far
        why = "database unreachable"  # what the last failure was, as the log says it
        while todo:
            try:
                self._ensure_loader()
                outcomes = self.loader.load_many([batch[i] for i in todo])
            except Exception as exc:  # noqa: BLE001 - the database went away before the first report
                message = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
                outcomes = [LoadOutcome("failed", message=message, retry=retry_reason(exc)) for _ in todo]
            again = []
            for i, outcome in zip(todo, outcomes, strict=True):
                if outcome.status == "failed" and outcome.retry:
                    again.append(i)
                else:
                    results[i] = outcome
            todo = again
            if not todo:
                break
            transient = sorted({o.retry for o in outcomes if is_transient(o.retry)})
            if transient and quick < self.db_retries:  # the database answered: try again at once
                quick += 1
                pause = backoff(quick)
                announce(transient[0], f"loading {len(todo)} reports", quick, self.db_retries, pause)
                self.count_retry(transient[0])
                time.sleep(pause)
                continue
            # the database answered each time but stayed locked past the quick retries: not an outage, said so
            why = f"database busy: {describe(transient[0])}" if transient else "database unreachable"
            if time.monotonic() + delay > deadline:
                break
            logger.warning("%s; retrying %d reports in %.0f s", why, len(todo), delay)
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
        if todo:
            self.down = True
            for i in todo:
                result, prov, region = batch[i]
                self.spool.put_report(result, prov, region)
                results[i] = LoadOutcome("spooled", message=f"{why}; spooled to {self.spool.root}",
                                         year=result.year, sha256=prov.sha256)
            logger.error("%s: %d reports spooled to %s", why, len(todo), self.spool.root)
        elif self.down or self.spool.count():
            self.down = False
            try:
                loaded = self._replay()
                if loaded:
                    logger.warning("database back: loaded %d spooled reports", loaded)
            except Exception:  # noqa: BLE001 - still down after all; they stay spooled
                self.down = True
        return results

    # ------------------------------------------------------------ on the reactor
    def open_spider(self, spider=None):
        from twisted.internet import reactor

        name = getattr(spider or self.crawler.spider, "name", "spider")
        self.pool.start()
        self.pending = threads.deferToThreadPool(reactor, self.pool, self._connect, name)
        self.pending.addErrback(self._failed, [])

    def process_item(self, item, spider=None):
        if not isinstance(item, ReportItem) or item.parse_result is None:
            return item
        self.batch.append((item.parse_result, item.provenance(), item.region))
        item._gx_batched = True  # released when written (gxcrawler.crawl.distributed), not when scraped
        self.batch_items.append(item)
        if len(self.batch) >= self.batch_size:
            self._flush()
        elif self.timer is None:
            from twisted.internet import reactor

            self.timer = reactor.callLater(self.max_wait, self._flush)
        return item

    def _flush(self) -> None:
        if self.timer is not None:
            if self.timer.active():
                self.timer.cancel()
            self.timer = None
        if not self.batch:
            return
        from twisted.internet import reactor

        batch, self.batch = self.batch, []
        items, self.batch_items = self.batch_items, []

        def write(_):
            return threads.deferToThreadPool(reactor, self.pool, self._write, batch)

        self.pending.addCallback(write)
        self.pending.addCallback(self._count, batch)
        self.pending.addErrback(self._failed, batch)
        self.pending.addBoth(self._written, items)

    def _written(self, result, items) -> None:
        """A written batch's items no longer hold their requests' leases (distributed mode)."""
        leases = getattr(self.crawler, "_gx_leases", None)
        if leases is not None:
            for item in items:
                leases.release(item)
        return result

    def spider_idle(self, spider=None) -> None:
        """Nothing else to do: write the partial batch now (its items may hold leases other workers wait on)."""
        self._flush()

    def _count(self, outcomes, batch) -> None:
        ledger = Ledger.of(self.crawler)
        for outcome, (_, provenance, _) in zip(outcomes, batch, strict=False):
            self.stats.inc_value(f"gx/reports/{outcome.status}")
            if outcome.status in ("failed", "refused", "spooled"):
                kind = "attachment" if provenance.document_url != provenance.page_url else "report"
                prefix = "" if outcome.status == "refused" else f"load_{outcome.status}: "
                ledger.note(provenance.document_url or provenance.page_url, kind, prefix + (outcome.message or ""))

    def _failed(self, failure, batch) -> None:
        self.stats.inc_value("gx/reports/failed", len(batch))
        logger.error("loading a batch of %d reports failed: %s", len(batch), failure.getTraceback())

    async def close_spider(self, spider=None):
        self._flush()
        try:
            await maybe_deferred_to_future(self.pending)
        finally:
            self.pool.stop()
            if self.engine is not None:
                from gxcrawler.db import return_engine

                return_engine(self.engine)
                self.engine = None
        pending = self.spool.count() if self.spool is not None else 0
        self.stats.set_value("gx/load/spool_pending", pending)
        if pending:
            self.stats.set_value("gx/load/spool_dir", str(self.spool.root))
        counts = {k: self.stats.get_value(f"gx/reports/{k}", 0) for k in ("found", *OUTCOMES)}
        # DEBUG: the run's summary (NightlyExtension, "run N of SPIDER: …") is the one to read
        logger.debug("load pipeline outcomes: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
