"""Several worker processes sharing one crawl through Redis (scrapy-redis), off by default.

Switched on by ``GXCRAWLER_REDIS_URL`` (setting or environment); the add-on
:class:`Distributed` (in ``ADDONS``) then swaps in what is shared:

* **Queue and duplicate filter** — scrapy-redis' priority queue and ``RFPDupeFilter``, one
  pair per spider under ``<GX_REDIS_PREFIX>:<crawl>:<spider>:``; requests are stored as
  JSON (``gxcrawler.crawl.codec``), never pickled.
* **Leases** (:class:`LeasedScheduler`, :class:`Leases`) — a popped request moves
  atomically into the worker's in-flight hash. It leaves it when the engine is done with
  it *and* every item it produced has been written by the load pipeline (or dropped).
  Each worker keeps an alive key (``GX_LEASE_SECONDS``, 30); the in-flight requests of a
  worker whose key expired (SIGKILL, power loss) are pushed back to the queue by any
  other worker. Nothing a killed worker was doing is lost; at worst a page is fetched
  again.
* **Idle close** — a worker closes a spider when the shared queue is empty and no live
  worker holds a lease of it (checked on Scrapy's ``spider_idle``, every 5 s).
* **Politeness per host across workers** (:class:`HostGate`, passed in the download handler
  where a request leaves, after Scrapy's slot) — a request leaves only through its host's gate in Redis (one atomic script: go if the host's last
  request left ``delay`` ago and stamp now, else wait what is left and ask again). The
  delay is ``DOWNLOAD_DELAY`` (±``DOWNLOAD_DELAY_JITTER``) whatever the number of
  workers; local delays and AutoThrottle are turned off in this mode (they are per
  process and would not bound the host's total rate).
* **One run record per portal per night** — the first worker to open a spider starts
  the ``crawl_runs`` row, the others join it; each pushes its stats into Redis (every
  few seconds and at the end); the last worker to leave judges the run from the summed
  stats and closes it (``gxcrawler.crawl.runner``).
* **Portals handed out** (:class:`Night`, used by ``crawl-all``) — each worker runs up
  to ``GX_WORKER_SPIDERS`` spiders at a time, claiming portals one by one; a portal
  claimed by a worker that died is re-claimed by another, which finishes its queue.
  Workers exit when every portal of the night is done.

Redis calls are synchronous (as in scrapy-redis) and short: a local or LAN Redis
answers in well under a millisecond.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import socket
import time
import uuid
from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)

SETTING = "GXCRAWLER_REDIS_URL"
LEASE = "gx_lease"  # request meta: the lease token of a request popped from the shared queue
ITEM_LEASE = "_gx_lease"  # attribute on an item: the lease it holds until it is written


def redis_url(settings=None) -> str | None:
    """The Redis URL that switches distributed mode on (setting, else environment), or None."""
    value = settings.get(SETTING) if settings is not None else None
    return value or os.environ.get(SETTING) or None


def enabled(settings) -> bool:
    return bool(redis_url(settings))


# ---------------------------------------------------------------- Redis scripts

#: pop the best request into the worker's in-flight hash: KEYS queue, inflight, seq → {token, data}
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return nil end
redis.call('ZREM', KEYS[1], r[1])
local t = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], t, r[2] .. ' ' .. r[1])
return {t, r[1]}
"""

#: a dead worker's in-flight requests back to the queue: KEYS queue, inflight, members; ARGV worker
_RECLAIM = """
local all = redis.call('HGETALL', KEYS[2])
for i = 2, #all, 2 do
  local v = all[i]
  local sp = string.find(v, ' ', 1, true)
  redis.call('ZADD', KEYS[1], string.sub(v, 1, sp - 1), string.sub(v, sp + 1))
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return #all / 2
"""

#: a host's gate: go now (0) if its last request left ``delay`` ms ago, else the ms still to wait.
#: KEYS host key; ARGV delay ms, ttl ms. Checked when the request is about to leave, so a late timer
#: in one worker can never bring two requests closer than the delay.
_GATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
if last >= 0 and now - last < tonumber(ARGV[1]) then
  return tonumber(ARGV[1]) - (now - last)
