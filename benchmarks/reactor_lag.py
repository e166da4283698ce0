"""A Scrapy extension measuring how late a 10 ms reactor timer fires while a crawl runs.

Enabled by the crawl benchmark with ``-s EXTENSIONS=…`` (never in production settings).
One probe per process, from the first spider opened to the last one closed; the
lateness of every tick (seconds) and the CPU seconds spent over the same span — by the
reactor's thread, by the process's other threads (the loader's writer, the store's,
the parse pool's feeders, Twisted's thread pool) and by its children that ended (the
parse workers, joined when the pipelines close, before the last ``spider_closed``) —
are written as JSON (``{"lag": [...], "cpu": {...}, "threads": {...}}``) to the file named by
``GX_LAG_FILE``. ``threads`` splits the other threads' CPU by thread name (numbers dropped:
``gxcrawler-load``, ``gxcrawler-store``, pebble's ``task_scheduler_loop`` …), read from
``/proc/self/task`` every tenth tick — a thread that ends (a spider's writer at its close) keeps
what it had used at the last read, so each may lose up to 100 ms of CPU; empty where there is
no ``/proc``.
Parse workers forked from a fork server (``gxcrawler.parsing.pool``) are the server's children,
not this process's: the server's CPU and its ended children's are counted with them, whole (as
a spawned worker's whole life is), and given apart too (``fork_server``: the crawl benchmark
adds it to the process's total, since the server ends after the crawl process, unwaited).
"""

from __future__ import annotations

import json
import os
import re
import resource
import threading
import time
from pathlib import Path

from scrapy import signals

INTERVAL = 0.01
#: ticks between two reads of the threads' CPU
THREAD_EVERY = 10
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def thread_ticks() -> dict[int, int]:
    """CPU clock ticks (user + system) of each thread of this process, by thread id (Linux ``/proc``)."""
    ticks: dict[int, int] = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return ticks
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        ticks[int(tid)] = int(fields[11]) + int(fields[12])
    return ticks


def thread_kind(name: str) -> str:
    """A thread's name without its numbers: the threads of one pool or loop counted together."""
    name = re.sub(r"^PoolThread-", "", name)
    name = re.sub(r"^Thread-\d+ \((.*)\)$", r"\1", name)
    return re.sub(r"-\d+$", "", name)


class _Probe:
    def __init__(self) -> None:
        self.open_spiders = 0
        self.samples: list[float] = []
        self.due = 0.0
        self.call = None
        self.cpu0: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self.ticks0: dict[int, int] = {}
        self.ticks: dict[int, int] = {}  # the last read, kept for threads that ended since
        self.names: dict[int, str] = {}
        self.main = 0  # the reactor's thread, set at the start

    @staticmethod
    def cpu() -> tuple[float, float, float]:
        """CPU seconds so far: this (the reactor's) thread, the whole process, its ended children."""
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.thread_time(), me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime

    def cpu_spent(self) -> dict[str, float]:
        reactor, process, children = (b - a for a, b in zip(self.cpu0, self.cpu(), strict=True))
        server = fork_server_cpu()
        return {"reactor": reactor, "threads": process - reactor, "children": children + server, "fork_server": server}

    def read_threads(self) -> None:
        """Each thread's CPU ticks so far, and its name while it runs."""
        self.names.update((t.native_id, t.name) for t in threading.enumerate() if t.native_id is not None)
        self.ticks.update(thread_ticks())

    def threads_spent(self) -> dict[str, float]:
        """CPU seconds of the threads other than the reactor's since ``start``, by kind of thread."""
        spent: dict[str, float] = {}
        for tid, ticks in self.ticks.items():
            used = ticks - self.ticks0.get(tid, 0)
            if tid != self.main and used > 0:
                kind = thread_kind(self.names.get(tid, "unnamed"))
                spent[kind] = spent.get(kind, 0.0) + used / _TICKS
        return spent

    def start(self) -> None:
        from twisted.internet import reactor

        self.cpu0 = self.cpu()
        self.main = threading.get_native_id()
        self.read_threads()
        self.ticks0 = dict(self.ticks)
        self.due = time.monotonic() + INTERVAL
        self.call = reactor.callLater(INTERVAL, self.tick)

    def tick(self) -> None:
        from twisted.internet import reactor

        now = time.monotonic()
        self.samples.append(max(0.0, now - self.due))
        if len(self.samples) % THREAD_EVERY == 0:
            self.read_threads()
        self.due = now + INTERVAL
        self.call = reactor.callLater(INTERVAL, self.tick)

    def stop(self) -> None:
        if self.call is not None and self.call.active():
            self.call.cancel()
        self.call = None
        self.read_threads()


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
                    json.dump({"lag": _PROBE.samples, "cpu": _PROBE.cpu_spent(), "threads": _PROBE.threads_spent()}, out)
