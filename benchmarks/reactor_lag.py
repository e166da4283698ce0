"""A Scrapy extension measuring how late a 10 ms reactor timer fires while a crawl runs.

Enabled by the crawl benchmark with ``-s EXTENSIONS=…`` (never in production settings).
One probe per process, from the first spider opened to the last one closed; the
lateness of every tick (seconds) is written as JSON to the file named by ``GX_LAG_FILE``.
"""

from __future__ import annotations

import json
import time

from scrapy import signals

INTERVAL = 0.01


class _Probe:
    def __init__(self) -> None:
        self.open_spiders = 0
        self.samples: list[float] = []
        self.due = 0.0
        self.call = None

    def start(self) -> None:
        from twisted.internet import reactor

        self.due = time.monotonic() + INTERVAL
        self.call = reactor.callLater(INTERVAL, self.tick)

    def tick(self) -> None:
        from twisted.internet import reactor

        now = time.monotonic()
        self.samples.append(max(0.0, now - self.due))
        self.due = now + INTERVAL
        self.call = reactor.callLater(INTERVAL, self.tick)

    def stop(self) -> None:
        if self.call is not None and self.call.active():
            self.call.cancel()
        self.call = None


_PROBE = _Probe()


class ReactorLagProbe:
    def __init__(self, crawler) -> None:
        self.path = crawler.settings.get("GX_LAG_FILE")
        crawler.signals.connect(self.opened, signals.spider_opened)
        crawler.signals.connect(self.closed, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider) -> None:
        _PROBE.open_spiders += 1
        if _PROBE.open_spiders == 1:
            _PROBE.start()

    def closed(self, spider) -> None:
        _PROBE.open_spiders -= 1
        if _PROBE.open_spiders == 0:
            _PROBE.stop()
            if self.path:
                with open(self.path, "w") as out:
                    json.dump(_PROBE.samples, out)