end
redis.call('SET', KEYS[1], now, 'PX', tonumber(ARGV[2]))
return 0
"""

#: claim a portal if nobody has, or if its owner is ARGV[2] (dead): KEYS claim; ARGV me, dead-or-''
_CLAIM = """
local owner = redis.call('GET', KEYS[1])
if (not owner) or (ARGV[2] ~= '' and owner == ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3]))
  return 1
end
return 0
"""


# ---------------------------------------------------------------- one per process


class Coordination:
    """This process in the shared crawl: its Redis client, worker id, alive key and key names."""

    _instances: dict[tuple[str, str], Coordination] = {}

    def __init__(self, url: str, prefix: str, lease_seconds: float) -> None:
        import redis

        self.server = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=30)
        self.server.ping()
        self.prefix = prefix
        self.lease_seconds = lease_seconds
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._scripts = {name: self.server.register_script(src) for name, src in
                         (("pop", _POP), ("reclaim", _RECLAIM), ("gate", _GATE), ("claim", _CLAIM))}
        self._crawl: str | None = None
        self._beat = None
        self.alive()

    @classmethod
    def of(cls, settings) -> Coordination:
        url = redis_url(settings)
        if not url:
            raise NotConfigured("distributed mode needs GXCRAWLER_REDIS_URL")
        prefix = settings.get("GX_REDIS_PREFIX") or "gx"
        key = (url, prefix)
        if key not in cls._instances:
            cls._instances[key] = cls(url, prefix, settings.getfloat("GX_LEASE_SECONDS", 30.0))
        inst = cls._instances[key]
        inst.start_beat()
        return inst

    def script(self, name: str, keys: list[str], args: list[Any]):
        return self._scripts[name](keys=keys, args=args)

    # -- liveness -------------------------------------------------------------------
    def alive_key(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def alive(self) -> None:
        self.server.set(self.alive_key(self.worker), "1", px=int(self.lease_seconds * 1000))

    def is_alive(self, worker: str) -> bool:
        return bool(self.server.exists(self.alive_key(worker)))

    def start_beat(self) -> None:
        """Refresh the alive key from the reactor (a worker whose reactor stops is soon dead to the others)."""
        if self._beat is not None:
            return
        try:
            from twisted.internet import reactor, task  # noqa: F401 - installed reactor only
        except Exception:  # noqa: BLE001 - outside a crawl (tests of the pure parts)
            return
        self._beat = task.LoopingCall(self.alive)
        self._beat.start(max(self.lease_seconds / 6, 0.5), now=True)

    # -- the night ------------------------------------------------------------------
    @property
    def crawl(self) -> str:
        """The id of the shared crawl: the current one in Redis, or a new one if none is running."""
        if self._crawl is None:
            current = f"{self.prefix}:current"
            while self._crawl is None:
                crawl = self.server.get(current)
                if crawl is not None and not self.server.exists(f"{self.prefix}:{crawl.decode()}:finished"):
                    self._crawl = crawl.decode()
                    break
                new = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:4]
                with self.server.pipeline() as pipe:
                    try:
                        pipe.watch(current)
                        if pipe.get(current) != crawl:
                            continue
                        pipe.multi()
                        pipe.set(current, new)
                        pipe.execute()
                        self._crawl = new
                    except Exception as exc:  # noqa: BLE001 - redis.WatchError: another worker won
                        logger.debug("crawl id race: %s", exc)
        return self._crawl

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, self.crawl, *parts))


# ---------------------------------------------------------------- add-on


class Distributed:
    """Scrapy add-on: distributed mode when ``GXCRAWLER_REDIS_URL`` is set, nothing otherwise."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def update_settings(self, settings) -> None:
        if not enabled(settings):
            return
        prio = "addon"
        settings.set("SCHEDULER", "gxcrawler.crawl.distributed.LeasedScheduler", priority=prio)
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority=prio)
        settings.set("REDIS_URL", redis_url(settings), priority=prio)
        settings.set("SCHEDULER_SERIALIZER", "gxcrawler.crawl.codec", priority=prio)
        settings.set("SCHEDULER_PERSIST", True, priority=prio)
        settings.set("JOBDIR", None, priority="cmdline")  # the queue lives in Redis
        # politeness is shared through Redis; per-process delays would not bound a host's rate
        settings.set("GX_HOST_DELAY", settings.getfloat("DOWNLOAD_DELAY"), priority=prio)
        settings.set("GX_HOST_DELAY_JITTER", settings.getfloat("DOWNLOAD_DELAY_JITTER", 0.0), priority=prio)
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings["SPIDER_MIDDLEWARES"]["gxcrawler.crawl.distributed.LeaseMiddleware"] = 10
        settings["EXTENSIONS"]["gxcrawler.crawl.distributed.DistributedExtension"] = 490


