"""robots.txt read once per host a day, across nights and across workers (issue 16, RFC 9309 §2.4).

Scrapy's ``RobotsTxtMiddleware`` asks each host for its robots.txt once per crawl and per
process: every night, and once per worker in distributed mode. This subclass keeps what
a host answered in a cache and uses it for ``GX_ROBOTSTXT_CACHE_HOURS`` (default 24, the
most RFC 9309 advises) from the time it was fetched:

* **where** — in distributed mode in Redis (``<GX_REDIS_PREFIX>:robots:<scheme>://<host>``,
  kept a week for revalidation), shared by every worker on every machine; the first
  worker to need a host's robots.txt takes a short lock and fetches it, the others wait
  for its answer (at most ``GX_ROBOTSTXT_WAIT``, 30 s, then fetch it themselves). In one
  process, in files under ``GX_ROBOTSTXT_CACHE_DIR`` (default ``<GX_CRAWLS_DIR>/robots``).
* **stale** — asked again conditionally (``If-None-Match``/``If-Modified-Since`` from the
  cached answer); a 304 keeps the cached rules for another period. That request counts.
* **what is kept** — 2xx (the rules) and 4xx other than 429 (RFC 9309: "unavailable",
  crawl allowed). A 5xx, 429 or network error is never cached: the stale rules are used
  if there are any (RFC 9309 allows it while the file is unreachable), else Scrapy's
  behaviour stands (nothing forbidden).

``GX_ROBOTSTXT_CACHE_HOURS = 0`` turns the cache off (Scrapy's behaviour).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from . import distributed

logger = logging.getLogger(__name__)

STATS = "gx/robots"
KEEP_SECONDS = 7 * 86400  # a stale answer is kept this long for a conditional request


class FileCache:
    """One JSON file per host (one process, or several sharing a disk)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / (hashlib.sha1(key.encode()).hexdigest()[:20] + ".json")

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if entry.get("key") == key else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self._path(key)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({**entry, "key": key}), encoding="utf-8")
        tmp.replace(path)  # atomic: a reader never sees half a file

    def claim(self, key: str) -> bool:
        return True  # one process: its own in-flight table (``_parsers``) already fetches a host once

    def release(self, key: str) -> None:
        pass


class RedisCache:
    """Shared by every worker of every crawl under one prefix; a lock per host while one fetches it."""

    def __init__(self, coord: distributed.Coordination) -> None:
        self.coord = coord

    def _key(self, key: str) -> str:
        return f"{self.coord.prefix}:robots:{key}"

    def get(self, key: str) -> dict[str, Any] | None:
        raw = self.coord.server.get(self._key(key))
        return json.loads(raw) if raw else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        self.coord.server.set(self._key(key), json.dumps(entry), ex=KEEP_SECONDS)

    def claim(self, key: str) -> bool:
        return bool(self.coord.server.set(self._key(key) + ":lock", self.coord.worker, nx=True, ex=60))

    def release(self, key: str) -> None:
        self.coord.server.delete(self._key(key) + ":lock")


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, reading each host's answer from a cache while it is fresh."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.max_age = settings.getfloat("GX_ROBOTSTXT_CACHE_HOURS", 24.0) * 3600
        self.wait = settings.getfloat("GX_ROBOTSTXT_WAIT", 30.0)
        self.cache: FileCache | RedisCache | None = None
        if self.max_age > 0:
            if distributed.enabled(settings):
                self.cache = RedisCache(distributed.Coordination.of(settings))
            else:
                root = settings.get("GX_ROBOTSTXT_CACHE_DIR") or str(Path(settings.get("GX_CRAWLS_DIR") or "crawls")
                                                                    / "robots")
                self.cache = FileCache(Path(root))

    def fresh(self, entry: dict[str, Any] | None) -> bool:
        return entry is not None and 0 <= time.time() - entry["fetched_at"] < self.max_age

    async def robot_parser(self, request: Request):
        if self.cache is None:
            return await super().robot_parser(request)
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            key = f"{url.scheme}://{netloc}"
            try:
                body = await self._rules(key, request)
            except Exception as exc:  # noqa: BLE001 - as Scrapy: nothing forbidden when robots.txt fails
                if not isinstance(exc, IgnoreRequest):
                    logger.error("Error downloading %s/robots.txt: %s", key, exc)
                self._robots_error(exc, netloc)
            else:
                await self._use(body, netloc, request)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    async def _rules(self, key: str, request: Request) -> bytes:
        """The host's robots.txt: cached while fresh, else fetched once (conditionally) and cached."""
        entry = self.cache.get(key)
        if self.fresh(entry):
            self._stats.inc_value(f"{STATS}/cached")
            return entry["body"].encode("latin-1")
        claimed = self.cache.claim(key)
        try:
            if not claimed:  # another worker is fetching it: wait for its answer
                entry = await self._wait_for(key) or entry
                if self.fresh(entry):
                    self._stats.inc_value(f"{STATS}/cached")
                    return entry["body"].encode("latin-1")
            return await self._fetch(key, entry)
        finally:
            if claimed:
                self.cache.release(key)

    async def _wait_for(self, key: str) -> dict[str, Any] | None:
        from twisted.internet import reactor, task

        deadline = time.monotonic() + self.wait
        while time.monotonic() < deadline:
            await maybe_deferred_to_future(task.deferLater(reactor, 0.2, lambda: None))
            entry = self.cache.get(key)
            if self.fresh(entry):
                return entry
        return None

    async def _fetch(self, key: str, stale: dict[str, Any] | None) -> bytes:
        headers = {}
        if stale is not None and stale.get("etag"):
            headers["If-None-Match"] = stale["etag"]
        if stale is not None and stale.get("last_modified"):
            headers["If-Modified-Since"] = stale["last_modified"]
        robots = Request(f"{key}/robots.txt", headers=headers, priority=self.DOWNLOAD_PRIORITY,
                         meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
        self._stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(robots)
        except Exception:
            if stale is None:
                raise
            self._stats.inc_value(f"{STATS}/stale_used")
            return stale["body"].encode("latin-1")  # unreachable: the last rules known (RFC 9309 §2.4)
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        status = response.status
        if status == 304 and stale is not None:
            body = stale["body"].encode("latin-1")
            self._stats.inc_value(f"{STATS}/not_modified")
        elif 200 <= status < 300 or (400 <= status < 500 and status != 429):
            body = response.body if status < 300 else b""  # 4xx: no rules, crawl allowed
        else:  # 5xx, 429, a 3xx that was not followed: not cached
            if stale is not None:
                self._stats.inc_value(f"{STATS}/stale_used")
                return stale["body"].encode("latin-1")
            return response.body
        try:
            self.cache.put(key, {
                "fetched_at": time.time(), "status": status, "body": body.decode("latin-1"),
                "etag": _header(response, b"ETag") or (stale or {}).get("etag"),
                "last_modified": _header(response, b"Last-Modified") or (stale or {}).get("last_modified"),
            })
        except OSError as exc:  # a cache that cannot be written must not cost the rules just fetched
            logger.warning("robots.txt of %s not cached: %s", key, exc)
        return body

    async def _use(self, body: bytes, netloc: str, request: Request) -> None:
        """Parse ``body`` and hand the parser to whoever waits for ``netloc`` (as Scrapy's ``_parse_robots``)."""
        parser = build_from_crawler(self._parserimpl, self.crawler, body)
        await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=parser,
                                                        request=request)
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
