"""Database writes of a crawl, in order, on one thread of their own — never on the reactor.

A locked ``fetches`` table or a slow PostgreSQL must not freeze the downloads: the
reactor only hands work over and gets a Deferred back. One thread, so the writes of
one crawl (fetch records, failures, the run record, its heartbeat) land in the order
they were submitted. A transient failure of a write (a deadlock, a serialization failure, a
lock not available, a dropped connection: ``gxcrawler.db.retry``) is tried again here, on this
thread, ``GX_DB_RETRIES`` times (default 5) a short backoff apart, each retry counted in the
crawl's ``gx/db/retries``; anything else reaches the caller's Deferred at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twisted.internet import defer, threads
from twisted.python.threadpool import ThreadPool

from gxcrawler.db.retry import DEFAULT_RETRIES, retrying

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

#: stats: transient database failures tried again (every writer of the crawl: ledger, run record, loader)
RETRIES_STAT = "gx/db/retries"


def retry_counter(stats: StatsCollector) -> Callable[[str], None]:
    """``on_retry`` for :func:`gxcrawler.db.retry.retrying` on a worker thread: counts the retry in
    ``stats`` on the reactor (the stats are the reactor's; in order with the write's own result)."""
    from twisted.internet import reactor

    return lambda _code: reactor.callFromThread(stats.inc_value, RETRIES_STAT)


class SerialWriter:
    def __init__(self, name: str = "gxcrawler-store", *, retries: int = DEFAULT_RETRIES,
                 stats: StatsCollector | None = None) -> None:
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name=name)
        self._started = False
        self.retries = retries
        self._on_retry = retry_counter(stats) if stats is not None else None

    @classmethod
    def of(cls, crawler) -> SerialWriter:
        writer = getattr(crawler, "_gx_writer", None)
        if writer is None:
            writer = crawler._gx_writer = cls(retries=crawler.settings.getint("GX_DB_RETRIES", DEFAULT_RETRIES),
                                              stats=crawler.stats)
        return writer

    def call(self, work: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """On the writer thread: ``work(*args, **kwargs)`` (one transaction), a transient failure tried again."""
        return retrying(work, *args, attempts=self.retries, on_retry=self._on_retry, **kwargs)

    def write(self, work: Callable[..., Any], *args: Any, **kwargs: Any) -> defer.Deferred:
        """:meth:`submit` of one write (one transaction), a transient failure tried again (:meth:`call`)."""
        return self.submit(self.call, work, *args, **kwargs)

    def submit(self, work: Callable[..., Any], *args: Any, **kwargs: Any) -> defer.Deferred:
        """Run ``work(*args, **kwargs)`` on the writer thread; its result (or failure) in a Deferred."""
        from twisted.internet import reactor

        if not self._started:
            self.pool.start()
            self._started = True
            reactor.addSystemEventTrigger("during", "shutdown", self.stop)
        return threads.deferToThreadPool(reactor, self.pool, work, *args, **kwargs)

    def stop(self) -> None:
        if self._started:
            self._started = False
            self.pool.stop()