# ---------------------------------------------------------------- leases


class Leases:
    """One crawler's view of the shared queue: what it popped, and what still holds each lease."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.coord = Coordination.of(crawler.settings)
        self.spider = ""
        self.taken: dict[int, Any] = {}  # token -> request, until acknowledged
        self.holds: Counter[int] = Counter()  # token -> items not yet written
        self.seed: bool | None = None  # whether this worker yields the spider's start requests

    @classmethod
    def of(cls, crawler) -> Leases:
        inst = getattr(crawler, "_gx_leases", None)
        if inst is None:
            inst = crawler._gx_leases = cls(crawler)
        return inst

    # key names
    def attach(self, spider: str) -> None:
        self.spider = spider
        self.coord.server.sadd(self.members, self.coord.worker)

    @property
    def queue(self) -> str:
        return self.coord.key(self.spider, "requests")

    @property
    def dupefilter(self) -> str:
        return self.coord.key(self.spider, "dupefilter")

    @property
    def members(self) -> str:
        return self.coord.key(self.spider, "workers")

    def inflight(self, worker: str | None = None) -> str:
        return self.coord.key(self.spider, "inflight", worker or self.coord.worker)

    # queue
    def pop(self) -> tuple[int, bytes] | None:
        popped = self.coord.script("pop", [self.queue, self.inflight(), self.coord.key(self.spider, "seq")], [])
        if not popped:
            return None
        return int(popped[0]), popped[1]

    def took(self, token: int, request) -> None:
        self.taken[token] = request

    # items
    def hold(self, item, request) -> None:
        token = request.meta.get(LEASE) if request is not None else None
        if token is None:
            return
        try:
            setattr(item, ITEM_LEASE, token)
        except AttributeError:  # an item that takes no attributes: released when scraped
            return
        self.holds[token] += 1

    def release(self, item) -> None:
        token = getattr(item, ITEM_LEASE, None)
        if token is not None and self.holds.get(token):
            self.holds[token] -= 1
            if not self.holds[token]:
                del self.holds[token]
            with contextlib.suppress(AttributeError):
                delattr(item, ITEM_LEASE)

    def sweep(self) -> int:
        """Acknowledge the requests the engine is done with and whose items are all written."""
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None)
        busy = getattr(slot, "inprogress", None)
        if busy is None:
            if slot is not None:
                return 0
            busy = set()  # engine closed: nothing is in progress any more
        done = [t for t, r in self.taken.items() if r not in busy and not self.holds.get(t)]
        if done:
            self.coord.server.hdel(self.inflight(), *done)
            for t in done:
                del self.taken[t]
        return len(done)

    def reclaim_dead(self) -> int:
        """Push the in-flight requests of workers that stopped living back to the queue."""
        back = 0
        for raw in self.coord.server.smembers(self.members):
            worker = raw.decode()
            if worker != self.coord.worker and not self.coord.is_alive(worker):
                n = int(self.coord.script("reclaim", [self.queue, self.inflight(worker), self.members], [worker]))
                if n:
                    logger.warning("%s: %d request(s) of dead worker %s back in the queue", self.spider, n, worker)
                back += n
        return back

    def work_left(self) -> bool:
        """Requests queued, or leased by a live worker (this one included)."""
        if self.coord.server.zcard(self.queue):
            return True
        members = {m.decode() for m in self.coord.server.smembers(self.members)} | {self.coord.worker}
        return any(self.coord.server.hlen(self.inflight(w)) for w in members)

    def leave(self) -> bool:
        """Leave the spider's crawl; True if no live worker is left in it (this one finishes the run)."""
        server = self.coord.server
        server.srem(self.members, self.coord.worker)
        for raw in server.smembers(self.members):
            if not self.coord.is_alive(raw.decode()):
                self.reclaim_dead()
                break
        return not server.scard(self.members) and not self.work_left()


