"""Retries with exponential backoff, honouring the server's ``Retry-After``.

Scrapy's RetryMiddleware re-schedules a failed request at once; a struggling
government server (or a WAF counting requests) is better served by waiting. This
subclass waits ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds (capped by
``RETRY_BACKOFF_MAX``) before handing back the n-th retry. When the answer carried a
``Retry-After`` (seconds or an HTTP date, on a 429 or 503 typically), the wait is at
least that, capped by ``RETRY_AFTER_MAX`` (default 120 s: a server asking for an hour
is retried by the next run instead). The wait holds the request's download slot, so
the whole host is slowed down, which is the point.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from ``now``: ``"120"`` → 120; an HTTP date → its distance; else None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    def backoff_delay(self, request: Request, retry_after: float | None = None) -> float:
        retries = int(request.meta.get("retry_times", 1))
        delay = min(self.backoff_max, self.backoff_base * 2 ** max(0, retries - 1)) if self.backoff_base > 0 else 0.0
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry_after_max))
        return delay

    async def _wait(self, result, retry_after: float | None = None):
        if isinstance(result, Request):
            delay = self.backoff_delay(result, retry_after)
            if delay > 0:
                from twisted.internet import reactor

                await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))
        return result

    async def process_response(self, request: Request, response: Response, spider=None):
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        result = super().process_response(request, response)
        if retry_after is not None and isinstance(result, Request):
            self._hold_host(request, min(retry_after, self.retry_after_max))
        return await self._wait(result, retry_after)

    def _hold_host(self, request: Request, seconds: float) -> None:
        """The server asked the whole host to be left alone ``seconds``: its download slot starts nothing
        before then (the downloader waits ``delay`` after ``lastseen``; a slot without a delay is not held)."""
        from scrapy.core import downloader

        # the downloader's own clock: ``time.monotonic`` in newer Scrapy (2.19), ``time.time`` in 2.15
        clock = getattr(downloader, "monotonic", None) or downloader.time
        slots = getattr(getattr(getattr(self, "crawler", None), "engine", None), "downloader", None)
        slot = slots.slots.get(request.meta.get("download_slot")) if slots is not None else None
        if slot is not None and slot.delay > 0:
            slot.lastseen = max(slot.lastseen, clock() + seconds - slot.delay)

    async def process_exception(self, request: Request, exception: Exception, spider=None):
        return await self._wait(super().process_exception(request, exception))
