"""Database writes of a crawl, in order, on one thread of their own — never on the reactor.

A locked ``fetches`` table or a slow PostgreSQL must not freeze the downloads: the
reactor only hands work over and gets a Deferred back. One thread, so the writes of
one crawl (fetch records, failures, the run record, its heartbeat) land in the order
they were submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twisted.internet import defer, threads
from twisted.python.threadpool import ThreadPool


class SerialWriter:
    def __init__(self, name: str = "gxcrawler-store") -> None:
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name=name)
        self._started = False

    @classmethod
    def of(cls, crawler) -> SerialWriter:
        writer = getattr(crawler, "_gx_writer", None)
        if writer is None:
            writer = crawler._gx_writer = cls()
        return writer

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