class LeasedScheduler:
    """scrapy-redis' scheduler with leases: what a worker pops stays in Redis until it is done."""

    def __init__(self, crawler) -> None:
        from scrapy_redis.scheduler import Scheduler

        self._base = Scheduler.from_crawler(crawler)  # its connection, serializer and stats
        self.crawler = crawler
        self.leases = Leases.of(crawler)
        self.stats = crawler.stats
        self.queue = None
        self.df = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open(self, spider) -> None:
        from scrapy_redis.dupefilter import RFPDupeFilter
        from scrapy_redis.queue import PriorityQueue

        self.spider = spider
        self.leases.attach(spider.name)
        self.queue = PriorityQueue(server=self.leases.coord.server, spider=spider, key=self.leases.queue,
                                   serializer=self._base.serializer)
        self.df = RFPDupeFilter(self.leases.coord.server, key=self.leases.dupefilter,
                                debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        if len(self.queue):
            spider.log(f"Joining a shared crawl: {len(self.queue)} requests queued")

    def close(self, reason: str) -> None:
        self.leases.sweep()

    def __len__(self) -> int:
        return len(self.queue)

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0

    def enqueue_request(self, request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        request.meta.pop(LEASE, None)  # a redirect or retry copies its origin's meta
        self.queue.push(request)
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        popped = self.leases.pop()
        if popped is None:
            return None
        token, data = popped
        request = self.queue._decode_request(data)
        request.meta[LEASE] = token
        self.leases.took(token, request)
        self.stats.inc_value("scheduler/dequeued/redis")
        return request


class LeaseMiddleware:
    """Spider middleware: items hold their request's lease; only the seeding worker yields start requests."""

    def __init__(self, crawler) -> None:
        self.leases = Leases.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        if not self.leases.seed:
            logger.info("joining the shared crawl of %s: its start requests come from the worker that seeded it",
                        self.leases.spider)
            return
        async for obj in start:
            yield obj

    def process_spider_output(self, response, result, spider=None):
        for obj in result:
            self._tag(obj, response)
            yield obj

    async def process_spider_output_async(self, response, result, spider=None):
        async for obj in result:
            self._tag(obj, response)
            yield obj

    def _tag(self, obj, response) -> None:
        from scrapy.http import Request

        if not isinstance(obj, Request | dict) and response is not None:
            self.leases.hold(obj, response.request)


class DistributedExtension:
    """Leases acknowledged, dead workers' requests reclaimed, idle close across workers, stats shared."""

    def __init__(self, crawler) -> None:
        if not enabled(crawler.settings):
            raise NotConfigured
        self.crawler = crawler
        crawler._gx_distributed = self
        self.leases = Leases.of(crawler)
        self.push_every = crawler.settings.getfloat("GX_STATS_PUSH_SECONDS", 5.0)
        self._loop = None
        self._pushed: dict[str, float] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.item_done, signal=signals.item_scraped)
        crawler.signals.connect(self.item_done, signal=signals.item_dropped)
        crawler.signals.connect(self.item_done, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        from twisted.internet import task

        self._loop = task.LoopingCall(self.tick)
        self._loop.start(0.5, now=False)

    def tick(self) -> None:
        try:
            self.leases.sweep()
            self.nudge()
            if time.monotonic() - getattr(self, "_last_push", 0.0) >= self.push_every:
                self.push_stats()
        except Exception as exc:  # noqa: BLE001 - Redis away for a moment: try again next tick
            logger.warning("distributed: %s", exc)

    def nudge(self) -> None:
        """Ask the engine for requests now if others put some in the queue: an idle Scrapy engine only
        looks at its scheduler every 5 s (its heartbeat), too slow for a queue other workers fill."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if slot is None or slot.closing or engine.needs_backout():
            return
        if self.leases.coord.server.zcard(self.leases.queue):
            slot.nextcall.schedule()

    def item_done(self, item, response=None, spider=None, **kwargs) -> None:
        """A scraped item not batched by the load pipeline, or a dropped one, no longer holds its lease."""
        if not getattr(item, "_gx_batched", False):
            self.leases.release(item)

    def spider_idle(self, spider) -> None:
        self.leases.sweep()
        self.leases.reclaim_dead()
        if self.leases.work_left():
            raise DontCloseSpider

    def stop(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.leases.sweep()

    # -- shared stats ------------------------------------------------------------------
    @property
    def stats_key(self) -> str:
        return self.leases.coord.key(self.leases.spider, "stats")

    def push_stats(self, final: bool = False) -> None:
        """Add what this worker counted since the last push to the spider's shared stats."""
        self._last_push = time.monotonic()
        stats = self.crawler.stats.get_stats()
        with self.leases.coord.server.pipeline(transaction=False) as pipe:
            for key, value in stats.items():
                if isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                delta = value - self._pushed.get(key, 0)
                if delta:
                    pipe.hincrbyfloat(self.stats_key, key, delta)
                    self._pushed[key] = value
            if final:
                lists = {k: v for k, v in stats.items() if isinstance(v, list)}
                if lists:
                    pipe.rpush(self.leases.coord.key(self.leases.spider, "lists"), json.dumps(lists, default=str))
            pipe.execute()

    def shared_stats(self) -> dict[str, Any]:
        """Every worker's stats of this spider, summed (lists concatenated)."""
        server = self.leases.coord.server
        out: dict[str, Any] = {}
        for key, value in server.hgetall(self.stats_key).items():
            number = float(value)
            out[key.decode()] = int(number) if number.is_integer() else number
        for raw in server.lrange(self.leases.coord.key(self.leases.spider, "lists"), 0, -1):
            for key, values in json.loads(raw).items():
                out.setdefault(key, [])
                if isinstance(out[key], list):
                    out[key].extend(values)
        return out

    def forget(self) -> None:
        """The spider's crawl is over: drop its shared state (the next night starts clean)."""
        server = self.leases.coord.server
        keys = [self.leases.coord.key(self.leases.spider, part)
                for part in ("requests", "dupefilter", "stats", "lists", "seq", "run", "runlock", "workers")]
        keys += [k for k in server.scan_iter(self.leases.coord.key(self.leases.spider, "inflight", "*"))]
        server.delete(*keys)


# ---------------------------------------------------------------- the shared run record


def shared_run(crawler, start) -> tuple[int, str, bool]:
    """The spider's shared run: ``(run_id, origin ISO time, created)``; ``start()`` opens it if none is open."""
    leases = Leases.of(crawler)
    coord = leases.coord
    key, lock = coord.key(leases.spider, "run"), coord.key(leases.spider, "runlock")
    deadline = time.monotonic() + 60
    while True:
        found = coord.server.hgetall(key)
        if found:
            return int(found[b"id"]), found[b"origin"].decode(), False
        if coord.server.set(lock, coord.worker, nx=True, ex=60):
            run_id, origin = start()
            coord.server.hset(key, mapping={"id": run_id, "origin": origin})
            return run_id, origin, True
        if time.monotonic() > deadline:
            raise RuntimeError(f"no shared run of {leases.spider} appeared in Redis within 60 s")
        time.sleep(0.2)


# ---------------------------------------------------------------- politeness


class HostGate:
    """One request per host every ``GX_HOST_DELAY`` seconds across all workers, passed where a request leaves.

    Passed in the download handler (``gxcrawler.crawl.transport``), after Scrapy's per-host slot:
    a gate in a downloader middleware stamped a request before it waited in its slot, and two
    requests stamped ``delay`` apart could then leave together (the 1,000-portal benchmark logged
    gaps of 35 ms for a 0.5 s delay with one worker).
    """

    def __init__(self, coord: Coordination, delay: float, jitter: float = 0.0, stats=None,
                 log_dir: str | None = None) -> None:
        self.coord = coord
        self.delay = delay
        self.jitter = jitter
        self.stats = stats
        # GX_GATE_LOG_DIR (benchmarks): each request's departure (wall clock, host, URL) in <dir>/<pid>.tsv,
        # so politeness can be audited across workers where requests leave, not where a loaded server logs them
        self.log = open(os.path.join(log_dir, f"{os.getpid()}.tsv"), "a", buffering=1) if log_dir else None  # noqa: SIM115

    @classmethod
    def of(cls, crawler) -> HostGate | None:
        """The crawler's gate in distributed mode with a delay, else None (local delays apply)."""
        settings = crawler.settings
        delay = settings.getfloat("GX_HOST_DELAY", 0.0)
        if not enabled(settings) or delay <= 0:
            return None
        return cls(Coordination.of(settings), delay, settings.getfloat("GX_HOST_DELAY_JITTER", 0.0), crawler.stats,
                   settings.get("GX_GATE_LOG_DIR") or None)

    def wait_for(self, host: str) -> float:
        """Pass ``host``'s gate now (0) or the seconds to wait before asking again."""
        delay = self.delay * (1 + random.uniform(-self.jitter, self.jitter)) if self.jitter else self.delay
        ms = int(delay * 1000)
        wait = self.coord.script("gate", [f"{self.coord.prefix}:host:{host}"], [ms, ms * 4 + 60_000])
        return int(wait) / 1000

    async def pass_through(self, request) -> None:
        """Return when ``request`` may leave: its host's gate passed and stamped."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor, task

        host = urlparse_cached(request).hostname or ""
        started = time.monotonic()
        while (wait := self.wait_for(host)) > 0:
            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        if self.log is not None:
            self.log.write(f"{time.time():.6f}\t{host}\t{request.url}\n")
        waited = time.monotonic() - started
        if waited > 0 and self.stats is not None:
            self.stats.inc_value("gx/distributed/host_wait_ms", int(waited * 1000))


# ---------------------------------------------------------------- the night's portals


class Night:
    """Which portals this worker crawls: claimed one at a time; one claimed by a dead worker is taken over."""

    def __init__(self, coord: Coordination, names: list[str], *, claim_ttl: int = 36 * 3600) -> None:
        self.coord = coord
        self.names = list(names)
        self.ttl = claim_ttl
        self._cursor = 0

    def claim_key(self, name: str) -> str:
        return self.coord.key("claim", name)

    def done_key(self, name: str) -> str:
        return self.coord.key("done", name)

    def mark_done(self, name: str) -> None:
        self.coord.server.set(self.done_key(name), "1", ex=self.ttl)

    def next(self) -> tuple[str | None, bool]:
        """``(portal, seed)`` to crawl next, or ``(None, waiting)``: waiting while live workers still crawl."""
        server, me = self.coord.server, self.coord.worker
        while self._cursor < len(self.names):
            name = self.names[self._cursor]
            self._cursor += 1
            if self.coord.script("claim", [self.claim_key(name)], [me, "", self.ttl]):
                return name, True
        # Two MGETs and one check per owner, not three round trips per portal: every free slot asks this
        # every GX_WORKER_POLL_SECONDS at the night's end, and the reactor waits for the answers.
        done = server.mget([self.done_key(n) for n in self.names]) if self.names else []
        left = [n for n, d in zip(self.names, done, strict=True) if not d]
        owners = [o.decode() if o else "" for o in (server.mget([self.claim_key(n) for n in left]) if left else [])]
        alive = {o: o == me or self.coord.is_alive(o) for o in set(owners) if o}
        waiting = False
        for name, owner in zip(left, owners, strict=True):
            if owner and alive[owner]:
                waiting = True  # running here or in a live worker
                continue
            if self.coord.script("claim", [self.claim_key(name)], [me, owner, self.ttl]):
                logger.warning("taking over %s from %s (stopped living)", name, owner or "nobody")
                return name, None  # seed decided when it opens: only if nothing of it is left in Redis
        if not waiting:
            server.set(self.coord.key("finished"), "1", ex=self.ttl)
        return None, waiting


__all__ = [
    "Coordination",
    "Distributed",
    "DistributedExtension",
    "HostGate",
    "LeaseMiddleware",
    "LeasedScheduler",
    "Leases",
    "Night",
    "enabled",
    "redis_url",
    "shared_run",
]
