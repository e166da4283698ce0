"""A Scrapy extension measuring how late a 10 ms reactor timer fires while a crawl runs.

Enabled by the crawl benchmark with ``-s EXTENSIONS=…`` (never in production settings).
One probe per process, from the first spider opened to the last one closed; the
lateness of every tick (seconds) and the CPU seconds spent over the same span — by the
reactor's thread, by the process's other threads (the loader's writer, the store's,
the parse pool's feeders, Twisted's thread pool) and by its children that ended (the
parse workers, joined when the pipelines close, before the last ``spider_closed``) —
are written as JSON (``{"lag": [...], "cpu": {...}}``) to the file named by ``GX_LAG_FILE``.
Parse workers forked from a fork server (``gxcrawler.parsing.pool``) are the server's children,
not this process's: the server's CPU and its ended children's are counted with them, whole (as
a spawned worker's whole life is), and given apart too (``fork_server``: the crawl benchmark
adds it to the process's total, since the server ends after the crawl process, unwaited).
"""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

from scrapy import signals

INTERVAL = 0.01


class _Probe:
    def __init__(self) -> None:
        self.open_spiders = 0
        self.samples: list[float] = []
        self.due = 0.0
        self.call = None
        self.cpu0: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @staticmethod
    def cpu() -> tuple[float, float, float]:
        """CPU seconds so far: this (the reactor's) thread, the whole process, its ended children."""
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.thread_time(), me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime

    def cpu_spent(self) -> dict[str, float]:
        reactor, process, children = (b - a for a, b in zip(self.cpu0, self.cpu(), strict=True))
        server = fork_server_cpu()
        return {"reactor": reactor, "threads": process - reactor, "children": children + server, "fork_server": server}

    def start(self) -> None:
        from twisted.internet import reactor

        self.cpu0 = self.cpu()
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


def fork_server_cpu() -> float:
    """CPU seconds of this process's fork server and of its ended children (0 when none runs)."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


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
                    json.dump({"lag": _PROBE.samples, "cpu": _PROBE.cpu_spent()}, out)
